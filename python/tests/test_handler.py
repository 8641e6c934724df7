"""The contract of fraud_handler.transform_list with the job (docs/DATA.md, scoring reply)."""
import json
from pathlib import Path

import pytest

from builders import MISSING, EXAMPLE_REQUEST, a_request, at, parse_reply, write_model_dir
from job_resources import METADATA_FILE, fraud_handler
from scoring_requests import as_item

METADATA = json.loads(METADATA_FILE.read_text())


def score(items):
    replies = fraud_handler.transform_list(items)
    assert len(replies) == len(items)
    return [parse_reply(reply) for reply in replies]


def test_should_answer_an_empty_batch_with_no_replies(parser):
    assert fraud_handler.transform_list([]) == []


def test_should_score_a_valid_request_and_echo_it(parser):
    [reply] = score([as_item(EXAMPLE_REQUEST)])

    assert set(reply) == {"fraud_probability", "is_fraud", "model_version", "request"}
    assert 0.0 < reply["fraud_probability"] < 1.0
    assert reply["is_fraud"] == (reply["fraud_probability"] >= METADATA["threshold"])
    assert reply["model_version"] == METADATA["model_version"]
    assert reply["request"] == EXAMPLE_REQUEST


def test_should_embed_the_request_text_verbatim(parser):
    # Spacing, key order and fields the handler does not know are the job's business.
    item = '{ "extra": [1, {"x": null}],' + as_item(a_request())[1:]

    [reply] = fraud_handler.transform_list([item])

    assert reply.endswith(',"request":' + item + "}")


def test_should_keep_order_and_length_when_items_fail(parser):
    items = []
    for position in range(300):
        request = a_request(transaction_id=f"T{position:012d}")
        items.append(as_item(request) if position % 7 else "not json")

    replies = score(items)

    for position, reply in enumerate(replies):
        if position % 7:
            assert reply["request"]["transaction"]["transaction_id"] == f"T{position:012d}"
            assert "error" not in reply
        else:
            assert reply["raw"] == "not json" and "request" not in reply


def test_should_score_each_request_as_if_it_were_alone(parser):
    items = [as_item(a_request(amount=float(amount), transaction_id=f"T{amount}")) for amount in range(1, 200)]
    alone = [score([item])[0]["fraud_probability"] for item in items]

    together = [reply["fraud_probability"] for reply in score(items + ["{"])[:-1]]

    assert together == alone


def test_should_score_the_items_around_bad_ones_as_if_each_were_alone(parser):
    # Each bad item is valid JSON and fails only in conversion, so the batch is halved around it.
    bad = {0: ({"category": "groceries"}, "unknown category 'groceries'"),
           100: ({"date_of_birth": "2030-01-01"}, "date_of_birth is after the transaction's date"),
           200: ({"txn_count_7d": MISSING}, "missing field 'features.txn_count_7d'")}
    requests = [a_request(**bad[position][0]) if position in bad
                else a_request(amount=float(position), transaction_id=f"T{position:012d}")
                for position in range(201)]
    items = [as_item(request) for request in requests]
    alone = [score([item])[0] for item in items]

    together = score(items)

    assert [together[position]["error"] for position in bad] == [problem for _, problem in bad.values()]
    assert all("fraud_probability" in together[p] for p in range(len(items)) if p not in bad)
    assert [reply["request"] for reply in together] == requests
    assert together == alone


def test_should_keep_an_unforeseen_error_with_its_item(parser, monkeypatch):
    # A bug met by one request (here a transform raising RuntimeError on its event time) must
    # fail that request alone, with a reply saying so, and not the batch.
    usual_time = EXAMPLE_REQUEST["transaction"]["event_time_ms"]
    marked, marked_time = 50, usual_time + 1
    requests = [a_request(amount=float(position), transaction_id=f"T{position:012d}",
                          event_time_ms=marked_time if position == marked else usual_time)
                for position in range(120)]
    items = [as_item(request) for request in requests]
    alone = [score([item])[0] for item in items]
    hour_utc = fraud_handler._TRANSFORMS["hour_utc"]

    def fails_on_the_marked_time(times_ms):
        if (times_ms == marked_time).any():
            raise RuntimeError("a bug only the marked request meets")
        return hour_utc.function(times_ms)

    monkeypatch.setitem(fraud_handler._TRANSFORMS, "hour_utc",
                        hour_utc._replace(function=fails_on_the_marked_time))
    together = score(items)

    assert together[marked] == {"error": "cannot score: RuntimeError: a bug only the marked request meets",
                                "request": requests[marked]}
    assert together[:marked] + together[marked + 1:] == alone[:marked] + alone[marked + 1:]
    assert all("fraud_probability" in reply for reply in alone)


