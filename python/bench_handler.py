"""Measures fraud_handler.transform_list on one core: µs per request at several batch sizes.

Hazelcast runs one Python process per processor on each member, so one core and one LightGBM
thread per process is the configuration that matters. The requests are the ones the job would
send for a freshly generated data set, serialised as compact JSON like the job's Jackson does.
The last path names a challenger in every request (the shipped model again, loaded from its own
directory: a second model of the same size), so its difference from the one above is what scoring
a challenger beside the champion costs per request. The path after it asks contributions for every
request (``reasons_from`` 0, as if each were flagged): its difference from the plain orjson path is
what the reasons of one flagged decision cost in Python.

Usage: python bench_handler.py [--cpu 0] [--seconds 0.5]
"""
import argparse
import json
import os
import statistics
import time

import orjson

import scoring_requests
from job_resources import METADATA_FILE, RESOURCES_DIR, fraud_handler

BATCH_SIZES = (1, 16, 128, 1024)
# Each parser by name, not the handler's default: that falls back to the stdlib without orjson.
PARSERS = {"orjson": orjson.loads, "stdlib json": fraud_handler.parse_json_stdlib}


def realistic_items(count=20_000):
    _, requests = scoring_requests.generated_requests("--cards", 1000, "--days", 14, "--seed", 7)
    return [scoring_requests.as_item(request) for request in requests[:count]]


def with_challenger(items):
    """The same requests, each also naming a challenger for the handler to score beside the champion."""
    challenger = {"version": json.loads(METADATA_FILE.read_text())["model_version"], "dir": str(RESOURCES_DIR)}
    return [orjson.dumps({**orjson.loads(item), "challenger": challenger}).decode() for item in items]


def flagged(items):
    """The same requests, each scored at or above its review threshold: every reply has contributions."""
    return [orjson.dumps({**orjson.loads(item), "reasons_from": 0.0}).decode() for item in items]


def microseconds_per_item(function, items, batch_size, seconds):
    """Best of five rounds, each scoring consecutive batches for about seconds / 5."""
    batches = [items[i:i + batch_size] for i in range(0, len(items) - batch_size + 1, batch_size)]
    rounds = []
    for _ in range(5):
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds / 5:
            function(batches[done % len(batches)])
            done += 1
        rounds.append((time.perf_counter() - began) / (done * batch_size) * 1e6)
    return min(rounds), statistics.median(rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)))
    parser.add_argument("--seconds", type=float, default=0.5, help="per measurement")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})

    items = realistic_items()
    booster = fraud_handler.load_model().booster
    matrix = fraud_handler.feature_matrix([json.loads(item) for item in items])
    # Per path: what it calls on a batch, and the inputs it is measured on.
    paths = {"model alone (booster.predict)": (lambda batch: booster.predict(batch, num_threads=1), matrix)}
    for name, parse in PARSERS.items():
        paths[f"transform_list, {name}"] = ((lambda p: lambda batch: _with_parser(p, batch))(parse), items)
    paths["transform_list, orjson, with a challenger"] = (lambda batch: _with_parser(orjson.loads, batch),
                                                         with_challenger(items))
    paths["transform_list, orjson, every request flagged (reasons)"] = (
        lambda batch: _with_parser(orjson.loads, batch), flagged(items))

    print(f"{len(items):,} requests, one core (cpu {args.cpu}); µs per request, best (median) of 5")
    print(f"| path | {' | '.join(f'batch {b}' for b in BATCH_SIZES)} |")
    print("|---|" + "---|" * len(BATCH_SIZES))
    for name, (function, source) in paths.items():
        cells = [microseconds_per_item(function, source, b, args.seconds) for b in BATCH_SIZES]
        print(f"| {name} | {' | '.join(f'{best:.1f} ({median:.1f})' for best, median in cells)} |")


def _with_parser(parse, batch):
    fraud_handler.parse_json = parse
    return fraud_handler.transform_list(batch)


if __name__ == "__main__":
    main()
