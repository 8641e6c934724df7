"""The live page's figures and its reading of the cluster (python/dashboard/figures.py and
reader.py), with a fake cluster that answers the page's statements from a list of predictions."""
import re
import threading
import time

import pytest

from dashboard import charts
from dashboard import figures as F
from dashboard.reader import Reader

CARD = "4000123456789012"


def token(card):
    """A stand-in for the card's token: the page only groups and looks up by it."""
    return "test:" + card[::-1]


def prediction(stored_ms, latency_ms=200, probability=0.01, fraud=False, card=CARD, merchant="M00001",
               amount=10.0, tid=None):
    return {"transactionId": tid or f"T{stored_ms}", "cardToken": token(card), "bin": card[:6], "last4": card[-4:],
            "merchantCode": merchant, "category": "misc_net",
            "amount": amount, "fraudProbability": probability, "fraud": fraud, "latitude": 40.0, "longitude": -74.0,
            "distanceKm": 12.0, "storedTimeMs": stored_ms, "appendTimeMs": stored_ms - latency_ms}


class FakeCluster:
    """Answers the page's statements as the cluster would, and records the ranges it was asked for."""

    def __init__(self, predictions, customers=(), indexed=True):
        self.predictions = predictions
        self.customers = {c["cardToken"]: c for c in customers}
        self.indexed = indexed
        self.asked = []

    def __call__(self, sql, params, timeout_s=None):
        if sql.startswith("SELECT __key"):
            return [self.customers[c] for c in params if c in self.customers]
        if sql.startswith("EXPLAIN"):
            scan = "IndexScanMapPhysicalRel(table=[[hazelcast, public, predictionResult[projects=[...]]]], " \
                   "index=[storedTimeMs]" if self.indexed else "FullScanPhysicalRel(table=[[predictionResult]])"
            return [{"rel": scan}]
        if sql == F.INDEX_SQL:
            self.asked.append((sql, None, None))
            return []
        if sql == F.ANY_PREDICTION_SQL:
            return [{"storedTimeMs": p["storedTimeMs"]} for p in self.predictions[:1]]
        if sql in (F.DEAD_LETTER_COUNTS_SQL, F.DEAD_LETTER_EXAMPLES_SQL):
            return []
        lo, hi = params
        self.asked.append((sql, lo, hi))
        rows = [p for p in self.predictions if lo <= p["storedTimeMs"] < hi]
        if sql == F.FLAGGED_SQL:
            return [p for p in rows if p["fraud"]]
        groups = {}
        for p in rows:
            if sql == F.SCORES_SQL:
                key = (p["storedTimeMs"] // 1000, float(int(p["fraudProbability"] * F.SCORE_BINS)), p["fraud"],
                       p.get("band"))
            elif sql == F.LATENCY_SQL:
                key = (p["storedTimeMs"] // 1000, F.latency_bucket(p["storedTimeMs"] - p["appendTimeMs"]))
            else:
                assert sql == F.COUNT_SQL, sql
                key = p["storedTimeMs"] // 1000
            groups[key] = groups.get(key, 0) + 1
        if sql == F.SCORES_SQL:
            return [{"sec": s, "bin": b, "fraud": f, "band": band, "n": n} for (s, b, f, band), n in groups.items()]
        if sql == F.LATENCY_SQL:
            return [{"sec": s, "bucket": b, "n": n} for (s, b), n in groups.items()]
        return [{"sec": s, "n": n} for s, n in groups.items()]


class Clock:
    """The wall clock of a test: seconds since the epoch, moved by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def ranges(cluster, sql):
    return [(lo // 1000, hi // 1000) for s, lo, hi in cluster.asked if s == sql]


# ---- masking -------------------------------------------------------------------------------------

def test_a_card_shows_only_its_bin_and_last_four_digits():
    assert F.card_label(prediction(0)) == "400012 •••• 9012"


def test_every_long_digit_run_in_free_text_is_masked():
    payload = '{"cc_num": "4000123456789012", "amount": 12.5, "unix_ms": 1796122910589, "zip": "10001"}'

    masked = F.mask_text(payload)

    assert CARD not in masked and "1796122910589" not in masked
    assert '"cc_num": "•••• 9012"' in masked and '"zip": "10001"' in masked and "12.5" in masked


# ---- arithmetic ----------------------------------------------------------------------------------

@pytest.mark.parametrize("latency, bucket", [(0, 0), (99, 99), (100, 100), (1234, 1200), (999, 990),
                                             (65432, 65000)])
def test_latency_is_kept_to_two_significant_digits(latency, bucket):
    assert F.latency_bucket(latency) == bucket


def test_percentile_is_the_nearest_rank_of_the_histogram():
    histogram = {10: 50, 20: 49, 900: 1}

    assert F.percentile(histogram, 0.50) == 10
    assert F.percentile(histogram, 0.99) == 20
    assert F.percentile(histogram, 1.0) == 900
    assert F.percentile({}, 0.5) is None


# ---- the window ----------------------------------------------------------------------------------

def filled_window(cluster, end_s, span_s=300):
    """A window advanced to `end_s` until it is full, with the clock SETTLE_S past it."""
    window = F.Window(cluster, span_s=span_s, clock=Clock(end_s + F.SETTLE_S))
    while not window.complete():
        window.advance(end_s)
    return window


def test_a_new_window_fills_in_newest_first_one_slice_per_refresh():
    cluster = FakeCluster([prediction(1_000_000 + i * 100) for i in range(100)])
    window = F.Window(cluster, span_s=300, clock=Clock(1102))

    window.advance(1100)
    assert window.covered() == (1040, 1100) and not window.complete()
    for _ in range(4):
        window.advance(1100)

    assert window.complete()
    assert ranges(cluster, F.SCORES_SQL) == [(1040, 1100), (980, 1040), (920, 980), (860, 920), (800, 860)]
    assert ranges(cluster, F.LATENCY_SQL) == ranges(cluster, F.FLAGGED_SQL) == ranges(cluster, F.SCORES_SQL)


def test_a_refresh_reads_only_the_seconds_it_has_not_read_and_recounts_the_ones_just_grown_old():
    cluster = FakeCluster([prediction(1_000_000 + i * 100) for i in range(100)])
    window = filled_window(cluster, 1100)
    cluster.asked.clear()

    window._clock.now = 1104
    window.advance(1102)

    assert ranges(cluster, F.SCORES_SQL) == [(1100, 1102)]
    # Read when 2 s old; counted again when 30 s old, so the seconds that ended 30 s ago.
    assert ranges(cluster, F.COUNT_SQL) == [(1072, 1074)]
    assert window.final_until_s() == 1074


def test_a_prediction_that_reaches_the_map_late_is_found_when_its_second_is_recounted():
    predictions = [prediction(1_090_000 + i * 100) for i in range(100)]
    cluster = FakeCluster(predictions)
    window = filled_window(cluster, 1100)
    assert sum(s.scored for s in window.seconds().values()) == 100
    # Stored with storedTimeMs in second 1095, but visible only after the page had read that second.
    predictions.append(prediction(1_095_500, fraud=True, probability=0.9))
    cluster.asked.clear()

    window._clock.now = 1130
    window.advance(1128)

    assert ranges(cluster, F.COUNT_SQL) == [(1072, 1100)]
    assert (1095, 1096) in ranges(cluster, F.SCORES_SQL)
    second = window.seconds()[1095]
    assert (second.scored, second.flagged, len(second.flagged_rows)) == (11, 1, 1)


def test_seconds_that_leave_the_window_are_forgotten():
    cluster = FakeCluster([prediction(1_000_000), prediction(1_200_500)])
    window = filled_window(cluster, 1100)
    assert sorted(window.seconds()) == [1000]

    window._clock.now = 1303
    window.advance(1301)

    assert sorted(window.seconds()) == [1200]
    assert window.covered() == (1001, 1301)


def test_a_gap_longer_than_the_window_starts_it_afresh():
    cluster = FakeCluster([prediction(1_000_000)])
    window = filled_window(cluster, 1100)

    window._clock.now = 5002
    window.advance(5000)

    assert ranges(cluster, F.SCORES_SQL)[-1] == (4940, 5000)
    assert window.covered() == (4940, 5000) and window.seconds() == {}


# ---- the index -----------------------------------------------------------------------------------

def test_an_index_the_statements_use_is_left_alone():
    cluster = FakeCluster([])

    assert F.ensure_index(cluster) == F.IndexCheck(final=True, note=None)
    assert ranges(cluster, F.INDEX_SQL) == []


def test_a_missing_index_is_created_and_one_the_plans_ignore_reported_and_asked_about_again():
    cluster = FakeCluster([prediction(1_000_000)], indexed=False)

    check = F.ensure_index(cluster)

    assert [s for s, _, _ in cluster.asked] == [F.INDEX_SQL]
    assert not check.final and "every refresh scans the whole prediction map" in check.note
    assert not check.due(checked_s=100, now_s=100 + F.INDEX_RECHECK_S - 1)
    assert check.due(checked_s=100, now_s=100 + F.INDEX_RECHECK_S)


def test_the_index_note_goes_once_the_members_plan_with_the_index():
    now = [1_000.0]
    cluster = FakeCluster([prediction(int(now[0] * 1000) - 10_000)], indexed=False)
    reader = Reader(FakeConnection(FakeBridge(cluster)), "fraud-detection", clock=lambda: now[0])

    assert reader.read_once() and "No index on storedTimeMs" in reader.snapshot().index_note
    cluster.indexed = True
    now[0] += 2
    reader.read_once()
    assert "No index on storedTimeMs" in reader.snapshot().index_note  # not asked again every refresh
    now[0] += F.INDEX_RECHECK_S
    reader.read_once()
    assert reader.snapshot().index_note is None
    assert [s for s, _, _ in cluster.asked if s == F.INDEX_SQL] == [F.INDEX_SQL]


def test_an_empty_map_is_asked_about_again_later_for_its_members_plan_no_index_for_it():
    cluster = FakeCluster([], indexed=False)

    check = F.ensure_index(cluster)

    assert check == F.IndexCheck(final=False, note=None) and check.due(checked_s=100, now_s=100)
    assert cluster.asked == []


def test_a_refused_create_index_is_the_answer_and_a_failed_query_asks_again():
    def refusing(sql, params, timeout_s=None):
        if sql == F.INDEX_SQL:
            raise RuntimeError("not allowed")
        return FakeCluster([prediction(1_000_000)], indexed=False)(sql, params)

    def timing_out(sql, params, timeout_s=None):
        raise RuntimeError("no answer from the cluster within 30 s")

    check = F.ensure_index(refusing)

    assert check.final and "could not be created: not allowed" in check.note
    with pytest.raises(RuntimeError, match="no answer"):
        F.ensure_index(timing_out)


# ---- the figures ---------------------------------------------------------------------------------

def window_of(predictions, end_s, customers=()):
    cluster = FakeCluster(predictions, customers)
    window = filled_window(cluster, end_s)
    return F.figures(window.seconds(), end_s, homes=F.Homes(cluster).of)


def test_rates_are_the_mean_of_the_last_ten_seconds_and_the_share_is_over_the_window():
    # 5 in the window's first minute, then 30 scored and 3 flagged in its last 10 seconds.
    early = [prediction(1_000_000 + i) for i in range(5)]
    late = [prediction(1_290_000 + i * 300, fraud=i < 3, probability=0.9 if i < 3 else 0.01) for i in range(30)]

    shown = window_of(early + late, 1300)

    assert (shown.scored, shown.flagged) == (35, 3)
    assert shown.scored_per_s == 3.0 and shown.flagged_per_s == 0.3
    assert shown.share_flagged == pytest.approx(3 / 35)


def test_latency_percentiles_cover_the_whole_window():
    predictions = [prediction(1_100_000 + i * 10, latency_ms=120) for i in range(98)]
    predictions += [prediction(1_200_000, latency_ms=1234), prediction(1_200_001, latency_ms=5000)]

    shown = window_of(predictions, 1300)

    assert shown.latency_p50_ms == 120
    assert shown.latency_p99_ms == 1200


def test_the_score_distribution_has_every_bin_and_a_probability_of_one_in_the_last():
    shown = window_of([prediction(1_100_000, probability=0.0), prediction(1_100_001, probability=1.0, fraud=True)],
                      1300)

    assert len(shown.score_histogram) == F.SCORE_BINS
    assert shown.score_histogram[0]["scored"] == 1 and shown.score_histogram[-1] == {
        "from": 0.95, "to": 1.0, "scored": 1, "flagged": 1}
    assert [b["scored"] for b in shown.score_bands] == [1, 0, 0, 1]


def test_top_cards_rank_by_flagged_then_amount_and_are_masked():
    flagged = [prediction(1_100_000 + i, fraud=True, probability=0.8, card=card, amount=amount)
               for i, (card, amount) in enumerate([("4000000000001111", 5.0), ("4000000000001111", 5.0),
                                                   ("4000000000002222", 100.0), ("4000000000003333", 50.0)])]

    shown = window_of(flagged, 1300)

    assert [(c["card"], c["flagged"]) for c in shown.top_cards] == [
        ("400000 •••• 1111", 2), ("400000 •••• 2222", 1), ("400000 •••• 3333", 1)]


def test_flagged_points_carry_the_holders_home_and_no_card_number():
    customers = [{"cardToken": token(CARD), "latitude": 30.0, "longitude": -90.0, "city": "Greenhaven", "state": "AR"}]

    shown = window_of([prediction(1_100_000, fraud=True, probability=0.9)], 1300, customers)

    assert CARD not in repr(shown.flagged_points)
    assert shown.flagged_points == [{"card": "400012 •••• 9012", "lat": 40.0, "lon": -74.0, "home_lat": 30.0,
                                     "home_lon": -90.0, "home": "Greenhaven, AR", "km": 12.0, "amount": 10.0,
                                     "score": 0.9}]


def test_homes_are_read_once_per_card():
    calls = []
    homes = F.Homes(lambda sql, params: calls.append(list(params)) or
                    [{"cardToken": c, "latitude": 1, "longitude": 2, "city": "X", "state": "Y"} for c in params])

    homes.of(["a", "b"])
    homes.of(["b", "c"])

    assert calls == [["a", "b"], ["c"]]


# ---- dead letters and the job --------------------------------------------------------------------

def dead_letter_store(asked):
    """Three UNKNOWN_CARD dead letters; records each statement asked."""
    def query(sql, params):
        asked.append(sql)
        if sql == F.DEAD_LETTER_COUNTS_SQL:
            return [{"reason": "UNKNOWN_CARD", "stage": "ENRICH", "n": 3, "latest": 1796122910589}]
        return [{"reason": "UNKNOWN_CARD", "detail": f"no customer for card {CARD}",
                 "transactionId": "T1", "payload": f'{{"cc_num": "{CARD}"}}', "recordedTimeMs": 1796122910589}]
    return query


def test_dead_letter_examples_are_masked():
    [dead] = F.DeadLetters(dead_letter_store([])).read(1796122911000)

    assert (dead["reason"], dead["count"]) == ("UNKNOWN_CARD", 3)
    assert CARD not in repr(dead)
    assert dead["examples"][0]["detail"] == "no customer for card •••• 9012"


def test_dead_letter_examples_are_read_again_only_when_the_counts_change():
    asked = []
    dead = F.DeadLetters(dead_letter_store(asked))

    first = dead.read(1796122911000)
    second = dead.read(1796122913000)

    assert second == first
    assert asked == [F.DEAD_LETTER_COUNTS_SQL, F.DEAD_LETTER_EXAMPLES_SQL, F.DEAD_LETTER_COUNTS_SQL]


@pytest.mark.parametrize("job, level", [
    ({"name": "j", "status": "RUNNING", "supervisor": {"state": "WATCHING", "failures": 0, "cause": ""}}, "ok"),
    ({"name": "j", "status": "SUSPENDED", "suspensionCause": "failed",
      "supervisor": {"state": "RESUMING", "failures": 1, "cause": "Python died"}}, "warn"),
    ({"name": "j", "status": "SUSPENDED", "supervisor": {"state": "GAVE_UP", "failures": 5, "cause": "no model"}},
     "error"),
    ({"name": "j", "status": "NOT_FOUND", "supervisor": None}, "error"),
])
def test_the_job_status_says_how_worried_to_be(job, level):
    status = F.job_status(job)

    assert status["level"] == level
    assert status["text"].startswith(f"Job 'j' is {job['status']}")


# ---- the reader ----------------------------------------------------------------------------------

class FakeBridge:
    """The bridge as the reader uses it: SQL from a FakeCluster, the job always RUNNING."""

    def __init__(self, cluster):
        self.sql = cluster

    def job(self, name):
        return {"name": name, "status": "RUNNING", "supervisor": {"state": "WATCHING", "failures": 0, "cause": ""}}


class FakeConnection:
    def __init__(self, bridge):
        self.bridge = bridge

    def get(self):
        return self.bridge


class SlowCluster(FakeCluster):
    """A cluster whose window statements wait until the test lets them go."""

    def __init__(self, predictions):
        super().__init__(predictions)
        self.gate = threading.Event()
        self.held = []

    def __call__(self, sql, params, timeout_s=None):
        if sql in (F.SCORES_SQL, F.LATENCY_SQL, F.FLAGGED_SQL):
            self.held.append((sql, params[0] // 1000, params[1] // 1000))
            assert self.gate.wait(10), "the test never let the statement go"
        return super().__call__(sql, params, timeout_s)


def eventually(condition, what, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s} s: {what}"
        time.sleep(0.01)


def test_the_page_draws_the_job_at_once_while_the_window_is_still_being_read():
    cluster = SlowCluster([prediction(int(time.time() * 1000) - 10_000)])
    reader = Reader(FakeConnection(FakeBridge(cluster)), "fraud-detection", interval_s=0.05).start()
    try:
        eventually(lambda: reader.snapshot().job is not None, "the job's status is published")
        snap = reader.snapshot()
        assert snap.job["status"] == "RUNNING" and snap.figures is None and snap.phase == "reading"

        cluster.gate.set()
        eventually(lambda: reader.snapshot().figures is not None, "the figures are published")
        eventually(lambda: reader.snapshot().complete, "the window fills in")
        assert reader.snapshot().figures.scored == 1
    finally:
        reader.stop()


def test_a_read_slower_than_the_refresh_is_finished_not_started_again():
    cluster = SlowCluster([])
    reader = Reader(FakeConnection(FakeBridge(cluster)), "fraud-detection", interval_s=0.01).start()
    try:
        eventually(lambda: len(cluster.held) == 3, "the first slice is asked for")
        time.sleep(0.3)  # thirty refresh intervals with the statements held
        assert len(cluster.held) == 3

        cluster.gate.set()
        eventually(lambda: reader.snapshot().figures is not None, "the slow read is published")
        first = ranges(cluster, F.SCORES_SQL)[0]
        assert ranges(cluster, F.SCORES_SQL).count(first) == 1
    finally:
        reader.stop()


def test_a_pinned_window_in_the_past_is_read_once_and_its_reader_ends():
    at_s = int(time.time()) - 3600
    cluster = FakeCluster([prediction(at_s * 1000 - 5_000, fraud=True, probability=0.9)])
    reader = Reader(FakeConnection(FakeBridge(cluster)), "fraud-detection", pinned_end_s=at_s, interval_s=0.01).start()

    reader._thread.join(10)

    snap = reader.snapshot()
    assert not reader._thread.is_alive() and snap.complete and snap.final_until_s == at_s
    assert (snap.figures.start_s, snap.figures.end_s, snap.figures.flagged) == (at_s - 300, at_s, 1)
    assert len(ranges(cluster, F.SCORES_SQL)) == 5 and ranges(cluster, F.COUNT_SQL) == []


def test_the_charts_carry_their_data_inline():
    shown = window_of([prediction(1_100_000, fraud=True, probability=0.9)], 1300,
                      [{"cardToken": token(CARD), "latitude": 30.0, "longitude": -90.0, "city": "Greenhaven", "state": "AR"}])

    assert len(charts.throughput(shown.series)["data"]["values"]) == 2 * 300
    assert charts.scores(shown.score_histogram)["data"]["values"] == [
        {"from": 0.9, "to": 0.95, "decision": "flagged", "n": 1}]
    assert charts.homes(shown.flagged_points)["data"]["values"][0]["card"] == "400012 •••• 9012"


def test_a_bridge_started_again_gets_a_window_of_its_own_read_afresh():
    now_s = int(time.time())
    first, second = FakeCluster([prediction(now_s * 1000 - 10_000)]), FakeCluster([])
    connection = FakeConnection(FakeBridge(first))
    reader = Reader(connection, "fraud-detection")

    assert reader.read_once() and reader.snapshot().figures.scored == 1
    connection.bridge = FakeBridge(second)
    assert reader.read_once()

    assert reader.snapshot().figures.scored == 0
    assert len(ranges(second, F.SCORES_SQL)) == 1 and ranges(second, F.COUNT_SQL) == []


def test_the_browser_check_reads_the_windows_counts_as_the_page_prints_them():
    from checks import check_page

    page = {"body": "Fraud scoring, live\nIn the window: 52,213 scored, 571 flagged.\nScore distribution"}

    assert check_page.window_counts(page) == (52_213, 571)
    assert check_page.window_counts({"body": "Reading the window ..."}) is None


def test_the_browser_check_reads_a_page_only_once_its_tables_are_there():
    from checks import check_page

    page = {"end": "2026-12-01 17:25:25 UTC", "metrics": {"Dead letters": "0"}, "body": "",
            "tables": {"card": {}, "merchant": {}}}

    assert not check_page.drawn(page)
    assert check_page.drawn({**page, "tables": {**page["tables"], "score": {}}})
    assert check_page.drawn({**page, "tables": {}, "body": "nothing scored\nno flagged transaction in the window"})


# ---- which models score ----------------------------------------------------------------------------

def registry(pointer, status):
    def query(sql, params):
        assert params == ["fraud-detection"]
        return pointer if sql == F.MODEL_POINTER_SQL else status if sql == F.MODEL_STATUS_SQL else 1 / 0
    return query


def test_the_models_line_names_champion_and_challenger_with_the_scorers_serving_each():
    text = F.models_scoring(registry(
        [{"champion": "lgbm-b", "challenger": "lgbm-c", "changedAtMs": 1, "changedBy": "ops"}],
        [{"version": "lgbm-b", "state": "CHAMPION", "n": 2}, {"version": "lgbm-a", "state": "CHAMPION", "n": 1},
         {"version": "lgbm-c", "state": "CHALLENGER", "n": 3}, {"version": "lgbm-x", "state": "FAILED", "n": 1}]),
        "fraud-detection")

    assert text == ("Models: champion lgbm-b (2 scorers); challenger lgbm-c (3 scorers); still switching: lgbm-a (1);"
                    " refused by a scorer: lgbm-x")


def test_no_models_line_without_a_registry():
    def broken(sql, params):
        raise RuntimeError("Object 'modelPointer' not found")

    assert F.models_scoring(broken, "fraud-detection") is None
    assert F.models_scoring(registry([], []), "fraud-detection") is None


# ---- decisions by band, and why ------------------------------------------------------------------

def test_decisions_are_counted_by_the_policys_band_and_the_newest_flagged_listed_with_their_reasons():
    flagged = prediction(1_100_000, fraud=True, probability=0.9)
    flagged.update(band="DECLINE", reasonsText="amount 412.50, 9.3× this card's 24 h average; 2,310 km from home")
    review = prediction(1_100_500, probability=0.2)
    review.update(band="REVIEW", reasonsText="7 transactions in 24 h")
    approved = [dict(prediction(1_101_000 + i), band="APPROVE", reasonsText="") for i in range(2)]

    shown = window_of([flagged, review, *approved], 1300)

    assert shown.decisions == [{"band": "APPROVE", "decisions": 2, "share": "50.00 %"},
                               {"band": "REVIEW", "decisions": 1, "share": "25.00 %"},
                               {"band": "DECLINE", "decisions": 1, "share": "25.00 %"}]
    assert shown.newest_reasons == [{"stored": 1_100_000, "card": "400012 •••• 9012", "amount": 10.0, "score": 0.9,
                                     "band": "DECLINE",
                                     "reasons": "amount 412.50, 9.3× this card's 24 h average; 2,310 km from home"}]


def test_statements_name_maps_only_by_their_constants_in_names():
    """The SQL bridge puts the names in (SqlBridgeTest checks each constant exists), so no statement
    may name a map itself: a rename in Names would leave it behind."""
    statements = {name: sql for name, sql in vars(F).items() if name.endswith("_SQL")}
    targets = {name: re.findall(r"\b(?:FROM|ON)\s+(\S+)", sql) for name, sql in statements.items()}

    assert sum(len(found) for found in targets.values()) >= 10
    assert all(target.startswith("${") and target.endswith("}") for found in targets.values() for target in found), targets
