"""CSV files in the Kaggle/Sparkov schema, written by the tests themselves: single rows built from
a valid one, and whole labelled histories converted from a python/generate_data.py data set.

No third-party data is committed: every row here is invented or generated. As in the Kaggle file,
the first column is an unnamed index and unix_time is trans_date_trans_time read as UTC minus
2,557 days.

Also a command, for trying the import by hand on a history that looks like the Kaggle one:
    python tests/kaggle_csv.py --out /tmp/history.csv [generate_data.py flags, e.g. --cards 2000 --days 60]
"""
import argparse
import csv
import datetime
import hashlib
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import generate_data  # noqa: E402

COLUMNS = ["trans_date_trans_time", "cc_num", "merchant", "category", "amt", "first", "last", "gender",
           "street", "city", "state", "zip", "lat", "long", "city_pop", "job", "dob", "trans_num",
           "unix_time", "merch_lat", "merch_long", "is_fraud"]
UNIX_TIME_SHIFT_S = 2557 * 86_400

VALID_ROW = {
    "trans_date_trans_time": "2020-03-14 21:07:55", "cc_num": "4512000012345678",
    "merchant": "fraud_Example, Sample and Sons", "category": "shopping_net", "amt": "129.95",
    "first": "Ada", "last": "Quill", "gender": "F", "street": "12 Orchard Lane", "city": "Millbrook",
    "state": "NY", "zip": "2134", "lat": "41.7851", "long": "-73.6943", "city_pop": "1452",
    "job": "Surveyor, land", "dob": "1985-07-02", "trans_num": "5f0c2d9e8a7b4c3d2e1f0a9b8c7d6e5f",
    "unix_time": "1363295275", "merch_lat": "41.512345", "merch_long": "-74.012345", "is_fraud": "0",
}


def a_row(**changes):
    """The valid row with some columns changed."""
    return {**VALID_ROW, **changes}


def write_csv(path, rows, index_column=True, columns=COLUMNS):
    """rows in the given columns, after an unnamed index column as in the Kaggle file."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(([""] if index_column else []) + list(columns))
        for i, row in enumerate(rows):
            writer.writerow(([str(i)] if index_column else []) + [row[c] for c in columns])
    return path


def _read_jsonl(path):
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def from_generated(data_dir, csv_path):
    """A generated data set as one labelled history in the Kaggle schema: the card holder and the
    merchant repeated on every row, times to the second, in the data set's order."""
    data_dir = Path(data_dir)
    customers = {c["cc_num"]: c for c in _read_jsonl(data_dir / "customers.jsonl")}
    merchants = {m["merchant_code"]: m for m in _read_jsonl(data_dir / "merchants.jsonl")}
    with open(data_dir / "labels.csv", newline="", encoding="utf-8") as file:
        fraud = {row["transaction_id"]: row["is_fraud"] for row in csv.DictReader(file)}
    rows = []
    for t in _read_jsonl(data_dir / "transactions.jsonl"):
        holder, merchant = customers[t["cc_num"]], merchants[t["merchant_code"]]
        seconds = t["event_time_ms"] // 1000
        rows.append({
            "trans_date_trans_time": datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M:%S"),
            "cc_num": t["cc_num"], "merchant": f"fraud_{merchant['name']}", "category": merchant["category"],
            "amt": f"{t['amount']:.2f}", "first": holder["first_name"], "last": holder["last_name"],
            "gender": holder["gender"], "street": holder["street"], "city": holder["city"],
            "state": holder["state"], "zip": str(int(holder["zip"])), "lat": str(holder["latitude"]),
            "long": str(holder["longitude"]), "city_pop": str(holder["city_population"]), "job": holder["job"],
            "dob": holder["date_of_birth"], "trans_num": hashlib.md5(t["transaction_id"].encode()).hexdigest(),
            "unix_time": str(seconds - UNIX_TIME_SHIFT_S), "merch_lat": str(t["latitude"]),
            "merch_long": str(t["longitude"]), "is_fraud": fraud[t["transaction_id"]],
        })
    return write_csv(csv_path, rows)


def generated_csv(csv_path, *flags):
    """A fresh generate_data.py data set of the given flags, written as a Kaggle-schema CSV."""
    with tempfile.TemporaryDirectory() as directory:
        generate_data.main(["--out", directory, *map(str, flags)])
        return from_generated(directory, csv_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    args, generator_flags = parser.parse_known_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    generated_csv(args.out, *generator_flags)
    print(f"Kaggle-schema CSV written to {args.out}")


if __name__ == "__main__":
    main()
