"""What the live fraud page shows, and the SQL it reads it with: no Streamlit here, so every
number on the page can be unit-tested without a cluster, and the browser test can check it
against queries of its own.

Cost is the design constraint. Reading a prediction's fields costs the cluster tens of
microseconds, so a page that re-read the last five minutes every two seconds would cost more than
the job that writes them. The page therefore keeps per-second aggregates of the window in memory
(`Window`) and asks the cluster, on each refresh, only for the seconds it has not seen yet:
index range scans on `storedTimeMs` (scripts/hazelcast.yaml) over a couple of seconds of
predictions, aggregated by the cluster. A second is read once it is `SETTLE_S` old, so that the
predictions stored in it are all visible; after that it is never read again.
"""
from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

# The window every figure but the dead letters and the job's status is about.
WINDOW_S = 300
# Scored/s and flagged/s are the mean over the window's last seconds: one second alone is noisy.
RATE_S = 10
# A second is read this long after it ends; until then its predictions may still be on their way
# from ACT to the map.
SETTLE_S = 2
# The page refreshes this often; the issue asks for at most 2 s.
REFRESH_S = 2
# Score histogram: bins of 1/SCORE_BINS; a probability of exactly 1 goes into the last bin.
SCORE_BINS = 20
# Score bands shown as numbers beside the histogram.
SCORE_BANDS = ((0.0, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 1.0))
TOP_N = 10
# Flagged transactions drawn against their card holder's home: the newest ones.
MAP_POINTS = 200
# Most seconds one query covers, so that one answer stays small however busy the window was.
SLICE_S = 60

PREDICTIONS = "predictionResult"
DEAD_LETTERS = "deadLetters"
CUSTOMERS = "customers"

# Latency to two significant digits, as integer arithmetic the cluster does: exact below 100 ms,
# then 10 ms, 100 ms and 1 s steps. A second's latencies fall into a few dozen buckets, so an
# answer stays small, and a percentile is exact up to that rounding.
_LATENCY = "(storedTimeMs - appendTimeMs)"
LATENCY_BUCKET_SQL = (
    f"CASE WHEN {_LATENCY} < 100 THEN {_LATENCY}"
    f" WHEN {_LATENCY} < 1000 THEN {_LATENCY} / 10 * 10"
    f" WHEN {_LATENCY} < 10000 THEN {_LATENCY} / 100 * 100"
    f" ELSE {_LATENCY} / 1000 * 1000 END"
)

# Per second: how many were scored, by score bin and decision.
SCORES_SQL = (
    f"SELECT storedTimeMs / 1000 AS sec, FLOOR(fraudProbability * {SCORE_BINS}) AS bin, fraud, COUNT(*) AS n"
    f" FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1, 2, 3"
)
# Per second: how many had each latency bucket.
LATENCY_SQL = (
    f"SELECT storedTimeMs / 1000 AS sec, {LATENCY_BUCKET_SQL} AS bucket, COUNT(*) AS n"
    f" FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1, 2"
)
# The flagged ones themselves, for the top cards and merchants and the map: about 1 % of all.
FLAGGED_SQL = (
    "SELECT transactionId, ccNum, merchantCode, category, amount, fraudProbability, latitude, longitude,"
    f" distanceKm, storedTimeMs FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? AND fraud = TRUE"
)
# Card holders' homes, by card number (a key lookup), for cards not seen before.
HOMES_SQL = f"SELECT __key AS ccNum, latitude, longitude, city, state FROM {CUSTOMERS} WHERE __key IN ({{marks}})"
HOMES_PER_QUERY = 100
# Dead letters are few and kept for a week: counted whole, the newest examples of each reason.
DEAD_LETTER_COUNTS_SQL = (
    f"SELECT reason, stage, COUNT(*) AS n, MAX(recordedTimeMs) AS latest FROM {DEAD_LETTERS}"
    " WHERE recordedTimeMs < ? GROUP BY reason, stage"
)
DEAD_LETTER_EXAMPLES_SQL = (
    f"SELECT reason, detail, payload, ccNum, transactionId, recordedTimeMs FROM {DEAD_LETTERS}"
    " WHERE reason = ? AND recordedTimeMs < ? ORDER BY recordedTimeMs DESC LIMIT 2"
)
INDEX_SQL = f"CREATE INDEX IF NOT EXISTS storedTimeMs ON {PREDICTIONS} (storedTimeMs) TYPE SORTED"

