"""Turns a generated data set into the scoring requests the Jet job would send for it.

The job computes each transaction's window features in its card's stream order and enriches the
transaction with its card holder and merchant (TRANSFORM stage, docs/DATA.md "Scoring request").
This module does the same offline, so training, the benchmark and the tests see exactly the
requests the handler sees in production, and convert them with the handler's own
``feature_matrix``.
"""
import csv
import json
import re
import tempfile
from pathlib import Path

import numpy as np

import generate_data
from job_resources import fraud_handler

WINDOWS = fraud_handler.WINDOWS


class DataSet:
    """A data set written by generate_data.py, with transactions and labels in file order."""

    def __init__(self, directory):
        directory = Path(directory)
        self.manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        self.customers = {c["cc_num"]: c for c in _read_jsonl(directory / "customers.jsonl")}
        self.merchants = {m["merchant_code"]: m for m in _read_jsonl(directory / "merchants.jsonl")}
        self.transactions = list(_read_jsonl(directory / "transactions.jsonl"))
        with open(directory / "labels.csv", newline="", encoding="utf-8") as file:
            labels = list(csv.DictReader(file))
        if [row["transaction_id"] for row in labels] != [t["transaction_id"] for t in self.transactions]:
            raise ValueError(f"{directory}: labels.csv is not in the order of transactions.jsonl")
        self.is_fraud = np.array([row["is_fraud"] == "1" for row in labels])
        self.pattern = np.array([row["pattern"] for row in labels])

    def column(self, field):
        """One field of every transaction, in file order, as an array."""
        return np.array([t[field] for t in self.transactions])


def _read_jsonl(path):
    with open(path, encoding="utf-8") as file:
        for line in file:
            yield fraud_handler.parse_json(line)


def amount_cents(amounts):
    """Amounts as whole cents (int64). An amount has at most 2 decimals, so amount * 100 lies within
    a rounding error of an integer and rounding recovers it exactly; the job adds the same cents."""
    return np.rint(np.asarray(amounts, dtype=np.float64) * 100).astype(np.int64)


def window_features(cards, times_ms, values):
    """The streaming features of features.json for transactions given in stream (file) order.

    The window rule: transaction x of card c at time t counts every transaction y of c that came
    no later than x in the stream (x itself included) and has t - W < time(y) <= t. A late
    transaction therefore sees the earlier-timed transactions that preceded it, and none of those
    that came before it with a later event time. Sums are exact: whole cents added as integers and
    divided by 100 once, as the job does, so no result depends on the order of additions.

    O(n log n): a card whose stream is in event-time order (nearly every card) is answered for all
    of its transactions at once, by binary search over the sorted times and prefix sums; only a
    card with a late transaction is walked in stream order, with a Fenwick tree over its time ranks
    that holds what has arrived so far.

    cards: card key per transaction; times_ms: event times; values: field name -> array, for
    the windows that aggregate a field ("of"). Returns window name -> array (float64).
    """
    times_ms = np.asarray(times_ms, dtype=np.int64)
    count_windows = sorted({w["window_ms"] for w in WINDOWS if w["aggregate"] == "count"})
    sum_windows = sorted({(w["of"], w["window_ms"]) for w in WINDOWS if w["aggregate"] == "sum"})
    cents = {field: amount_cents(values[field]) for field, _ in sum_windows}
    counts = {w: np.zeros(len(times_ms), dtype=np.int64) for w in count_windows}
    sums = {key: np.zeros(len(times_ms), dtype=np.int64) for key in sum_windows}
    if len(times_ms):
        _, card_ids = np.unique(cards, return_inverse=True)
        order = np.argsort(card_ids, kind="stable")  # by card, stream order within each card
        card_of = card_ids[order]
        same_card = np.diff(card_of) == 0
        starts = np.r_[0, np.flatnonzero(~same_card) + 1]
        ends = np.r_[starts[1:], len(order)]
        # Card ids are 0..k-1 in the order of `order`, so a card's id indexes starts and ends.
        late_cards = np.unique(card_of[1:][same_card & (np.diff(times_ms[order]) < 0)])
        in_order = np.ones(len(starts), dtype=bool)
        in_order[late_cards] = False
        rows = order[in_order[card_of]]
        _windows_in_time_order(rows, card_ids[rows], times_ms, cents, counts, sums)
        for card in late_cards.tolist():
            _windows_in_stream_order(order[starts[card]:ends[card]], times_ms, cents, counts, sums)
    features = {}
    for window in WINDOWS:
        if window["aggregate"] == "count":
            features[window["name"]] = counts[window["window_ms"]].astype(np.float64)
        else:
            features[window["name"]] = sums[(window["of"], window["window_ms"])] / 100
    return features


