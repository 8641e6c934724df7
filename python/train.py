"""Trains the fraud model on a labelled data set and writes the model files and their report.

1. Builds, for every transaction, the exact request the Jet job would send (window features in
   stream order, enrichment, distance) and converts it with the handler's own feature_matrix, so
   training and serving cannot disagree on an encoding. A transaction the job could not score (an
   unknown category, card or merchant, a birth date after the transaction, ...) is reported and
   excluded from training and evaluation; it still counts in its card's windows, as in the job.
2. Splits by event time, in whole UTC days derived from the data's span: the first days (one
   longest window) only warm the windows up, as they would in a freshly started job; then training
   days, validation days (to choose the decision threshold) and held-out days (to report on), each
   holding at least --min-fraud-cards cards with fraud.
3. Trains LightGBM (deterministic: fixed seed and thread count) and writes fraud_model.txt,
   fraud_model.json and the report MODEL.md into --out. Only --ship replaces the model the job
   ships (deploy-jobs/src/main/resources/org/example/) and docs/MODEL.md.

Usage: python train.py --data DIR --out DIR [options]      (python train.py --help lists them)
"""
import argparse
import collections
import datetime
import hashlib
import json
import math
import re
import textwrap
import time
from pathlib import Path

import lightgbm
import numpy as np
from sklearn.metrics import (average_precision_score, confusion_matrix, precision_score, recall_score,
                             roc_auc_score, roc_curve)

import scoring_requests
from job_resources import METADATA_FILE, MODEL_FILE, RESOURCES_DIR, fraud_handler

PYTHON_DIR = Path(__file__).resolve().parent
REPORT_FILE = PYTHON_DIR.parent / "docs/MODEL.md"
MODEL_NAME, METADATA_NAME, REPORT_NAME = MODEL_FILE.name, METADATA_FILE.name, "MODEL.md"

NUM_BOOST_ROUND = 200
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 10,
    "seed": 42,
    # Same data and parameters give the same model file, byte for byte.
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}


# ---- Metrics (scikit-learn's; tied scores are one threshold, flagged or not together) -----------

def roc_auc(is_fraud, scores):
    return float(roc_auc_score(is_fraud, scores))


def average_precision(is_fraud, scores):
    """PR-AUC as average precision: precision at each threshold weighted by its recall gain."""
    return float(average_precision_score(is_fraud, scores))


def recall_at_fpr(is_fraud, scores, max_fpr):
    """The best recall of any threshold that flags at most max_fpr of the legitimate transactions
    (the curve starts at flagging nothing, so there is always one)."""
    fpr, tpr, _ = roc_curve(is_fraud, scores, drop_intermediate=False)
    return float(tpr[fpr <= max_fpr].max())


def threshold_for_fpr(legit_scores, max_fpr):
    """The lowest threshold that flags at most max_fpr of the legitimate scores."""
    allowed = int(max_fpr * len(legit_scores))
    highest_first = np.sort(legit_scores)[::-1]
    return float(np.nextafter(highest_first[allowed], np.inf))


def confusion(is_fraud, flagged):
    """Precision, recall and false-positive rate of a decision; 0 where nothing is there to divide by
    (nothing flagged, no fraud, no legitimate transaction)."""
    _, (legit_flagged, legit_passed) = confusion_matrix(is_fraud, flagged, labels=[True, False])
    return {"precision": float(precision_score(is_fraud, flagged, zero_division=0)),
            "recall": float(recall_score(is_fraud, flagged, zero_division=0)),
            "false_positive_rate": float(legit_flagged / max(legit_flagged + legit_passed, 1))}


# ---- Splitting ----------------------------------------------------------------------------------