Query = Callable[[str, Sequence], list]
"""Runs one SQL statement with its parameters and returns its rows as dicts."""


# ---- masking ---------------------------------------------------------------------------------

_LONG_DIGIT_RUN = re.compile(r"\d{12,}")


def mask_card(card: str | None) -> str:
    """A card number as the page shows it: its last four digits only."""
    if not card:
        return ""
    return "•••• " + str(card)[-4:]


def mask_text(text: str | None) -> str:
    """Free text (a dead letter's payload or detail) with every run of 12 or more digits masked to
    its last four. Card numbers have 12 to 19 digits; a millisecond timestamp has 13 and is masked
    too: better a masked timestamp than a leaked card."""
    if not text:
        return ""
    return _LONG_DIGIT_RUN.sub(lambda m: "•••• " + m.group(0)[-4:], text)


# ---- arithmetic --------------------------------------------------------------------------------

def latency_bucket(latency_ms: int) -> int:
    """The bucket of LATENCY_BUCKET_SQL, in Python: for tests and for the browser test's oracle."""
    if latency_ms < 100:
        return latency_ms
    if latency_ms < 1000:
        return latency_ms // 10 * 10
    if latency_ms < 10000:
        return latency_ms // 100 * 100
    return latency_ms // 1000 * 1000


