"""docker-compose.yml, proven by running it: a real Docker engine runs the shipped compose file with
docker-compose, and the run must end with every transaction accounted for exactly once. Then the
Testcontainers scenario of the Java tests runs against the same engine. scripts/compose-test.sh
runs this (as root: it starts Docker daemons of its own) as the last step of scripts/test.sh.

What it does, in order (each phase is timed in the summary):
  1. installs what is missing: docker.io, docker-compose, debootstrap, chromium and
     chromium-driver (apt-get); the member image's wheels (no package index is reachable from
     inside an image build here: scripts/docker/fetch-wheels.sh) and the container test's Maven
     artifacts;
  2. starts a build daemon in this machine's network namespace (--bridge=none --iptables=false,
     builds with --network host), builds the stand-in images (scripts/docker/build-standins.sh:
     Debian from debootstrap, Kafka from Maven Central, PostgreSQL from Debian's packages), the
     member image and the page image, then stops it;
  3. starts a run daemon inside a private network namespace (so that ports 9092, 5701, ... never
     clash with anything else on the machine), on the same data root, so the images are there;
  4. `docker-compose build` of the shipped file: every step must come from the cache and give the
     same image (proves the compose file builds what step 2 built, and that no build needs the
     network the run daemon does not have);
  5. `docker-compose up -d` of every service but management-center, with KAFKA_IMAGE,
     POSTGRES_IMAGE and MEMBER_BASE_IMAGE naming the stand-ins, the file otherwise unchanged; waits
     until the long-running services are healthy and the one-shots have exited 0;
  6. checks: the job is RUNNING; each member sees all members and logged the Python init script's
     output (its PREDICT stage runs there); every transaction produced has exactly one outcome and
     predictions were stored (VerifyRun, from a container); the broker's data is on its volume;
     the reference database holds every card holder and merchant of the data set, on its volume;
     the live page of service dashboard, in headless Chromium on its published port, shows the
     job RUNNING and stored predictions and no whole card number;
  6b. a full cluster restart: all the members stopped, then started again, with nothing else done:
     service submit-job must submit the job again by itself, the job must replay the topic and read
     the reference data through from the database, and every transaction must again have exactly
     one outcome, none dead-lettered for missing reference data; it times the restart to the first
     prediction and to the last outcome;
  7. `docker-compose down -v`, and no container, volume or network of the project is left;
  8. FraudPipelineContainerTest (Testcontainers) inside the run daemon's network namespace, with
     the Kafka stand-in, no reaper (Ryuk) and no start-up checks (their images cannot be pulled);
     it must run all its tests, none skipped;
  9. stops the run daemon and checks that no process, mount or socket of either daemon is left.
Management Center is not run: its image cannot be pulled here and has no stand-in.

Images stay cached in the daemons' data root for the next run; nothing else is left behind. When a
Docker engine cannot start, it says so loudly and exits 1.

Env: COMPOSE_TEST_CACHE    the daemons' data root and lock, one per checkout:
                           /var/cache/fraud-detection-compose-test/<checkout>-<hash of its path>
     COMPOSE_TEST_TIMEOUT  900  seconds for the stack to finish its one-shot services
     COMPOSE_TEST          run; skip: do nothing but say so loudly (refused when CI is set)
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from checks import surefire_summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_FILE = ROOT / ".env"
LOG_DIR = ROOT / ".run" / "logs"
CACHE_PARENT = Path("/var/cache/fraud-detection-compose-test")
CONTAINER_TEST = "FraudPipelineContainerTest"
CONTAINER_TEST_REPORT = ROOT / f"scripts/tools/target/surefire-reports/TEST-org.example.it.{CONTAINER_TEST}.xml"
# The job the stack's submit-job service submits, under the job's own default name.
JOB_NAME = "fraud-detection"
NOT_RUN = "management-center"
KAFKA_DATA = "/var/lib/kafka/data"
POSTGRES_DATA = "/var/lib/postgresql/data"
# The tables of the reference database the loader fills from the data set's files of the same names.
REFERENCE_TABLES = ("customers", "merchants")
# Dead-letter reasons that mean ENRICH found no reference data: after a restart there must be none.
MISSING_REFERENCE_DATA = ("UNKNOWN_CARD", "UNKNOWN_MERCHANT", "REFERENCE_DATA_UNAVAILABLE")
PAGE_URL = "http://127.0.0.1:8501/"
DAEMON_START_S = 90
# docker-compose 1.29 redraws its per-container progress lines with these.
TERMINAL_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\r")


class Failed(Exception):
    """A check failed: the run fails with this message (and the logs of these services)."""

    def __init__(self, message: str, services: Iterable[str] = ()):
        super().__init__(message)
        self.services = list(services)


class EngineCannotStart(Exception):
    """No Docker engine to run on: the test proved nothing, which is a failure, said loudly."""


# ---- what the repository says ---------------------------------------------------------------------

def checkout_cache(root: Path) -> Path:
    """The default data root of this checkout's daemons: its own, so that two checkouts on one
    machine never wait for each other's lock or share images mid-build."""
    return CACHE_PARENT / f"{root.name}-{hashlib.sha256(str(root).encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Settings:
    cache: Path
    timeout_s: int
    skip: bool

    @staticmethod
    def from_environment(env: dict[str, str], root: Path = ROOT) -> Settings:
        mode = env.get("COMPOSE_TEST", "run")
        if mode not in ("run", "skip"):
            raise ValueError(f"COMPOSE_TEST must be run or skip, got '{mode}'")
        timeout = env.get("COMPOSE_TEST_TIMEOUT", "900")
        if not timeout.isdigit() or int(timeout) < 1:
            raise ValueError(f"COMPOSE_TEST_TIMEOUT is whole seconds of at least 1, not '{timeout}'")
        if mode == "skip" and env.get("CI"):
            raise ValueError("COMPOSE_TEST=skip is refused in CI: the compose test must run there")
        cache = Path(env["COMPOSE_TEST_CACHE"]) if env.get("COMPOSE_TEST_CACHE") else checkout_cache(root)
        return Settings(cache, int(timeout), mode == "skip")