DAY_MS = 86_400_000
# Whole days, so that every split starts at midnight UTC.
WARM_UP_DAYS = -(-max(w["window_ms"] for w in fraud_handler.WINDOWS) // DAY_MS)


def first_day_ms(first_event_ms):
    return int(first_event_ms) // DAY_MS * DAY_MS


def warm_up_end_ms(manifest):
    """When the longest window has filled up, as it would in a freshly started job."""
    return first_day_ms(manifest["first_event_time_ms"]) + WARM_UP_DAYS * DAY_MS


def fraud_cards(cards, is_fraud, rows):
    """Cards with at least one fraudulent transaction among the rows: the independent cases a
    split holds (one compromised card's many fraudulent transactions are one case)."""
    return len(np.unique(cards[rows & is_fraud]))


def day_boundaries(times_ms, cards, is_fraud, options):
    """Event-time boundaries (ms) of warm-up, training, validation and held-out days.

    After the warm-up, the held-out days are the last --holdout-share of the days and the
    validation days the --validation-share before them; each grows back by whole days until it
    holds --min-fraud-cards cards with fraud. Training keeps the rest and needs as many."""
    start_ms = first_day_ms(times_ms.min())
    day = (times_ms - start_ms) // DAY_MS
    days = int(day.max()) + 1
    usable = days - WARM_UP_DAYS

    def cases(first, end):
        return fraud_cards(cards, is_fraud, (day >= first) & (day < end))

    if usable < 3:
        raise SystemExit(f"train.py: the data spans {days} day(s); it needs the {WARM_UP_DAYS} warm-up days "
                         "and at least 3 more (training, validation, held out)")
    need = options.min_fraud_cards
    holdout_start = days - max(1, math.ceil(options.holdout_share * usable))
    while cases(holdout_start, days) < need and holdout_start > WARM_UP_DAYS + 2:
        holdout_start -= 1
    validation_start = holdout_start - max(1, math.ceil(options.validation_share * usable))
    while cases(validation_start, holdout_start) < need and validation_start > WARM_UP_DAYS + 1:
        validation_start -= 1
    found = {"training": cases(WARM_UP_DAYS, validation_start), "validation": cases(validation_start, holdout_start),
             "held-out": cases(holdout_start, days)}
    if min(found.values()) < need:
        raise SystemExit(
            f"train.py: too few fraud cases for three splits of at least --min-fraud-cards {need} cards with fraud: "
            + ", ".join(f"{name} {count}" for name, count in found.items())
            + f" (of {cases(WARM_UP_DAYS, days)} after the {WARM_UP_DAYS} warm-up days); "
              "use a longer history or a lower --min-fraud-cards")
    return {"warm_up_end": start_ms + WARM_UP_DAYS * DAY_MS,
            "training_end": start_ms + validation_start * DAY_MS,
            "validation_end": start_ms + holdout_start * DAY_MS}


def split(times_ms, bounds):
    return {"warm_up": times_ms < bounds["warm_up_end"],
            "training": (times_ms >= bounds["warm_up_end"]) & (times_ms < bounds["training_end"]),
            "validation": (times_ms >= bounds["training_end"]) & (times_ms < bounds["validation_end"]),
            "holdout": times_ms >= bounds["validation_end"]}


# ---- Training and evaluation --------------------------------------------------------------------

def no_history(features):
    """Rows of the model's input whose card had no other transaction in the last 7 days: the
    window always counts the transaction itself, so 1 means no history."""
    return features[:, fraud_handler.FEATURE_NAMES.index("txn_count_7d")] == 1


def train(features, is_fraud):
    dataset = lightgbm.Dataset(features, label=is_fraud.astype(np.float64),
                               feature_name=fraud_handler.FEATURE_NAMES,
                               categorical_feature=fraud_handler.CATEGORICAL_FEATURES,
                               params={"verbose": -1})
    return lightgbm.train(PARAMS, dataset, num_boost_round=NUM_BOOST_ROUND)


def choose_threshold(is_fraud, scores, no_history, options):
    """The lowest threshold within both false-positive limits on the validation days, and each
    limit's own threshold. The cold-start limit applies only when the validation days hold at
    least --min-no-history legitimate transactions without history: a threshold set by a handful
    of scores says nothing about the next customer."""
    legit = ~is_fraud
    limits = {"alert_budget": threshold_for_fpr(scores[legit], options.alert_budget)}
    if (legit & no_history).sum() >= options.min_no_history:
        limits["no_history"] = threshold_for_fpr(scores[legit & no_history],
                                                 options.cold_start_bar * options.cold_start_margin)
    return max(limits.values()), limits


def evaluate(is_fraud, scores, threshold, no_history, pattern, reported_fpr):
    """Metrics of one split; no_history marks rows with txn_count_7d == 1. Ranking metrics are
    None for a split without both fraud and legitimate transactions (a warm-up week may have no
    fraud); pattern is None when the labels name no patterns."""
    flagged = scores >= threshold
    legit_no_history = no_history & ~is_fraud
    both = 0 < is_fraud.sum() < len(is_fraud)
    metrics = {
        "transactions": int(len(scores)), "fraud": int(is_fraud.sum()),
        "roc_auc": roc_auc(is_fraud, scores) if both else None,
        "pr_auc": average_precision(is_fraud, scores) if both else None,
        "recall_at_reported_fpr": recall_at_fpr(is_fraud, scores, reported_fpr) if both else None,
        "at_reported_fpr": confusion(is_fraud, scores >= threshold_for_fpr(scores[~is_fraud], reported_fpr))
        if both else None,
        "at_threshold": confusion(is_fraud, flagged),
        "legit_no_history": int(legit_no_history.sum()),
        "legit_no_history_flagged": int((flagged & legit_no_history).sum()),
        "legit_no_history_flagged_share": float(flagged[legit_no_history].mean()) if legit_no_history.any() else 0.0,
        "fraud_rate": float(is_fraud.mean()) if len(is_fraud) else 0.0,
        "no_history_fraud_rate": float(is_fraud[no_history].mean()) if no_history.any() else 0.0,
    }
    if pattern is not None:
        # pattern -> (transactions, share flagged)
        metrics["recall_by_pattern"] = _flagged_by_pattern(flagged, pattern, is_fraud)
        metrics["flagged_by_legit_pattern"] = _flagged_by_pattern(flagged, pattern, ~is_fraud)
        missed = pattern[is_fraud & ~flagged]
        metrics["missed_fraud_by_pattern"] = {str(p): int(n) for p, n in zip(*np.unique(missed, return_counts=True))}
    return metrics


def _flagged_by_pattern(flagged, pattern, rows):
    return {str(p): (int((rows & (pattern == p)).sum()), float(flagged[rows & (pattern == p)].mean()))
            for p in np.unique(pattern[rows])}


def bars(held_out, options):
    """Each bar on the held-out days: what it asks, the value, and whether it is met (None: too
    few transactions to tell)."""
    no_history_known = held_out["legit_no_history"] >= options.min_no_history
    return [
        {"bar": f"recall at {percent(options.reported_fpr)} false-positive rate", "option": "--min-recall",
         "required": f">= {options.min_recall:g}", "value": _value(held_out["recall_at_reported_fpr"]),
         "met": None if held_out["recall_at_reported_fpr"] is None
         else held_out["recall_at_reported_fpr"] >= options.min_recall},
        {"bar": "legitimate transactions flagged at the threshold", "option": "--alert-budget",
         "required": f"<= {percent(options.alert_budget)}", "value": percent(held_out["at_threshold"]["false_positive_rate"]),
         "met": held_out["at_threshold"]["false_positive_rate"] <= options.alert_budget},
        {"bar": "legitimate transactions without history (`txn_count_7d == 1`) flagged", "option": "--cold-start-bar",
         "required": f"< {percent(options.cold_start_bar)}",
         "value": f"{percent(held_out['legit_no_history_flagged_share'])} ({held_out['legit_no_history_flagged']} "
                  f"of {held_out['legit_no_history']:,})",
         "met": held_out["legit_no_history_flagged_share"] < options.cold_start_bar if no_history_known else None},
    ]


def _value(number):
    return "n/a" if number is None else f"{number:.4f}"


SMOKE_ROWS_PER_CLASS = 16


def smoke_rows(booster, features, is_fraud):
    """Rows of the model's input and the probabilities LightGBM gives them now, for the metadata:
    whoever loads the model later (the registry's checks, each scorer) scores them again and must
    get the same numbers. Fraud and legitimate rows alike; model inputs only, no identifiers."""
    picks = np.concatenate([np.flatnonzero(is_fraud)[:SMOKE_ROWS_PER_CLASS],
                            np.flatnonzero(~is_fraud)[:SMOKE_ROWS_PER_CLASS]])
    rows = features[np.sort(picks)]
    return {"rows": rows.tolist(), "probabilities": booster.predict(rows).tolist()}


def feature_importance(booster):
    gain = booster.feature_importance(importance_type="gain")
    return dict(sorted(zip(booster.feature_name(), (gain / gain.sum()).tolist()), key=lambda kv: -kv[1]))


def model_version(model_bytes, bounds):
    """lgbm-<last training day>-<sha256 prefix>: says what it learned from and which file it is."""
    last_day = datetime.datetime.fromtimestamp(bounds["training_end"] / 1000 - 1, datetime.timezone.utc)
    return f"lgbm-{last_day:%Y%m%d}-{hashlib.sha256(model_bytes).hexdigest()[:8]}"


def day(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).date().isoformat()


def excluded_summary(data, problems):
    """The transactions the model could not be given, counted by kind of problem, with an example."""
    by_kind, examples = collections.Counter(), {}
    for position, problem in sorted(problems.items()):
        kind = re.sub(r"'[^']*'", "…", problem)
        by_kind[kind] += 1
        examples.setdefault(kind, f"{data.transactions[position]['transaction_id']}: {problem}")
    return {"transactions": len(problems), "by_problem": dict(by_kind), "examples": examples}


def describe_data(manifest, data_dir):
    """Where the data set came from, as its manifest says."""
    source = manifest.get("source") or {}
    if source.get("importer"):
        files = ", ".join(f"`{f['name']}`" for f in source.get("files", []))
        skipped = manifest.get("counts", {}).get("skipped_rows", 0)
        return (f"{files}, imported by `{source['importer']}`"
                + (f" ({skipped:,} rows skipped)" if skipped else ""))
    if manifest.get("generator"):
        return f"the data set of `{manifest['generator']} --seed {manifest['seed']}`"
    return f"the data set in `{Path(data_dir).name}`"


# ---- Report -------------------------------------------------------------------------------------

def percent(share):
    return f"{100 * share:.2f} %"


def table(header, rows):
    return "\n".join([f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
                     + [f"| {' | '.join(map(str, row))} |" for row in rows])


def paragraph(*sentences, indent=""):
    """Sentences wrapped at 100 columns, never inside a `code span` or between a number and its %."""
    text = re.sub(r"`[^`]*`| %", lambda m: m.group().replace(" ", "\u00a0"), " ".join(s for s in sentences if s))
    wrapped = textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=" " * len(indent),
                            break_on_hyphens=False)
    return wrapped.replace("\u00a0", " ")


def met_text(met):
    return "not assessable (too few transactions)" if met is None else "met" if met else "**NOT MET**"


def report(metadata):
    metrics, split_days, data = metadata["metrics"], metadata["split"], metadata["data"]
    held_out, warm_up, validation, training = (metrics[n] for n in ("holdout", "warm_up", "validation", "training"))
    budget_only = metrics["holdout_at_alert_budget_threshold"]
    rule = metadata["threshold_rule"]
    limits = rule["thresholds_on_validation"]
    at, at_reported = held_out["at_threshold"], held_out["at_reported_fpr"]
    reported = percent(rule["reported_fpr"])
    excluded = metadata["excluded"]

    def no_history(m):
        return (f"{percent(m['legit_no_history_flagged_share'])} "
                f"({m['legit_no_history_flagged']} of {m['legit_no_history']:,})")

    def split_row(label, name):
        return [label, split_days[name], f"{metrics[name]['transactions']:,}", f"{metrics[name]['fraud']:,}",
                f"{metadata['fraud_cards'][name]:,}"]

    sections = [
        "# Fraud model: metrics report",
        "Written by `python/train.py`; retrain to update it, do not edit it by hand.",
        paragraph(
            f"Model `{metadata['model_version']}`: LightGBM {metadata['lightgbm_version']},",
            f"{metadata['params']['num_boost_round']} trees × {metadata['params']['num_leaves']} leaves over",
            f"the {len(metadata['feature_names'])} columns of `features.json`, trained on {data['description']}",
            f"({data['transactions']:,} transactions, {data['cards']:,} cards, {percent(data['fraud_rate'])} fraud),",
            "split by event time into whole UTC days: the warm-up is the longest window; of the days after",
            f"it, the last {100 * rule['holdout_share']:g} % are held out and the {100 * rule['validation_share']:g} %",
            "before them validate, each grown until it holds at least",
            f"{rule['min_fraud_cards']} cards with fraud (`--min-fraud-cards`):"),
        table(["split", "event days (UTC)", "transactions", "fraud", "cards with fraud"], [
            split_row("warm-up: the windows fill, as in a freshly started job; not trained on", "warm_up"),
            split_row("training", "training"),
            split_row("validation: chooses the threshold", "validation"),
            split_row("held out: every figure below", "holdout"),
        ]),
    ]
    if excluded["transactions"]:
        sections.append(paragraph(
            f"{excluded['transactions']:,} transaction(s) could not be scored, as the job could not score",
            "them, and are left out of every split (they still count in their cards' windows, as in the",
            "job):"))
        sections.append(table(["problem", "transactions", "example"],
                              [[kind, f"{n:,}", f"`{excluded['examples'][kind]}`"] for kind, n in excluded["by_problem"].items()]))
    sections += [
        "## Held-out days",
        table(["metric", "value"], [
            ["ROC-AUC", _value(held_out["roc_auc"])],
            ["PR-AUC (average precision)", _value(held_out["pr_auc"])],
            [f"recall at {reported} false-positive rate", _value(held_out["recall_at_reported_fpr"])],
            ["decision threshold", f"{metadata['threshold']:.4f}"],
            ["precision at the threshold", f"{at['precision']:.4f}"],
            ["recall at the threshold", f"{at['recall']:.4f}"],
            ["false-positive rate at the threshold", percent(at['false_positive_rate'])],
            ["legitimate no-history transactions flagged (`txn_count_7d == 1`)", no_history(held_out)],
            ["the same in the warm-up days, when no card has history yet", no_history(warm_up)],
        ]),
        "Bars (options of `python/train.py`), on the held-out days:",
        table(["bar", "option", "required", "held out", "result"],
              [[b["bar"], f"`{b['option']}`", b["required"], b["value"], met_text(b["met"])] for b in metadata["bars"]]),
    ]
    if "recall_by_pattern" in held_out:
        sections += [
            paragraph("The labels name a pattern per transaction: recall at the threshold by fraud pattern, and",
                      "the share flagged of each kind of legitimate traffic:"),
            table(["fraud pattern", "transactions", "recall"],
                  [[p, f"{n:,}", f"{r:.3f}"] for p, (n, r) in held_out["recall_by_pattern"].items()]),
            table(["legitimate pattern", "transactions", "flagged"],
                  [[p, f"{n:,}", percent(r)] for p, (n, r) in held_out["flagged_by_legit_pattern"].items()]),
        ]
    sections += [
        "## Why this threshold",
        paragraph(
            f"A transaction is flagged when its score is at least **{metadata['threshold']:.4f}**: the",
            "lowest threshold that, on the *validation* days (never the held-out ones), keeps within",
            "these limits."),
        paragraph(
            f"**Alert budget: at most {percent(rule['alert_budget'])} of legitimate transactions",
            f"flagged** (`--alert-budget`; threshold {limits['alert_budget']:.4f} on its own). Legitimate",
            "transactions far outnumber fraud, so they fill the review queue, and each false alert is a",
            f"customer declined or called. On the held-out days the {reported} operating point would catch",
            f"{percent(at_reported['recall'])} of fraud at a precision of {percent(at_reported['precision'])};"
            if at_reported else "",
            f"the chosen threshold catches {percent(at['recall'])} at {percent(at['precision'])}, flagging",
            f"{percent(at['false_positive_rate'])} of legitimate traffic.", indent="1. "),
        cold_start_paragraph(metadata, training, validation, budget_only, held_out),
        missed_paragraph(held_out),
        paragraph(
            "The limits and bars are options of `python/train.py` (`--help`); the threshold travels with",
            "the model in `fraud_model.json`."),
        "## Features by importance (share of total gain)",
        table(["feature", "gain"], [[name, f"{gain:.3f}"] for name, gain in metadata["feature_importance"].items()]),
        "## Training",
        paragraph(
            f"Categorical features: {', '.join(f'`{c}`' for c in metadata['categorical_features'])}.",
            "Training is deterministic: the same data set gives the same `fraud_model.txt`, byte for byte.",
            "LightGBM parameters:"),
        f"```json\n{json.dumps(metadata['params'], indent=2)}\n```",
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def cold_start_paragraph(metadata, training, validation, budget_only, held_out):
    rule = metadata["threshold_rule"]
    limits = rule["thresholds_on_validation"]
    rates = (f"On the training days fraud is {percent(training['no_history_fraud_rate'])} of the transactions",
             f"without history against {percent(training['fraud_rate'])} of all.")
    head = (f"**Cold start: at most {percent(rule['cold_start_bar'] * rule['cold_start_margin'])} of legitimate",
            "transactions without history flagged** (`txn_count_7d == 1`: a new card, or one unused for a",
            f"week), {rule['cold_start_margin']:g} × the {percent(rule['cold_start_bar'])} bar (`--cold-start-bar`,",
            "`--cold-start-margin`) as a margin, since a first purchase declined is the costliest false alarm.")
    if "no_history" not in limits:
        return paragraph(*head, f"**Not applied**: the validation days hold only {validation['legit_no_history']:,}",
                         f"such transactions, fewer than `--min-no-history` {rule['min_no_history']:,}, too few to",
                         "set a threshold by.", *rates, indent="2. ")
    binding = "binds" if limits["no_history"] > limits["alert_budget"] else "does not bind"
    return paragraph(
        *head, f"Its threshold on its own is {limits['no_history']:.4f}, from {validation['legit_no_history']:,}",
        f"such validation transactions; here it {binding}.", *rates,
        f"The alert budget alone would flag {percent(budget_only['legit_no_history_flagged_share'])} of these",
        f"customers on the held-out days and catch {percent(budget_only['at_threshold']['recall'])} of fraud;",
        f"with the cold-start limit the threshold catches {percent(held_out['at_threshold']['recall'])}.",
        indent="2. ")


def missed_paragraph(held_out):
    missed = held_out.get("missed_fraud_by_pattern")
    if not missed:
        return ""
    pattern, count = max(missed.items(), key=lambda kv: kv[1])
    return paragraph(f"Of the fraud missed on the held-out days, the largest share is labelled `{pattern}`",
                     f"({count:,} of {sum(missed.values()):,}).")


# ---- Command line -------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="data set of docs/DATA.md (generate_data.py or import_transactions_csv.py)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="directory for fraud_model.txt, fraud_model.json and MODEL.md")
    where.add_argument("--ship", action="store_true",
                       help="replace the model the job ships and docs/MODEL.md (then run update_golden.py)")
    split_options = parser.add_argument_group("splits")
    split_options.add_argument("--validation-share", type=float, default=0.2, help="of the days after the warm-up (0.2)")
    split_options.add_argument("--holdout-share", type=float, default=0.2, help="of the days after the warm-up (0.2)")
    split_options.add_argument("--min-fraud-cards", type=int, default=30,
                               help="fewest cards with fraud in each of training, validation and held-out days (30)")
    limits = parser.add_argument_group("threshold and bars")
    limits.add_argument("--alert-budget", type=float, default=0.005,
                        help="most legitimate transactions flagged: sets the threshold on validation, a bar on held-out (0.005)")
    limits.add_argument("--cold-start-bar", type=float, default=0.02,
                        help="legitimate transactions without history flagged must stay under this on held-out (0.02)")
    limits.add_argument("--cold-start-margin", type=float, default=0.5,
                        help="the threshold keeps validation within this × the cold-start bar (0.5)")
    limits.add_argument("--min-no-history", type=int, default=200,
                        help="fewest legitimate no-history transactions for the cold-start limit to set the threshold "
                             "or its bar to be judged (200)")
    limits.add_argument("--min-recall", type=float, default=0.8, help="bar: recall at --reported-fpr (0.8)")
    limits.add_argument("--reported-fpr", type=float, default=0.01, help="false-positive rate of the recall bar (0.01)")
    args = parser.parse_args(argv)
    shares = (args.validation_share, args.holdout_share, args.alert_budget, args.cold_start_bar,
              args.cold_start_margin, args.reported_fpr)
    if not all(0 < share < 1 for share in shares) or args.validation_share + args.holdout_share >= 1:
        parser.error("shares, budgets, bars and the margin lie strictly between 0 and 1, "
                     "and --validation-share + --holdout-share < 1")
    if args.min_fraud_cards < 1 or args.min_no_history < 1 or not 0 <= args.min_recall <= 1:
        parser.error("--min-fraud-cards and --min-no-history are at least 1; --min-recall lies in 0..1")
    if args.out is not None and args.out.resolve() == RESOURCES_DIR.resolve():
        parser.error(f"--out {args.out} is where the job's model ships from; say --ship to replace it")
    return args


def main(argv=None):
    args = parse_args(argv)
    began = time.perf_counter()
    data = scoring_requests.DataSet(args.data)
    features, problems = scoring_requests.model_inputs(data)
    times_ms = data.column("event_time_ms")
    cards = data.column("cc_num")
    usable = np.ones(len(times_ms), dtype=bool)
    usable[list(problems)] = False
    without_history = no_history(features)
    labelled = bool(np.any(data.pattern != ""))
    pattern = data.pattern if labelled else None
    print(f"features of {len(times_ms):,} transactions built in {time.perf_counter() - began:.0f} s"
          + (f"; {len(problems):,} cannot be scored and are left out" if problems else ""))
    for kind, example in excluded_summary(data, problems)["examples"].items():
        print(f"  left out: {kind}, e.g. {example}")

    bounds = day_boundaries(times_ms[usable], cards[usable], data.is_fraud[usable], args)
    splits = {name: rows & usable for name, rows in split(times_ms, bounds).items()}
    booster = train(features[splits["training"]], data.is_fraud[splits["training"]])
    print(f"trained in {time.perf_counter() - began:.0f} s")
    scores = {name: booster.predict(features[rows]) for name, rows in splits.items()}
    validation = splits["validation"]
    threshold, limits = choose_threshold(data.is_fraud[validation], scores["validation"],
                                         without_history[validation], args)

    def metrics_at(name, at_threshold):
        rows = splits[name]
        return evaluate(data.is_fraud[rows], scores[name], at_threshold, without_history[rows],
                        None if pattern is None else pattern[rows], args.reported_fpr)

    metrics = {name: metrics_at(name, threshold) for name in splits}
    metrics["holdout_at_alert_budget_threshold"] = metrics_at("holdout", limits["alert_budget"])

    model_text = booster.model_to_string().encode("utf-8")
    first_ms, last_ms = int(times_ms.min()), int(times_ms.max())
    metadata = {
        "model_version": model_version(model_text, bounds),
        "threshold": threshold,
        "lightgbm_version": lightgbm.__version__,
        "feature_names": fraud_handler.FEATURE_NAMES,
        "categorical_features": fraud_handler.CATEGORICAL_FEATURES,
        "params": {**PARAMS, "num_boost_round": NUM_BOOST_ROUND},
        "threshold_rule": {"alert_budget": args.alert_budget, "cold_start_bar": args.cold_start_bar,
                           "cold_start_margin": args.cold_start_margin, "min_no_history": args.min_no_history,
                           "reported_fpr": args.reported_fpr, "min_recall": args.min_recall,
                           "validation_share": args.validation_share, "holdout_share": args.holdout_share,
                           "min_fraud_cards": args.min_fraud_cards, "thresholds_on_validation": limits},
        "data": {"description": describe_data(data.manifest, args.data), "transactions": len(times_ms),
                 "cards": len(np.unique(cards)), "fraud_rate": float(data.is_fraud.mean()),
                 "first_event_time_ms": first_ms, "last_event_time_ms": last_ms, "patterns_labelled": labelled},
        "training_data": data.manifest,
        "excluded": excluded_summary(data, problems),
        "split": {"warm_up": f"{day(first_ms)} to {day(bounds['warm_up_end'] - 1)}",
                  "training": f"{day(bounds['warm_up_end'])} to {day(bounds['training_end'] - 1)}",
                  "validation": f"{day(bounds['training_end'])} to {day(bounds['validation_end'] - 1)}",
                  "holdout": f"{day(bounds['validation_end'])} to {day(last_ms)}"},
        "fraud_cards": {name: fraud_cards(cards, data.is_fraud, rows) for name, rows in splits.items()},
        "metrics": metrics,
        "bars": bars(metrics["holdout"], args),
        "feature_importance": feature_importance(booster),
        "smoke": smoke_rows(booster, features[splits["holdout"]], data.is_fraud[splits["holdout"]]),
    }
    if args.ship:
        model_file, metadata_file, report_file = MODEL_FILE, METADATA_FILE, REPORT_FILE
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        model_file, metadata_file, report_file = (args.out / n for n in (MODEL_NAME, METADATA_NAME, REPORT_NAME))
    model_file.write_bytes(model_text)
    metadata_file.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    report_file.write_text(report(metadata), encoding="utf-8")
    print_summary(metadata, model_file, report_file, args, time.perf_counter() - began)


def print_summary(metadata, model_file, report_file, args, seconds):
    held_out = metadata["metrics"]["holdout"]
    at = held_out["at_threshold"]
    print(f"{metadata['model_version']} ({seconds:.0f} s in all); splits: "
          + ", ".join(f"{name} {days} ({metadata['metrics'][name]['transactions']:,} transactions, "
                      f"{metadata['fraud_cards'][name]:,} cards with fraud)" for name, days in metadata["split"].items()))
    print(f"held out: ROC-AUC {_value(held_out['roc_auc'])}, PR-AUC {_value(held_out['pr_auc'])}, "
          f"recall at {percent(args.reported_fpr)} FPR {_value(held_out['recall_at_reported_fpr'])}; "
          f"threshold {metadata['threshold']:.4f}: precision {at['precision']:.4f}, recall {at['recall']:.4f}, "
          f"false-positive rate {percent(at['false_positive_rate'])}")
    for bar in metadata["bars"]:
        print(f"bar {bar['option']}: {bar['bar']} {bar['required']}: {bar['value']}: "
              f"{met_text(bar['met']).replace('**', '')}")
    print(f"model in {model_file.parent}, report {report_file}")
    if args.ship:
        print("the shipped model changed: read docs/MODEL.md, then run python/update_golden.py")
    else:
        print(f"deploy it: scripts/deploy-model.sh --model-dir {model_file.parent}")


if __name__ == "__main__":
    main()
