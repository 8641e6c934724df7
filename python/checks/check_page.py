"""The browser half of scripts/dashboard-test.sh: headless Chromium (selenium with Debian's
chromedriver) reads the running page and checks it against SQL queries of its own, written here
and not taken from figures.py, run through a bridge of its own.

  check_page.py live --ready-file F --url URL      before transactions stream: the page draws at
                                                   once, shows the job RUNNING and reads its window;
                                                   then it creates F and, in the same browser, while
                                                   transactions stream: the page refreshes by itself
                                                   and scores
  check_page.py settled --url URL --screenshot F   after every outcome is stored: every number of
                                                   the live page and of a page pinned to the middle
                                                   of the stream equals the SQL; no card number in
                                                   the HTML
  check_page.py served --url URL --screenshot F    a page served by another machine (the compose
                                                   service): it draws, shows the job RUNNING, reads
                                                   its window, holds some of the run's
                                                   --expected-predictions and no more, and no run of
                                                   12 or more digits in its text

Every wait is on something the page shows, with a generous limit, and says how long it took.
Exits non-zero with the reason when a check fails.
"""
from __future__ import annotations

import argparse
import math
import json
import re
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dashboard import bridge  # noqa: E402  (the transport only: the queries are this file's own)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

WINDOW_S = 300
RATE_S = 10
# How long the run's predictions may take to be stored, first to last: the window, less the wait for
# the page's figures to become final (its recount, 30 s after a second) and a margin for a slow machine.
MAX_RUN_SPAN_S = 200
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1500,2700"]


class CheckFailed(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"  ok  {what}")


# ---- the browser -----------------------------------------------------------------------------

def browser(chromium: str, chromedriver: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tempfile.mkdtemp(prefix='dashboard-test-chromium-')}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(chromedriver), options=options)


# The page as data: metrics by label, tables by their first header, the window's end, all text.
READ_PAGE = """
const text = e => (e ? e.innerText.trim() : null);
const metrics = {};
for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
  metrics[text(m.querySelector('[data-testid="stMetricLabel"]'))] = text(m.querySelector('[data-testid="stMetricValue"]'));
}
const tables = {};
for (const t of document.querySelectorAll('table[data-testid="stTableStyledTable"]')) {
  const headers = [...t.querySelectorAll('thead th')].map(text);
  const rows = [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('th, td')].map(text));
  tables[headers[0]] = {headers, rows};
}
const state = document.getElementById('window-state');
const end = document.getElementById('page-end');
return {metrics, tables, start: text(document.getElementById('window-start')),
        end: text(document.getElementById('window-end')),
        complete: state ? state.dataset.complete === 'true' : false,
        finalUntil: state && state.dataset.finalUntil !== 'None' ? Number(state.dataset.finalUntil) : null,
        title: text(document.querySelector('h1')),
        busy: document.querySelector('[data-testid="stStatusWidget"]') !== null,
        body: document.body.innerText,
        stale: document.querySelectorAll('[data-stale="true"]').length,
        // A whole drawing: its last element is there, and of the same snapshot as its header.
        whole: end !== null && (state === null || state.dataset.updated === end.dataset.updated)};
"""


def wait_for(driver, what: str, ready, timeout_s: float) -> dict:
    """The page once `ready(page)` holds; says how long that took and how often the page was looked
    at, and fails with what it showed if never."""
    started = time.monotonic()
    page = None
    looks = {"not yet": 0, "mid-drawing": 0, "unreadable": 0}
    while True:
        try:
            page = driver.execute_script(READ_PAGE)
        except Exception as e:  # noqa: BLE001 - a page between two drawings; read it again
            page = {"body": f"(not readable: {e})"}
        if "metrics" not in page:
            looks["unreadable"] += 1
        elif page["stale"] or not page["whole"]:
            looks["mid-drawing"] += 1
        elif ready(page):
            seen = ", ".join(f"{n} {k}" for k, n in looks.items() if n)
            print(f"  ..  {what}: {time.monotonic() - started:.1f} s" + (f" ({seen})" if seen else ""))
            return page
        else:
            looks["not yet"] += 1
        if time.monotonic() - started > timeout_s:
            seen = ", ".join(f"{n} {k}" for k, n in looks.items() if n)
            raise CheckFailed(f"{what}: not within {timeout_s:.0f} s ({seen}); the page shows:\n{page['body'][:3000]}")
        time.sleep(0.25)


