"""The O(n log n) window features of training give what the window rule's direct O(n²)
transcription gives: the same counts, and sums equal to the cent (exactly the sums of whole cents
that the job adds), on streams with late transactions, same-time twins and many cards."""
import numpy as np
import pytest

from scoring_requests import WINDOWS, amount_cents, generated, DataSet, window_features

MINUTE = 60_000


def rule_by_hand(cards, times, amounts):
    """features.json's window_rule, transaction by transaction, over every pair (O(n²)): what came
    no later in the stream, of the same card, within (t - W, t]. Sums in whole cents."""
    cents = amount_cents(amounts)
    features = {w["name"]: np.zeros(len(times), dtype=np.int64) for w in WINDOWS}
    for i in range(len(times)):
        earlier = np.arange(i + 1)
        mine = earlier[cards[earlier] == cards[i]]
        for window in WINDOWS:
            inside = mine[(times[mine] <= times[i]) & (times[mine] > times[i] - window["window_ms"])]
            features[window["name"]][i] = len(inside) if window["aggregate"] == "count" else cents[inside].sum()
    return features


def assert_same(features, expected):
    for window in WINDOWS:
        name = window["name"]
        if window["aggregate"] == "count":
            assert np.array_equal(features[name], expected[name]), name
        else:
            assert np.array_equal(np.rint(features[name] * 100).astype(np.int64), expected[name]), name
            assert np.array_equal(features[name], expected[name] / 100), name


def a_messy_stream(rng, count, cards):
    """Transactions minutes to days apart, sent mostly in time order; some late by up to a day, some
    sharing their time with another of the same card."""
    card = rng.integers(cards, size=count)
    times = np.sort(rng.integers(0, 20 * 24 * 60, size=count)) * MINUTE + 1_767_225_600_000
    twins = rng.random(count) < 0.05
    times[1:][twins[1:]] = times[:-1][twins[1:]]
    card[1:][twins[1:]] = card[:-1][twins[1:]]
    sent_at = times + np.where(rng.random(count) < 0.1, rng.integers(0, 24 * 60, count) * MINUTE, 0)
    order = np.argsort(sent_at, kind="stable")
    amounts = np.round(rng.lognormal(3, 1.5, count), 2)
    return np.array([f"card-{c}" for c in card[order]]), times[order], amounts[order]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_should_give_what_the_rule_gives_on_a_stream_with_late_transactions_and_twins(seed):
    cards, times, amounts = a_messy_stream(np.random.default_rng(seed), 1500, 12)

    features = window_features(cards, times, {"amount": amounts})

    assert_same(features, rule_by_hand(cards, times, amounts))


def test_should_give_what_the_rule_gives_on_a_generated_data_set(tmp_path):
    data = DataSet(generated(tmp_path, "--cards", 60, "--days", 10, "--seed", 5))
    cards, times, amounts = data.column("cc_num"), data.column("event_time_ms"), data.column("amount")

    features = window_features(cards, times, {"amount": amounts})

    assert_same(features, rule_by_hand(cards, times, amounts))


def test_should_sum_cents_exactly_where_adding_floats_drifts():
    # 0.1 added ten times as floats is 0.9999999999999999; as cents it is 100.
    cards, times = np.array(["card"] * 10), 1_767_225_600_000 + np.arange(10) * MINUTE

    features = window_features(cards, times, {"amount": np.full(10, 0.1)})

    assert features["amount_sum_24h"][-1] == 1.0
    assert sum([0.1] * 10) != 1.0


def test_should_cope_with_a_card_of_a_hundred_thousand_transactions():
    # One a minute for 69 days, then one sent a day late: all pairs would be 10^10 cells.
    times = 1_767_225_600_000 + np.arange(100_000) * MINUTE
    times = np.r_[times, times[-1] - 24 * 60 * MINUTE + 1]
    cards = np.array(["busy"] * len(times))

    features = window_features(cards, times, {"amount": np.ones(len(times))})

    assert features["txn_count_24h"][5000] == 24 * 60
    assert features["txn_count_7d"][50_000] == 7 * 24 * 60
    assert features["amount_sum_24h"][5000] == 24 * 60
    # The late one, a day and a millisecond behind the newest: (t - 24 h, t] holds the 1,440
    # one-a-minute transactions of the day before it, and itself.
    assert features["txn_count_24h"][-1] == 24 * 60 + 1