def percentile(histogram: dict[int, int], quantile: float) -> int | None:
    """Nearest-rank percentile of a histogram {value: count} (RunReport's definition); None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(quantile * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def score_bin(probability: float) -> int:
    return min(SCORE_BINS - 1, int(math.floor(probability * SCORE_BINS)))


# ---- the window --------------------------------------------------------------------------------

@dataclass
class Second:
    """What the window keeps of one second of stored predictions."""
    scored: int = 0
    flagged: int = 0
    scores: Counter = field(default_factory=Counter)
    latency: Counter = field(default_factory=Counter)
    flagged_rows: list = field(default_factory=list)


class Window:
    """Per-second aggregates of the last `span_s` complete seconds before `end_s`, filled by
    reading only the seconds not read before. Thread-safe: every viewer of the page shares one, so
    ten open browsers cost the cluster what one does."""

    def __init__(self, query: Query, span_s: int = WINDOW_S):
        self._query = query
        self._span_s = span_s
        self._seconds: dict[int, Second] = {}
        self._read_until: int | None = None
        self._lock = threading.Lock()
        self.last_read = ReadCost()

    def advance(self, end_s: int) -> ReadCost:
        """Makes the window cover [end_s - span, end_s); reads what it lacks. Returns what it cost."""
        with self._lock:
            start_s = end_s - self._span_s
            if self._read_until is None or self._read_until < start_s or end_s < self._read_until:
                # First read, a gap longer than the window, or a clock step back: start afresh.
                self._seconds.clear()
                self._read_until = start_s
            cost = ReadCost()
            started = time.perf_counter()
            for lo in range(self._read_until, end_s, SLICE_S):
                self._read(lo, min(end_s, lo + SLICE_S), cost)
            cost.wall_ms = (time.perf_counter() - started) * 1000
            self._read_until = max(self._read_until, end_s)
            for sec in [s for s in self._seconds if s < start_s]:
                del self._seconds[sec]
            self.last_read = cost
            return cost

    def seconds(self, end_s: int) -> dict[int, Second]:
        with self._lock:
            return {s: v for s, v in self._seconds.items() if end_s - self._span_s <= s < end_s}

    def _read(self, lo_s: int, hi_s: int, cost: ReadCost) -> None:
        params = [lo_s * 1000, hi_s * 1000]
        # The three statements go out at once: each waits mostly on the cluster, not on the page.
        with ThreadPoolExecutor(max_workers=3) as pool:
            scores, latencies, flagged = pool.map(lambda sql: cost.run(self._query, sql, params),
                                                  (SCORES_SQL, LATENCY_SQL, FLAGGED_SQL))
        for row in scores:
            second = self._second(row["sec"])
            n = int(row["n"])
            second.scored += n
            if row["fraud"]:
                second.flagged += n
            second.scores[min(SCORE_BINS - 1, int(row["bin"]))] += n
        for row in latencies:
            self._second(row["sec"]).latency[int(row["bucket"])] += int(row["n"])
        for row in flagged:
            self._second(row["storedTimeMs"] // 1000).flagged_rows.append(row)

    def _second(self, sec) -> Second:
        return self._seconds.setdefault(int(sec), Second())


@dataclass
class ReadCost:
    """What one refresh asked of the cluster: statements, rows returned and time waited."""
    queries: int = 0
    rows: int = 0
    millis: float = 0.0   # the statements' waits added up
    wall_ms: float = 0.0  # the refresh's own wait: statements run at once

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def run(self, query: Query, sql: str, params: Sequence) -> list:
        """Runs one statement and counts it; `millis` adds up the waits, also of statements run at once."""
        started = time.perf_counter()
        rows = query(sql, params)
        with self._lock:
            self.millis += (time.perf_counter() - started) * 1000
            self.queries += 1
            self.rows += len(rows)
        return rows


class Homes:
    """Card holders' homes, read once per card: reference data changes rarely, and a home is all
    the page needs of a customer."""

    def __init__(self, query: Query):
        self._query = query
        self._homes: dict[str, dict] = {}
        self._lock = threading.Lock()

    def of(self, cards: Iterable[str], cost: ReadCost | None = None) -> dict[str, dict]:
        cost = cost or ReadCost()
        wanted = sorted(set(cards))
        with self._lock:
            missing = [c for c in wanted if c not in self._homes]
            for i in range(0, len(missing), HOMES_PER_QUERY):
                batch = missing[i:i + HOMES_PER_QUERY]
                sql = HOMES_SQL.format(marks=", ".join("?" * len(batch)))
                for row in cost.run(self._query, sql, batch):
                    self._homes[row["ccNum"]] = row
            return {c: self._homes[c] for c in wanted if c in self._homes}


# ---- the figures -------------------------------------------------------------------------------

@dataclass
class Figures:
    end_s: int
    scored: int
    flagged: int
    scored_per_s: float
    flagged_per_s: float
    share_flagged: float | None
    latency_p50_ms: int | None
    latency_p99_ms: int | None
    series: list          # [{"sec", "scored", "flagged"}], one per second of the window
    score_histogram: list  # [{"from", "to", "scored", "flagged"}], SCORE_BINS rows
    score_bands: list      # [{"band", "scored", "flagged"}]
    top_cards: list       # [{"card" (masked), "flagged", "amount", "top score", "last seen"}]
    top_merchants: list
    flagged_points: list   # newest flagged with their home: [{"card", "lat", "lon", "home_lat", ...}]


def figures(seconds: dict[int, Second], end_s: int, span_s: int = WINDOW_S, rate_s: int = RATE_S,
            homes: Callable[[Iterable[str]], dict] | None = None) -> Figures:
    """Everything the page shows about the window [end_s - span_s, end_s), from its seconds."""
    window = [seconds.get(s, Second()) for s in range(end_s - span_s, end_s)]
    recent = window[-rate_s:]
    scored = sum(s.scored for s in window)
    flagged = sum(s.flagged for s in window)
    latency = Counter()
    scores = Counter()
    for s in window:
        latency.update(s.latency)
        scores.update(s.scores)
    flagged_rows = [row for s in window for row in s.flagged_rows]
    flagged_by_bin = Counter(score_bin(row["fraudProbability"]) for row in flagged_rows)

    histogram = [{"from": b / SCORE_BINS, "to": (b + 1) / SCORE_BINS, "scored": scores[b], "flagged": flagged_by_bin[b]}
                 for b in range(SCORE_BINS)]
    bands = []
    for lo, hi in SCORE_BANDS:
        bins = [b for b in range(SCORE_BINS) if lo <= b / SCORE_BINS < hi]
        bands.append({"band": f"{lo:.1f}–{hi:.1f}", "scored": sum(scores[b] for b in bins),
                      "flagged": sum(flagged_by_bin[b] for b in bins)})

    newest = sorted(flagged_rows, key=lambda r: (r["storedTimeMs"], r["transactionId"]), reverse=True)[:MAP_POINTS]
    known_homes = homes(r["ccNum"] for r in newest) if homes else {}
    points = []
    for row in newest:
        home = known_homes.get(row["ccNum"])
        if home is not None:
            points.append({"card": mask_card(row["ccNum"]), "lat": row["latitude"], "lon": row["longitude"],
                           "home_lat": home["latitude"], "home_lon": home["longitude"],
                           "home": f'{home["city"]}, {home["state"]}', "km": row["distanceKm"],
                           "amount": row["amount"], "score": row["fraudProbability"]})

    return Figures(
        end_s=end_s, scored=scored, flagged=flagged,
        scored_per_s=sum(s.scored for s in recent) / rate_s,
        flagged_per_s=sum(s.flagged for s in recent) / rate_s,
        share_flagged=flagged / scored if scored else None,
        latency_p50_ms=percentile(latency, 0.50), latency_p99_ms=percentile(latency, 0.99),
        series=[{"sec": end_s - span_s + i, "scored": s.scored, "flagged": s.flagged} for i, s in enumerate(window)],
        score_histogram=histogram, score_bands=bands,
        top_cards=top(flagged_rows, "ccNum", mask_card),
        top_merchants=top(flagged_rows, "merchantCode", str, extra=lambda rows: {"category": rows[0]["category"]}),
        flagged_points=points)


def top(rows: list, key: str, label: Callable[[str], str], extra: Callable[[list], dict] | None = None) -> list:
    """The TOP_N values of `key` with the most flagged rows; ties go to the larger amount, then the
    label, so the order is the same on every refresh."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), -sum(r["amount"] for r in kv[1]), label(kv[0])))
    result = []
    for value, group in ranked[:TOP_N]:
        entry = {key: label(value), "flagged": len(group), "amount": round(sum(r["amount"] for r in group), 2),
                 "top score": round(max(r["fraudProbability"] for r in group), 3)}
        if extra:
            entry.update(extra(group))
        result.append(entry)
    return result


