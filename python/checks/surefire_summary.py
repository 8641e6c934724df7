"""The Java tests' totals from Maven's test reports (surefire's and failsafe's XML), with every
skipped test class named and why: Maven prints skips quietly, and a test that was skipped proved
nothing. scripts/test.sh prints this after `mvn verify`; the compose test reads one class's report.

  surefire_summary.py [REPOSITORY]      every module's target/*-reports/TEST-*.xml

Prints, e.g.:

  Java tests: 412 run, 0 failed, 3 skipped
    SKIPPED org.example.it.FraudPipelineContainerTest (3 tests): Docker is not available

Exits 1 when a report says a test failed or there is no report at all, else 0.
"""
from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Directories that hold no Maven module, or too many files to walk for nothing.
NOT_MODULES = {".git", ".run", ".venv", "node_modules", "python", "target"}


@dataclass
class Suite:
    """One test class's report: tests run (skipped ones included, as Maven counts them), failed
    (failures and errors), and the skipped ones by reason."""
    name: str
    tests: int
    failed: int
    skipped: dict[str, list[str]] = field(default_factory=dict)

    @property
    def skipped_count(self) -> int:
        return sum(map(len, self.skipped.values()))


def read_report(path: Path) -> Suite:
    root = ET.parse(path).getroot()
    suite = Suite(root.get("name"), int(root.get("tests")), int(root.get("failures")) + int(root.get("errors")))
    for case in root.iter("testcase"):
        skipped = case.find("skipped")
        if skipped is not None:
            suite.skipped.setdefault(skipped.get("message") or "no reason given", []).append(case.get("name"))
    return suite


def reports(repository: Path) -> list[Path]:
    """The XML reports of every module under the repository (a directory with a pom.xml)."""
    found = []
    for directory, subdirectories, files in os.walk(repository):
        subdirectories[:] = sorted(d for d in subdirectories if d not in NOT_MODULES and not d.startswith("."))
        if "pom.xml" in files:
            found.extend(sorted(Path(directory).glob("target/*-reports/TEST-*.xml")))
    return found


def summary(suites: list[Suite]) -> list[str]:
    run = sum(s.tests for s in suites)
    failed = sum(s.failed for s in suites)
    skipped = sum(s.skipped_count for s in suites)
    lines = [f"Java tests: {run} run, {failed} failed, {skipped} skipped"]
    for suite in suites:
        for reason, cases in suite.skipped.items():
            lines.append(f"  SKIPPED {suite.name} ({len(cases)} tests): {reason}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repository", nargs="?", type=Path, default=ROOT,
                        help="the repository's root (default: this one)")
    args = parser.parse_args(argv)
    suites = [read_report(path) for path in reports(args.repository)]
    if not suites:
        print(f"Java tests: no report under {args.repository}/**/target/*-reports: did mvn verify run?",
              file=sys.stderr)
        return 1
    print("\n".join(summary(suites)))
    return 1 if any(s.failed for s in suites) else 0


if __name__ == "__main__":
    sys.exit(main())
