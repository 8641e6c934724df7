"""generate_data.py: deterministic, in the formats of docs/DATA.md, and shaped like fraud data."""
import csv
import datetime
import json
import re

import numpy as np
import pytest

from job_resources import fraud_handler
from scoring_requests import generated

SMALL = ("--cards", 300, "--days", 10, "--merchants", 150)
FILES = ["customers.jsonl", "merchants.jsonl", "transactions.jsonl", "labels.csv", "manifest.json"]
# Field names of the Java records the job parses strictly (docs/DATA.md).
CUSTOMER_FIELDS = ["cc_num", "first_name", "last_name", "gender", "date_of_birth", "job", "street", "city",
                   "state", "zip", "latitude", "longitude", "city_population", "setting"]
MERCHANT_FIELDS = ["merchant_code", "name", "category", "latitude", "longitude"]
TRANSACTION_FIELDS = ["transaction_id", "cc_num", "merchant_code", "amount", "event_time_ms", "latitude",
                      "longitude"]
MINUTE = 60_000


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def data_set(tmp_path_factory):
    """A mid-sized data set: big enough for rates, small enough for a second."""
    directory = generated(tmp_path_factory.mktemp("data"), "--cards", 1500, "--days", 14, "--seed", 11)
    return {
        "customers": read_jsonl(directory / "customers.jsonl"),
        "merchants": {m["merchant_code"]: m for m in read_jsonl(directory / "merchants.jsonl")},
        "transactions": read_jsonl(directory / "transactions.jsonl"),
        "labels": list(csv.DictReader(open(directory / "labels.csv", encoding="utf-8"))),
        "manifest": json.loads((directory / "manifest.json").read_text()),
    }


def test_should_write_identical_files_for_the_same_seed(tmp_path):
    first = generated(tmp_path / "first", *SMALL, "--seed", 5)
    second = generated(tmp_path / "second", *SMALL, "--seed", 5)

    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_should_write_different_data_for_another_seed(tmp_path):
    first = generated(tmp_path / "first", *SMALL, "--seed", 5)
    second = generated(tmp_path / "second", *SMALL, "--seed", 6)

    for name in ["customers.jsonl", "merchants.jsonl", "transactions.jsonl"]:
        assert (first / name).read_bytes() != (second / name).read_bytes(), name


def test_should_write_records_with_exactly_the_fields_of_the_java_records(data_set):
    assert all(list(c) == CUSTOMER_FIELDS for c in data_set["customers"])
    assert all(list(m) == MERCHANT_FIELDS for m in data_set["merchants"].values())
    assert all(list(t) == TRANSACTION_FIELDS for t in data_set["transactions"])
    assert list(data_set["labels"][0]) == ["transaction_id", "is_fraud", "pattern"]


def test_should_write_values_of_the_documented_shapes(data_set):
    vocabularies = fraud_handler.VOCABULARIES
    customers = data_set["customers"]
    assert all(re.fullmatch(r"\d{16}", c["cc_num"]) for c in customers)
    assert len({c["cc_num"] for c in customers}) == len(customers)
    assert {c["gender"] for c in customers} == set(vocabularies["gender"])
    assert {c["setting"] for c in customers} == set(vocabularies["setting"])
    assert all(datetime.date.fromisoformat(c["date_of_birth"]) for c in customers)
    assert all(re.fullmatch(r"\d{5}", c["zip"]) and c["city_population"] > 0 for c in customers)
    assert all(re.fullmatch(r"M\d{5}", code) for code in data_set["merchants"])
    assert {m["category"] for m in data_set["merchants"].values()} == set(vocabularies["category"])
    transactions = data_set["transactions"]
    assert len({t["transaction_id"] for t in transactions}) == len(transactions)
    assert all(t["amount"] > 0 and isinstance(t["event_time_ms"], int) for t in transactions)
    known_cards = {c["cc_num"] for c in customers}
    assert all(t["cc_num"] in known_cards and t["merchant_code"] in data_set["merchants"] for t in transactions)


def test_should_keep_labels_in_transaction_order(data_set):
    assert [row["transaction_id"] for row in data_set["labels"]] == \
           [t["transaction_id"] for t in data_set["transactions"]]


def test_should_describe_the_files_in_the_manifest(data_set):
    manifest, transactions = data_set["manifest"], data_set["transactions"]
    times = [t["event_time_ms"] for t in transactions]

    assert manifest["counts"]["transactions"] == len(transactions)
    assert manifest["counts"]["customers"] == len(data_set["customers"])
    assert manifest["counts"]["fraud_transactions"] == sum(row["is_fraud"] == "1" for row in data_set["labels"])
    assert (manifest["first_event_time_ms"], manifest["last_event_time_ms"]) == (min(times), max(times))
    assert manifest["seed"] == 11 and manifest["flags"]["cards"] == 1500


def test_should_keep_fraud_between_half_and_one_percent(data_set):
    fraud = np.array([row["is_fraud"] == "1" for row in data_set["labels"]])

    assert 0.005 <= fraud.mean() <= 0.01


def test_should_mix_fraud_patterns_with_new_cards_heavy_users_and_travellers(data_set):
    patterns = {row["pattern"] for row in data_set["labels"]}

    assert {"card_testing", "spree", "far_away", "stealth"} <= patterns
    assert {"regular", "new_card", "heavy_user", "occasional", "travel"} <= patterns


def test_should_send_a_few_events_late_but_within_30_minutes(data_set):
    times = np.array([t["event_time_ms"] for t in data_set["transactions"]])
    latest_so_far = np.maximum.accumulate(times)
    late = times < latest_so_far

    assert 0 < late.mean() < 0.005
    assert (latest_so_far - times).max() <= 30 * MINUTE


def test_should_refuse_to_write_events_in_the_future(tmp_path):
    tomorrow = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)

    with pytest.raises(SystemExit, match="events would lie in the future"):
        generated(tmp_path / "out", *SMALL, "--start", tomorrow.isoformat())

    assert not (tmp_path / "out").exists()


def test_should_place_online_purchases_at_the_merchant_and_others_near_it(data_set):
    transactions = data_set["transactions"]
    merchants = [data_set["merchants"][t["merchant_code"]] for t in transactions]
    distance = fraud_handler.haversine_km(
        np.array([t["latitude"] for t in transactions]), np.array([t["longitude"] for t in transactions]),
        np.array([m["latitude"] for m in merchants]), np.array([m["longitude"] for m in merchants]))
    online = np.array([m["category"].endswith("_net") for m in merchants])

    assert (distance[online] == 0.0).all()
    assert (distance[~online] < 3.0).all()


def test_should_start_new_cards_mid_period(data_set):
    first_seen = {}
    for t, row in zip(data_set["transactions"], data_set["labels"]):
        if row["pattern"] == "new_card":
            first_seen.setdefault(t["cc_num"], t["event_time_ms"])
    start = data_set["manifest"]["first_event_time_ms"]

    assert len(first_seen) > 50
    assert min(first_seen.values()) > start + 86_400_000 - 1
