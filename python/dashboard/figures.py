"""What the live fraud page shows, and the SQL it reads it with: no Streamlit here, so every
number on the page can be unit-tested without a cluster, and the browser test can check it
against queries of its own.

Cost is the design constraint. Reading a prediction's fields costs the cluster tens of
microseconds, so a page that re-read the last five minutes every two seconds would cost more than
the job that writes them. The page therefore keeps per-second aggregates of the window in memory
(`Window`) and asks the cluster, on each refresh, only for the seconds it has not seen yet:
index range scans on `storedTimeMs` (scripts/hazelcast.yaml) over a couple of seconds of
predictions, aggregated by the cluster. A second is read once it is `SETTLE_S` old, so that the
predictions stored in it are all visible, and counted once more when it is `RECHECK_S` old, so
that one that arrived late is not missed; it is read again only if that count changed.
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
# ...and counted again this long after it ends: ACT stamps storedTimeMs before the map sink writes
# the entry, and on a loaded machine that write can land seconds later.
RECHECK_S = 30
# The page refreshes this often; the issue asks for at most 2 s.
REFRESH_S = 2
# Score histogram: bins of 1/SCORE_BINS; a probability of exactly 1 goes into the last bin.
SCORE_BINS = 20
# Score bands shown as numbers beside the histogram.
SCORE_BANDS = ((0.0, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 1.0))
TOP_N = 10
# Flagged transactions drawn against their card holder's home: the newest ones.
MAP_POINTS = 200
# How long a plan that ignores the index stands before the page asks again: early in a run a member
# may plan the statements without the index it has (seen in a run's first seconds), so that answer
# is not the last word.
INDEX_RECHECK_S = 30
# Most seconds one query covers, so that one answer stays small however busy the window was.
SLICE_S = 60


def named(constant: str) -> str:
    """A map's name as the page writes it in SQL: the constant of org.example.definition.Names that
    holds it, which the SQL bridge replaces with the name, so the name itself is written once, in Java."""
    return "${" + constant + "}"


PREDICTIONS = named("PREDICTION_RESULT_MAP")
DEAD_LETTERS = named("DEAD_LETTERS_MAP")
CUSTOMERS = named("CUSTOMERS_MAP")
MODEL_POINTER = named("MODEL_POINTER_MAP")
MODEL_STATUS = named("MODEL_STATUS_MAP")

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

# Per second: how many were scored, by score bin, decision and the scoring policy's band (a band
# follows from the bin for all but the bins a threshold cuts, so the answer grows by a few rows).
SCORES_SQL = (
    f"SELECT storedTimeMs / 1000 AS sec, FLOOR(fraudProbability * {SCORE_BINS}) AS bin, fraud, band, COUNT(*) AS n"
    f" FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1, 2, 3, 4"
)
# The policy's bands, in the order the page lists them.
BANDS = ("APPROVE", "REVIEW", "DECLINE")
# The newest flagged transactions listed with their reasons.
NEWEST_WITH_REASONS = 10
# Per second: how many had each latency bucket.
LATENCY_SQL = (
    f"SELECT storedTimeMs / 1000 AS sec, {LATENCY_BUCKET_SQL} AS bucket, COUNT(*) AS n"
    f" FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1, 2"
)
# Per second: how many there are, to recount a second that was read before (one field: cheap).
COUNT_SQL = (
    f"SELECT storedTimeMs / 1000 AS sec, COUNT(*) AS n"
    f" FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1"
)
# The flagged ones themselves, for the top cards and merchants and the map: about 1 % of all.
FLAGGED_SQL = (
    "SELECT transactionId, cardToken, bin, last4, merchantCode, category, amount, fraudProbability, band, reasonsText,"
    " latitude, longitude,"
    f" distanceKm, storedTimeMs FROM {PREDICTIONS} WHERE storedTimeMs >= ? AND storedTimeMs < ? AND fraud = TRUE"
)
# Card holders' homes, by card token (a key lookup), for cards not seen before.
# MARKS stands for one "?" per card asked ({CUSTOMERS} holds braces, so not str.format).
MARKS = "(?...)"
HOMES_SQL = f"SELECT __key AS cardToken, latitude, longitude, city, state FROM {CUSTOMERS} WHERE __key IN {MARKS}"
HOMES_PER_QUERY = 100
# Dead letters are few and kept for a week: counted whole, the newest examples of each reason.
DEAD_LETTER_COUNTS_SQL = (
    f"SELECT reason, stage, COUNT(*) AS n, MAX(recordedTimeMs) AS latest FROM {DEAD_LETTERS}"
    " WHERE recordedTimeMs < ? GROUP BY reason, stage"
)
DEAD_LETTER_EXAMPLES_SQL = (
    f"SELECT reason, detail, payload, transactionId, recordedTimeMs FROM {DEAD_LETTERS}"
    " WHERE reason = ? AND recordedTimeMs < ? ORDER BY recordedTimeMs DESC LIMIT 2"
)
# Which models the job scores with: its pointer in the model registry, and what each member's
# scorer reports it serves (scripts/deploy-model.sh changes them while the job runs). Tiny maps.
MODEL_POINTER_SQL = f"SELECT champion, challenger, changedAtMs, changedBy FROM {MODEL_POINTER} WHERE __key = ?"
MODEL_STATUS_SQL = (f"SELECT version, state, COUNT(*) AS n FROM {MODEL_STATUS} WHERE jobName = ?"
                    " GROUP BY version, state")
INDEX_NAME = "storedTimeMs"
INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {PREDICTIONS} (storedTimeMs) TYPE SORTED"
# Whether the map holds anything at all: a scan that stops at its first entry.
ANY_PREDICTION_SQL = f"SELECT storedTimeMs FROM {PREDICTIONS} LIMIT 1"

Query = Callable[[str, Sequence], list]
"""Runs one SQL statement with its parameters and returns its rows as dicts."""


# ---- masking ---------------------------------------------------------------------------------

_LONG_DIGIT_RUN = re.compile(r"\d{12,}")


def card_label(row: dict) -> str:
    """A card as the page shows it: its BIN and last four digits, all PCI DSS allows to be shown
    (the job keeps them beside the card's token; the number itself is stored nowhere)."""
    return f'{row["bin"]} •••• {row["last4"]}'


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
    bands: Counter = field(default_factory=Counter)
    flagged_rows: list = field(default_factory=list)


class Window:
    """Per-second aggregates of the `span_s` seconds before `end_s`, read only where they are not
    known yet. Each `advance` costs the cluster a bounded amount, however large the map and however
    long the page was away:

      1. the seconds that ended since the last advance (normally the 2 of one refresh), so the
         live figures are current;
      2. one slice of SLICE_S older seconds while the window is not full yet, newest first: a page
         that starts shows the last minute at once and fills in the rest over the next refreshes;
      3. one recount (COUNT_SQL) of the seconds that have just become RECHECK_S old: a prediction
         that reached the map later than SETTLE_S after its storedTimeMs, or one that left it, makes
         that second's count differ, and only such a second is read again.

    Seconds before `final_until_s()` have been read or recounted at least RECHECK_S after they
    ended: those figures are exact. Every viewer of the page shares one window (the page's reader
    thread advances it), so ten open browsers cost the cluster what one does."""

    def __init__(self, query: Query, span_s: int = WINDOW_S, clock: Callable[[], float] = time.time):
        self._query = query
        self._span_s = span_s
        self._clock = clock
        self._seconds: dict[int, Second] = {}
        self._lo: int | None = None       # the seconds [lo, hi) are read
        self._hi: int | None = None
        self._final_until: int | None = None
        self._lock = threading.Lock()
        # The three statements of a read go out at once: each waits mostly on the cluster.
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="window-read")

    def advance(self, end_s: int, cost: ReadCost | None = None) -> ReadCost:
        """Moves the window to end at `end_s` and reads what steps 1-3 above call for, counted in
        `cost` (a new one if not given), which it returns."""
        cost = ReadCost() if cost is None else cost
        with self._lock:
            now_s = int(self._clock())
            start_s = end_s - self._span_s
            if self._hi is None or self._hi < start_s or end_s < self._hi:
                # First read, a gap longer than the window, or a clock step back: start afresh.
                self._seconds.clear()
                self._lo = self._hi = end_s
                self._final_until = min(end_s, now_s - RECHECK_S)
            self._read(self._hi, end_s, cost)
            self._hi = end_s
            if self._lo > start_s:
                lo = max(start_s, self._lo - SLICE_S)
                self._read(lo, self._lo, cost)
                self._lo = lo
            self._lo = max(self._lo, start_s)
            self._final_until = max(self._final_until, self._lo)
            self._recount(min(end_s, now_s - RECHECK_S), cost)
            for sec in [s for s in self._seconds if s < start_s]:
                del self._seconds[sec]
            return cost

    def covered(self) -> tuple[int, int] | None:
        """The seconds [from, to) read so far; None before the first advance."""
        with self._lock:
            return None if self._hi is None else (self._lo, self._hi)

    def complete(self) -> bool:
        """True once every second of the window has been read."""
        with self._lock:
            return self._hi is not None and self._lo <= self._hi - self._span_s

    def final_until_s(self) -> int | None:
        """Seconds before this one have been read or recounted at least RECHECK_S after they ended."""
        with self._lock:
            return self._final_until

    def seconds(self) -> dict[int, Second]:
        """The seconds read so far that hold predictions."""
        with self._lock:
            return {s: v for s, v in self._seconds.items() if self._lo <= s < self._hi}

    def close(self) -> None:
        self._pool.shutdown(wait=False)

    def _recount(self, until_s: int, cost: ReadCost) -> None:
        lo, hi = self._final_until, min(until_s, self._final_until + SLICE_S)
        if hi <= lo:
            return
        counts = {int(r["sec"]): int(r["n"]) for r in cost.run(self._query, COUNT_SQL, [lo * 1000, hi * 1000])}
        changed = [s for s in range(lo, hi) if counts.get(s, 0) != self._seconds.get(s, Second()).scored]
        # Runs of changed seconds are read again, each run with the three statements of a read.
        for first, last in _runs(changed):
            self._read(first, last + 1, cost)
        cost.recounted += hi - lo
        cost.reread += len(changed)
        self._final_until = hi

    def _read(self, lo_s: int, hi_s: int, cost: ReadCost) -> None:
        """Reads the seconds [lo_s, hi_s) afresh, in slices of at most SLICE_S seconds."""
        for lo in range(lo_s, hi_s, SLICE_S):
            hi = min(hi_s, lo + SLICE_S)
            params = [lo * 1000, hi * 1000]
            scores, latencies, flagged = self._pool.map(lambda sql: cost.run(self._query, sql, params),
                                                        (SCORES_SQL, LATENCY_SQL, FLAGGED_SQL))
            fresh: dict[int, Second] = {}
            for row in scores:
                second = fresh.setdefault(int(row["sec"]), Second())
                n = int(row["n"])
                second.scored += n
                if row["fraud"]:
                    second.flagged += n
                second.scores[min(SCORE_BINS - 1, int(row["bin"]))] += n
                second.bands[row.get("band") or "(none)"] += n
            for row in latencies:
                fresh.setdefault(int(row["sec"]), Second()).latency[int(row["bucket"])] += int(row["n"])
            for row in flagged:
                fresh.setdefault(int(row["storedTimeMs"]) // 1000, Second()).flagged_rows.append(row)
            for sec in range(lo, hi):
                self._seconds.pop(sec, None)
            self._seconds.update(fresh)


def _runs(seconds: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 5), (9, 9)]: the runs of consecutive seconds, first and last."""
    runs: list[tuple[int, int]] = []
    for s in seconds:
        if runs and runs[-1][1] == s - 1:
            runs[-1] = (runs[-1][0], s)
        else:
            runs.append((s, s))
    return runs


@dataclass
class ReadCost:
    """What one read of the cluster asked of it: statements, rows returned and time waited."""
    queries: int = 0
    rows: int = 0
    millis: float = 0.0   # the statements' waits added up (statements run at once overlap)
    recounted: int = 0    # seconds counted again (RECHECK_S)
    reread: int = 0       # of those, seconds whose count had changed and that were read again
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def run(self, query: Query, sql: str, params: Sequence) -> list:
        """Runs one statement and counts it."""
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
                sql = HOMES_SQL.replace(MARKS, "(" + ", ".join("?" * len(batch)) + ")")
                for row in cost.run(self._query, sql, batch):
                    self._homes[row["cardToken"]] = row
            return {c: self._homes[c] for c in wanted if c in self._homes}


# ---- the figures -------------------------------------------------------------------------------

@dataclass
class Figures:
    start_s: int
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
    decisions: list = field(default_factory=list)  # per policy band: [{"band", "decisions", "share"}]
    newest_reasons: list = field(default_factory=list)  # [{"stored", "card", "amount", "score", "band", "reasons"}]


def figures(seconds: dict[int, Second], end_s: int, span_s: int = WINDOW_S, rate_s: int = RATE_S,
            homes: Callable[[Iterable[str]], dict] | None = None) -> Figures:
    """Everything the page shows about the window [end_s - span_s, end_s), from its seconds."""
    window = [seconds.get(s, Second()) for s in range(end_s - span_s, end_s)]
    rate_s = min(rate_s, span_s)
    recent = window[-rate_s:]
    scored = sum(s.scored for s in window)
    flagged = sum(s.flagged for s in window)
    latency = Counter()
    scores = Counter()
    by_band = Counter()
    for s in window:
        latency.update(s.latency)
        scores.update(s.scores)
        by_band.update(s.bands)
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
    known_homes = homes(r["cardToken"] for r in newest) if homes else {}
    points = []
    for row in newest:
        home = known_homes.get(row["cardToken"])
        if home is not None:
            points.append({"card": card_label(row), "lat": row["latitude"], "lon": row["longitude"],
                           "home_lat": home["latitude"], "home_lon": home["longitude"],
                           "home": f'{home["city"]}, {home["state"]}', "km": row["distanceKm"],
                           "amount": row["amount"], "score": row["fraudProbability"]})

    return Figures(
        start_s=end_s - span_s, end_s=end_s, scored=scored, flagged=flagged,
        scored_per_s=sum(s.scored for s in recent) / rate_s if rate_s else 0.0,
        flagged_per_s=sum(s.flagged for s in recent) / rate_s if rate_s else 0.0,
        share_flagged=flagged / scored if scored else None,
        latency_p50_ms=percentile(latency, 0.50), latency_p99_ms=percentile(latency, 0.99),
        series=[{"sec": end_s - span_s + i, "scored": s.scored, "flagged": s.flagged} for i, s in enumerate(window)],
        score_histogram=histogram, score_bands=bands,
        decisions=[{"band": band, "decisions": by_band[band],
                    "share": f"{100 * by_band[band] / scored:,.2f} %" if scored else "–"}
                   for band in [*BANDS, *sorted(set(by_band) - set(BANDS))] if band in BANDS or by_band[band]],
        newest_reasons=[{"stored": row["storedTimeMs"], "card": card_label(row), "amount": row["amount"],
                         "score": round(row["fraudProbability"], 3), "band": row.get("band") or "",
                         "reasons": row.get("reasonsText") or ""} for row in newest[:NEWEST_WITH_REASONS]],
        top_cards=top([{**row, "card": card_label(row)} for row in flagged_rows], "card", str),
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


# ---- the index ---------------------------------------------------------------------------------

def uses_index(query: Query) -> bool:
    """True when the cluster answers the window's statements with a range scan of the SORTED index
    on storedTimeMs (EXPLAIN names it), not with a scan of the whole map."""
    plan = " ".join(str(v) for row in query("EXPLAIN " + SCORES_SQL, [0, 1000]) for v in row.values())
    return "IndexScanMapPhysicalRel" in plan and f"index=[{INDEX_NAME}]" in plan


@dataclass(frozen=True)
class IndexCheck:
    final: bool       # False while the map holds nothing or the plans ignore the index: ask again
    note: str | None  # what the page should say; None when the reads are index range scans

    def due(self, checked_s: float, now_s: float) -> bool:
        """Whether to ask again: at once while the map holds nothing (the question is cheap and the
        answer near), every INDEX_RECHECK_S while the plans ignore the index, never once final."""
        return not self.final and (self.note is None or now_s - checked_s >= INDEX_RECHECK_S)


def ensure_index(query: Callable[..., list]) -> IndexCheck:
    """Whether the window's reads are index range scans, and the index created when they are not.
    scripts/hazelcast.yaml declares the index; a cluster configured otherwise gets it here, or every
    refresh would scan the whole map. A map that holds nothing yet does not exist on the members,
    and they plan a full scan of it whatever its configuration; its answer is not final. A query
    that fails raises (the read fails, and the next one asks again); a failed CREATE INDEX is the
    answer. An index created that the plans still ignore is reported and asked about again: early
    in a run, a plan made before the members held the map's first entries may ignore it."""
    if uses_index(query):
        return IndexCheck(final=True, note=None)
    if not query(ANY_PREDICTION_SQL, []):
        return IndexCheck(final=False, note=None)
    try:
        # DDL waits on every member; on a busy cluster it takes far longer than a query.
        query(INDEX_SQL, [], timeout_s=300)
    except RuntimeError as e:
        problem = f"it could not be created: {e}"
    else:
        if uses_index(query):
            return IndexCheck(final=True, note=None)
        return IndexCheck(final=False, note=_unindexed("it was created, but the statements do not use it yet"))
    return IndexCheck(final=True, note=_unindexed(problem))


