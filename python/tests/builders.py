"""Tiny builders for the tests: a valid scoring request changed only where a test says, times
written as dates, and replies parsed strictly."""
import copy
import datetime
import json
from pathlib import Path
from typing import NamedTuple

from job_resources import fraud_handler

# The example request of docs/DATA.md.
EXAMPLE_REQUEST = {
    "transaction": {"transaction_id": "T000000000042", "card_token": "k1:3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    "bin": "400000", "last4": "1234", "merchant_code": "M00017", "amount": 42.5,
                    "event_time_ms": 1767225600000, "latitude": 40.71, "longitude": -74.01},
    "origin": {"topic": "transactions", "partition": 3, "offset": 1234, "append_time_ms": 1767225600123},
    "features": {"txn_count_24h": 2, "amount_sum_24h": 80.0, "txn_count_7d": 9},
    "category": "grocery_pos", "gender": "F", "date_of_birth": "1980-04-02",
    "city_population": 12000, "setting": "urban", "distance_km": 3.2,
}
MISSING = object()
# Every request field by its last name ("amount" -> "transaction.amount"); the names are unique.
PATH_OF = {path.rsplit(".", 1)[-1]: path for path in fraud_handler.REQUEST_FIELDS}


def a_request(**changes):
    """The example request with fields changed by their last name; MISSING removes one."""
    request = copy.deepcopy(EXAMPLE_REQUEST)
    for name, value in changes.items():
        *parents, key = PATH_OF[name].split(".")
        holder = request
        for parent in parents:
            holder = holder[parent]
        if value is MISSING:
            del holder[key]
        else:
            holder[key] = value
    return request


def at(iso_time):
    """Epoch milliseconds of an ISO time, read as UTC."""
    moment = datetime.datetime.fromisoformat(iso_time).replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def _reject(constant):
    raise ValueError(f"reply holds {constant}, which is not JSON")


def parse_reply(text):
    """A reply as Java's Jackson would read it: strict JSON, one object."""
    reply = json.loads(text, parse_constant=_reject)
    assert isinstance(reply, dict), text
    return reply


def column(matrix, name):
    return matrix[:, fraud_handler.FEATURE_NAMES.index(name)]


class ModelDir(NamedTuple):
    """A model written as train.py --out writes one, and what tests need to know of it."""
    directory: Path
    version: str
    threshold: float
    booster: object

    def probability(self, request):
        return float(self.booster.predict(fraud_handler.feature_matrix([request]), num_threads=1)[0])


def write_model_dir(directory, seed, columns=None, objective="binary", metadata_changes=None):
    """A small model trained in a second on random rows (seed), with the metadata and the smoke
    rows train.py writes; columns, objective and metadata may be made wrong on purpose."""
    import lightgbm
    import numpy as np
    import train

    columns = columns or fraud_handler.FEATURE_NAMES
    rng = np.random.default_rng(seed)
    rows = np.abs(rng.normal(size=(400, len(columns)))) * 10
    labels = (rows[:, 0] + rng.normal(size=400) > 12).astype(float)
    booster = lightgbm.train({"objective": objective, "num_leaves": 4, "verbose": -1, "seed": seed,
                              "deterministic": True, "num_threads": 1},
                             lightgbm.Dataset(rows, label=labels, feature_name=columns), num_boost_round=5)
    directory.mkdir(parents=True, exist_ok=True)
    version = f"test-{seed}-{objective}"
    metadata = {"model_version": version, "threshold": 0.5, "feature_names": fraud_handler.FEATURE_NAMES,
                "smoke": train.smoke_rows(booster, rows, labels.astype(bool))}
    metadata.update(metadata_changes or {})
    (directory / "fraud_model.txt").write_text(booster.model_to_string())
    (directory / "fraud_model.json").write_text(json.dumps(metadata))
    return ModelDir(directory, version, 0.5, booster)
