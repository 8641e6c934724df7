"""Imports labelled card transactions in the Kaggle/Sparkov CSV schema as a data set of docs/DATA.md.

The schema is that of the widely used Kaggle "credit card transactions fraud detection" data set,
made with the Sparkov generator: one row per transaction, the card holder and merchant repeated on
every row, the label in is_fraud. The Kaggle files start with an unnamed index column, which is
ignored; so is any column not named below.

    trans_date_trans_time, cc_num, merchant, category, amt, first, last, gender, street, city,
    state, zip, lat, long, city_pop, job, dob, trans_num, unix_time, merch_lat, merch_long, is_fraud

Writes customers.jsonl, merchants.jsonl, transactions.jsonl (event-time order), labels.csv and
manifest.json into --out, and skipped-rows.csv with the file, line and reason of every row it
could not use. Each mapping decision is explained where it is made and in python/README.md
("Your own data"). A row that cannot be represented is skipped and counted; a row the model will
refuse to score (an unknown category or gender, a birth date after the transaction) is kept, as
the job would receive it, and counted as a warning: python/train.py reports and excludes it.

Usage: python import_transactions_csv.py fraudTrain.csv [fraudTest.csv ...] --out data/kaggle
"""
import argparse
import collections
import csv
import datetime
import hashlib
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

from job_resources import fraud_handler

REQUIRED_COLUMNS = ["trans_date_trans_time", "cc_num", "merchant", "category", "amt", "first", "last",
                    "gender", "street", "city", "state", "zip", "lat", "long", "city_pop", "job", "dob",
                    "trans_num", "unix_time", "merch_lat", "merch_long", "is_fraud"]
CUSTOMER_COLUMNS = ["first", "last", "gender", "street", "city", "state", "zip", "lat", "long", "city_pop",
                    "job", "dob"]
# The US Census Bureau's old threshold of an urbanized area; the CSV has the city's population only.
DEFAULT_URBAN_MIN_POPULATION = 50_000
SHOWN_PROBLEMS = 20
DAY_S = 86_400

