"""The page's connection to the cluster: org.example.tools.SqlBridge of the tools JAR, started as a
child process and spoken to in JSON lines over its stdin and stdout (see that class). Requests may
be in flight at once; each answer finds its caller by the request's id."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[2]


class BridgeError(RuntimeError):
    """A statement the cluster refused, or a bridge that is gone."""


def command(tools_jar: str | None = None, hazelcast_lib: str | None = None, cluster_name: str | None = None,
            addresses: str | None = None, java: str = "java") -> list[str]:
    """The command line of the bridge, from the arguments, else the environment, else this checkout."""
    tools_jar = tools_jar or os.environ.get("FRAUD_TOOLS_JAR") or str(ROOT / "scripts/tools/target/fraud-detection-tools.jar")
    hazelcast_lib = hazelcast_lib or os.environ.get("HZ_LIB") or str(ROOT / ".run/lib/hazelcast")
    logging = os.environ.get("HZ_CLIENT_LOGGING") or str(ROOT / "scripts/cli-logging.properties")
    for path, what in ((tools_jar, "the tools JAR (mvn -DskipTests package)"),
                       (hazelcast_lib, "the Hazelcast jars (scripts/cluster.sh up fetches them)")):
        if not Path(path).exists():
            raise BridgeError(f"{path} not found: {what}")
    cmd = [java, "-Xmx256m", "-XX:+UseSerialGC", f"-Djava.util.logging.config.file={logging}",
           "-Dhazelcast.logging.type=jdk", "-Dhazelcast.phone.home.enabled=false",
           "-cp", f"{tools_jar}{os.pathsep}{hazelcast_lib}/*", "org.example.tools.SqlBridge"]
    if cluster_name or os.environ.get("HZ_CLUSTER_NAME"):
        cmd += ["--cluster-name", cluster_name or os.environ["HZ_CLUSTER_NAME"]]
    if addresses or os.environ.get("HZ_ADDRESSES"):
        cmd += ["--addresses", addresses or os.environ["HZ_ADDRESSES"]]
    return cmd


class Bridge:
    def __init__(self, cmd: Sequence[str], timeout_s: float = 120.0, connect_timeout_s: float = 120.0):
        self._timeout_s = timeout_s
        # stderr is the bridge's log: it goes where the page's log goes.
        self._process = subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True, encoding="utf-8", bufsize=1)
        self._ids = itertools.count(1)
        self._pending: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._connected: Future = Future()
        self._reader = threading.Thread(target=self._read_answers, name="sql-bridge-reader", daemon=True)
        self._reader.start()
        # The bridge says when its client has joined the cluster; until then no request could be
        # answered, and a page without a cluster should say so, not time out query by query.
        try:
            self._connected.result(timeout=connect_timeout_s)
        except FutureTimeout:
            self.close()
            raise BridgeError(f"the SQL bridge did not connect to the cluster within {connect_timeout_s:.0f} s") from None

    def sql(self, sql: str, params: Sequence = (), timeout_s: float | None = None) -> list[dict]:
        """The rows of a query as dicts by column name; raises BridgeError with the cluster's reason."""
        answer = self._ask({"sql": sql, "params": list(params)}, timeout_s)
        if "rows" not in answer:
            return []
        columns = answer["columns"]
        return [dict(zip(columns, row)) for row in answer["rows"]]

    def job(self, name: str) -> dict:
        return self._ask({"job": name})["job"]

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
            except OSError:
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        """The bridge's process id: a measurement reads its CPU time."""
        return self._process.pid

    def _ask(self, request: dict, timeout_s: float | None = None) -> dict:
        timeout_s = timeout_s or self._timeout_s
        future: Future = Future()
        with self._lock:
            if self._process.poll() is not None:
                raise BridgeError(f"the SQL bridge has exited (code {self._process.returncode}); see the page's log")
            request_id = next(self._ids)
            self._pending[request_id] = future
            self._process.stdin.write(json.dumps({"id": request_id, **request}) + "\n")
            self._process.stdin.flush()
        try:
            answer = future.result(timeout=timeout_s)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(request_id, None)
            raise BridgeError(f"no answer from the cluster within {timeout_s:.0f} s") from None
        if "error" in answer:
            raise BridgeError(answer["error"])
        return answer

    def _read_answers(self) -> None:
        for line in self._process.stdout:
            answer = json.loads(line)
            if answer.get("connected"):
                self._connected.set_result(True)
                continue
            with self._lock:
                future = self._pending.pop(answer.get("id"), None)
            if future is not None:
                future.set_result(answer)
        # The bridge ended: nobody waits in vain.
        code = self._process.wait()
        if not self._connected.done():
            self._connected.set_exception(BridgeError(
                f"the SQL bridge exited (code {code}) before it connected; its log is above"))
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(BridgeError(f"the SQL bridge has exited (code {code})"))