def _unindexed(problem: str) -> str:
    return f"No index on storedTimeMs ({problem}): every refresh scans the whole prediction map."


# ---- dead letters ------------------------------------------------------------------------------

class DeadLetters:
    """Dead letters by reason and stage, newest reason first, each with up to two masked examples.
    The counts are read on every call; the examples, one statement per reason, only when the counts
    have changed since the last call: dead letters are few, and rare."""

    def __init__(self, query: Query):
        self._query = query
        self._counts: list | None = None
        self._shown: list = []

    def read(self, until_ms: int, cost: ReadCost | None = None) -> list:
        cost = cost or ReadCost()
        counts = sorted(cost.run(self._query, DEAD_LETTER_COUNTS_SQL, [until_ms]),
                        key=lambda r: (-int(r["latest"]), r["reason"], r["stage"]))
        if counts != self._counts:
            examples = {reason: cost.run(self._query, DEAD_LETTER_EXAMPLES_SQL, [reason, until_ms])
                        for reason in sorted({row["reason"] for row in counts})}
            self._shown = [{
                "reason": row["reason"], "stage": row["stage"], "count": int(row["n"]),
                "latest_ms": int(row["latest"]),
                "examples": [{"transaction": mask_text(e["transactionId"]),
                              "detail": mask_text(e["detail"]), "payload": mask_text(_shorten(e["payload"], 240))}
                             for e in examples[row["reason"]]],
            } for row in counts]
            self._counts = counts
        return self._shown


