"""The offline window features of training follow features.json's window_rule exactly, as the
job computes them: current transaction included, one exactly a window-length ago excluded, and
"before" meaning earlier in the card's stream (file) order, not in event time."""
import numpy as np

from builders import at
from scoring_requests import window_features

HOUR = 3_600_000
DAY = 24 * HOUR


def windows(*stream):
    """Window features of (card, event time ms, amount) transactions given in stream order."""
    cards, times, amounts = zip(*stream)
    features = window_features(np.array(cards), np.array(times), {"amount": np.array(amounts, dtype=float)})
    return [{name: values[i] for name, values in features.items()} for i in range(len(stream))]


T0 = at("2026-01-10T12:00:00")


def test_should_count_the_current_transaction():
    [only] = windows(("card", T0, 20.0))

    assert only == {"txn_count_24h": 1, "amount_sum_24h": 20.0, "txn_count_7d": 1}


def test_should_exclude_one_exactly_24_hours_ago():
    _, just_inside, exactly_a_day = windows(("card", T0, 10.0), ("card", T0 + DAY - 1, 5.0),
                                            ("card", T0 + DAY, 1.0))

    assert just_inside["txn_count_24h"] == 2 and just_inside["amount_sum_24h"] == 15.0
    assert exactly_a_day["txn_count_24h"] == 2 and exactly_a_day["amount_sum_24h"] == 6.0
    assert exactly_a_day["txn_count_7d"] == 3


def test_should_exclude_one_exactly_7_days_ago():
    _, just_inside, exactly_a_week = windows(("card", T0, 1.0), ("card", T0 + 7 * DAY - 1, 1.0),
                                             ("card", T0 + 7 * DAY, 1.0))

    assert just_inside["txn_count_7d"] == 2
    assert exactly_a_week["txn_count_7d"] == 2
    assert exactly_a_week["txn_count_24h"] == 2


def test_should_count_only_the_cards_own_transactions():
    *_, mine = windows(("mine", T0, 1.0), ("other", T0 + 1, 100.0), ("mine", T0 + 2, 2.0))

    assert mine == {"txn_count_24h": 2, "amount_sum_24h": 3.0, "txn_count_7d": 2}


def test_should_count_a_late_event_by_what_reached_the_job_before_it():
    # Stream order: 10:00, 10:20, then a late 10:05 (within the allowed lag), then 10:30.
    first, second, late, last = windows(
        ("card", at("2026-01-10T10:00:00"), 1.0), ("card", at("2026-01-10T10:20:00"), 2.0),
        ("card", at("2026-01-10T10:05:00"), 4.0), ("card", at("2026-01-10T10:30:00"), 8.0))

    assert second["txn_count_24h"] == 2 and second["amount_sum_24h"] == 3.0  # the late one is not there yet
    assert late["txn_count_24h"] == 2 and late["amount_sum_24h"] == 5.0  # 10:20 is after its time
    assert last["txn_count_24h"] == 4 and last["amount_sum_24h"] == 15.0
    assert first["txn_count_24h"] == 1


def test_should_count_a_same_time_twin_only_once_it_has_arrived():
    first, second = windows(("card", T0, 1.0), ("card", T0, 2.0))

    assert first["txn_count_24h"] == 1 and second["txn_count_24h"] == 2


def test_should_measure_a_late_events_window_back_from_its_own_time():
    # The late event (T0 - 23 h) arrives after T0: its window (T0 - 47 h, T0 - 23 h] holds the
    # event of T0 - 30 h and itself, not T0, which is later in event time.
    _, newest, late = windows(("card", T0 - 30 * HOUR, 1.0), ("card", T0, 2.0),
                              ("card", T0 - 23 * HOUR, 4.0))

    assert newest["txn_count_24h"] == 1
    assert late["txn_count_24h"] == 2 and late["amount_sum_24h"] == 5.0