_AMOUNT = re.compile(r"\d+(\.\d{1,2})?|\.\d{1,2}")
_DIGITS = re.compile(r"\d+")
_INTEGER = re.compile(r"-?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class BadRow(ValueError):
    """A row that cannot be represented in the data set; the message says why."""


def merchant_code(name, category):
    """A stable code per (name, category): the CSV has no merchant id, the same name may sell in
    two categories, and importing another file of the same history (Kaggle's fraudTest.csv after
    fraudTrain.csv) must give the same merchant the same code."""
    digest = hashlib.sha256(f"{name}\x1f{category}".encode("utf-8")).hexdigest()
    return f"M{digest[:12]}"


def _number(row, column, low, high):
    text = row[column].strip()
    try:
        value = float(text)
    except ValueError:
        raise BadRow(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRow(f"{column} {text!r} is outside {low}..{high}")
    return value


def _card_number(text):
    text = text.strip()
    if _DIGITS.fullmatch(text):
        # A string, as it came: as a number it would lose leading zeros, or digits past 2^53.
        return text
    if re.fullmatch(r"[\d.]+[eE]\+?\d+", text):
        raise BadRow(f"cc_num {text!r} is in scientific notation: the card number has lost digits "
                     "(the file went through a spreadsheet)")
    raise BadRow(f"cc_num {text!r} is not a card number (digits only)")


def _event_time_ms(text):
    try:
        # The regex keeps fromisoformat (ten times faster than strptime) to exactly this format.
        if not _TIME.fullmatch(text.strip()):
            raise ValueError
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRow(f"trans_date_trans_time {text!r} is not YYYY-MM-DD HH:MM:SS") from None
    # The CSV's wall-clock time has no zone: it is read as UTC, the zone in which the model takes
    # hour and weekday (features.json "time"), so the model sees the card holder's local hour.
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp()) * 1000


def parse_row(row, urban_min_population):
    """(transaction, customer, merchant, is_fraud, unix_time) of one CSV row; raises BadRow."""
    for column in ("cc_num", "merchant", "category", "trans_num", "gender"):
        if not row[column].strip():
            raise BadRow(f"{column} is empty")
    cc_num = _card_number(row["cc_num"])
    event_time_ms = _event_time_ms(row["trans_date_trans_time"])
    amount_text = row["amt"].strip()
    if not _AMOUNT.fullmatch(amount_text):
        raise BadRow(f"amt {amount_text!r} is not an amount with at most 2 decimals "
                     "(the job adds amounts in whole cents)")
    amount = float(amount_text)
    if amount <= 0:
        raise BadRow(f"amt {amount_text!r} is not positive")
    if not _INTEGER.fullmatch(row["unix_time"].strip()):
        raise BadRow(f"unix_time {row['unix_time']!r} is not whole seconds")
    label = row["is_fraud"].strip()
    if label not in ("0", "1"):
        raise BadRow(f"is_fraud {label!r} is not 0 or 1")
    city_pop = row["city_pop"].strip()
    if not _DIGITS.fullmatch(city_pop):
        raise BadRow(f"city_pop {city_pop!r} is not a whole number")
    dob = row["dob"].strip()
    try:
        if not _DATE.fullmatch(dob):
            raise ValueError
        datetime.date.fromisoformat(dob)
    except ValueError:
        raise BadRow(f"dob {dob!r} is not a date YYYY-MM-DD") from None
    zip_code = row["zip"].strip()
    category = row["category"].strip()
    name = row["merchant"].strip()
    transaction = {
        # trans_num is the CSV's own transaction id: kept as it is, so a prediction can be traced back.
        "transaction_id": row["trans_num"].strip(),
        "cc_num": cc_num,
        "merchant_code": merchant_code(name, category),
        "amount": amount,
        "event_time_ms": event_time_ms,
        # Where it happened: Sparkov gives each transaction its own merchant position.
        "latitude": _number(row, "merch_lat", -90, 90),
        "longitude": _number(row, "merch_long", -180, 180),
    }
    population = int(city_pop)
    customer = {
        "cc_num": cc_num, "first_name": row["first"].strip(), "last_name": row["last"].strip(),
        "gender": row["gender"].strip(), "date_of_birth": dob, "job": row["job"].strip(),
        "street": row["street"].strip(), "city": row["city"].strip(), "state": row["state"].strip(),
        # An integer column in most copies of the file: the leading zeros of New England are gone.
        "zip": zip_code.zfill(5) if _DIGITS.fullmatch(zip_code) else zip_code,
        "latitude": _number(row, "lat", -90, 90), "longitude": _number(row, "long", -180, 180),
        "city_population": population,
        "setting": "urban" if population >= urban_min_population else "rural",
    }
    merchant = {"merchant_code": transaction["merchant_code"], "name": name, "category": category}
    return transaction, customer, merchant, label == "1", int(row["unix_time"].strip())


class Import:
    """What an import has read so far: the rows it kept, the ones it skipped and why, and warnings."""

    def __init__(self, urban_min_population):
        self.urban_min_population = urban_min_population
        self.transactions, self.labels, self.unix_offsets_s = [], [], []
        self.customers, self.merchants, self.merchant_positions = {}, {}, collections.defaultdict(list)
        self.ids = set()
        self.skipped = []  # (file, line, reason)
        self.warnings = collections.Counter()
        self.warning_examples = {}
        self.files = []

    def warn(self, kind, where):
        self.warnings[kind] += 1
        self.warning_examples.setdefault(kind, where)

    def read(self, path):
        try:
            self._read(path)
        except UnicodeDecodeError as problem:
            raise SystemExit(f"import_transactions_csv.py: {path} is not UTF-8 (byte {problem.start} of a "
                             f"block: {problem.reason}); convert it first, e.g. with iconv") from None

    def _read(self, path):
        rows = kept = 0
        with open(path, newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            try:
                header = next(reader)
            except StopIteration:
                raise SystemExit(f"import_transactions_csv.py: {path} is empty") from None
            header = [name.strip().lstrip("\ufeff") for name in header]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise SystemExit(f"import_transactions_csv.py: {path} lacks the column(s) {', '.join(missing)} "
                                 f"of the Kaggle/Sparkov schema; its header is {','.join(header)}")
            ignored = [name or "(unnamed index)" for name in header if name not in REQUIRED_COLUMNS]
            position = {name: header.index(name) for name in REQUIRED_COLUMNS}
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as problem:  # e.g. a field past the csv module's size limit
                    rows += 1
                    self.skipped.append((path.name, reader.line_num, f"is not valid CSV: {problem}"))
                    continue
                rows += 1
                where = f"{path.name}:{reader.line_num}"
                if len(fields) != len(header):
                    self.skipped.append((path.name, reader.line_num,
                                         f"has {len(fields)} fields, the header {len(header)}"))
                    continue
                try:
                    kept += self._add({name: fields[i] for name, i in position.items()}, where)
                except BadRow as problem:
                    self.skipped.append((path.name, reader.line_num, str(problem)))
        self.files.append({"name": path.name, "sha256": _sha256(path), "rows": rows, "imported": kept,
                           "skipped": rows - kept, "ignored_columns": ignored})

    def _add(self, row, where):
        transaction, customer, merchant, is_fraud, unix_time = parse_row(row, self.urban_min_population)
        if transaction["transaction_id"] in self.ids:
            raise BadRow(f"trans_num {transaction['transaction_id']!r} appeared on an earlier row")
        self.ids.add(transaction["transaction_id"])
        known = self.customers.setdefault(customer["cc_num"], customer)
        if known is not customer and known != customer:
            # The holder is repeated on every row; the first row's holder is the card's.
            self.warn("card holder differs from the card's first row (first row kept)", where)
        self.merchants.setdefault(merchant["merchant_code"], merchant)
        # Kept, as the job would receive them; the job dead-letters them at PREDICT, training excludes them.
        if merchant["category"] not in fraud_handler.VOCABULARIES["category"]:
            self.warn("category not in features.json (the model cannot score it)", where)
        if known["gender"] not in fraud_handler.VOCABULARIES["gender"]:
            self.warn("gender not in features.json (the model cannot score it)", where)
        if known["date_of_birth"] > _utc_date(transaction["event_time_ms"]):
            self.warn("dob after the transaction (the model cannot score it)", where)
        self.merchant_positions[merchant["merchant_code"]].append((transaction["latitude"], transaction["longitude"]))
        self.transactions.append(transaction)
        self.labels.append(is_fraud)
        self.unix_offsets_s.append(transaction["event_time_ms"] // 1000 - unix_time)
        return 1


def _utc_date(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).date().isoformat()


def _iso_utc(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unix_time_check(offsets_s):
    """How unix_time relates to trans_date_trans_time read as UTC: the most common difference and
    the share of rows that have it. In the Kaggle file it is 2,557 days (unix_time is seven years
    earlier), so unix_time is not the instant of the row; it is reported, never used."""
    if not offsets_s:
        return {"rows": 0}
    values, counts = np.unique(np.array(offsets_s), return_counts=True)
    most = int(np.argmax(counts))
    return {"most_common_offset_s": int(values[most]), "most_common_offset_days": values[most] / DAY_S,
            "share_with_it": float(counts[most] / len(offsets_s)), "rows": len(offsets_s)}


def write(result, out):
    out.mkdir(parents=True, exist_ok=True)
    # Event-time order, ties in file order: the order a producer replaying this history sends in,
    # so that no transaction reaches the job late.
    order = sorted(range(len(result.transactions)), key=lambda i: result.transactions[i]["event_time_ms"])
    with open(out / "transactions.jsonl", "w", encoding="utf-8") as file:
        for i in order:
            file.write(json.dumps(result.transactions[i], separators=(",", ":")) + "\n")
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as file:
        # No pattern column content: a real history says whether a transaction was fraud, not how.
        file.write("transaction_id,is_fraud,pattern\n")
        for i in order:
            file.write(f"{result.transactions[i]['transaction_id']},{int(result.labels[i])},\n")
    with open(out / "customers.jsonl", "w", encoding="utf-8") as file:
        for customer in result.customers.values():
            file.write(json.dumps(customer, ensure_ascii=False) + "\n")
    with open(out / "merchants.jsonl", "w", encoding="utf-8") as file:
        for code, merchant in result.merchants.items():
            # The CSV places the merchant anew on every row; the map's position (not a model input)
            # is the median of its transactions' positions.
            latitude, longitude = np.median(np.array(result.merchant_positions[code]), axis=0).tolist()
            file.write(json.dumps({**merchant, "latitude": round(latitude, 6), "longitude": round(longitude, 6)},
                                  ensure_ascii=False) + "\n")
    with open(out / "skipped-rows.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["file", "line", "reason"])
        writer.writerows(result.skipped)
    times = [t["event_time_ms"] for t in result.transactions]
    fraud = int(sum(result.labels))
    manifest = {
        "source": {"importer": "python/import_transactions_csv.py", "schema": "Kaggle/Sparkov CSV",
                   "files": result.files, "urban_min_population": result.urban_min_population,
                   "time_zone": "trans_date_trans_time read as UTC", "unix_time": unix_time_check(result.unix_offsets_s)},
        "counts": {"customers": len(result.customers), "merchants": len(result.merchants),
                   "transactions": len(result.transactions), "fraud_transactions": fraud,
                   "fraud_cards": len({t["cc_num"] for t, f in zip(result.transactions, result.labels) if f}),
                   "late_transactions": 0, "skipped_rows": len(result.skipped),
                   "skipped_by_reason": dict(collections.Counter(_reason_kind(r) for *_, r in result.skipped)),
                   "warnings": dict(result.warnings)},
        "fraud_rate": round(fraud / len(result.transactions), 6),
        "first_event_time_ms": min(times), "last_event_time_ms": max(times),
        "first_event_time": _iso_utc(min(times)), "last_event_time": _iso_utc(max(times)),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _reason_kind(reason):
    """A reason without the row's own value, to count reasons of one kind together."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", reason)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", nargs="+", type=Path, help="CSV file(s) of one history, e.g. fraudTrain.csv fraudTest.csv")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the data set to")
    parser.add_argument("--urban-min-population", type=int, default=DEFAULT_URBAN_MIN_POPULATION,
                        help=f"city_pop from which a card holder's setting is urban (default {DEFAULT_URBAN_MIN_POPULATION:,})")
    args = parser.parse_args(argv)
    for path in args.csv:
        if not path.is_file():
            parser.error(f"{path}: no such file")

    began = time.perf_counter()
    result = Import(args.urban_min_population)
    for path in args.csv:
        result.read(path)
    for file, line, reason in result.skipped[:SHOWN_PROBLEMS]:
        print(f"skipped {file}:{line}: {reason}", file=sys.stderr)
    if len(result.skipped) > SHOWN_PROBLEMS:
        print(f"... and {len(result.skipped) - SHOWN_PROBLEMS:,} more in {args.out / 'skipped-rows.csv'}", file=sys.stderr)
    for kind, count in result.warnings.items():
        print(f"warning: {count:,} row(s): {kind}, e.g. {result.warning_examples[kind]}", file=sys.stderr)
    if not result.transactions:
        raise SystemExit("import_transactions_csv.py: no row could be imported")
    manifest = write(result, args.out)
    counts, check = manifest["counts"], manifest["source"]["unix_time"]
    print(f"{counts['transactions']:,} transactions ({manifest['fraud_rate']:.3%} fraud, on "
          f"{counts['fraud_cards']:,} of {counts['customers']:,} cards), {counts['merchants']:,} merchants, "
          f"{manifest['first_event_time'][:10]} to {manifest['last_event_time'][:10]}; "
          f"{counts['skipped_rows']:,} row(s) skipped; written to {args.out} in {time.perf_counter() - began:.1f} s")
    offset = (f"minus {check['most_common_offset_days']:g} days" if check["most_common_offset_s"]
              else "exactly")
    print(f"unix_time is trans_date_trans_time read as UTC, {offset}, in {check['share_with_it']:.1%} of rows; "
          "event times come from trans_date_trans_time")


if __name__ == "__main__":
    main()