def _shorten(text: str | None, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


# ---- the job -----------------------------------------------------------------------------------

def models_scoring(query: Query, job_name: str) -> str | None:
    """Which model versions score, in a sentence: the champion and any challenger the job's pointer
    names, and how many member scorers report serving each (a roll-out in progress shows both the
    old and the new version). None when the registry cannot be read (a job from before it)."""
    try:
        pointer = query(MODEL_POINTER_SQL, [job_name])
        status = query(MODEL_STATUS_SQL, [job_name])
    except Exception:  # noqa: BLE001  (a cluster without the registry's mappings: say nothing)
        return None
    if not pointer:
        return None
    serving = {(r["version"], r["state"]): int(r["n"]) for r in status}

    def role(version: str, state: str, name: str) -> str:
        scorers = serving.get((version, state), 0)
        return f"{name} {version} ({scorers} scorer{'s' if scorers != 1 else ''})"

    words = [role(pointer[0]["champion"], "CHAMPION", "champion")]
    if pointer[0].get("challenger"):
        words.append(role(pointer[0]["challenger"], "CHALLENGER", "challenger"))
    others = sorted(f"{v} ({n})" for (v, state), n in serving.items()
                    if state == "CHAMPION" and v != pointer[0]["champion"])
    if others:
        words.append("still switching: " + ", ".join(others))
    failed = sorted(v for (v, state) in serving if state == "FAILED")
    if failed:
        words.append("refused by a scorer: " + ", ".join(failed))
    return "Models: " + "; ".join(words)


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
