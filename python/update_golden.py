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
DISTANCES_FILE = GOLDEN_DIR / "distances.json"
# (latitude, longitude) pairs whose distance TRANSFORM (Java) must compute as training (Python)
# did: city pairs, home itself, a few metres, across the antimeridian, pole to pole, antipodes.
DISTANCE_POINTS = [
    ((51.5074, -0.1278), (48.8566, 2.3522)),
    ((40.7128, -74.0060), (34.0522, -118.2437)),
    ((-33.8688, 151.2093), (51.5074, -0.1278)),
    ((40.0, -74.0), (40.0, -74.0)),
    ((40.0, -74.0), (40.00001, -74.00001)),
    ((10.0, 179.9), (10.0, -179.9)),
    ((90.0, 0.0), (-90.0, 0.0)),
    ((0.0, 0.0), (0.0, 180.0)),
    ((39.758945, -82.109491), (26.1224, -80.1373)),
]


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


def golden_distances():
    """The distances of DISTANCE_POINTS as training computes them, with the radius it used."""
    return {"earth_radius_km": fraud_handler.EARTH_RADIUS_KM,
            "cases": [{"from": list(a), "to": list(b), "km": float(fraud_handler.haversine_km(*a, *b))}
                      for a, b in DISTANCE_POINTS]}


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
    distances = golden_distances()
    DISTANCES_FILE.write_text(f'{{"earth_radius_km": {distances["earth_radius_km"]}, "cases": [\n'
                              + ",\n".join(json.dumps(case) for case in distances["cases"]) + "\n]}\n",
                              encoding="utf-8")
    print(f"{len(DISTANCE_POINTS)} golden distances written to {DISTANCES_FILE}")


if __name__ == "__main__":
    main()
