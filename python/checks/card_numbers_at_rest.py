"""Looks for the data set's card numbers where none may be (PCI DSS 3.5.1): in what a run wrote to
disk, the members' and the broker's logs, the tools' output, reports. The job tokenizes each card
number as it reads it, so none of them may appear in clear anywhere the run stores something.

  card_numbers_at_rest.py --customers DATA/customers.jsonl PATH...   files, or directories walked

A card number counts as found as a whole run of its digits (not inside a longer run of digits, not
as the fraction of a decimal number). Prints what it looked at and, for each find, the file and the
card's last four digits only; exits 1 when anything was found, 2 when there was nothing to look at.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# 12 to 19 digits, not preceded by a digit or a decimal point, not followed by a digit.
_CARD_SHAPED = re.compile(rb"(?<![0-9.])[0-9]{12,19}(?![0-9])")


def card_numbers(customers: Path) -> set[bytes]:
    """Every card number of the data set, from its customers file (one per card)."""
    with open(customers, encoding="utf-8") as lines:
        return {json.loads(line)["cc_num"].encode("ascii") for line in lines if line.strip()}


def files_under(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir()
                     else [path] if path.is_file() else [])
    return found


def finds(file: Path, cards: set[bytes]) -> set[bytes]:
    """The card numbers in one file, however large (read as bytes: logs are not always UTF-8)."""
    return {m.group(0) for m in _CARD_SHAPED.finditer(file.read_bytes()) if m.group(0) in cards}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=Path, required=True, help="the data set's customers.jsonl")
    parser.add_argument("paths", type=Path, nargs="+", help="files, or directories to walk")
    args = parser.parse_args(argv)
    cards = card_numbers(args.customers)
    files = files_under(args.paths)
    if not cards or not files:
        print(f"card numbers at rest: nothing to look for ({len(cards)} cards) or at ({len(files)} files)")
        return 2
    leaks = [(file, card) for file in files for card in sorted(finds(file, cards))]
    size = sum(f.stat().st_size for f in files)
    print(f"card numbers at rest: {len(cards):,} card numbers looked for in {len(files):,} files "
          f"({size / 1e6:,.1f} MB): {len(leaks)} found")
    for file, card in leaks:
        print(f"  card ...{card[-4:].decode()} in {file}")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