def test_should_answer_every_item_of_an_all_bad_batch(parser):
    items = [as_item(a_request(category=f"unknown-{i}")) for i in range(64)]

    replies = score(items)

    assert [reply["error"] for reply in replies] == [f"unknown category 'unknown-{i}'" for i in range(64)]


@pytest.mark.parametrize("item, problem", [
    ("", "request is not valid JSON"),
    ("{", "request is not valid JSON"),
    ('{"a": 1} trailing', "request is not valid JSON"),
    ('{"amount": NaN}', "request is not valid JSON"),
    ('{"amount": Infinity}', "request is not valid JSON"),
    ("[" * 100_000, "request is not valid JSON"),
    ("[1, 2]", "request must be a JSON object, not an array"),
    ("42", "request must be a JSON object, not a number"),
    ("null", "request must be a JSON object, not null"),
    ('"text"', "request must be a JSON object, not a string"),
])
def test_should_return_the_raw_item_when_it_is_not_a_json_object(parser, item, problem):
    [reply] = score([item])

    assert reply["error"].startswith(problem)
    assert reply["raw"] == item[:1000]
    assert "request" not in reply


def test_should_refuse_an_item_that_is_not_a_string(parser):
    [reply] = score([b'{"transaction": 1}'])

    assert reply["error"] == "request must be a string, not bytes"


@pytest.mark.parametrize("path", fraud_handler.REQUEST_FIELDS)
def test_should_name_a_missing_field(parser, path):
    name = path.rsplit(".", 1)[-1]
    request = a_request(**{name: MISSING})

    [reply] = score([as_item(request)])

    assert reply == {"error": f"missing field '{path}'", "request": request}


def test_should_name_a_missing_object(parser):
    request = {key: value for key, value in a_request().items() if key != "features"}

    [reply] = score([as_item(request)])

    assert reply["error"] == "missing field 'features'"


TOO_OLD = "date_of_birth is more than 150 years before the transaction's date"
OUT_OF_TIME = "transaction.event_time_ms must be epoch milliseconds from 1900-01-01 to 2200-01-01"


@pytest.mark.parametrize("changes, problem", [
    ({"transaction": 5}, "transaction must be an object, not a number"),
    ({"features": [1, 2, 3]}, "features must be an object, not an array"),
    ({"origin": None}, "origin must be an object, not null"),
    ({"amount": "42.5"}, "transaction.amount must be a number, not a string"),
    ({"amount": True}, "transaction.amount must be a number, not a boolean"),
    ({"amount": None}, "transaction.amount must be a number, not null"),
    ({"event_time_ms": {"ms": 1}}, "transaction.event_time_ms must be a number, not an object"),
    ({"txn_count_24h": [2]}, "features.txn_count_24h must be a number, not an array"),
    ({"distance_km": "3.2"}, "distance_km must be a number, not a string"),
    ({"category": "groceries"}, "unknown category 'groceries'"),
    ({"category": "Grocery_pos"}, "unknown category 'Grocery_pos'"),
    ({"category": 4}, "category must be a string, not a number"),
    ({"category": ["grocery_pos"]}, "category must be a string, not an array"),
    ({"gender": "X"}, "unknown gender 'X'"),
    ({"gender": None}, "gender must be a string, not null"),
    ({"setting": "suburban"}, "unknown setting 'suburban'"),
    ({"date_of_birth": "1980-02-30"}, "date_of_birth must be a date YYYY-MM-DD"),
    ({"date_of_birth": "1980"}, "date_of_birth must be a date YYYY-MM-DD, not '1980'"),
    ({"date_of_birth": "02/04/1980"}, "date_of_birth must be a date YYYY-MM-DD"),
    ({"date_of_birth": 19800402}, "date_of_birth must be a date YYYY-MM-DD, not a number"),
    ({"date_of_birth": "2030-01-01"}, "date_of_birth is after the transaction's date"),
    ({"date_of_birth": "-999-01-01"}, TOO_OLD),
    ({"date_of_birth": "1800-01-01"}, TOO_OLD),
    ({"event_time_ms": 1e17}, OUT_OF_TIME),  # three million years on
    ({"event_time_ms": 1e300}, OUT_OF_TIME),  # beyond int64
    ({"event_time_ms": -1e300}, OUT_OF_TIME),
    ({"event_time_ms": "1767225600000"}, "transaction.event_time_ms must be a number, not a string"),
])
# An absurd value must be refused before it reaches numpy, not scored after an overflow warning.
@pytest.mark.filterwarnings("error")
def test_should_name_the_problem_of_an_invalid_field(parser, changes, problem):
    if "transaction" in changes or "features" in changes or "origin" in changes:
        request = {**a_request(), **changes}
    else:
        request = a_request(**changes)

    [reply] = score([as_item(request)])

    assert reply["error"].startswith(problem)
    assert reply["request"] == request


