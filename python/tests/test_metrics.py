"""The metrics of docs/MODEL.md, against values worked out by hand and against their definitions
counted out pair by pair and threshold by threshold, on scores with many ties."""
import numpy as np
import pytest

from train import average_precision, confusion, recall_at_fpr, roc_auc, threshold_for_fpr

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


def test_should_count_a_decision_and_divide_by_nothing_as_zero():
    assert confusion(FRAUD, SCORES >= 0.75) == {"precision": 0.5, "recall": 0.5, "false_positive_rate": 1 / 3}
    assert confusion(FRAUD, np.zeros(5, dtype=bool)) == {"precision": 0.0, "recall": 0.0, "false_positive_rate": 0.0}
    assert confusion(np.zeros(3, dtype=bool), np.ones(3, dtype=bool))["recall"] == 0.0


# ---- the definitions, counted out ---------------------------------------------------------------

def flagged_at_each_threshold(is_fraud, scores):
    """(fraud flagged, legitimate flagged) at every distinct score, highest first: score >= t."""
    return [(int((is_fraud & (scores >= t)).sum()), int((~is_fraud & (scores >= t)).sum()))
            for t in sorted(set(scores.tolist()), reverse=True)]


def counted_roc_auc(is_fraud, scores):
    pairs = [(f, l) for f in scores[is_fraud] for l in scores[~is_fraud]]
    return sum(1.0 if f > l else 0.5 if f == l else 0.0 for f, l in pairs) / len(pairs)


def counted_average_precision(is_fraud, scores):
    total, previous_recall, fraud = 0.0, 0.0, is_fraud.sum()
    for tp, fp in flagged_at_each_threshold(is_fraud, scores):
        total += (tp / fraud - previous_recall) * tp / (tp + fp)
        previous_recall = tp / fraud
    return total


def counted_recall_at_fpr(is_fraud, scores, max_fpr):
    legit = (~is_fraud).sum()
    return max([tp / is_fraud.sum() for tp, fp in flagged_at_each_threshold(is_fraud, scores) if fp / legit <= max_fpr],
               default=0.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_should_follow_the_definitions_when_many_scores_tie(seed):
    random = np.random.default_rng(seed)
    is_fraud = random.random(400) < 0.1
    # Two decimals: about 4 scores per distinct value, and fraud scoring higher on the whole.
    scores = np.round(np.clip(random.normal(0.3, 0.15, 400) + 0.3 * is_fraud, 0, 1), 2)

    assert roc_auc(is_fraud, scores) == pytest.approx(counted_roc_auc(is_fraud, scores), rel=1e-12)
    assert average_precision(is_fraud, scores) == pytest.approx(counted_average_precision(is_fraud, scores), rel=1e-12)
    for max_fpr in (0.0, 0.01, 0.05, 0.2):
        counted = counted_recall_at_fpr(is_fraud, scores, max_fpr)
        assert recall_at_fpr(is_fraud, scores, max_fpr) == pytest.approx(counted)
