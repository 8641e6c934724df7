"""The page's reading of the cluster, in a thread of its own.

Drawing the page and reading the cluster are apart on purpose. A reader thread asks the cluster
what is new every REFRESH_S seconds and publishes everything it knows as one immutable `Snapshot`;
each refresh of each browser only draws the newest snapshot, which takes milliseconds. So:

- a read is never cancelled or restarted by the next refresh, however slow the cluster is: the
  next read starts when this one has finished (at once if it took longer than REFRESH_S);
- the page draws at once what is known (connecting, the job's status, the newest minute) and fills
  in the rest as the reader gets it, saying how old its figures are;
- the cluster's cost does not grow with the number of viewers or with how often they refresh.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from . import bridge as B
from . import charts
from . import figures as F

log = logging.getLogger("dashboard")


class Connection:
    """The page's one bridge to the cluster, started when first needed and again when it has died
    (a cluster restarted under the page costs one reconnect, not the page)."""

    def __init__(self, command: Callable[[], list[str]], connect_timeout_s: float = 120.0):
        self._command = command
        self._connect_timeout_s = connect_timeout_s
        self._bridge: B.Bridge | None = None
        self._lock = threading.Lock()

    def get(self) -> B.Bridge:
        """The bridge, connected; raises BridgeError when it cannot connect."""
        with self._lock:
            if self._bridge is None or not self._bridge.alive():
                if self._bridge is not None:
                    log.warning("the SQL bridge has exited; starting it again")
                self._bridge = None
                started = time.perf_counter()
                self._bridge = B.Bridge(self._command(), connect_timeout_s=self._connect_timeout_s)
                log.info("the SQL bridge connected in %.1f s", time.perf_counter() - started)
            return self._bridge

    def close(self) -> None:
        with self._lock:
            if self._bridge is not None:
                self._bridge.close()
                self._bridge = None


@dataclass(frozen=True)
class Snapshot:
    """Everything the page shows, as of one read of the cluster; each field None until first known."""
    phase: str                       # connecting | reading | ready
    started: float                   # when the reader started (epoch s)
    updated: float | None = None     # when this snapshot was published (epoch s)
    pinned: bool = False
    job: dict | None = None          # figures.job_status(...)
    dead: list | None = None         # figures.DeadLetters.read(...)
    figures: F.Figures | None = None
    complete: bool = False           # the figures cover the whole window
    final_until_s: int | None = None  # figures of seconds before this are exact (Window.final_until_s)
    charts: dict = field(default_factory=dict)
    index_note: str | None = None    # set when the window's reads are not index range scans
    error: str | None = None         # why the last read failed; the figures are then older
    cost: F.ReadCost | None = None   # what the last complete read cost
    read_ms: float | None = None     # how long it took


class Reader:
    """Reads the live window (or, with `pinned_end_s`, the window that ended then) into snapshots."""

    def __init__(self, connection: Connection, job_name: str, pinned_end_s: int | None = None,
                 interval_s: float = F.REFRESH_S, clock: Callable[[], float] = time.time):
        self._connection = connection
        self._job_name = job_name
        self._pinned_end_s = pinned_end_s
        self._interval_s = interval_s
        self._clock = clock
        self._snapshot = Snapshot(phase="connecting", started=clock(), pinned=pinned_end_s is not None)
        self._window: F.Window | None = None
        self._homes: F.Homes | None = None
        self._dead: F.DeadLetters | None = None
        self._used: B.Bridge | None = None  # the bridge the window reads through
        self._index: F.IndexCheck | None = None  # of that bridge's cluster
        self._index_checked_s = 0.0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="dashboard-reader" + (f"-{pinned_end_s}" if pinned_end_s else ""))

    def start(self) -> "Reader":
        self._thread.start()
        return self

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def stop(self) -> None:
        self._stopped.set()

    def _publish(self, **changes) -> None:
        self._snapshot = replace(self._snapshot, updated=self._clock(), **changes)

    def read_once(self) -> bool:
        """One read of the cluster, published as the next snapshot; connects first when needed.
        True when it succeeded and, for a pinned window, the window is final. The reader thread
        calls it in a loop; a measurement may call it alone, on a reader never started."""
        try:
            connection = self._connection.get()
            if connection is not self._used:
                # A new bridge (the first, or one started again): a window of its own, read afresh.
                self.close()
                self._publish(phase="reading", error=None)
                self._window, self._homes = F.Window(connection.sql, clock=self._clock), F.Homes(connection.sql)
                self._dead = F.DeadLetters(connection.sql)
                self._used = connection
            if self._index is None or self._index.due(self._index_checked_s, self._clock()):
                self._index, self._index_checked_s = F.ensure_index(connection.sql), self._clock()
                self._publish(index_note=self._index.note)
            return self._read(connection)
        except B.BridgeError as e:
            log.warning("reading the cluster failed: %s", e)
            self._publish(error=str(e))
        except Exception as e:  # noqa: BLE001 - a bug must show on the page, not stop its figures for good
            log.exception("reading the cluster failed")
            self._publish(error=f"{type(e).__name__}: {e}")
        return False

    def close(self) -> None:
        """Lets the window's statement threads go; the reader may still read again afterwards."""
        if self._window is not None:
            self._window.close()
            self._window = None
            self._used = None
            self._index = None

    def _run(self) -> None:
        while not self._stopped.is_set():
            started = time.perf_counter()
            if self.read_once() and self._pinned_end_s is not None:
                break
            # A window still filling in goes on at once; otherwise the next read starts REFRESH_S
            # after this one started, or at once if this one took longer.
            if self._snapshot.error:
                wait = self._interval_s
            elif self._window is None or not self._window.complete():
                wait = 0
            else:
                wait = self._interval_s - (time.perf_counter() - started)
            self._stopped.wait(max(0.0, wait))
        self.close()

    def _read(self, connection: B.Bridge) -> bool:
        """One read: the job, the dead letters, the window. False when a pinned window is not final yet."""
        started = time.perf_counter()
        pinned = self._pinned_end_s is not None
        end_s = self._pinned_end_s if pinned else int(self._clock()) - F.SETTLE_S
        cost = F.ReadCost()
        first = self._snapshot.figures is None
        if not pinned:
            job = F.job_status(connection.job(self._job_name))
            job["models"] = F.models_scoring(lambda sql, params: cost.run(connection.sql, sql, params), self._job_name)
            cost.queries += 1
            if first:
                self._publish(job=job)
        else:
            job = None
        dead = self._dead.read(end_s * 1000, cost)
        if first:
            self._publish(dead=dead)
        self._window.advance(end_s, cost)
        lo, hi = self._window.covered()
        shown = F.figures(self._window.seconds(), hi, span_s=hi - lo, homes=lambda cards: self._homes.of(cards, cost))
        complete, final_until = self._window.complete(), self._window.final_until_s()
        read_ms = (time.perf_counter() - started) * 1000
        self._publish(phase="ready", job=job, dead=dead, figures=shown, complete=complete,
                      final_until_s=final_until, error=None, cost=cost, read_ms=read_ms,
                      charts={"throughput": charts.throughput(shown.series), "scores": charts.scores(shown.score_histogram),
                              "homes": charts.homes(shown.flagged_points)})
        # A read slower than the refresh is worth a line in the page's log; the others are not.
        log.log(logging.INFO if read_ms > self._interval_s * 1000 else logging.DEBUG,
                "read %s-%s: %d statements, %d rows, %.0f ms", lo, hi, cost.queries, cost.rows, read_ms)
        return not pinned or (complete and final_until is not None and final_until >= end_s)