# The body's tables by their first header, each with what the page writes instead when it is empty.
BODY_TABLES = {"score": "nothing scored", "card": "no flagged transaction in the window",
               "merchant": "no flagged transaction in the window"}


def drawn(page: dict) -> bool:
    """The page shows its figures: a window, every metric and every table of the body (or the
    words that stand for an empty one). A run of the whole suite read a pinned page whose header
    and footer were of the same snapshot while its score table was not in the page yet."""
    return (bool(page["end"]) and "Dead letters" in page["metrics"]
            and all(header in page["tables"] or empty in page["body"] for header, empty in BODY_TABLES.items()))


def epoch_s(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=timezone.utc).timestamp())


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def end_of(page: dict) -> int:
    return epoch_s(page["end"])


def start_of(page: dict) -> int:
    return epoch_s(page["start"])


def value(text: str) -> float:
    """A number as the page prints it: '1,169.9', '1.07 %', '51,000 ms'."""
    return float(re.sub(r"[^0-9.\-]", "", text))


# ---- the oracle: the test's own SQL ----------------------------------------------------------

class Oracle:
    def __init__(self, connection: bridge.Bridge):
        self.sql = connection.sql

    def window(self, start_s: int, end_s: int) -> dict:
        lo, hi = start_s * 1000, end_s * 1000
        counts = self.sql("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN fraud THEN 1 ELSE 0 END), 0) AS f "
                          "FROM ${PREDICTION_RESULT_MAP} WHERE storedTimeMs >= ? AND storedTimeMs < ?", [lo, hi])[0]
        recent = self.sql("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN fraud THEN 1 ELSE 0 END), 0) AS f "
                          "FROM ${PREDICTION_RESULT_MAP} WHERE storedTimeMs >= ? AND storedTimeMs < ?",
                          [hi - RATE_S * 1000, hi])[0]
        latencies = sorted(r["l"] for r in self.sql(
            "SELECT storedTimeMs - appendTimeMs AS l FROM ${PREDICTION_RESULT_MAP} WHERE storedTimeMs >= ? AND storedTimeMs < ?",
            [lo, hi]))
        bands = self.sql(
            "SELECT CASE WHEN fraudProbability < 0.1 THEN '0.0–0.1' WHEN fraudProbability < 0.5 THEN '0.1–0.5' "
            "WHEN fraudProbability < 0.9 THEN '0.5–0.9' ELSE '0.9–1.0' END AS band, COUNT(*) AS n, "
            "SUM(CASE WHEN fraud THEN 1 ELSE 0 END) AS f FROM ${PREDICTION_RESULT_MAP} "
            "WHERE storedTimeMs >= ? AND storedTimeMs < ? GROUP BY 1", [lo, hi])
        cards = self.sql("SELECT bin, last4, COUNT(*) AS n, SUM(amount) AS amount FROM ${PREDICTION_RESULT_MAP} "
                         "WHERE fraud AND storedTimeMs >= ? AND storedTimeMs < ? GROUP BY bin, last4", [lo, hi])
        cards = [{**c, "card": f'{c["bin"]} •••• {c["last4"]}'} for c in cards]
        merchants = self.sql("SELECT merchantCode, COUNT(*) AS n, SUM(amount) AS amount FROM ${PREDICTION_RESULT_MAP} "
                             "WHERE fraud AND storedTimeMs >= ? AND storedTimeMs < ? GROUP BY merchantCode", [lo, hi])
        dead = self.sql("SELECT reason, COUNT(*) AS n FROM ${DEAD_LETTERS_MAP} WHERE recordedTimeMs < ? GROUP BY reason", [hi])
        return {"scored": counts["n"], "flagged": counts["f"], "recent_scored": recent["n"], "recent_flagged": recent["f"],
                "latencies": latencies, "bands": {b["band"]: (b["n"], b["f"]) for b in bands},
                "cards": cards, "merchants": merchants, "dead": {d["reason"]: d["n"] for d in dead}}

    @staticmethod
    def card_numbers(data_dir: Path) -> set:
        """Every card number of the data set the run loaded: none may appear on the page. The
        cluster holds none to read them from (it keeps tokens)."""
        with open(data_dir / "customers.jsonl", encoding="utf-8") as customers:
            return {json.loads(line)["cc_num"] for line in customers if line.strip()}