@dataclass(frozen=True)
class Stack:
    """What docker-compose.yml and .env say the stack is."""
    project: str
    member_image: str
    page_image: str
    services: list[str]  # every one this test runs, in the file's order
    members: list[str]
    cluster_name: str

    @staticmethod
    def read(compose_file: Path = COMPOSE_FILE, env_file: Path = ENV_FILE) -> Stack:
        # PyYAML resolves the `<<: *anchor` merges as Compose does.
        compose = yaml.safe_load(compose_file.read_text())
        services = compose["services"]
        images = {str(s.get("image", "")) for s in services.values()}

        def image(prefix):
            found = sorted(i for i in images if i.startswith(prefix))
            if len(found) != 1:
                raise Failed(f"expected one {prefix}* image in {compose_file}, found {found or 'none'}")
            return found[0]

        if NOT_RUN not in services:
            raise Failed(f"no {NOT_RUN} service in {compose_file}")
        members = [name for name in services if re.fullmatch(r"hz-\d+", name)]
        if not members:
            raise Failed(f"no member services (hz-1, ...) in {compose_file}")
        return Stack(project=env_value(env_file.read_text(), "COMPOSE_PROJECT_NAME", env_file),
                     member_image=image("fraud-detection-member:"), page_image=image("fraud-detection-page:"),
                     services=[name for name in services if name != NOT_RUN], members=members,
                     cluster_name=compose["x-client-environment"]["HZ_CLUSTER_NAME"])


def env_value(text: str, name: str, source: Path) -> str:
    """A variable of a compose .env file (NAME=value lines, # comments)."""
    for line in text.splitlines():
        key, equals, value = line.strip().partition("=")
        if equals and key == name and value.strip():
            return value.strip()
    raise Failed(f"no {name} in {source}")


# ---- what the tools print -------------------------------------------------------------------------

def standin_images(last_line: str) -> dict[str, str]:
    """build-standins.sh's last line, `MEMBER_BASE_IMAGE=... KAFKA_IMAGE=... POSTGRES_IMAGE=...`."""
    images = dict(word.partition("=")[::2] for word in last_line.split() if "=" in word)
    if not all(images.get(name) for name in ("MEMBER_BASE_IMAGE", "KAFKA_IMAGE", "POSTGRES_IMAGE")):
        raise Failed(f"build-standins.sh named no images: '{last_line}'")
    return images


def steps_from_cache(build_log: str) -> tuple[int, int]:
    """(steps taken from the cache, steps) of a classic-builder log."""
    lines = build_log.splitlines()
    return sum("Using cache" in line for line in lines), sum(line.startswith("Step ") for line in lines)


def compose_up_lines(log: str) -> list[str]:
    """What `docker-compose up` created and any warning, without its redrawn progress lines."""
    text = TERMINAL_CONTROL.sub("", log)
    return [line for line in text.splitlines() if re.match(r"(Creating (network|volume)|WARNING|ERROR)", line)]


@dataclass(frozen=True)
class Container:
    service: str
    status: str  # created, running, exited, ...
    health: str | None  # starting, healthy, unhealthy; None: no health check
    exit_code: int
    one_shot: bool  # restart policy "no": it runs to completion

    @staticmethod
    def of(service: str, inspected: dict) -> Container:
        state = inspected["State"]
        return Container(service, state["Status"], (state.get("Health") or {}).get("Status"), state["ExitCode"],
                         inspected["HostConfig"]["RestartPolicy"]["Name"] in ("", "no"))

    @property
    def done(self) -> bool:
        return self.status == "exited" and self.exit_code == 0 if self.one_shot else self.health == "healthy"


def still_waiting_for(containers: list[Container]) -> list[str]:
    """The services not done yet, as `name (state)`; a failed one fails the run."""
    pending = []
    for c in containers:
        if c.one_shot:
            if c.status == "exited" and c.exit_code != 0:
                raise Failed(f"one-shot service {c.service} exited with code {c.exit_code}", [c.service])
        elif c.status != "running":
            raise Failed(f"service {c.service} is {c.status} (exit code {c.exit_code})", [c.service])
        elif c.health == "unhealthy":
            raise Failed(f"service {c.service} is unhealthy", [c.service])
        if not c.done:
            pending.append(f"{c.service} ({c.status if c.one_shot else c.health or 'no health check'})")
    return pending


# How long the checks wait for the job to be RUNNING once the stack has run to completion.
JOB_RUNNING_TIMEOUT_S = 300


def job_listed_running(list_jobs: str, job: str) -> str | None:
    """hz-cli list-jobs' line of the job, when the job is RUNNING."""
    return next((" ".join(line.split()) for line in list_jobs.splitlines()
                 if re.search(rf"\bRUNNING\b.* {re.escape(job)}$", line.rstrip())), None)


def python_init_line(member_log: str) -> str | None:
    """The init script's line that says the member's Python stage reuses the image's interpreter."""
    found = re.search(r"Reusing prepared interpreter: .*", member_log)
    return found.group(0) if found else None


def fell_back_to_pip(member_log: str) -> bool:
    return "installing as Hazelcast's stock script does" in member_log


def sent_by_producer(producer_log: str) -> tuple[int, int] | None:
    """(sent, planned) of the producer's last summary line, `Sent 52,213 of 52,213 transactions`."""
    found = re.findall(r"Sent ([\d,]+) of ([\d,]+) transactions", producer_log)
    return tuple(int(n.replace(",", "")) for n in found[-1]) if found else None


def predictions_out(report: str) -> int | None:
    found = re.search(r"^ *predictions out +([\d,]+)$", report, re.MULTILINE)
    return int(found.group(1).replace(",", "")) if found else None