# ---- dead letters ------------------------------------------------------------------------------

def dead_letters(query: Query, until_ms: int, cost: ReadCost | None = None) -> list:
    """Dead letters by reason and stage, newest reason first, each with up to two masked examples."""
    cost = cost or ReadCost()
    counts = cost.run(query, DEAD_LETTER_COUNTS_SQL, [until_ms])
    examples: dict[str, list] = {}
    for reason in sorted({row["reason"] for row in counts}):
        examples[reason] = cost.run(query, DEAD_LETTER_EXAMPLES_SQL, [reason, until_ms])
    result = []
    for row in sorted(counts, key=lambda r: (-int(r["latest"]), r["reason"], r["stage"])):
        shown = examples.get(row["reason"], [])
        result.append({
            "reason": row["reason"], "stage": row["stage"], "count": int(row["n"]), "latest_ms": int(row["latest"]),
            "examples": [{"card": mask_card(e["ccNum"]), "transaction": mask_text(e["transactionId"]),
                          "detail": mask_text(e["detail"]), "payload": mask_text(_shorten(e["payload"], 240))}
                         for e in shown],
        })
    return result


def _shorten(text: str | None, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


# ---- the job -----------------------------------------------------------------------------------

def job_status(job: dict) -> dict:
    """The job's status in a word and a sentence, from Jet's status and its supervisor's last report."""
    status = job.get("status", "UNKNOWN")
    supervisor = job.get("supervisor") or {}
    state = supervisor.get("state")
    if status == "RUNNING":
        level = "ok"
    elif status in ("STARTING", "COMPLETING") or (status == "SUSPENDED" and state == "RESUMING"):
        level = "warn"
    else:
        level = "error"
    words = [f"Job '{job.get('name', '?')}' is {status}"]
    if job.get("suspensionCause"):
        words.append(f"suspended: {mask_text(job['suspensionCause'])}")
    if state:
        words.append(f"supervisor {state}" + (f" after {supervisor.get('failures')} failure(s)"
                                               if supervisor.get("failures") else ""))
        if supervisor.get("cause") and state != "WATCHING":
            words.append(mask_text(supervisor["cause"]))
    return {"status": status, "level": level, "text": "; ".join(words)}
