"""The metrics of docs/MODEL.md, against values worked out by hand."""
import numpy as np
import pytest

from train import average_precision, recall_at_fpr, roc_auc, threshold_for_fpr

FRAUD = np.array([True, False, True, False, False])
SCORES = np.array([0.9, 0.8, 0.7, 0.2, 0.1])


def test_should_rank_fraud_above_legitimate_for_roc_auc():
    # Of the 2 × 3 fraud/legitimate pairs, only (0.7, 0.8) is ordered wrongly.
    assert roc_auc(FRAUD, SCORES) == pytest.approx(5 / 6)
    assert roc_auc(FRAUD, np.full(5, 0.5)) == pytest.approx(0.5)  # all tied


def test_should_average_precision_over_the_recall_steps():
    # Fraud found at ranks 1 and 3: precision 1/1 and 2/3, each for half the recall.
    assert average_precision(FRAUD, SCORES) == pytest.approx((1 + 2 / 3) / 2)


def test_should_take_the_best_recall_within_the_false_positive_budget():
    assert recall_at_fpr(FRAUD, SCORES, 0.0) == 0.5
    assert recall_at_fpr(FRAUD, SCORES, 1 / 3) == 1.0


def test_should_choose_a_threshold_that_stays_within_the_budget():
    legit = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])

    threshold = threshold_for_fpr(legit, 0.2)

    assert (legit >= threshold).sum() == 2 and 0.8 < threshold <= 0.9