def accounts_for_every_input(report: str) -> bool:
    return re.search(r"accounted for +every input exactly once", report) is not None


def dead_lettered_as(report: str, reasons: Iterable[str]) -> dict[str, int]:
    """VerifyRun's dead-letter lines of these reasons with a count above 0, `    UNKNOWN_CARD   3`: the
    name padded to 25 characters, so one longer meets its count without a space between."""
    counts = {}
    for reason in reasons:
        found = re.search(rf"^ *{re.escape(reason)} *([\d,]+)", report, re.MULTILINE)
        if found and int(found.group(1).replace(",", "")) > 0:
            counts[reason] = int(found.group(1).replace(",", ""))
    return counts


def first_prediction_seconds(report: str) -> float | None:
    """VerifyRun --first-only's `  first prediction      12.3 s after submit`."""
    found = re.search(r"first prediction +([\d.]+) s", report)
    return float(found.group(1)) if found else None


def row_count(psql_output: str) -> int | None:
    """`psql -At -c 'SELECT count(*) ...'`'s one line."""
    text = psql_output.strip()
    return int(text) if text.isdigit() else None


def mount_of(inspected: dict, destination: str) -> str:
    """`type:name` of what a container has mounted at destination, '' when nothing."""
    return next((f"{m['Type']}:{m.get('Name', '')}" for m in inspected["Mounts"] if m["Destination"] == destination),
                "")


def minutes(ms: int) -> str:
    return f"{ms // 60000}:{ms // 1000 % 60:02d}"


# ---- phases ---------------------------------------------------------------------------------------

@dataclass
class Phases:
    """Each phase's name and time; the summary lists them. `clock` gives milliseconds."""
    clock: Callable[[], int] = lambda: time.monotonic_ns() // 1_000_000
    done: list[tuple[str, int]] = field(default_factory=list)
    current: str | None = None
    started: int = 0

    def begin(self, name: str) -> None:
        self.end()
        self.current, self.started = name, self.clock()
        info(f"\n== {name}")

    def end(self) -> None:
        if self.current is not None:
            self.done.append((self.current, self.clock() - self.started))
            self.current = None

    def lines(self, total_ms: int) -> list[str]:
        return [f"  {name:<46} {minutes(ms)}" for name, ms in self.done] + [f"  {'total':<46} {minutes(total_ms)}"]


# ---- processes, mounts and daemons ---------------------------------------------------------------

def info(text: str) -> None:
    print(text, flush=True)


def banner(*lines: str) -> None:
    rule = "#" * 72
    text = "\n".join(f"## {line}" for line in lines)
    print(f"\n{rule}\n{text}\n{rule}\n", file=sys.stderr, flush=True)


def log_tail(log: Path, lines: int = 20) -> None:
    if log.exists() and log.stat().st_size:
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"\n--- last lines of {log} ---\n" + "\n".join(tail) + "\n---", file=sys.stderr, flush=True)


def running(pid: int) -> bool:
    """Whether a process runs: exists and is not a zombie (an exited child of ours until reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def terminate(pid: int, grace_s: float) -> None:
    """SIGTERM, up to grace_s for it to exit, then SIGKILL."""
    if not running(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while running(pid):
        if time.monotonic() >= deadline:
            print(f"WARNING: pid {pid} still running after {grace_s:.0f}s, sending SIGKILL", file=sys.stderr)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(1)
            return
        time.sleep(0.3)


def mounts_under(prefixes: Iterable[str], proc_mounts: str | None = None) -> list[str]:
    text = Path("/proc/mounts").read_text() if proc_mounts is None else proc_mounts
    points = [line.split()[1] for line in text.splitlines() if len(line.split()) > 1]
    return [p for p in points if any(p.startswith(prefix) for prefix in prefixes)]


def processes_naming(path: str) -> list[tuple[int, str]]:
    """Processes whose command line names path: the daemons, their containerd and shims."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = proc.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if path in command and int(proc.name) != os.getpid():
            found.append((int(proc.name), command[:100]))
    return found


class Daemon:
    """A dockerd of this test's own: its socket, pid file and exec root in the run directory, the
    data root shared by both daemons (never both at once). `own_network`: in a network namespace of
    its own, with only a loopback, so its bridge networks, container addresses and published ports
    exist nowhere else; else in the machine's, without a bridge or iptables rules, so that it adds
    no address or rule there (builds reach the network through the host's)."""

    def __init__(self, name: str, run_dir: Path, data_root: Path, own_network: bool):
        self.name, self.data_root, self.own_network = name, data_root, own_network
        self.sock = run_dir / f"{name}.sock"
        self.pidfile = run_dir / f"{name}.pid"
        self.exec_root = run_dir / f"exec-{name}"
        self.log = run_dir / f"{name}-dockerd.log"
        self.launcher: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.sock}"

    def pid(self) -> int | None:
        return int(self.pidfile.read_text()) if self.pidfile.exists() and self.pidfile.read_text().strip() else None

    def start(self) -> None:
        dockerd = ["dockerd", "--host", self.host, "--data-root", str(self.data_root),
                   "--exec-root", str(self.exec_root), "--pidfile", str(self.pidfile), "--log-level=warn"]
        if self.own_network:
            command = ["unshare", "--net", "--fork", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *dockerd]
        else:
            command = [*dockerd, "--bridge=none", "--iptables=false", "--ip-masq=false"]
        with open(self.log, "wb") as log:
            # A session of its own: the caller's Ctrl-C reaches this test, which stops it in order.
            self.launcher = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        deadline = time.monotonic() + DAEMON_START_S
        while subprocess.run(["docker", "-H", self.host, "version", "--format", "{{.Server.Version}}"],
                             capture_output=True).returncode != 0:
            tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
            if self.launcher.poll() is not None:
                raise EngineCannotStart(f"dockerd exited during start; last lines of {self.log}:\n{tail}")
            if time.monotonic() >= deadline:
                raise EngineCannotStart(f"dockerd did not answer on {self.sock} within {DAEMON_START_S} s; "
                                        f"last lines of {self.log}:\n{tail}")
            time.sleep(0.5)
        if self.pid() is None:
            raise EngineCannotStart(f"dockerd answers but wrote no pid file {self.pidfile}")

    def stop(self) -> None:
        """SIGTERM, then up to 60 s (it stops its containers first), then SIGKILL; also a daemon that
        never wrote its pid file (through the process started). dockerd leaves the bind mount of its
        network namespace (<exec root>/netns/default) behind when it exits: unmounted here."""
        pid = self.pid()
        if pid is not None:
            terminate(pid, 60)
            self.pidfile.unlink(missing_ok=True)
        if self.launcher is not None:
            terminate(self.launcher.pid, 10)
            self.launcher.wait()
            self.launcher = None
        for mount in mounts_under([f"{self.exec_root}/"]):
            if subprocess.run(["umount", mount]).returncode != 0:
                print(f"WARNING: could not unmount {mount}", file=sys.stderr)
        if pid is not None and running(pid):
            raise Failed(f"the {self.name} daemon (pid {pid}) did not stop")


