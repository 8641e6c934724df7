"""Rewrites the golden replies of tests/golden from the current model.

tests/test_model.py fails as soon as the model scores its golden requests differently, so that a
model never changes unnoticed. After a deliberate retrain (and a read of docs/MODEL.md), run
this and commit the new expected replies together with the model.

Usage: python update_golden.py [--new-requests]
  --new-requests  also rebuild the requests from a freshly generated data set
"""
import argparse
import json
from pathlib import Path

import numpy as np

import scoring_requests
import train
from job_resources import fraud_handler

GOLDEN_DIR = Path(__file__).resolve().parent / "tests/golden"
REQUESTS_FILE = GOLDEN_DIR / "requests.jsonl"
EXPECTED_FILE = GOLDEN_DIR / "expected.json"


def new_requests():
    """Every fraud pattern, legitimate cards without history, and ordinary traffic."""
    data, requests = scoring_requests.generated_requests("--cards", 600, "--days", 14, "--seed", 2024)
    rng = np.random.default_rng(2024)
    no_history = train.no_history(fraud_handler.feature_matrix(requests))
    picks = np.concatenate([
        rng.choice(np.flatnonzero(data.is_fraud), 20, replace=False),
        rng.choice(np.flatnonzero(no_history & ~data.is_fraud), 10, replace=False),
        rng.choice(np.flatnonzero(~no_history & ~data.is_fraud), 30, replace=False),
    ])
    return [scoring_requests.as_item(requests[i]) for i in sorted(picks)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-requests", action="store_true")
    args = parser.parse_args()
    if args.new_requests:
        REQUESTS_FILE.write_text("".join(item + "\n" for item in new_requests()), encoding="utf-8")
    items = REQUESTS_FILE.read_text(encoding="utf-8").splitlines()
    replies = [json.loads(reply) for reply in fraud_handler.transform_list(items)]
    version = replies[0]["model_version"]
    lines = [json.dumps({"transaction_id": r["request"]["transaction"]["transaction_id"],
                         "fraud_probability": r["fraud_probability"], "is_fraud": r["is_fraud"]})
             for r in replies]
    EXPECTED_FILE.write_text(f'{{"model_version": {json.dumps(version)}, "replies": [\n'
                             + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"{len(items)} golden replies of {version} written to {EXPECTED_FILE}")


if __name__ == "__main__":
    main()
