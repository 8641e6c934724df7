"""Training on a user's own labelled history, end to end: a Kaggle-schema CSV that the test
generates is imported, trained on with train.py --out, and scored by the handler from that
directory; the shipped model is left alone. Then the rules train.py applies, on small arrays:
splits from the data's span with enough fraud cases in each, the threshold limits and the bars."""
import argparse
import csv
import hashlib
import json

import numpy as np
import pytest

import import_transactions_csv
import scoring_requests
import train
from builders import parse_reply
from job_resources import METADATA_FILE, MODEL_FILE, RESOURCES_DIR, fraud_handler
from kaggle_csv import generated_csv

DAY = train.DAY_MS
# Small but with enough fraud cases for three splits of at least 10 cards with fraud each.
HISTORY = ("--cards", 600, "--days", 35, "--seed", 8, "--fraud-rate", 0.02, "--start", "2026-04-01")
MIN_FRAUD_CARDS = 10


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(data dir, model dir, metadata, report, stdout) of import + train on a generated history
    with two rows the model cannot score: an unknown category, a birth date after the transaction."""
    work = tmp_path_factory.mktemp("own_data")
    source = generated_csv(work / "history.csv", *HISTORY)
    with open(source, newline="") as file:
        rows = list(csv.reader(file))
    header = rows[0]
    unknown_category = rows[100][:]
    unknown_category[header.index("category")] = "crypto_exchange"
    unknown_category[header.index("trans_num")] = "row-with-unknown-category"
    unborn = rows[200][:]
    unborn[header.index("cc_num")] = "4999000000000001"
    unborn[header.index("dob")] = "2030-01-01"
    unborn[header.index("trans_num")] = "row-with-unborn-holder"
    with open(source, "a", newline="") as file:
        csv.writer(file).writerows([unknown_category, unborn])
    shipped = digest(MODEL_FILE), digest(METADATA_FILE)

    import_transactions_csv.main([str(source), "--out", str(work / "data")])
    train.main(["--data", str(work / "data"), "--out", str(work / "model"), "--min-fraud-cards", str(MIN_FRAUD_CARDS),
                "--min-no-history", "20"])

    assert (digest(MODEL_FILE), digest(METADATA_FILE)) == shipped, "train.py --out changed the shipped model"
    metadata = json.loads((work / "model" / "fraud_model.json").read_text())
    return work / "data", work / "model", metadata, (work / "model" / "MODEL.md").read_text()


def test_should_write_the_model_and_its_report_into_the_out_directory(trained):
    _, model_dir, metadata, report = trained

    assert sorted(p.name for p in model_dir.iterdir()) == ["MODEL.md", "fraud_model.json", "fraud_model.txt"]
    assert metadata["model_version"].endswith(digest(model_dir / "fraud_model.txt")[:8])
    assert metadata["feature_names"] == fraud_handler.FEATURE_NAMES
    assert f"Model `{metadata['model_version']}`" in report
    # Every check a model must pass before it may score, the smoke rows training recorded included.
    assert fraud_handler.load_model_dir(model_dir).version == metadata["model_version"]
    assert len(metadata["smoke"]["rows"]) == len(metadata["smoke"]["probabilities"]) > 0


def test_should_have_learned_to_rank_fraud_above_legitimate_on_the_held_out_days(trained):
    held_out = trained[2]["metrics"]["holdout"]

    assert held_out["fraud"] > 0
    assert held_out["roc_auc"] > 0.8


def test_should_score_with_the_new_model_from_its_directory(trained, monkeypatch):
    data_dir, model_dir, metadata, _ = trained
    requests = [r for r, problem in scoring_requests.requests_or_problems(scoring_requests.DataSet(data_dir))
                if problem is None][:200]
    monkeypatch.setattr(fraud_handler, "MODELS", fraud_handler._Models())
    champion = {"version": metadata["model_version"], "dir": str(model_dir)}

    replies = [parse_reply(r) for r in fraud_handler.transform_list(
        [scoring_requests.as_item({**q, "champion": champion}) for q in requests])]

    scored = [reply for reply in replies if "error" not in reply]
    refused = {reply["request"]["transaction"]["transaction_id"] for reply in replies if "error" in reply}
    assert refused <= {"row-with-unknown-category", "row-with-unborn-holder"}
    assert len(scored) >= 198 and {reply["model_version"] for reply in scored} == {metadata["model_version"]}
    assert all((reply["fraud_probability"] >= metadata["threshold"]) == reply["is_fraud"] for reply in scored)


def test_should_leave_out_rows_the_job_could_not_score_and_say_so(trained):
    _, _, metadata, report = trained

    assert metadata["excluded"]["transactions"] == 2
    assert metadata["excluded"]["by_problem"] == {"unknown category …": 1,
                                                  "date_of_birth is after the transaction's date": 1}
    assert "`row-with-unknown-category: unknown category 'crypto_exchange'`" in report
    assert "`row-with-unborn-holder: date_of_birth is after the transaction's date`" in report


def test_should_split_by_the_datas_own_days_with_enough_fraud_cases_in_each(trained):
    metadata = trained[2]

    assert metadata["split"]["warm_up"] == "2026-04-01 to 2026-04-07"
    assert metadata["split"]["holdout"].endswith("2026-05-05")
    assert min(metadata["fraud_cards"][s] for s in ("training", "validation", "holdout")) >= MIN_FRAUD_CARDS


def test_should_derive_the_reports_text_from_the_data(trained):
    report = trained[3]

    assert "`history.csv`, imported by `python/import_transactions_csv.py`" in report
    # Nothing of the synthetic generator, and no pattern tables: the CSV's labels name none.
    for claim in ("--seed", "generate_data", "stealth", "pattern"):
        assert claim not in report
    assert report.count("| met |") + report.count("| **NOT MET** |") + report.count("| not assessable") == 3


def test_should_report_a_bar_the_model_misses_as_not_met(trained):
    metadata = trained[2]
    args = train.parse_args(["--data", "d", "--out", "o", "--min-recall", "1.0", "--alert-budget", "0.0001"])

    report = train.report({**metadata, "bars": train.bars(metadata["metrics"]["holdout"], args)})

    assert "| recall at 1.00 % false-positive rate | `--min-recall` | >= 1 |" in report
    assert "| legitimate transactions flagged at the threshold | `--alert-budget` | <= 0.01 % |" in report
    held_out = metadata["metrics"]["holdout"]
    missed = (held_out["recall_at_reported_fpr"] < 1.0) + (held_out["at_threshold"]["false_positive_rate"] > 0.0001)
    assert missed > 0 and report.count("**NOT MET**") == missed


def test_should_never_write_into_the_shipped_model_without_ship(tmp_path):
    with pytest.raises(SystemExit):
        train.main(["--data", str(tmp_path), "--out", str(RESOURCES_DIR)])
    with pytest.raises(SystemExit):
        train.main(["--data", str(tmp_path)])  # neither --out nor --ship


# ---- The rules, on small arrays -----------------------------------------------------------------

def options(**changes):
    defaults = {"validation_share": 0.2, "holdout_share": 0.2, "min_fraud_cards": 3, "alert_budget": 0.1,
                "cold_start_bar": 0.2, "cold_start_margin": 0.5, "min_no_history": 5}
    return argparse.Namespace(**{**defaults, **changes})


def days_of_history(days, fraud_days, start=1_767_225_600_000):
    """One transaction a day on each of 20 cards; on the given days cards 0, 1 and 2 are defrauded."""
    day = np.repeat(np.arange(days), 20)
    card = np.tile(np.arange(20), days)
    is_fraud = np.isin(day, fraud_days) & (card < 3)
    return start + day * DAY + 3_600_000, card.astype(str), is_fraud


def test_should_size_the_splits_from_the_datas_span():
    times, cards, fraud = days_of_history(57, fraud_days=np.arange(57))

    bounds = train.day_boundaries(times, cards, fraud, options())

    start = 1_767_225_600_000
    # 7 warm-up days, then 50: the last 10 held out, the 10 before them validate.
    assert bounds == {"warm_up_end": start + 7 * DAY, "training_end": start + 37 * DAY, "validation_end": start + 47 * DAY}


def test_should_grow_a_split_back_until_it_holds_enough_fraud_cases():
    # Fraud only on day 40 and days 20-22: the held-out days must reach back to day 40.
    times, cards, fraud = days_of_history(57, fraud_days=[20, 21, 22, 30, 40])

    bounds = train.day_boundaries(times, cards, fraud, options())

    start = 1_767_225_600_000
    assert bounds["validation_end"] == start + 40 * DAY
    assert bounds["training_end"] == start + 30 * DAY


def test_should_refuse_to_split_a_history_with_too_few_fraud_cases():
    times, cards, fraud = days_of_history(57, fraud_days=[30, 40])

    with pytest.raises(SystemExit, match="too few fraud cases .* training 0, validation 3, held-out 3"):
        train.day_boundaries(times, cards, fraud, options())


def test_should_set_the_threshold_by_the_cold_start_limit_only_with_enough_transactions():
    is_fraud = np.zeros(100, dtype=bool)
    scores = np.linspace(0, 1, 100)
    no_history = np.zeros(100, dtype=bool)
    no_history[-4:] = True  # the four highest-scored legitimate transactions have no history

    few = train.choose_threshold(is_fraud, scores, no_history, options(min_no_history=5))
    enough = train.choose_threshold(is_fraud, scores, no_history, options(min_no_history=4))

    assert few[1].keys() == {"alert_budget"} and (scores >= few[0]).sum() == 10
    assert enough[0] > scores[-1]  # 10 % of 4 rounds to none flagged