def test_should_take_its_time_and_age_limits_from_features_json(parser):
    """ModelInputs (the in-JVM scorer) reads the same section; PythonParityTest compares the two."""
    limits = fraud_handler.SPEC["input_limits"]
    first_ms, end_ms = at(limits["event_time_from"] + "T00:00:00"), at(limits["event_time_until"] + "T00:00:00")
    oldest = f"{int(limits['event_time_until'][:4]) - 1 - limits['max_age_years']:04d}{limits['event_time_until'][4:]}"

    replies = score([as_item(a_request(event_time_ms=first_ms, date_of_birth=limits["event_time_from"])),
                     as_item(a_request(event_time_ms=first_ms - 1)),
                     as_item(a_request(event_time_ms=end_ms - 1, date_of_birth=oldest)),
                     as_item(a_request(event_time_ms=end_ms))])

    assert [r.get("error", "")[:60] for r in replies] == [
        "", OUT_OF_TIME[:60], "", OUT_OF_TIME[:60]]
    assert OUT_OF_TIME.endswith(f"from {limits['event_time_from']} to {limits['event_time_until']}")
    [too_old] = score([as_item(a_request(event_time_ms=end_ms - 1,
                                         date_of_birth=f"{int(oldest[:4]) - 1:04d}{oldest[4:]}"))])
    assert too_old["error"] == f"date_of_birth is more than {limits['max_age_years']} years before the transaction's date"


def test_should_refuse_numbers_beyond_float64(monkeypatch):
    # Only the standard library parses these; orjson already refuses them as JSON.
    monkeypatch.setattr(fraud_handler, "parse_json", fraud_handler.parse_json_stdlib)
    too_big = as_item(a_request()).replace('"amount":42.5', '"amount":1e400')
    huge_integer = as_item(a_request()).replace('"amount":42.5', '"amount":' + "9" * 400)

    replies = score([too_big, huge_integer])

    assert [reply["error"] for reply in replies] == ["transaction.amount must be a finite number"] * 2


def test_should_keep_unicode_intact(parser):
    request = a_request(transaction_id="T-ünïcødé-€-😀", category="épicerie 🛒")
    valid = a_request(transaction_id="T-日本語-✓")

    unknown, scored = score([as_item(request), as_item(valid)])

    assert unknown == {"error": "unknown category 'épicerie 🛒'", "request": request}
    assert scored["request"] == valid
    assert score(["ü" * 2000])[0]["raw"] == "ü" * 1000


def test_should_cope_with_very_long_strings(parser):
    long_id = a_request(transaction_id="T" * 1_000_000)
    long_category = a_request(category="x" * 100_000)

    scored, unknown, not_json = score([as_item(long_id), as_item(long_category), "{" + "x" * 100_000])

    assert scored["request"] == long_id and "fraud_probability" in scored
    assert unknown["error"] == f"unknown category '{'x' * 64}...'"
    assert len(not_json["raw"]) == 1000


# ---- Reasons: contributions for the rows the job's policy flags ---------------------------------