def _windows_in_time_order(rows, card_of, times_ms, cents, counts, sums):
    """Windows of cards whose streams are in event-time order: rows are grouped by card, in stream
    order within each. There the transactions that came no later than x are exactly those before
    it in the group, so a window is the run of the group from the first time after t - W up to x."""
    if not len(rows):
        return
    times = times_ms[rows]
    earliest = int(times.min())
    span = int(times.max()) - earliest + 1
    if (int(card_of[-1]) + 1) * span >= 2 ** 62:
        raise ValueError("too many cards over too long a period for one int64 search key")
    # One sorted key for all cards: a search cannot leave the card except below its first row.
    keys = card_of.astype(np.int64) * span + (times - earliest)
    positions = np.arange(len(rows))
    first_of_card = np.r_[0, np.flatnonzero(np.diff(card_of)) + 1]
    card_start = np.repeat(first_of_card, np.diff(np.r_[first_of_card, len(rows)]))
    prefix = {field: np.r_[0, np.cumsum(values[rows])] for field, values in cents.items()}
    for window_ms in {*counts, *(w for _, w in sums)}:
        first = np.maximum(np.searchsorted(keys, keys - window_ms, side="right"), card_start)
        if window_ms in counts:
            counts[window_ms][rows] = positions + 1 - first
        for field, summed_ms in sums:
            if summed_ms == window_ms:
                sums[(field, window_ms)][rows] = prefix[field][positions + 1] - prefix[field][first]


def _windows_in_stream_order(rows, times_ms, cents, counts, sums):
    """Windows of one card with late transactions, rows in stream order: each transaction is added
    to a Fenwick tree indexed by time rank, then its window is read as a difference of prefixes."""
    times = times_ms[rows]
    distinct = np.unique(times)
    rank = np.searchsorted(distinct, times, side="right").tolist()  # 1-based rank of each time
    windows = sorted({*counts, *(w for _, w in sums)})
    below = {w: np.searchsorted(distinct, times - w, side="right").tolist() for w in windows}
    fields = sorted(cents)
    amounts = {field: cents[field][rows].tolist() for field in fields}
    size = len(distinct)
    tree_count = [0] * (size + 1)
    tree_sum = {field: [0] * (size + 1) for field in fields}

    def prefix(tree, index):
        total = 0
        while index > 0:
            total += tree[index]
            index &= index - 1
        return total

    for i, row in enumerate(rows.tolist()):
        index = rank[i]
        while index <= size:
            tree_count[index] += 1
            for field in fields:
                tree_sum[field][index] += amounts[field][i]
            index += index & -index
        for window_ms in windows:
            if window_ms in counts:
                counts[window_ms][row] = prefix(tree_count, rank[i]) - prefix(tree_count, below[window_ms][i])
            for field, summed_ms in sums:
                if summed_ms == window_ms:
                    sums[(field, window_ms)][row] = (prefix(tree_sum[field], rank[i])
                                                     - prefix(tree_sum[field], below[window_ms][i]))


def _request_features(features):
    """Window values as the job sends them: counts as integers, sums as floats."""
    return {window["name"]: (features[window["name"]].astype(np.int64) if window["aggregate"] == "count"
                             else features[window["name"]]).tolist()
            for window in WINDOWS}


def requests_or_problems(data):
    """For each transaction of the data set, in file order: (the request dict the job sends, None),
    or (None, why the job could not enrich it) for a card or merchant the data set lacks. Such a
    transaction still counts in its card's windows: the job's FEATURES stage sees it before ENRICH."""
    transactions = data.transactions
    features = window_features(data.column("cc_num"), data.column("event_time_ms"),
                               {"amount": data.column("amount")})
    customers = [data.customers.get(t["cc_num"]) for t in transactions]
    homes = np.array([(c["latitude"], c["longitude"]) if c else (np.nan, np.nan) for c in customers]).reshape(-1, 2)
    distance_km = fraud_handler.haversine_km(data.column("latitude"), data.column("longitude"), homes[:, 0], homes[:, 1])
    values = _request_features(features)
    names = list(values)
    for position, (transaction, customer, distance) in enumerate(zip(transactions, customers, distance_km.tolist())):
        merchant = data.merchants.get(transaction["merchant_code"])
        if customer is None or merchant is None:
            yield None, ("unknown card" if customer is None else "unknown merchant")
            continue
        yield {
            "transaction": job_transaction(transaction),
            # Where Kafka would have put it; not a model input, so file position and event time do.
            "origin": {"topic": "transactions", "partition": 0, "offset": position,
                       "append_time_ms": transaction["event_time_ms"]},
            "features": {name: values[name][position] for name in names},
            "category": merchant["category"],
            "gender": customer["gender"],
            "date_of_birth": customer["date_of_birth"],
            "city_population": customer["city_population"],
            "setting": customer["setting"],
            "distance_km": distance,
        }, None


