"""The live fraud analytics page on predictionResult (run it with scripts/dashboard.sh).

Everything it shows comes from `figures`; this file only lays it out. It refreshes every
figures.REFRESH_S seconds; `?at=<epoch ms>` in the address pins it to the window that ends then,
for a look back at a moment (the browser test uses it too).
"""
from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

# Streamlit runs this file as a script; the package is its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dashboard import bridge, figures as F  # noqa: E402

JOB_NAME = os.environ.get("JOB_NAME", "fraud-detection")
log = logging.getLogger("dashboard")

st.set_page_config(page_title="Fraud scoring, live", page_icon=":credit_card:", layout="wide")


@st.cache_resource
def cluster():
    """One bridge, one window and one cache of homes per page server, shared by every viewer."""
    connection = bridge.Bridge(bridge.command())
    atexit.register(connection.close)
    index_note = F.ensure_index(connection.sql)
    return connection, F.Window(connection.sql), F.Homes(connection.sql), index_note


@st.cache_resource(max_entries=4)
def pinned_window(end_s: int):
    """A window that ends in the past does not change: read it once per moment asked for."""
    connection, _, _, _ = cluster()
    window = F.Window(connection.sql)
    while not window.complete():
        window.advance(end_s)
    return window


def utc(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


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
    frame = pd.DataFrame(rows)[list(columns)].rename(columns=columns)
    for name in ("amount",):
        if name in frame:
            frame[name] = frame[name].map(lambda v: f"{v:,.2f}")
    if "top score" in frame:
        frame["top score"] = frame["top score"].map(lambda v: f"{v:.3f}")
    st.table(frame.set_index(frame.columns[0]))


def throughput_chart(series: list) -> alt.Chart:
    frame = pd.DataFrame(series)
    frame["time"] = pd.to_datetime(frame["sec"], unit="s", utc=True)
    long = frame.melt(id_vars="time", value_vars=["scored", "flagged"], var_name="what", value_name="per second")
    return alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("time:T", title=None), y=alt.Y("per second:Q"), color=alt.Color("what:N", title=None,
        scale=alt.Scale(domain=["scored", "flagged"], range=["#4c78a8", "#e45756"]))).properties(height=220)


def score_chart(histogram: list) -> alt.Chart:
    frame = pd.DataFrame(histogram)
    frame["not flagged"] = frame["scored"] - frame["flagged"]
    long = frame.melt(id_vars=["from", "to"], value_vars=["not flagged", "flagged"], var_name="decision",
                      value_name="transactions")
    # A log scale: nearly all transactions score near 0, and the few near 1 are the point.
    return alt.Chart(long[long["transactions"] > 0]).mark_bar().encode(
        x=alt.X("from:Q", bin=alt.Bin(binned=True, step=1 / F.SCORE_BINS), title="fraud probability"),
        x2="to:Q", y=alt.Y("transactions:Q", scale=alt.Scale(type="log"), stack=None),
        color=alt.Color("decision:N", title=None,
                        scale=alt.Scale(domain=["not flagged", "flagged"], range=["#4c78a8", "#e45756"])),
    ).properties(height=220)


def home_chart(points: list) -> alt.Chart:
    """Each flagged transaction (red) joined to its card holder's home (grey) by a line: a long
    line is a card used far from home. A scatter on longitude and latitude, not a map: map tiles
    would need the internet, which a demo machine may not have."""
    frame = pd.DataFrame(points)
    lines = alt.Chart(frame).mark_rule(opacity=0.35, color="#888").encode(
        x=alt.X("home_lon:Q", title="longitude", scale=alt.Scale(zero=False)),
        y=alt.Y("home_lat:Q", title="latitude", scale=alt.Scale(zero=False)), x2="lon:Q", y2="lat:Q")
    homes = alt.Chart(frame).mark_circle(size=40, color="#888").encode(
        x="home_lon:Q", y="home_lat:Q", tooltip=["card", "home"])
    spots = alt.Chart(frame).mark_circle(size=60, color="#e45756").encode(
        x="lon:Q", y="lat:Q", tooltip=["card", "home", alt.Tooltip("km:Q", format=",.0f"),
                                       alt.Tooltip("amount:Q", format=",.2f"), alt.Tooltip("score:Q", format=".3f")])
    return (lines + homes + spots).properties(height=420)