def nearest_rank(values: list, quantile: float):
    return values[max(0, math.ceil(quantile * len(values)) - 1)] if values else None


def two_digits(ms):
    """Latency to two significant digits, as the page promises to show it."""
    if ms is None:
        return None
    step = 1 if ms < 100 else 10 if ms < 1000 else 100 if ms < 10000 else 1000
    return ms // step * step


def ranked(groups: list, key: str, mask) -> list:
    top = sorted(groups, key=lambda g: (-g["n"], -g["amount"], mask(g[key])))[:10]
    return [(mask(g[key]), str(g["n"])) for g in top]


# ---- the checks ------------------------------------------------------------------------------

def compare(page: dict, oracle: Oracle, name: str) -> dict:
    start_s, end_s = start_of(page), end_of(page)
    check(end_s - start_s == WINDOW_S, f"{name}: the window {page['start']} – {page['end']} is {WINDOW_S} s long")
    truth = oracle.window(start_s, end_s)
    metrics, tables = page["metrics"], page["tables"]
    print(f"{name}: window ending {page['end']} ({truth['scored']:,} scored, {truth['flagged']:,} flagged)")
    check(f"In the window: {truth['scored']:,} scored, {truth['flagged']:,} flagged." in page["body"],
          f"{name}: scored and flagged in the window are {truth['scored']:,} and {truth['flagged']:,}")
    check(value(metrics["Scored/s"]) == round(truth["recent_scored"] / RATE_S, 1),
          f"{name}: Scored/s {metrics['Scored/s']} = {truth['recent_scored']} in the last {RATE_S} s / {RATE_S}")
    check(value(metrics["Flagged/s"]) == round(truth["recent_flagged"] / RATE_S, 1),
          f"{name}: Flagged/s {metrics['Flagged/s']} = {truth['recent_flagged']} in the last {RATE_S} s / {RATE_S}")
    share = f"{100 * truth['flagged'] / truth['scored']:,.2f} %" if truth["scored"] else "–"
    check(metrics["Share flagged"] == share, f"{name}: Share flagged {metrics['Share flagged']} = {share}")
    for label, quantile in (("Latency p50", 0.50), ("Latency p99", 0.99)):
        exact = nearest_rank(truth["latencies"], quantile)
        expected = f"{two_digits(exact):,} ms" if exact is not None else "–"
        check(metrics[label] == expected, f"{name}: {label} {metrics[label]} = exact {exact} ms to two digits")
    bands = {row[0]: (int(row[1]), int(row[2])) for row in tables["score"]["rows"]}
    expected_bands = {band: truth["bands"].get(band, (0, 0)) for band in bands}
    check(bands == expected_bands and set(truth["bands"]) <= set(bands),
          f"{name}: score bands {bands} = {truth['bands']}")
    if truth["flagged"]:
        shown = [(row[0], row[1]) for row in tables["card"]["rows"]]
        check(shown == ranked(truth["cards"], "card", str), f"{name}: top flagged cards {shown[:3]}...")
        shown = [(row[0], row[2]) for row in tables["merchant"]["rows"]]
        check(shown == ranked(truth["merchants"], "merchantCode", str), f"{name}: top flagged merchants {shown[:3]}...")
    dead = {}
    for row in tables.get("reason", {"rows": []})["rows"]:
        dead[row[0]] = dead.get(row[0], 0) + int(row[2])
    check(dead == truth["dead"], f"{name}: dead letters by reason {dead}")
    check(value(metrics["Dead letters"]) == sum(truth["dead"].values()),
          f"{name}: Dead letters {metrics['Dead letters']} in all")
    return truth


def check_masking(driver, cards: set, name: str) -> None:
    """The page as it is now, HTML and text: read here only, as it is long."""
    page = driver.execute_script("return {html: document.documentElement.outerHTML, body: document.body.innerText};")
    leaked = sorted(c for c in cards if c in page["html"])
    check(not leaked, f"{name}: none of the {len(cards):,} card numbers appears in the page's HTML"
                      + (f" (found {', '.join(leaked[:3])})" if leaked else ""))
    check_no_digit_runs(page["body"], name)


