"""The live fraud analytics page on predictionResult (run it with scripts/dashboard.sh).

This file only draws. The cluster is read by reader.py, in a thread of its own, into snapshots; every
number comes from figures.py. Every figures.REFRESH_S seconds the page looks for a newer snapshot
and draws it if there is one, which takes milliseconds however slow the cluster is. `?at=<epoch ms>` in the address pins it to the
window that ends then, for a look back at a moment (the browser test uses it too).
"""
from __future__ import annotations

import atexit
import html
import logging
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import streamlit as st

# Streamlit runs this file as a script; the package is its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dashboard import bridge, figures as F  # noqa: E402
from dashboard.reader import Connection, Reader, Snapshot  # noqa: E402

JOB_NAME = os.environ.get("JOB_NAME", "fraud-detection")
# A snapshot older than this many refreshes means the cluster is slow to answer: the page says so.
SLOW_AFTER_REFRESHES = 3

logging.basicConfig(level=os.environ.get("DASHBOARD_LOG_LEVEL", "INFO"), stream=sys.stderr,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="Fraud scoring, live", page_icon=":credit_card:", layout="wide")


@st.cache_resource
def connection() -> Connection:
    """One bridge per page server, shared by every viewer and every window."""
    shared = Connection(bridge.command)
    atexit.register(shared.close)
    return shared


@st.cache_resource
def live() -> Reader:
    return Reader(connection(), JOB_NAME).start()


@st.cache_resource(max_entries=4)
def pinned(end_s: int) -> Reader:
    """A window that ends in the past is read once per moment asked for, then kept."""
    return Reader(connection(), JOB_NAME, pinned_end_s=end_s).start()


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def pinned_at() -> int | None:
    at = st.query_params.get("at")
    if at is None:
        return None
    try:
        return int(at)
    except ValueError:
        st.error(f"?at={at} is not a time in epoch milliseconds; showing the live window")
        return None


def number(value, digits=0, unit="") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def table(rows: list, columns: dict, empty: str) -> None:
    """A static HTML table (st.table): its cells are in the page's HTML, as the browser test reads them."""
    if not rows:
        st.caption(empty)
        return
    formats = {"amount": "{:,.2f}", "top score": "{:.3f}"}
    shown = [{label: formats.get(name, "{}").format(row[name]) for name, label in columns.items()} for row in rows]
    frame = pd.DataFrame(shown, columns=list(columns.values()))
    st.table(frame.set_index(frame.columns[0]))


def stamp(snap: Snapshot) -> str:
    """Which snapshot a drawing shows, in the page's HTML for the browser test."""
    return "none" if snap.updated is None else f"{snap.updated:.3f}"


def header(snap: Snapshot, job: dict | None) -> None:
    words = [f"**{html.escape(job['text'])}**"] if job else []
    shown = snap.figures
    if shown is not None:
        mode = "pinned" if snap.pinned else f"live, read every {F.REFRESH_S} s"
        # The window's bounds and state as attributes too: the browser test reads them.
        words.append(
            f"window <span id='window-start'>{utc(shown.start_s)}</span> – <span id='window-end'>{utc(shown.end_s)}"
            f"</span> ({mode})<span id='window-state' data-complete='{str(snap.complete).lower()}' "
            f"data-final-until='{snap.final_until_s}' data-updated='{stamp(snap)}'></span>")
    if words:
        st.markdown(" &nbsp;·&nbsp; ".join(words), unsafe_allow_html=True)
    if job:
        {"ok": st.success, "warn": st.warning, "error": st.error}[job["level"]](f"Job status: {job['status']}")
        if job.get("models"):
            st.caption(job["models"])


def notes(snap: Snapshot, now: float) -> None:
    """What the reader is doing, when it is not simply up to date."""
    if snap.phase == "connecting":
        st.info(f"Connecting to the cluster… ({now - snap.started:,.0f} s so far; a busy machine takes a while "
                "to start the SQL bridge)")
    elif snap.figures is None and snap.error is None:
        st.info(f"Reading the window… ({now - snap.started:,.0f} s so far)")
    if snap.error:
        since = f" The figures below are from {utc(snap.figures.end_s)}." if snap.figures else ""
        st.warning(f"The last read of the cluster failed: {snap.error}.{since} Trying again every {F.REFRESH_S} s.")
    elif slow_for(snap, now):
        st.warning(f"The cluster is slow to answer: these figures are {now - snap.updated:,.0f} s old; the next read "
                   "is on its way.")
    if snap.index_note:
        st.warning(snap.index_note)
    if snap.figures is not None and not snap.complete:
        covered = snap.figures.end_s - snap.figures.start_s
        st.info(f"Filling in the window: the newest {covered // 60} min {covered % 60} s of {F.WINDOW_S // 60} min "
                "read so far; the rest follows over the next refreshes.")


def metrics(shown: F.Figures, dead: list | None) -> None:
    cells = st.columns(6)
    cells[0].metric("Scored/s", number(shown.scored_per_s, 1), help=f"mean over the window's last {F.RATE_S} s")
    cells[1].metric("Flagged/s", number(shown.flagged_per_s, 1), help=f"mean over the window's last {F.RATE_S} s")
    share = None if shown.share_flagged is None else 100 * shown.share_flagged
    cells[2].metric("Share flagged", number(share, 2, " %"), help="flagged among scored in the window")
    cells[3].metric("Latency p50", number(shown.latency_p50_ms, 0, " ms"),
                    help="Kafka append → stored, in the window; two significant digits")
    cells[4].metric("Latency p99", number(shown.latency_p99_ms, 0, " ms"),
                    help="Kafka append → stored, in the window; two significant digits")
    cells[5].metric("Dead letters", number(None if dead is None else sum(d["count"] for d in dead)),
                    help="all kept (7 days)")
    st.caption(f"In the window: {shown.scored:,} scored, {shown.flagged:,} flagged.")