# ---- the test -------------------------------------------------------------------------------------

class ComposeTest:

    def __init__(self, settings: Settings, stack: Stack):
        self.settings, self.stack = settings, stack
        self.data_root = settings.cache / "docker"
        self.phases = Phases()
        self.began = self.phases.clock()
        self.run_dir: Path | None = None
        self.build: Daemon | None = None
        self.run: Daemon | None = None
        self.docker_host = ""
        self.standins: dict[str, str] = {}
        self.stack_up = False
        self.built: list[str] = []
        self.sizes = ""
        self.checks = ""
        self.expected = 0
        self.restart = ""
        self.testcontainers = ""

    # -- commands --

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a command: the daemon in use, and the stand-ins for the compose file."""
        daemon = {"DOCKER_HOST": self.docker_host} if self.docker_host else {}
        return {**os.environ, **daemon, **self.standins, **extra}

    def docker(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["docker", *args], env=self.env(), capture_output=True, text=True)
        if check and done.returncode != 0:
            raise Failed(f"docker {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def compose(self, *args: str, log: Path | None = None, check: bool = True,
                stderr_log: Path | None = None) -> subprocess.CompletedProcess:
        # The classic builder: what docker-compose 1.29 uses, and all that dockerd 20.10 offers without buildx.
        command = ["docker-compose", "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), *args]
        env = self.env(COMPOSE_DOCKER_CLI_BUILD="0", DOCKER_BUILDKIT="0")
        if log is not None:
            with open(log, "w") as out:
                done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        else:
            with open(stderr_log or os.devnull, "a") as err:
                done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        if check and done.returncode != 0:
            if log is not None:
                log_tail(log)
            raise Failed(f"docker-compose {' '.join(args)} failed" + (f"; see {log}" if log else ""))
        return done

    def compose_run(self, *args: str) -> subprocess.CompletedProcess:
        """A one-off container: its output only; compose's progress lines go to a log."""
        return self.compose("run", "--rm", "--no-deps", "-T", *args, check=False,
                            stderr_log=LOG_DIR / "compose-test-run.log")

    def container(self, service: str) -> dict:
        container_id = self.compose("ps", "-q", service).stdout.strip()
        if not container_id:
            raise Failed(f"service {service} has no container")
        return json.loads(self.docker("inspect", container_id))[0]

    def show_logs(self, services: Iterable[str]) -> None:
        for service in services:
            print(f"\n--- last lines of service {service} ---", file=sys.stderr, flush=True)
            sys.stderr.write(self.compose("logs", "--no-color", "--tail", "30", service, check=False).stdout)

    def logged(self, command: list[str], log: Path, what: str, env: dict[str, str] | None = None) -> None:
        with open(log, "w") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env or self.env(), cwd=ROOT)
            if done.returncode != 0:
                log_tail(log)
                raise Failed(f"{what} failed; see {log}")

    # -- phases --

    def prerequisites(self) -> None:
        if os.geteuid() != 0:
            raise EngineCannotStart("it must run as root: it starts its own Docker daemons, each in a network "
                                    "namespace of its own.")
        packages = {"dockerd": "docker.io", "docker-compose": "docker-compose", "debootstrap": "debootstrap",
                    "chromium": "chromium", "chromedriver": "chromium-driver"}
        missing = [package for tool, package in packages.items() if shutil.which(tool) is None]
        if missing:
            info(f"Installing {' '.join(missing)} ...")
            log = LOG_DIR / "compose-test-apt.log"
            # Another apt-get on this machine (another checkout's test) holds the lock for a while.
            lock = ["-o", "DPkg::Lock::Timeout=600"]
            try:
                self.logged(["apt-get", *lock, "update", "-q"], log, "apt-get update")
                self.logged(["apt-get", *lock, "install", "-y", "-q", *missing], log,
                            f"apt-get install {' '.join(missing)}",
                            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            except Failed as e:
                raise EngineCannotStart(str(e)) from e
        for tool in ("docker", "unshare", "nsenter", "ip", "mvn", "java"):
            if shutil.which(tool) is None:
                raise EngineCannotStart(f"'{tool}' is not installed")
        versions = [subprocess.run(c, capture_output=True, text=True).stdout.strip() for c in
                    (["dockerd", "--version"], ["docker-compose", "version", "--short"],
                     ["docker", "version", "--format", "{{.Client.Version}}"])]
        # "Docker version 20.10.24+dfsg1, build 5d6db84"
        info(f"dockerd {versions[0].split()[2].rstrip(',')}, docker-compose {versions[1]}, docker CLI {versions[2]}")
        self.lock_cache()

    def lock_cache(self) -> None:
        """One run at a time per cache: both daemons own the data root while they run."""
        self.data_root.mkdir(parents=True, exist_ok=True)
        self.lock = open(self.settings.cache / "lock", "w")
        deadline = time.monotonic() + 3600
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info(f"Another compose test holds {self.settings.cache}/lock; waiting for it (up to 60 minutes) ...")
            while True:
                try:
                    fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise EngineCannotStart(f"{self.settings.cache} is in use by another compose test") from None
                    time.sleep(5)
        self.run_dir = Path(tempfile.mkdtemp(prefix="fraud-compose-test.", dir="/run"))

    def host_preparation(self) -> None:
        log = LOG_DIR / "compose-test-wheels.log"
        self.logged([str(ROOT / "scripts/docker/fetch-wheels.sh")], log, "downloading the member image's wheels")
        info(log.read_text().splitlines()[-1])
        # Certificate authorities this machine trusts beyond Debian's (here: the HTTPS proxy's), for
        # Maven inside the member image's build stage; an empty directory when there are none.
        certificates = ROOT / "scripts/docker/ca-certificates"
        for old in certificates.glob("*.crt"):
            old.unlink()
        extra = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt"))
        for crt in extra:
            shutil.copy(crt, certificates)
        if extra:
            info(f"Trusting in the image build stage: {' '.join(map(str, extra))}")
        # The container test runs offline inside the run namespace: resolve and build what it needs
        # now. (Here, without DOCKER_HOST, it is skipped, as in mvn verify.)
        env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
        self.logged(["mvn", "-B", "-q", f"-Dtest={CONTAINER_TEST}", "-Dsurefire.failIfNoSpecifiedTests=false",
                     "package"], LOG_DIR / "compose-test-prefetch.log", "mvn package", env=env)

    def start_build_daemon(self) -> None:
        self.build = Daemon("build", self.run_dir, self.data_root, own_network=False)
        self.build.start()
        self.docker_host = self.build.host
        version = self.docker("version", "--format", "{{.Server.Version}}").strip()
        info(f"Build daemon up (pid {self.build.pid()}, dockerd {version}, data root {self.data_root})")

    def build_standins(self) -> None:
        out = LOG_DIR / "compose-test-standins.out"
        with open(out, "w") as log:
            done = subprocess.run([str(ROOT / "scripts/docker/build-standins.sh")], stdout=log,
                                  env=self.env(DOCKER_BUILD_NETWORK="host"), cwd=ROOT)
        text = out.read_text()
        print(text, end="", flush=True)
        if done.returncode != 0 or not text.strip():
            raise Failed("building the stand-in images failed")
        self.standins = standin_images(text.strip().splitlines()[-1])

    def build_images(self) -> None:
        """The Dockerfile's two targets, as the compose file builds them (the page's reuses the member's layers)."""
        for target, image in (("member", self.stack.member_image), ("page", self.stack.page_image)):
            log = LOG_DIR / f"compose-test-{target}-image.log"
            started = self.phases.clock()
            self.logged(["docker", "build", "--network", "host", "--force-rm", "-f", "scripts/docker/Dockerfile",
                         "--target", target, "--build-arg", f"BASE_IMAGE={self.standins['MEMBER_BASE_IMAGE']}",
                         "-t", image, "."], log, f"building {image}", env=self.env(DOCKER_BUILDKIT="0"))
            cached, steps = steps_from_cache(log.read_text())
            took = minutes(self.phases.clock() - started)
            self.built.append(f"{image} in {took} ({cached} of {steps} steps from cache)")
            info(f"Built {self.built[-1]}")
        self.image_ids = {image: self.image_id(image) for image in (self.stack.member_image, self.stack.page_image)}
        images = (self.stack.member_image, self.stack.page_image, self.standins["KAFKA_IMAGE"],
                  self.standins["POSTGRES_IMAGE"], self.standins["MEMBER_BASE_IMAGE"])
        self.sizes = ", ".join(f"{image} {self.megabytes(image)} MB" for image in images)
        # Old builds' layers would pile up in the cache; a week's are kept for the next runs.
        self.docker("image", "prune", "-f", "--filter", "until=168h")

    def image_id(self, image: str) -> str:
        return self.docker("image", "inspect", "--format", "{{.Id}}", image).strip()

    def megabytes(self, image: str) -> int:
        return int(self.docker("image", "inspect", "--format", "{{.Size}}", image)) // 1_000_000

    def stop_build_daemon(self) -> None:
        self.build.stop()
        self.build = None

    def start_run_daemon(self) -> None:
        self.run = Daemon("run", self.run_dir, self.data_root, own_network=True)
        self.run.start()
        self.docker_host = self.run.host
        interfaces = subprocess.run(["nsenter", f"--net=/proc/{self.run.pid()}/ns/net", "ip", "-br", "addr"],
                                    capture_output=True, text=True).stdout
        info(f"Run daemon up (pid {self.run.pid()}) in its own network namespace: "
             + " ".join(line.split()[0] for line in interfaces.splitlines() if line.split()))
        # The data root is this test's alone (the lock): anything in it besides images is left over
        # from a run that was killed before its teardown.
        containers, volumes = self.docker("ps", "-aq").split(), self.docker("volume", "ls", "-q").split()
        networks = self.docker("network", "ls", "-q", "--filter", "type=custom").split()
        if containers or volumes or networks:
            print(f"WARNING: removing what an interrupted earlier run left in {self.data_root}: "
                  f"{' '.join(containers + volumes + networks)}", file=sys.stderr)
            for ids, remove in ((containers, ["rm", "-f", "-v"]), (volumes, ["volume", "rm", "-f"]),
                                (networks, ["network", "rm"])):
                if ids:
                    self.docker(*remove, *ids)

    def compose_build(self) -> None:
        log = LOG_DIR / "compose-test-compose-build.log"
        self.compose("build", "generate-data", "dashboard", log=log)
        for image, built in self.image_ids.items():
            if self.image_id(image) != built:
                raise Failed(f"docker-compose build made a different {image} than scripts/docker/Dockerfile "
                             "with the same base")
        cached, _ = steps_from_cache(log.read_text())
        info(f"docker-compose build: {cached} steps from cache, the same images "
             + " and ".join(self.image_ids.values()))

    def compose_up(self) -> None:
        log = LOG_DIR / "compose-test-up.log"
        self.stack_up = True
        if self.compose("up", "-d", *self.stack.services, log=log, check=False).returncode != 0:
            sys.stderr.write(log.read_text())
            raise Failed("docker-compose up failed", self.stack.services)
        for line in compose_up_lines(log.read_text()):
            info(line)

    def await_stack(self) -> None:
        deadline = time.monotonic() + self.settings.timeout_s
        while True:
            containers = [Container.of(s, self.container(s)) for s in self.stack.services]
            pending = still_waiting_for(containers)
            if not pending:
                break
            if time.monotonic() >= deadline:
                raise Failed(f"after {self.settings.timeout_s}s still waiting for: {' '.join(pending)}",
                             self.stack.services)
            time.sleep(3)
        info("Healthy: " + " ".join(c.service for c in containers if not c.one_shot))
        info("Completed (exit 0): " + " ".join(c.service for c in containers if c.one_shot))

    def await_job_running(self) -> str:
        """hz-cli list-jobs' line of the job once it is RUNNING. The producers may finish while the
        job still starts its 30 Python processes (STARTING for minutes on two busy cores: a failed
        run found it so 3 minutes after submit), so its status is asked until JOB_RUNNING_TIMEOUT_S."""
        first = self.stack.members[0]
        started = time.monotonic()
        while True:
            jobs = self.compose("exec", "-T", first, "hz-cli", "-t", f"{self.stack.cluster_name}@{first}:5701",
                                "list-jobs").stdout
            listed = job_listed_running(jobs, JOB_NAME)
            if listed is not None:
                info(f"hz-cli list-jobs: {listed} (asked for {time.monotonic() - started:.0f} s)")
                return listed
            if time.monotonic() - started >= JOB_RUNNING_TIMEOUT_S:
                raise Failed(f"job {JOB_NAME} is not RUNNING after {JOB_RUNNING_TIMEOUT_S} s: {jobs}")
            time.sleep(5)

    def check_stack(self) -> None:
        self.await_job_running()
        for member in self.stack.members:
            size = self.compose("exec", "-T", member, "curl", "-fsS",
                                "http://127.0.0.1:5701/hazelcast/health/cluster-size").stdout.strip()
            if size != str(len(self.stack.members)):
                raise Failed(f"{member} sees a cluster of {size} members, not {len(self.stack.members)}")
            # Jet runs the init script once per member when the job's Python stage starts there; its
            # output is in the member log only because the image logs com.hazelcast.jet.python at FINE.
            member_log = self.compose("logs", "--no-color", member).stdout
            init = python_init_line(member_log)
            if init is None:
                raise Failed(f"{member} logged no output of jet_to_python_init.sh: the job's Python stage did not "
                             "start there, or its output is not in the log", [member])
            if fell_back_to_pip(member_log):
                raise Failed(f"{member} fell back to pip at job start: the image's Python lacks a package")
            info(f"{member}: cluster of {size}, Python init: {init}")

        sent = sent_by_producer(self.compose("logs", "--no-color", "produce-transactions").stdout)
        counted = self.compose_run("--entrypoint", "wc", "load-reference-data", "-l", "/data/transactions.jsonl").stdout
        expected = int(counted.split()[0]) if counted.split() and counted.split()[0].isdigit() else 0
        if expected < 1:
            raise Failed(f"could not count the transactions of the data set: '{counted.strip()}'")
        if sent != (expected, expected):
            raise Failed(f"produce-transactions did not send all {expected} transactions of the data set: {sent}")
        info(f"produce-transactions: sent {expected:,} of {expected:,} transactions (every send acknowledged)")

        verified = self.compose_run("load-reference-data", "verify", "--expected", str(expected),
                                    "--labels", "/data/labels.csv", "--timeout-seconds", "600")
        print(verified.stdout, end="", flush=True)
        if verified.returncode != 0:
            log_tail(LOG_DIR / "compose-test-run.log")
            raise Failed("VerifyRun: not every transaction has exactly one outcome")
        predictions = predictions_out(verified.stdout)
        if not predictions:
            raise Failed("no predictions were stored")
        if not accounts_for_every_input(verified.stdout):
            raise Failed("VerifyRun did not account for every input")

        volume = f"{self.stack.project}_kafka-data"
        mounted = mount_of(self.container("kafka"), KAFKA_DATA)
        if mounted != f"volume:{volume}":
            raise Failed(f"the broker's data directory is not on volume {volume}: '{mounted}'")
        if "transactions-0" not in self.compose("exec", "-T", "kafka", "ls", KAFKA_DATA).stdout.split():
            raise Failed("no partition of topic transactions in the broker's volume")
        info(f"Kafka: topic transactions on volume {volume} ({KAFKA_DATA})")
        self.check_reference_database()

        # The page: a real browser on the port the service publishes, inside the run daemon's namespace.
        shot, log = LOG_DIR / "compose-test-page.png", LOG_DIR / "compose-test-page.log"
        with open(log, "w") as out:
            page = subprocess.run(["nsenter", f"--net=/proc/{self.run.pid()}/ns/net", sys.executable,
                                   str(ROOT / "python/checks/check_page.py"), "served", "--url", PAGE_URL,
                                   "--screenshot", str(shot), "--expected-predictions", str(predictions),
                                   "--timeout", "300"], stdout=out, stderr=subprocess.STDOUT)
        if page.returncode != 0:
            sys.stderr.write(log.read_text())
            raise Failed("the live page of service dashboard failed its checks", ["dashboard"])
        for line in log.read_text().splitlines():
            if "  ok  " in line:
                info(line)
        info(f"dashboard: the page in headless Chromium at {PAGE_URL} (screenshot {shot})")
        self.checks = (f"job RUNNING on a cluster of {len(self.stack.members)}; Python init in all "
                       f"{len(self.stack.members)} member logs; {expected:,} of {expected:,} transactions sent, "
                       f"{predictions:,} predictions, every input exactly once; the reference database holds the "
                       "data set; the live page shows them")
        self.expected = expected

    def check_reference_database(self) -> None:
        """Every card holder and merchant of the data set, in the tables ENRICH reads, on the volume."""
        for table in REFERENCE_TABLES:
            counted = self.compose_run("--entrypoint", "wc", "load-reference-data", "-l", f"/data/{table}.jsonl").stdout
            lines = int(counted.split()[0]) if counted.split() and counted.split()[0].isdigit() else None
            rows = row_count(self.compose("exec", "-T", "-e", "PGPASSWORD=fraud", "postgres", "psql", "-h", "127.0.0.1",
                                          "-U", "fraud", "-d", "fraud", "-At", "-c",
                                          f"SELECT count(*) FROM {table}").stdout)
            if lines is None or rows != lines:
                raise Failed(f"table {table} holds {rows} rows, the data set {lines}", ["postgres"])
        volume = f"{self.stack.project}_postgres-data"
        mounted = mount_of(self.container("postgres"), POSTGRES_DATA)
        if mounted != f"volume:{volume}":
            raise Failed(f"the database's data is not on volume {volume}: '{mounted}'")
        info(f"PostgreSQL: tables {' and '.join(REFERENCE_TABLES)} hold the data set's rows, on volume {volume}")

    def restart_cluster(self) -> None:
        """Every member stopped and started again, nothing else done: submit-job must resubmit the job."""
        log = LOG_DIR / "compose-test-restart.log"
        began = self.phases.clock()
        self.compose("stop", *self.stack.members, log=log)
        stopped = self.phases.clock()
        stopped_at_ms = int(time.time() * 1000)
        self.compose("start", *self.stack.members, log=log)
        info(f"members stopped in {minutes(stopped - began)}, started again")
        # No one submits: service submit-job must find the cluster without the job and submit it itself.
        first = self.compose_run("load-reference-data", "verify", "--first-only", "--submitted-at-ms",
                                 str(stopped_at_ms), "--timeout-seconds", "600")
        first_s = first_prediction_seconds(first.stdout)
        if first.returncode != 0 or first_s is None:
            print(first.stdout, end="", file=sys.stderr)
            raise Failed("no prediction after the restart: the job was not submitted again", ["submit-job", "hz-1"])
        if f"has no job '{JOB_NAME}': submitting it" not in self.compose("logs", "--no-color", "submit-job").stdout:
            raise Failed("service submit-job did not submit the job again", ["submit-job"])
        verified = self.compose_run("load-reference-data", "verify", "--expected", str(self.expected),
                                    "--labels", "/data/labels.csv", "--timeout-seconds", "900")
        print(verified.stdout, end="", flush=True)
        if verified.returncode != 0 or not accounts_for_every_input(verified.stdout):
            raise Failed("VerifyRun after the restart: not every transaction has exactly one outcome")
        missing = dead_lettered_as(verified.stdout, MISSING_REFERENCE_DATA)
        if missing:
            raise Failed(f"after the restart, transactions were dead-lettered for missing reference data: {missing}")
        self.restart = (f"members started again {minutes(self.phases.clock() - stopped)} before every outcome was "
                        f"verified; first prediction {first_s} s after they were stopped; the job submitted again by "
                        f"submit-job, the topic replayed ({self.expected:,} transactions), reference data read "
                        "through: none dead-lettered for missing reference data")
        info(self.restart)

    def compose_down(self) -> None:
        self.compose("down", "-v", "--remove-orphans", log=LOG_DIR / "compose-test-down.log")
        self.stack_up = False
        label = f"label=com.docker.compose.project={self.stack.project}"
        left = [found for listing in (("ps", "-aq", "--filter", label), ("volume", "ls", "-q", "--filter", label),
                                      ("volume", "ls", "-q", "--filter", "dangling=true"),
                                      ("network", "ls", "-q", "--filter", label))
                for found in self.docker(*listing).split()]
        if left:
            raise Failed(f"docker-compose down -v left: {' '.join(left)}")
        info(f"No container, volume or network of project {self.stack.project} is left.")

    def run_testcontainers(self) -> None:
        # Inside the run daemon's network namespace: the container's published port is only there.
        # TESTCONTAINERS_HOST_OVERRIDE: this machine is itself a container (/.dockerenv), and
        # Testcontainers would otherwise start an alpine container to find the gateway. The reaper and
        # the start-up checks need images (testcontainers/ryuk, alpine) that cannot be pulled; the test
        # stops its container itself.
        CONTAINER_TEST_REPORT.unlink(missing_ok=True)
        log = LOG_DIR / "compose-test-testcontainers.log"
        self.logged(["nsenter", f"--net=/proc/{self.run.pid()}/ns/net", "mvn", "-o", "-B", "-q",
                     f"-Dtest={CONTAINER_TEST}", "-Dsurefire.failIfNoSpecifiedTests=false", "package"],
                    log, CONTAINER_TEST,
                    env=self.env(TESTCONTAINERS_RYUK_DISABLED="true", TESTCONTAINERS_CHECKS_DISABLE="true",
                                 TESTCONTAINERS_HOST_OVERRIDE="localhost",
                                 PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"))
        if not CONTAINER_TEST_REPORT.exists():
            raise Failed(f"no report of {CONTAINER_TEST}")
        suite = surefire_summary.read_report(CONTAINER_TEST_REPORT)
        if suite.tests == 0 or suite.skipped_count or suite.failed:
            raise Failed(f"{CONTAINER_TEST}: {suite.tests} tests, {suite.skipped_count} skipped, "
                         f"{suite.failed} failed; it must run them all")
        left = self.docker("ps", "-aq").split() + self.docker("volume", "ls", "-q").split()
        if left:
            raise Failed(f"{CONTAINER_TEST} left containers or volumes: {' '.join(left)}")
        self.testcontainers = (f"{suite.tests} of {suite.tests} tests passed against {self.standins['KAFKA_IMAGE']} "
                               "(no Ryuk, no start-up checks)")
        info(self.testcontainers)

    def stop_run_daemon(self) -> None:
        self.run.stop()
        self.run = None

    def test(self) -> None:
        steps = [("prerequisites", self.prerequisites),
                 ("host preparation (wheels, Maven artifacts)", self.host_preparation),
                 ("build daemon", self.start_build_daemon), ("stand-in images", self.build_standins),
                 ("member and page images", self.build_images), ("stop build daemon", self.stop_build_daemon),
                 ("run daemon (private network namespace)", self.start_run_daemon),
                 ("compose build (must be all cache)", self.compose_build), ("compose up", self.compose_up),
                 ("stack running to completion", self.await_stack), ("checks", self.check_stack),
                 ("full cluster restart: every member stopped and started again, nothing else done",
                  self.restart_cluster),
                 ("compose down", self.compose_down), (f"Testcontainers: {CONTAINER_TEST}", self.run_testcontainers),
                 ("stop run daemon", self.stop_run_daemon)]
        for name, step in steps:
            self.phases.begin(name)
            step()
        self.phases.end()

    def teardown(self) -> list[str]:
        """Stops whatever still runs, in order; returns what is left behind (to remove by hand)."""
        self.phases.end()
        if self.run is not None and self.run.pid() is not None and running(self.run.pid()):
            self.docker_host = self.run.host
            if self.stack_up:
                # Every service's whole log, for the post-mortem: the containers go with the teardown.
                self.compose("logs", "--no-color", "--timestamps", log=LOG_DIR / "compose-test-stack.log", check=False)
                info("Tearing the stack down after a failure; the logs of all its services: "
                     f"{LOG_DIR}/compose-test-stack.log")
                self.compose("down", "-v", "--remove-orphans", check=False)
            # Testcontainers runs without its reaper: a container of a test that died is ours to remove.
            leftovers = self.docker("ps", "-aq", "--filter", "label=org.testcontainers=true", check=False).split()
            if leftovers:
                self.docker("rm", "-f", "-v", *leftovers, check=False)
        for daemon in (self.run, self.build):
            if daemon is not None:
                try:
                    daemon.stop()
                except Failed as e:
                    print(f"WARNING: {e}", file=sys.stderr)
        if self.run_dir is None:
            return []
        left = [f"process {pid}: {command}" for pid, command in processes_naming(str(self.run_dir))]
        left += [f"mount {m}" for m in mounts_under([str(self.run_dir), f"{self.data_root}/"])]
        if not left:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        return left

    def summary(self) -> list[str]:
        compose_version = subprocess.run(["docker-compose", "version", "--short"], capture_output=True,
                                         text=True).stdout.strip()
        size = subprocess.run(["du", "-sh", str(self.data_root)], capture_output=True, text=True).stdout.split("\t")[0]
        return ["", "==================== docker compose test: summary ====================",
                *self.phases.lines(self.phases.clock() - self.began),
                f"  compose file          docker-compose.yml as shipped, run with docker-compose {compose_version}",
                f"  images built          {self.built[0]}",
                f"                        {self.built[1]}",
                f"  image sizes           {self.sizes}",
                f"  checks                {self.checks}",
                f"  full cluster restart  {self.restart}",
                f"  Testcontainers        {self.testcontainers}",
                "  stand-ins (Docker Hub is unreachable here):",
                f"    KAFKA_IMAGE={self.standins['KAFKA_IMAGE']}  for apache/kafka: the same Kafka release from Maven",
                "        Central, same paths and KAFKA_* handling (Kafka's own KafkaDockerWrapper), Debian + Java 17",
                f"    POSTGRES_IMAGE={self.standins['POSTGRES_IMAGE']}  for postgres: PostgreSQL 15 from Debian's",
                "        packages, the same POSTGRES_* variables, data directory and port",
                f"    MEMBER_BASE_IMAGE={self.standins['MEMBER_BASE_IMAGE']}  for debian:bookworm-slim: debootstrap",
                "        of Debian's own packages, trimmed like the slim image",
                "  !!! MANAGEMENT CENTER WAS NOT RUN: hazelcast/management-center cannot be pulled here and",
                "  !!! has no stand-in; its service in docker-compose.yml is untested by this run.",
                f"  left behind           nothing but the image cache: {self.data_root} ({size})",
                "======================================================================"]


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.parse_args(argv)
    try:
        settings = Settings.from_environment(dict(os.environ))
    except ValueError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 2
    if settings.skip:
        banner("COMPOSE TEST SKIPPED (COMPOSE_TEST=skip): docker-compose.yml was NOT run.",
               "Nothing proves here that the compose stack works; unset COMPOSE_TEST to run it.")
        return 0
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, interrupted)
    test = None
    status = 1
    try:
        test = ComposeTest(settings, Stack.read())
        test.test()
        status = 0
    except EngineCannotStart as e:
        banner("DOCKER ENGINE COULD NOT START: docker-compose.yml was NOT tested.", *str(e).splitlines())
    except Failed as e:
        if test is not None and test.run is not None and e.services:
            test.show_logs(e.services)
        print(f"ERROR: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("ERROR: interrupted", file=sys.stderr)
        status = 130
    finally:
        failed_phase = test.phases.current if test is not None else None
        left = test.teardown() if test is not None else []
        if left:
            banner("LEFT BEHIND by the compose test (remove by hand):", *left)
            status = status or 1
    if status == 0:
        print("\n".join(test.summary()), file=sys.stderr, flush=True)
        info("COMPOSE TEST PASSED")
    else:
        print(f"\nCOMPOSE TEST FAILED{f' in phase: {failed_phase}' if failed_phase else ''}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