def check_no_digit_runs(text: str, name: str) -> None:
    runs = re.findall(r"\d{12,}", text)
    check(not runs, f"{name}: no run of 12 or more digits in the page's text" + (f" ({runs[:3]})" if runs else ""))


def ready(args, driver) -> None:
    started = time.monotonic()
    driver.get(args.url)
    # However slow the cluster, the page draws at once what it knows; the figures follow.
    wait_for(driver, "the page is drawn", lambda p: p["title"] == "Fraud scoring, live", args.timeout)
    wait_for(driver, "the job's status is shown", lambda p: "Job status:" in p["body"], args.timeout)
    page = wait_for(driver, "the job is RUNNING", lambda p: "Job status: RUNNING" in p["body"], args.timeout)
    check("Job status: RUNNING" in page["body"], "the page shows the job RUNNING")
    page = wait_for(driver, "the whole window is read", lambda p: drawn(p) and p["complete"], args.timeout)
    check(end_of(page) - start_of(page) == WINDOW_S, f"the page shows a window of {WINDOW_S} s, read whole")
    print(f"  ready checks took {time.monotonic() - started:.1f} s")


def live(args, driver) -> None:
    """The page that ready() opened, as it was left: a browser started afresh would take long on a
    busy machine, and the stream is short."""
    started = time.monotonic()
    first = wait_for(driver, "the page shows its figures", drawn, args.timeout)
    second = wait_for(driver, "the page refreshes by itself (its window moves on)",
                      lambda p: drawn(p) and end_of(p) > end_of(first), args.timeout)
    check(end_of(second) > end_of(first), f"the page refreshes by itself: window end {first['end']} → {second['end']}")
    took = re.search(r"Last read of the cluster \([^)]*\): [^\n]*", second["body"])
    print(f"      ({took.group(0) if took else 'no cost line on the page'})")
    scoring = wait_for(driver, "Scored/s is above 0 while transactions stream",
                       lambda p: drawn(p) and value(p["metrics"]["Scored/s"]) > 0, args.timeout)
    check(value(scoring["metrics"]["Scored/s"]) > 0, f"while transactions stream, Scored/s is {scoring['metrics']['Scored/s']}")
    print(f"  live checks took {time.monotonic() - started:.1f} s")


WINDOW_COUNTS = re.compile(r"In the window: ([\d,]+) scored, ([\d,]+) flagged\.")


def window_counts(page: dict) -> tuple[int, int] | None:
    """(scored, flagged) in the window, as the page says them; None before it says them."""
    found = WINDOW_COUNTS.search(page["body"])
    return None if found is None else (int(value(found.group(1))), int(value(found.group(2))))


def served(args, driver) -> None:
    """A page this test did not start, on a cluster it cannot query (the compose stack's): what the
    page shows must come from the cluster (no more predictions in its window than the run stored,
    and some), and no card number may be whole in it."""
    ready(args, driver)
    page = wait_for(driver, "the page's window holds stored predictions",
                    lambda p: drawn(p) and p["complete"] and (window_counts(p) or (0, 0))[0] > 0, args.timeout)
    scored, flagged = window_counts(page)
    check(0 < scored <= args.expected_predictions and flagged <= scored,
          f"the page's window holds {scored:,} of the run's {args.expected_predictions:,} predictions, "
          f"{flagged:,} flagged; latency p50 {page['metrics']['Latency p50']}, p99 {page['metrics']['Latency p99']}")
    check_no_digit_runs(page["body"], "served page")
    Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(args.screenshot)
    print(f"  screenshot of the window ending {page['end']}: {args.screenshot}")


