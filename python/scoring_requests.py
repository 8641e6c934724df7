"""Turns a generated data set into the scoring requests the Jet job would send for it.

The job computes each transaction's window features in its card's stream order and enriches the
transaction with its card holder and merchant (TRANSFORM stage, docs/DATA.md "Scoring request").
This module does the same offline, so training, the benchmark and the tests see exactly the
requests the handler sees in production, and convert them with the handler's own
``feature_matrix``.
"""
import csv
import json
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


def window_features(cards, times_ms, values):
    """The streaming features of features.json for transactions given in stream (file) order.

    A direct transcription of the window rule: transaction x of card c at time t counts every
    transaction y of c that came no later than x in the stream (x itself included) and has
    t - W < time(y) <= t. A late transaction therefore sees the earlier-timed transactions that
    preceded it, and none of those that came before it with a later event time.

    cards: card key per transaction; times_ms: event times; values: field name -> array, for
    the windows that aggregate a field ("of"). Returns window name -> array.
    """
    features = {window["name"]: np.zeros(len(times_ms)) for window in WINDOWS}
    _, card_ids = np.unique(cards, return_inverse=True)
    by_card = np.argsort(card_ids, kind="stable")  # keeps stream order within each card
    for rows in np.split(by_card, np.flatnonzero(np.diff(card_ids[by_card])) + 1):
        times = times_ms[rows]
        # came_no_later[i, j]: transaction j reached the job no later than transaction i
        came_no_later = np.tri(len(rows), dtype=bool)
        not_after = times[None, :] <= times[:, None]
        for window in WINDOWS:
            inside = came_no_later & not_after & (times[None, :] > times[:, None] - window["window_ms"])
            if window["aggregate"] == "count":
                features[window["name"]][rows] = inside.sum(axis=1)
            else:
                features[window["name"]][rows] = inside @ values[window["of"]][rows]
    return features


def _request_features(features):
    """Window values as the job sends them: counts as integers, sums as floats."""
    return {window["name"]: (features[window["name"]].astype(np.int64) if window["aggregate"] == "count"
                             else features[window["name"]]).tolist()
            for window in WINDOWS}


def scoring_requests(data):
    """The request dict the job sends for each transaction of the data set, in file order."""
    transactions = data.transactions
    features = window_features(data.column("cc_num"), data.column("event_time_ms"),
                               {"amount": data.column("amount")})
    customers = [data.customers[t["cc_num"]] for t in transactions]
    distance_km = fraud_handler.haversine_km(
        data.column("latitude"), data.column("longitude"),
        np.array([c["latitude"] for c in customers]), np.array([c["longitude"] for c in customers]))
    values = _request_features(features)
    names = list(values)
    for position, (transaction, customer, distance) in enumerate(zip(transactions, customers, distance_km.tolist())):
        yield {
            "transaction": transaction,
            # Where Kafka would have put it; not a model input, so file position and event time do.
            "origin": {"partition": 0, "offset": position, "append_time_ms": transaction["event_time_ms"]},
            "features": {name: values[name][position] for name in names},
            "category": data.merchants[transaction["merchant_code"]]["category"],
            "gender": customer["gender"],
            "date_of_birth": customer["date_of_birth"],
            "city_population": customer["city_population"],
            "setting": customer["setting"],
            "distance_km": distance,
        }


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


def feature_matrix(data, chunk_size=100_000):
    """The model's input rows for every transaction, converted by the handler in chunks."""
    chunks, chunk = [], []
    for request in scoring_requests(data):
        chunk.append(request)
        if len(chunk) == chunk_size:
            chunks.append(fraud_handler.feature_matrix(chunk))
            chunk = []
    chunks.append(fraud_handler.feature_matrix(chunk))
    return np.concatenate(chunks)