def test_should_give_contributions_for_the_rows_scored_at_or_above_reasons_from_only(parser):
    requests = [a_request(amount=float(amount), transaction_id=f"T{amount:012d}") for amount in range(1, 400, 3)]
    probabilities = sorted(reply["fraud_probability"] for reply in score([as_item(r) for r in requests]))
    reasons_from = probabilities[len(probabilities) // 2]
    booster = fraud_handler.load_model().booster

    replies = score([as_item({**request, "reasons_from": reasons_from}) for request in requests])

    flagged = [reply for reply in replies if reply["fraud_probability"] >= reasons_from]
    assert 0 < len(flagged) < len(replies)
    for request, reply in zip(requests, replies):
        if reply["fraud_probability"] < reasons_from:
            assert "contributions" not in reply
            continue
        matrix = fraud_handler.feature_matrix([request])
        [expected] = booster.predict(matrix, pred_contrib=True, num_threads=1).tolist()
        assert reply["contributions"] == expected
        assert len(expected) == len(fraud_handler.FEATURE_NAMES) + 1
        # TreeSHAP: the contributions and the expected value add up to the raw score.
        [raw] = booster.predict(matrix, raw_score=True, num_threads=1).tolist()
        assert sum(reply["contributions"]) == pytest.approx(raw, abs=1e-9)


@pytest.mark.parametrize("reasons_from", [None, "0", True, [0.0]])
def test_should_give_no_contributions_without_a_number_to_give_them_from(parser, reasons_from):
    [reply] = score([as_item({**a_request(), "reasons_from": reasons_from})])

    assert "contributions" not in reply and "error" not in reply


# ---- Which model scores: the request names it ---------------------------------------------------

@pytest.fixture()
def models(monkeypatch):
    """A process's model cache of its own, so a test starts with nothing loaded."""
    fresh = fraud_handler._Models()
    monkeypatch.setattr(fraud_handler, "MODELS", fresh)
    return fresh


def naming(request, champion=None, challenger=None):
    """The request as PREDICT sends it: with the models to score it with."""
    item = dict(request)
    if champion is not None:
        item["champion"] = {"version": champion.version, "dir": str(champion.directory)}
    if challenger is not None:
        item["challenger"] = {"version": challenger.version, "dir": str(challenger.directory)}
    return item


def test_should_score_with_the_champion_the_request_names(models, tmp_path, parser):
    other = write_model_dir(tmp_path / "other", seed=7)
    request = naming(a_request(), champion=other)

    [reply] = score([as_item(request)])

    assert reply["model_version"] == other.version
    assert reply["fraud_probability"] == other.probability(a_request())
    assert "model_error" not in reply and reply["request"] == request


def test_should_score_the_challenger_beside_the_champion(models, tmp_path, parser):
    champion = write_model_dir(tmp_path / "champion", seed=7)
    challenger = write_model_dir(tmp_path / "challenger", seed=8)

    [reply] = score([as_item(naming(a_request(), champion=champion, challenger=challenger))])

    assert reply["model_version"] == champion.version
    assert reply["fraud_probability"] == champion.probability(a_request())
    assert reply["challenger_version"] == challenger.version
    assert reply["challenger_probability"] == challenger.probability(a_request())
    assert reply["is_fraud"] == (reply["fraud_probability"] >= champion.threshold)


def test_should_keep_scoring_with_the_last_champion_when_a_new_one_cannot_load(models, tmp_path, parser):
    good = write_model_dir(tmp_path / "good", seed=7)
    broken = write_model_dir(tmp_path / "broken", seed=8)
    (broken.directory / "fraud_model.txt").write_text("tree\nversion=v4\nnot a model\n")
    score([as_item(naming(a_request(), champion=good))])

    [reply] = score([as_item(naming(a_request(), champion=broken))])

    assert reply["model_version"] == good.version
    assert reply["fraud_probability"] == good.probability(a_request())
    assert reply["model_error"]["version"] == broken.version
    assert reply["model_error"]["problem"].startswith(f"champion {broken.version} cannot be loaded by a Python "
                                                     "process: parse: ")
    assert reply["model_error"]["problem"].endswith(f"; {good.version} scores on")


def test_should_fall_back_to_the_shipped_model_when_none_loaded_yet(models, tmp_path, parser):
    missing = write_model_dir(tmp_path / "gone", seed=7)
    for file in missing.directory.iterdir():
        file.unlink()

    [reply] = score([as_item(naming(a_request(), champion=missing))])

    assert reply["model_version"] == METADATA["model_version"]
    assert reply["model_error"]["version"] == missing.version


def test_should_leave_out_a_challenger_that_cannot_load(models, tmp_path, parser):
    champion = write_model_dir(tmp_path / "champion", seed=7)
    challenger = write_model_dir(tmp_path / "challenger", seed=8, columns=list(reversed(fraud_handler.FEATURE_NAMES)))

    [reply] = score([as_item(naming(a_request(), champion=champion, challenger=challenger))])

    assert reply["model_version"] == champion.version
    assert "challenger_probability" not in reply
    assert reply["model_error"]["version"] == challenger.version
    assert "columns: " in reply["model_error"]["problem"]


def test_should_load_a_model_once_per_process(models, tmp_path):
    champion = write_model_dir(tmp_path / "champion", seed=7)
    score([as_item(naming(a_request(), champion=champion))])
    (champion.directory / "fraud_model.txt").unlink()  # still scores: loaded already

    [reply] = score([as_item(naming(a_request(), champion=champion))])

    assert reply["model_version"] == champion.version and "model_error" not in reply


def test_should_refuse_a_corrupt_model_file(tmp_path):
    model = write_model_dir(tmp_path / "m", seed=7)
    (model.directory / "fraud_model.txt").write_bytes(b"\x00\x01 not LightGBM")

    with pytest.raises(fraud_handler.InvalidModel, match="^parse: "):
        fraud_handler.load_model_dir(model.directory)


def test_should_refuse_a_model_trained_on_other_columns(tmp_path):
    model = write_model_dir(tmp_path / "m", seed=7, columns=list(reversed(fraud_handler.FEATURE_NAMES)))

    with pytest.raises(fraud_handler.InvalidModel, match="^columns: fraud_model.txt was trained on the columns"):
        fraud_handler.load_model_dir(model.directory)


def test_should_refuse_metadata_listing_other_columns(tmp_path):
    model = write_model_dir(tmp_path / "m", seed=7, metadata_changes={"feature_names": ["amount"]})

    with pytest.raises(fraud_handler.InvalidModel, match="^columns: fraud_model.json lists the columns"):
        fraud_handler.load_model_dir(model.directory)


def test_should_refuse_a_model_with_another_objective(tmp_path):
    model = write_model_dir(tmp_path / "m", seed=7, objective="regression")

    with pytest.raises(fraud_handler.InvalidModel, match="^parse: the objective is 'regression'"):
        fraud_handler.load_model_dir(model.directory)


def test_should_refuse_a_model_that_scores_its_smoke_rows_otherwise(tmp_path):
    model = write_model_dir(tmp_path / "m", seed=7)
    metadata = json.loads((model.directory / "fraud_model.json").read_text())
    metadata["smoke"]["probabilities"][3] += 1e-6
    (model.directory / "fraud_model.json").write_text(json.dumps(metadata))

    with pytest.raises(fraud_handler.InvalidModel, match="^smoke score: row 3 scores "):
        fraud_handler.load_model_dir(model.directory)


@pytest.mark.parametrize("changes, problem", [
    ({"model_version": ""}, "metadata: fraud_model.json has no model_version"),
    ({"threshold": 1.5}, "metadata: fraud_model.json has no threshold within [0, 1]"),
    ({"threshold": "0.5"}, "metadata: fraud_model.json has no threshold within [0, 1]"),
    ({"smoke": None}, "smoke score: fraud_model.json has no smoke rows"),
])
def test_should_refuse_metadata_it_cannot_score_with(tmp_path, changes, problem):
    model = write_model_dir(tmp_path / "m", seed=7, metadata_changes=changes)

    with pytest.raises(fraud_handler.InvalidModel) as refused:
        fraud_handler.load_model_dir(model.directory)
    assert str(refused.value).startswith(problem)


def test_should_load_the_shipped_model_with_every_check():
    model = fraud_handler.load_model_dir(METADATA_FILE.parent)

    assert model.version == METADATA["model_version"] and model.threshold == METADATA["threshold"]


# ---- The stock Jet server's port race, mended by init.sh on the member ---------------------------

def run_init_script(directory):
    import shutil
    import subprocess
    shutil.copy(METADATA_FILE.parent / "init.sh", directory / "init.sh")
    return subprocess.run(["/bin/sh", "./init.sh"], cwd=directory, capture_output=True, text=True, check=True)


def test_init_script_binds_the_stock_jet_server_to_the_address_the_member_connects_to(tmp_path):
    server = tmp_path / "jet_to_python_grpc_server.py"
    server.write_text("    listen_port = server.add_insecure_port('localhost:0')\n        s.connect(('localhost', p))\n")

    result = run_init_script(tmp_path)

    assert server.read_text() == ("    listen_port = server.add_insecure_port('127.0.0.1:0')\n"
                                  "        s.connect(('localhost', p))\n")
    assert "binds 127.0.0.1" in result.stdout


def test_init_script_leaves_a_fixed_server_alone(tmp_path):
    fixed = (Path(__file__).resolve().parents[2] / "scripts/member-classpath/jet_to_python_grpc_server.py").read_text()
    (tmp_path / "jet_to_python_grpc_server.py").write_text(fixed)

    run_init_script(tmp_path)

    assert (tmp_path / "jet_to_python_grpc_server.py").read_text() == fixed