def render() -> None:
    started = time.perf_counter()
    connection, live_window, homes, index_note = cluster()
    at = pinned_at()
    if at is None:
        end_s = int(time.time()) - F.SETTLE_S
        window = live_window
        read_started = time.perf_counter()
        read = window.advance(end_s)
        read_ms = (time.perf_counter() - read_started) * 1000
    else:
        end_s = at // 1000
        window = pinned_window(end_s)
        read, read_ms = F.ReadCost(), 0.0
    cost = F.ReadCost()
    lo, hi = window.covered()
    shown = F.figures(window.seconds(), hi, span_s=hi - lo, homes=lambda cards: homes.of(cards, cost))
    dead = F.dead_letters(connection.sql, end_s * 1000, cost)
    job = F.job_status(connection.job(JOB_NAME))

    mode = "pinned" if at is not None else f"live, refreshed every {F.REFRESH_S} s"
    st.markdown(f"**{job['text']}** &nbsp;·&nbsp; window {F.WINDOW_S // 60} min ending "
                f"<span id='window-end'>{utc(end_s * 1000)}</span> ({mode})", unsafe_allow_html=True)
    {"ok": st.success, "warn": st.warning, "error": st.error}[job["level"]](f"Job status: {job['status']}")
    if index_note:
        st.warning(index_note)

    cells = st.columns(6)
    cells[0].metric("Scored/s", number(shown.scored_per_s, 1), help=f"mean over the window's last {F.RATE_S} s")
    cells[1].metric("Flagged/s", number(shown.flagged_per_s, 1), help=f"mean over the window's last {F.RATE_S} s")
    cells[2].metric("Share flagged", number(None if shown.share_flagged is None else 100 * shown.share_flagged, 2, " %"),
                    help="flagged among scored in the window")
    cells[3].metric("Latency p50", number(shown.latency_p50_ms, 0, " ms"),
                    help="Kafka append → stored, in the window; two significant digits")
    cells[4].metric("Latency p99", number(shown.latency_p99_ms, 0, " ms"),
                    help="Kafka append → stored, in the window; two significant digits")
    cells[5].metric("Dead letters", number(sum(d["count"] for d in dead)), help="all kept (7 days)")
    st.caption(f"In the window: {shown.scored:,} scored, {shown.flagged:,} flagged.")

    left, right = st.columns(2)
    with left:
        st.subheader("Scored and flagged per second")
        st.altair_chart(throughput_chart(shown.series), width="stretch")
    with right:
        st.subheader("Score distribution")
        st.altair_chart(score_chart(shown.score_histogram), width="stretch")
        table(shown.score_bands, {"band": "score", "scored": "scored", "flagged": "flagged"}, "nothing scored")

    left, right = st.columns(2)
    with left:
        st.subheader("Top flagged cards")
        table(shown.top_cards, {"ccNum": "card", "flagged": "flagged", "amount": "amount", "top score": "top score"},
              "no flagged transaction in the window")
    with right:
        st.subheader("Top flagged merchants")
        table(shown.top_merchants, {"merchantCode": "merchant", "category": "category", "flagged": "flagged",
                                    "amount": "amount", "top score": "top score"},
              "no flagged transaction in the window")

    st.subheader("Flagged transactions and the card holder's home")
    if shown.flagged_points:
        st.altair_chart(home_chart(shown.flagged_points), width="stretch")
        far = sum(1 for p in shown.flagged_points if p["km"] >= 100)
        st.caption(f"The newest {len(shown.flagged_points):,} flagged transactions; {far:,} of them 100 km or more "
                   "from home (red: where the card was used, grey: the holder's home).")
    else:
        st.caption("no flagged transaction in the window")

    st.subheader("Dead letters by reason")
    if dead:
        table([{"reason": d["reason"], "stage": d["stage"], "count": d["count"], "latest": utc(d["latest_ms"])}
               for d in dead], {"reason": "reason", "stage": "stage", "count": "count", "latest": "latest"}, "")
        for d in dead:
            for example in d["examples"]:
                st.markdown(f"`{d['reason']}` {example['card']} — {example['detail']}")
                st.code(example["payload"], language="json", wrap_lines=True)
    else:
        st.caption("no dead letters")

    took_ms = (time.perf_counter() - started) * 1000
    st.caption(f"This refresh: {read.queries + cost.queries + 1} requests to the cluster, "
               f"{read.rows + cost.rows:,} rows read; window update {read_ms:,.0f} ms, whole refresh "
               f"{took_ms:,.0f} ms. Card numbers show their last four digits only.")


st.title("Fraud scoring, live")
# Pinned or live, it refreshes: the job's status and the dead letters are always current.
st.fragment(run_every=F.REFRESH_S)(render)()