def settled(args, driver, oracle: Oracle) -> None:
    started = time.monotonic()
    cards = Oracle.card_numbers(args.data_dir)
    stored = oracle.sql("SELECT MIN(storedTimeMs) AS lo, MAX(storedTimeMs) AS hi, COUNT(*) AS n FROM ${PREDICTION_RESULT_MAP}")[0]
    last_s = stored["hi"] // 1000
    print(f"stored: {stored['n']:,} predictions, {utc(stored['lo'] / 1000)} to {utc(stored['hi'] / 1000)}")
    check(stored["n"] >= args.expected_predictions, f"the map holds the run's {args.expected_predictions:,} predictions")
    # The live page is compared once its figures are final, about RECHECK_S after the last one was
    # stored: the window must still reach back to the first.
    span_s = (stored["hi"] - stored["lo"]) / 1000
    check(span_s < MAX_RUN_SPAN_S, f"the run's predictions were stored within {MAX_RUN_SPAN_S} s, so the "
                                   f"{WINDOW_S} s window can hold them all (they took {span_s:,.0f} s)")

    driver.get(args.url)
    # The page counts a second again RECHECK_S after it ended: once it has done so for the run's
    # last second, its figures are final and must equal the SQL exactly.
    page = wait_for(driver, f"the live page's figures are final up to the last stored second ({utc(last_s)})",
                    lambda p: drawn(p) and p["complete"] and (p["finalUntil"] or 0) > last_s, args.timeout)
    truth = compare(page, oracle, "live page")
    cost = re.search(r"Last read of the cluster \([^)]*\): [^\n]*", page["body"])
    print(f"      ({cost.group(0) if cost else 'no cost line on the page'})")
    check(truth["scored"] == stored["n"], f"live page: the window holds all {stored['n']:,} predictions of the run")
    check(truth["flagged"] > 0 and sum(truth["dead"].values()) > 0,
          "live page: the run has flagged transactions and dead letters to show")
    check_masking(driver, cards, "live page")

    # The middle of the stream by count, so that rates are not 0: the median stored time plus a
    # second puts that prediction in the pinned page's last seconds. (The middle of the time range
    # was not enough: a stream stored in a burst after a slow start left its middle 10 s empty.)
    times = sorted(row["t"] for row in oracle.sql("SELECT storedTimeMs AS t FROM ${PREDICTION_RESULT_MAP}"))
    at = times[len(times) // 2] + 1000
    driver.get(f"{args.url}?at={at}")
    pinned = wait_for(driver, f"the page pinned to ?at={at} has read its window",
                      lambda p: drawn(p) and p["complete"] and end_of(p) == at // 1000
                      and (p["finalUntil"] or 0) >= at // 1000, args.timeout)
    truth = compare(pinned, oracle, "pinned page")
    check(truth["recent_scored"] > 0, "pinned page: its rates are of seconds with transactions")
    check_masking(driver, cards, "pinned page")

    driver.get(args.url)
    # A clean picture: the figures final, no note or warning on the page, and nothing in the status
    # corner (a drawing in progress, a connection being made).
    shot = wait_for(driver, "the live page is idle for its screenshot",
                    lambda p: drawn(p) and p["complete"] and not p["busy"]
                    and not re.search(r"slow to answer|failed|Filling in|No index", p["body"]), args.timeout)
    Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(args.screenshot)
    print(f"  screenshot of the window ending {shot['end']}: {args.screenshot}")
    print(f"  settled checks took {time.monotonic() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["live", "settled", "served"])
    parser.add_argument("--ready-file", help="live: created once the page is ready, for the stream to start")
    parser.add_argument("--url", default="http://127.0.0.1:8501/")
    parser.add_argument("--screenshot", default="dashboard.png", help="where to save the page; failed-<name> on failure")
    parser.add_argument("--expected-predictions", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=Path("python/data"),
                        help="the data set the run loaded: its card numbers must not appear on the page")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for each state of the page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    args.url = args.url.rstrip("/") + "/"
    # Stopped by the test script: quit the browser on the way out, or Chromium outlives the test.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    driver = browser(args.chromium, args.chromedriver)
    connection = None
    try:
        if args.phase == "live":
            ready(args, driver)
            if args.ready_file:
                Path(args.ready_file).touch()
            print("  (the stream may start)")
            live(args, driver)
        elif args.phase == "served":
            served(args, driver)
        else:
            connection = bridge.Bridge(bridge.command())
            settled(args, driver, Oracle(connection))
    except CheckFailed as e:
        print(f"DASHBOARD CHECK FAILED: {e}", file=sys.stderr)
        shot = Path(args.screenshot).with_name("failed-" + Path(args.screenshot).name)
        shot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(shot))
        print(f"  the page as it was: {shot}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
        if connection:
            connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
