"""Writes the exact streaming features of every transaction of a data set, as the job must store them.

The end-to-end test compares what the job stored in predictionResult with this file, after a
Python worker was killed and the job resumed from its snapshot, after a broker outage, and after
the job was replaced and rebuilt its state from the topic: any feature lost or counted twice on
the way shows up as a mismatch.

Usage: python expected_features.py --data-dir data/e2e --out data/e2e/expected-features.csv
"""
import argparse
import csv

from scoring_requests import WINDOWS, DataSet, window_features


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="data set written by generate_data.py")
    parser.add_argument("--out", required=True, help="CSV to write: transaction_id and one column per window")
    args = parser.parse_args(argv)

    data = DataSet(args.data_dir)
    features = window_features(data.column("cc_num"), data.column("event_time_ms"),
                               {"amount": data.column("amount")})
    names = [window["name"] for window in WINDOWS]
    with open(args.out, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["transaction_id", *names])
        for position, transaction in enumerate(data.transactions):
            # repr keeps every digit of a sum; counts are whole numbers.
            writer.writerow([transaction["transaction_id"],
                             *(repr(float(features[name][position])) if window["aggregate"] == "sum"
                               else int(features[name][position])
                               for name, window in zip(names, WINDOWS))])
    print(f"Wrote the features of {len(data.transactions):,} transactions to {args.out}")


if __name__ == "__main__":
    main()
