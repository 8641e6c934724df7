"""The shipped model: the format the pinned LightGBM reads, the golden scores, and the bars of
docs/MODEL.md on data it has never seen."""
import hashlib
import json
import re

import lightgbm
import pytest

import scoring_requests
import train
from builders import parse_reply
from job_resources import METADATA_FILE, MODEL_FILE, RESOURCES_DIR, fraud_handler
from update_golden import DISTANCES_FILE, EXPECTED_FILE, REQUESTS_FILE, golden_distances

METADATA = json.loads(METADATA_FILE.read_text())
# A held-out data set: another seed (other cards and merchants), a later season. Smaller than
# the training data: the bars are checked on about 110,000 transactions after the warm-up week.
HELD_OUT = ("--seed", 2027, "--cards", 4000, "--days", 21, "--start", "2026-06-01")


def test_should_measure_the_golden_distances_as_recorded():
    """deploy-jobs' TransformTest holds TRANSFORM to the same file: serving measures distance as
    training did."""
    recorded = json.loads(DISTANCES_FILE.read_text(encoding="utf-8"))
    computed = golden_distances()

    assert recorded["earth_radius_km"] == computed["earth_radius_km"], "features.json's radius changed"
    assert [(c["from"], c["to"]) for c in recorded["cases"]] == [(c["from"], c["to"]) for c in computed["cases"]]
    for mine, theirs in zip(computed["cases"], recorded["cases"]):
        assert mine["km"] == pytest.approx(theirs["km"], rel=1e-12, abs=1e-9), \
            f"{mine['from']} → {mine['to']}; if intended, run python/update_golden.py"


def test_should_score_the_golden_requests_as_recorded():
    items = REQUESTS_FILE.read_text(encoding="utf-8").splitlines()
    expected = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))

    replies = [parse_reply(reply) for reply in fraud_handler.transform_list(items)]

    hint = "the model's scores changed; if that is intended, run python/update_golden.py"
    assert [r.get("model_version") for r in replies] == [expected["model_version"]] * len(items), hint
    for reply, golden in zip(replies, expected["replies"]):
        assert reply["request"]["transaction"]["transaction_id"] == golden["transaction_id"]
        assert reply["fraud_probability"] == pytest.approx(golden["fraud_probability"], rel=1e-9, abs=1e-12), hint
        assert reply["is_fraud"] == golden["is_fraud"], hint


def test_should_ship_a_small_model_in_the_pinned_lightgbm_version():
    pinned = re.search(r"^lightgbm==(\S+)", (RESOURCES_DIR / "requirements.txt").read_text(), re.M).group(1)

    assert MODEL_FILE.stat().st_size < 5_000_000
    assert MODEL_FILE.read_text().startswith("tree\nversion=")
    assert METADATA["lightgbm_version"] == pinned == lightgbm.__version__


def test_should_name_the_model_after_its_file():
    digest = hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()

    assert re.fullmatch(r"lgbm-\d{8}-[0-9a-f]{8}", METADATA["model_version"])
    assert METADATA["model_version"].endswith(digest[:8])
    assert 0.0 < METADATA["threshold"] < 1.0


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    """Labels, scores and no-history flags of the held-out set, after its windows warmed up."""
    data = scoring_requests.DataSet(scoring_requests.generated(tmp_path_factory.mktemp("held_out"), *HELD_OUT))
    features = scoring_requests.feature_matrix(data)
    warm = data.column("event_time_ms") >= train.warm_up_end_ms(data.manifest)
    scores = fraud_handler.load_model().booster.predict(features[warm])
    return data.is_fraud[warm], scores, train.no_history(features[warm])


def test_should_flag_under_2_percent_of_legitimate_cards_without_history(held_out):
    is_fraud, scores, no_history = held_out
    legit_no_history = no_history & ~is_fraud

    flagged = scores[legit_no_history] >= METADATA["threshold"]

    assert legit_no_history.sum() > 300
    assert flagged.mean() < 0.02


def test_should_catch_80_percent_of_fraud_at_1_percent_false_positives(held_out):
    is_fraud, scores, _ = held_out

    assert train.recall_at_fpr(is_fraud, scores, 0.01) >= 0.8
