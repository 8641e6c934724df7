"""The page's charts as Vega-Lite specifications, written out as plain dicts.

Not Altair: Altair validates every chart against the Vega-Lite JSON schema each time it is turned
into a spec, and that alone took 1.3 s for one line chart on a loaded 2-core machine, more than the
page's 2-second refresh. A dict costs nothing to build, and the page builds each chart once per
refresh of its figures (reader.py), not once per viewer.
"""
from __future__ import annotations

from . import figures as F

SCORED = "#4c78a8"
FLAGGED = "#e45756"
HOME = "#888888"


def throughput(series: list) -> dict:
    """Scored and flagged per second over the window, as steps."""
    values = [{"t": s["sec"] * 1000, "what": what, "n": s[what]} for s in series for what in ("scored", "flagged")]
    return {
        "data": {"values": values},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "t", "type": "temporal", "title": None},
            "y": {"field": "n", "type": "quantitative", "title": "per second"},
            "color": {"field": "what", "type": "nominal", "title": None,
                      "scale": {"domain": ["scored", "flagged"], "range": [SCORED, FLAGGED]}},
        },
        "height": 220,
    }


def scores(histogram: list) -> dict:
    """The score distribution on a log scale: nearly all transactions score near 0, and the few near
    1 are the point. Flagged and not flagged side by side in each bin, not stacked (log scale)."""
    values = []
    for b in histogram:
        for decision, n in (("not flagged", b["scored"] - b["flagged"]), ("flagged", b["flagged"])):
            if n > 0:
                values.append({"from": b["from"], "to": b["to"], "decision": decision, "n": n})
    return {
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "from", "type": "quantitative", "bin": {"binned": True, "step": 1 / F.SCORE_BINS},
                  "title": "fraud probability", "scale": {"domain": [0, 1]}},
            "x2": {"field": "to"},
            "y": {"field": "n", "type": "quantitative", "title": "transactions", "scale": {"type": "log"},
                  "stack": None},
            "color": {"field": "decision", "type": "nominal", "title": None,
                      "scale": {"domain": ["not flagged", "flagged"], "range": [SCORED, FLAGGED]}},
            "opacity": {"value": 0.85},
        },
        "height": 220,
    }


def homes(points: list) -> dict:
    """Each flagged transaction (red) joined to its card holder's home (grey) by a line: a long
    line is a card used far from home. A scatter on longitude and latitude, not a map: map tiles
    would need the internet, which a demo machine may not have."""
    axis = {"scale": {"zero": False}}
    return {
        "data": {"values": points},
        "layer": [
            {"mark": {"type": "rule", "opacity": 0.35, "color": HOME},
             "encoding": {"x": {"field": "home_lon", "type": "quantitative", "title": "longitude", **axis},
                          "y": {"field": "home_lat", "type": "quantitative", "title": "latitude", **axis},
                          "x2": {"field": "lon"}, "y2": {"field": "lat"}}},
            {"mark": {"type": "circle", "size": 40, "color": HOME},
             "encoding": {"x": {"field": "home_lon", "type": "quantitative"},
                          "y": {"field": "home_lat", "type": "quantitative"},
                          "tooltip": [{"field": "card"}, {"field": "home"}]}},
            {"mark": {"type": "circle", "size": 60, "color": FLAGGED},
             "encoding": {"x": {"field": "lon", "type": "quantitative"},
                          "y": {"field": "lat", "type": "quantitative"},
                          "tooltip": [{"field": "card"}, {"field": "home"},
                                      {"field": "km", "type": "quantitative", "format": ",.0f"},
                                      {"field": "amount", "type": "quantitative", "format": ",.2f"},
                                      {"field": "score", "type": "quantitative", "format": ".3f"}]}},
        ],
        "height": 420,
    }
