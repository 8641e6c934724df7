"""The model's features: one definition (features.json), one implementation (fraud_handler),
and values checked against hand-computed ones."""
import json
import math

import lightgbm
import pytest

from builders import a_request, at, column
from job_resources import FEATURES_FILE, METADATA_FILE, MODEL_FILE, fraud_handler

FEATURES_JSON = json.loads(FEATURES_FILE.read_text())
VOCABULARIES = FEATURES_JSON["vocabularies"]


def features_of(**changes):
    """The feature row of the example request with the given changes, as {column: value}."""
    row = fraud_handler.feature_matrix([a_request(**changes)])[0]
    return dict(zip(fraud_handler.FEATURE_NAMES, row.tolist()))


def test_should_agree_on_the_column_order_everywhere():
    columns = [c["name"] for c in FEATURES_JSON["model_features"]["columns"]]
    metadata = json.loads(METADATA_FILE.read_text())

    assert lightgbm.Booster(model_file=str(MODEL_FILE)).feature_name() == columns
    assert metadata["feature_names"] == columns
    assert metadata["categorical_features"] == fraud_handler.CATEGORICAL_FEATURES


def test_should_fill_each_column_from_its_own_inputs():
    row = features_of(amount=120.0, category="travel", gender="M", date_of_birth="1990-06-15",
                      event_time_ms=at("2026-03-04T05:06:07"), setting="rural", city_population=321,
                      distance_km=12.5, txn_count_24h=4, amount_sum_24h=300.0, txn_count_7d=10)

    assert row == {
        "amount": 120.0,
        "category": VOCABULARIES["category"].index("travel"),
        "gender": VOCABULARIES["gender"].index("M"),
        "age": 35.0,
        "age_group": VOCABULARIES["age_group"].index("25_39"),
        "setting": VOCABULARIES["setting"].index("rural"),
        "city_population": 321.0,
        "hour": 5.0,
        "weekday": 2.0,  # a Wednesday
        "distance_km": 12.5,
        "txn_count_24h": 4.0,
        "amount_sum_24h": 300.0,
        "txn_count_7d": 10.0,
        "avg_amount_24h": 75.0,
        "amount_share_24h": 0.4,
        "burst_share_7d": 0.4,
    }


@pytest.mark.parametrize("time, hour, weekday", [
    ("2026-01-01T00:00:00", 0, 3),  # a Thursday
    ("2026-01-01T23:59:59.999", 23, 3),
    ("2026-01-04T12:00:00", 12, 6),  # Sunday
    ("2026-01-05T00:00:00", 0, 0),  # Monday
    ("1969-12-31T23:00:00", 23, 2),  # before the epoch: a Wednesday
])
def test_should_take_hour_and_weekday_in_utc(time, hour, weekday):
    row = features_of(event_time_ms=at(time), date_of_birth="1950-01-01")

    assert (row["hour"], row["weekday"]) == (hour, weekday)


@pytest.mark.parametrize("birth, time, age", [
    ("1980-04-02", "2026-04-01T23:59:59.999", 45),  # the day before the birthday
    ("1980-04-02", "2026-04-02T00:00:00", 46),  # on the birthday
    ("2000-02-29", "2025-02-28T12:00:00", 24),  # no 29 February in 2025: not yet
    ("2000-02-29", "2025-03-01T00:00:00", 25),
    ("2000-02-29", "2024-02-29T00:00:00", 24),
    ("2026-01-01", "2026-01-01T00:00:00", 0),  # born that day
    ("1925-12-31", "2026-01-01T00:00:00", 100),
])
def test_should_count_age_in_whole_years_at_the_transaction_date(birth, time, age):
    assert features_of(date_of_birth=birth, event_time_ms=at(time))["age"] == age


@pytest.mark.parametrize("age, group", [(0, "under_25"), (24, "under_25"), (25, "25_39"), (39, "25_39"),
                                        (40, "40_59"), (59, "40_59"), (60, "60_plus"), (101, "60_plus")])
def test_should_start_each_age_group_at_its_min_age(age, group):
    row = features_of(date_of_birth=f"{2026 - age}-01-01", event_time_ms=at("2026-01-01T00:00:00"))

    assert row["age_group"] == VOCABULARIES["age_group"].index(group)


def test_should_read_a_ratio_with_zero_denominator_as_zero():
    row = features_of(txn_count_24h=0, amount_sum_24h=0.0, txn_count_7d=0)

    assert (row["avg_amount_24h"], row["amount_share_24h"], row["burst_share_7d"]) == (0.0, 0.0, 0.0)


def test_should_take_every_vocabulary_value_at_its_index():
    for vocabulary, values in VOCABULARIES.items():
        if vocabulary == "age_group":
            continue
        matrix = fraud_handler.feature_matrix([a_request(**{vocabulary: v}) for v in values])
        name = next(c["name"] for c in FEATURES_JSON["model_features"]["columns"]
                    if c["transform"] == f"code:{vocabulary}")
        assert column(matrix, name).tolist() == list(range(len(values)))


def test_should_measure_great_circle_distance_on_the_configured_radius():
    radius = FEATURES_JSON["distance"]["earth_radius_km"]

    assert fraud_handler.haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(radius * math.pi / 180)
    assert fraud_handler.haversine_km(40.7, -74.0, 40.7, -74.0) == 0.0
    assert fraud_handler.haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(radius * math.pi)
    # New York to London, about 5,570 km.
    assert fraud_handler.haversine_km(40.7128, -74.0060, 51.5074, -0.1278) == pytest.approx(5570, abs=10)


def test_should_build_an_empty_matrix_for_no_requests():
    assert fraud_handler.feature_matrix([]).shape == (0, len(fraud_handler.FEATURE_NAMES))