def body(snap: Snapshot) -> None:
    shown = snap.figures
    left, right = st.columns(2)
    with left:
        st.subheader("Scored and flagged per second")
        st.vega_lite_chart(snap.charts["throughput"], width="stretch")
    with right:
        st.subheader("Score distribution")
        st.vega_lite_chart(snap.charts["scores"], width="stretch")
        table(shown.score_bands, {"band": "score", "scored": "scored", "flagged": "flagged"}, "nothing scored")

    left, right = st.columns(2)
    with left:
        st.subheader("Top flagged cards")
        table(shown.top_cards, {"card": "card", "flagged": "flagged", "amount": "amount", "top score": "top score"},
              "no flagged transaction in the window")
    with right:
        st.subheader("Top flagged merchants")
        table(shown.top_merchants, {"merchantCode": "merchant", "category": "category", "flagged": "flagged",
                                    "amount": "amount", "top score": "top score"},
              "no flagged transaction in the window")

    left, right = st.columns([1, 3])
    with left:
        st.subheader("Decisions by band")
        table(shown.decisions, {"band": "decision", "decisions": "decisions", "share": "share"}, "nothing scored")
    with right:
        st.subheader("Newest flagged, and why")
        table([{**r, "stored": utc(r["stored"] / 1000)} for r in shown.newest_reasons],
              {"stored": "flagged at", "card": "card", "amount": "amount", "score": "score", "band": "band",
               "reasons": "reasons"}, "no flagged transaction in the window")

    st.subheader("Flagged transactions and the card holder's home")
    if shown.flagged_points:
        st.vega_lite_chart(snap.charts["homes"], width="stretch")
        far = sum(1 for p in shown.flagged_points if p["km"] >= 100)
        st.caption(f"The newest {len(shown.flagged_points):,} flagged transactions; {far:,} of them 100 km or more "
                   "from home (red: where the card was used, grey: the holder's home).")
    else:
        st.caption("no flagged transaction in the window")


def dead_letters(dead: list | None) -> None:
    st.subheader("Dead letters by reason")
    if dead is None:
        st.caption("not read yet")
    elif not dead:
        st.caption("no dead letters")
    else:
        table([{"reason": d["reason"], "stage": d["stage"], "count": d["count"], "latest": utc(d["latest_ms"] / 1000)}
               for d in dead], {"reason": "reason", "stage": "stage", "count": "count", "latest": "latest"}, "")
        for d in dead:
            for example in d["examples"]:
                st.markdown(f"`{d['reason']}` {example['transaction']} — {example['detail']}")
                st.code(example["payload"], language="json", wrap_lines=True)


def footer(snap: Snapshot, drawn_ms: float) -> None:
    cost = snap.cost
    words = []
    if cost is not None:
        words.append(f"Last read of the cluster ({utc(snap.updated)}): {cost.queries} requests, {cost.rows:,} rows, "
                     f"{snap.read_ms:,.0f} ms; {cost.recounted} seconds recounted, {cost.reread} read again.")
    if snap.final_until_s is not None:
        words.append(f"Figures final up to {utc(snap.final_until_s)}.")
    words.append(f"Drawn in {drawn_ms:,.0f} ms. Cards show their BIN and last four digits only.")
    # The drawing's last element says which snapshot it ends: the browser test knows a whole drawing
    # from one still arriving element by element.
    words.append(f"<span id='page-end' data-updated='{stamp(snap)}'></span>")
    st.caption(" ".join(words), unsafe_allow_html=True)


def showing() -> tuple[Snapshot, Snapshot]:
    """The snapshot this browser shows (live, or pinned with ?at=), and the live one."""
    at = pinned_at()
    current = live().snapshot()
    return (current if at is None else pinned(at // 1000).snapshot()), current


def slow_for(snap: Snapshot, now: float) -> int:
    """How many refreshes overdue the next read is; 0 while the figures are fresh enough."""
    if snap.updated is None or snap.figures is None or snap.error:
        return 0
    late = int((now - snap.updated) // F.REFRESH_S)
    return late if late >= SLOW_AFTER_REFRESHES else 0


def drawn_state(snap: Snapshot, current: Snapshot, now: float) -> tuple:
    """What the drawing depends on: the page is drawn again only when this changes."""
    waiting = None if snap.figures is not None else int(now // F.REFRESH_S)  # the seconds-so-far count
    return snap.updated, current.job, slow_for(snap, now), waiting


def render() -> None:
    started = time.perf_counter()
    snap, current = showing()
    now = time.time()
    # The job's status is always the current one, also on a pinned page.
    header(snap, current.job)
    notes(snap, now)
    if snap.figures is not None:
        metrics(snap.figures, snap.dead)
        body(snap)
    dead_letters(snap.dead)
    footer(snap, (time.perf_counter() - started) * 1000)
    st.session_state["drawn"] = drawn_state(snap, current, now)


@st.fragment(run_every=F.REFRESH_S)
def follow() -> None:
    """Every REFRESH_S: the page again, if there is something new to show. Drawing an unchanged
    snapshot every 2 s would keep a busy page server and browser redrawing, the page faded as
    "stale" for most of the time."""
    snap, current = showing()
    if drawn_state(snap, current, time.time()) != st.session_state.get("drawn"):
        st.rerun()


st.title("Fraud scoring, live")
render()
follow()
