"""What one refresh of the live page costs: the page's own reader (reader.py) against a cluster whose
predictionResult scripts/dashboard-cost.sh has filled, with a clock of its own that steps 2 s per
read through the seconds the fill stored, so each read finds what a live one would (the 2 new
seconds, one recount) while nothing else runs on the cluster. Prints the figures; asserts nothing.

  measure_refresh.py --fill-end-ms MS --member-pids 123,456,789 [--refreshes 60]

Member CPU is read from /proc (user + system time of the member processes), less what the members
spend idle (heartbeats, metrics, GC), measured over a quiet spell before the refreshes.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dashboard import bridge, figures as F  # noqa: E402
from dashboard.reader import Connection, Reader  # noqa: E402

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the processes so far."""
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime
    return total


class SteppedClock:
    def __init__(self, now_s: float):
        self.now_s = now_s

    def __call__(self) -> float:
        return self.now_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fill-end-ms", type=int, required=True, help="the fill's last storedTimeMs is before this")
    parser.add_argument("--member-pids", required=True, help="the members' process ids, comma-separated")
    parser.add_argument("--refreshes", type=int, default=60)
    parser.add_argument("--idle-s", type=float, default=20, help="the quiet spell that measures idle members")
    parser.add_argument("--job-name", default="fraud-detection")
    args = parser.parse_args()
    members = [int(p) for p in args.member_pids.split(",")]

    # The window ends this far before the fill's end after the last refresh: every read finds data.
    margin_s = 10
    clock = SteppedClock(args.fill_end_ms / 1000 - margin_s - F.REFRESH_S * args.refreshes)
    connection = Connection(bridge.command)
    started = time.perf_counter()
    the_bridge = connection.get()
    print(f"bridge connected in {time.perf_counter() - started:.1f} s")
    held = the_bridge.sql(f"SELECT COUNT(*) AS n FROM {F.PREDICTIONS}", timeout_s=300)[0]["n"]
    print(f"the prediction map holds {held:,} predictions")
    reader = Reader(connection, args.job_name, clock=clock)
    me = [os.getpid()]

    print(f"idle: members' CPU over {args.idle_s:.0f} s with nothing asked of them ...")
    cpu0, t0 = cpu_s(members), time.perf_counter()
    time.sleep(args.idle_s)
    idle_cpu_per_s = (cpu_s(members) - cpu0) / (time.perf_counter() - t0)
    print(f"  {idle_cpu_per_s * 1000:,.0f} ms of member CPU per second, all members together")

    def spell(steps) -> dict:
        """Runs the steps (each yields its wall ms, statements and rows) and measures them."""
        before = cpu_s(members), cpu_s([the_bridge.pid]), cpu_s(me), time.perf_counter()
        walls, queries, rows = [], 0, 0
        for wall_ms, n, r in steps():
            walls.append(wall_ms)
            queries += n
            rows += r
        after = cpu_s(members), cpu_s([the_bridge.pid]), cpu_s(me), time.perf_counter()
        elapsed = after[3] - before[3]
        member_ms = (after[0] - before[0] - idle_cpu_per_s * elapsed) * 1000
        return {"steps": len(walls), "walls": sorted(walls), "elapsed_s": elapsed, "queries": queries, "rows": rows,
                "member_ms": member_ms, "bridge_ms": (after[1] - before[1]) * 1000,
                "page_ms": (after[2] - before[2]) * 1000}

    def read():
        reader.read_once()
        snap = reader.snapshot()
        if snap.error:
            raise SystemExit(f"a read failed: {snap.error}")
        return snap.read_ms, snap.cost.queries, snap.cost.rows

    def fill_in():
        yield read()
        while not reader.snapshot().complete:
            yield read()

    def refreshes():
        for _ in range(args.refreshes):
            clock.now_s += F.REFRESH_S
            yield read()

    def empty_statements():
        # The window's first statement over a second that holds nothing: what a statement costs
        # whatever it reads.
        for _ in range(args.refreshes):
            started = time.perf_counter()
            the_bridge.sql(F.SCORES_SQL, [0, 1000])
            yield (time.perf_counter() - started) * 1000, 1, 0

    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cold = spell(fill_in)
    shown = reader.snapshot().figures
    print(f"\nfilling in the window ({shown.scored:,} predictions in its {F.WINDOW_S} s): {cold['steps']} reads, "
          f"{cold['elapsed_s']:.1f} s, {cold['queries']} statements, {cold['rows']:,} rows; "
          f"member CPU {cold['member_ms']:,.0f} ms, bridge CPU {cold['bridge_ms']:,.0f} ms, "
          f"page CPU {cold['page_ms']:,.0f} ms")

    steady = spell(refreshes)
    n, walls = steady["steps"], steady["walls"]
    shown = reader.snapshot().figures
    print(f"\n{n} refreshes, each reading {F.REFRESH_S} new seconds (~{shown.scored_per_s:,.0f} predictions/s) and "
          f"recounting {F.REFRESH_S}, the window holding {shown.scored:,}:")
    print(f"  time per refresh       median {statistics.median(walls):,.0f} ms, "
          f"p90 {walls[min(n - 1, int(0.9 * n))]:,.0f} ms, max {walls[-1]:,.0f} ms")
    print(f"  member CPU per refresh {steady['member_ms'] / n:,.1f} ms (all members together, idle cost taken off)")
    print(f"  bridge CPU per refresh {steady['bridge_ms'] / n:,.1f} ms, page CPU per refresh {steady['page_ms'] / n:,.1f} ms")
    print(f"  statements per refresh {steady['queries'] / n:,.1f}, rows returned per refresh {steady['rows'] / n:,.0f}")

    empty = spell(empty_statements)
    n, walls = empty["steps"], empty["walls"]
    print(f"\n{n} statements over a second that holds nothing: median {statistics.median(walls):,.0f} ms each, "
          f"member CPU {empty['member_ms'] / n:,.1f} ms each")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    reader.close()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