OFFLINE_TOKEN = "offline"
_CARD_NUMBER = re.compile(r"[0-9]{12,19}")


def job_transaction(transaction):
    """A data set's transaction as the job sends it to the scorer: the card number replaced by its
    token, BIN and last four (docs/DATA.md). Offline there is no token key, and none is needed: the
    model reads neither; so every card gets the same stand-in token, and no hash of the number is
    made (an unkeyed one could be reversed)."""
    card = transaction["cc_num"]
    is_card = _CARD_NUMBER.fullmatch(card) is not None
    return {"transaction_id": transaction["transaction_id"], "card_token": OFFLINE_TOKEN,
            "bin": card[:6] if is_card else "", "last4": card[-4:] if is_card else "",
            **{k: v for k, v in transaction.items() if k not in ("transaction_id", "cc_num")}}


def scoring_requests(data):
    """The request dict the job sends for each transaction of the data set, in file order."""
    for position, (request, problem) in enumerate(requests_or_problems(data)):
        if problem is not None:
            raise ValueError(f"transaction {data.transactions[position]['transaction_id']}: {problem}")
        yield request


def as_item(request):
    """A request as the job's Jackson writes it: compact, and non-ASCII characters left as they are."""
    return json.dumps(request, separators=(",", ":"), ensure_ascii=False)


def generated(directory, *flags):
    """A data set written by generate_data.py with the given flags into directory."""
    generate_data.main(["--out", str(directory), *map(str, flags)])
    return directory


def generated_requests(*flags):
    """A fresh data set of generate_data.py's flags, and the request dict of each of its
    transactions in file order; the files themselves are gone once it returns."""
    with tempfile.TemporaryDirectory() as directory:
        data = DataSet(generated(directory, *flags))
    return data, list(scoring_requests(data))


def model_inputs(data, chunk_size=100_000):
    """The model's input rows for every transaction, converted by the handler in chunks, and the
    problems of the rows it could not convert: (matrix, {position: problem}); those rows are NaN.

    A chunk converts in one vectorised pass; only a chunk that fails is halved and retried, so a
    few bad rows among a million cost a few extra passes, and each problem is a single row's."""
    rows, problems, chunk, positions = [], {}, [], []

    def flush():
        matrix = np.full((len(chunk), len(fraud_handler.FEATURE_NAMES)), np.nan)
        _convert(chunk, np.arange(len(chunk)), matrix, positions, problems)
        rows.append(matrix)
        chunk.clear()
        positions.clear()

    for position, (request, problem) in enumerate(requests_or_problems(data)):
        if problem is not None:
            problems[position] = problem
            request = None
        chunk.append(request)
        positions.append(position)
        if len(chunk) == chunk_size:
            flush()
    flush()
    return np.concatenate(rows), problems


def _convert(requests, rows, matrix, positions, problems):
    valid = [i for i in rows if requests[i] is not None]
    if not valid:
        return
    try:
        matrix[valid] = fraud_handler.feature_matrix([requests[i] for i in valid])
    except fraud_handler.InvalidRequest as problem:
        if len(valid) == 1:
            problems[positions[valid[0]]] = str(problem)
            return
        half = len(valid) // 2
        _convert(requests, valid[:half], matrix, positions, problems)
        _convert(requests, valid[half:], matrix, positions, problems)


def feature_matrix(data, chunk_size=100_000):
    """The model's input rows for every transaction; raises ValueError if any cannot be scored."""
    matrix, problems = model_inputs(data, chunk_size)
    if problems:
        position, problem = next(iter(sorted(problems.items())))
        raise ValueError(f"{len(problems)} transaction(s) cannot be scored, e.g. "
                         f"{data.transactions[position]['transaction_id']}: {problem}")
    return matrix
