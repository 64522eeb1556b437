"""Tables and the chart of the data appendix, built from the snapshot manifest."""

from __future__ import annotations

from typing import Sequence

import matplotlib.dates as mdates
import pandas as pd

from .style import PALETTE, new_figure, source_note

# Event datasets (dividends on ex-dates) have no coverage of their own: their span from
# first to last event would read as a gap-free series. They are left out of the chart.
EVENT_KINDS = ("dividends",)

KIND_COLOURS = {
    "closes": PALETTE["blue"], "bars": PALETTE["sky"], "dividends": PALETTE["purple"],
    "macro": PALETTE["green"], "valuation": PALETTE["orange"], "reported": PALETTE["red"],
}


def coverage_rows(coverage: pd.DataFrame, kinds: Sequence[str], start: str | pd.Timestamp,
                  max_names: int = 4) -> pd.DataFrame:
    """One row per (kind, first, last) span, naming the datasets that share it.

    Many tickers cover exactly the same dates; grouping them keeps the chart readable.
    Spans are clipped on the left at ``start``; spans ending before it are dropped, and
    so are event datasets (:data:`EVENT_KINDS`).
    """
    start = pd.Timestamp(start)
    kinds = [kind for kind in kinds if kind not in EVENT_KINDS]
    frame = coverage[coverage["kind"].isin(kinds) & (coverage["last"] >= start)].copy()
    rows = []
    for (kind, first, last), group in frame.groupby(["kind", "first", "last"], sort=True):
        names = sorted(group["name"].astype(str))
        label = ", ".join(names[:max_names]) + (f" +{len(names) - max_names} more" if len(names) > max_names else "")
        rows.append({"kind": kind, "first": first, "last": last, "shown_from": max(first, start),
                     "datasets": len(names), "label": f"{kind}: {label}"})
    result = pd.DataFrame(rows, columns=["kind", "first", "last", "shown_from", "datasets", "label"])
    order = {kind: index for index, kind in enumerate(kinds)}
    result["order"] = result["kind"].map(order)
    return result.sort_values(["order", "first", "last"]).drop(columns="order").reset_index(drop=True)


def coverage_chart(rows: pd.DataFrame, as_of: str):
    """Horizontal spans: which datasets cover which dates."""
    height = max(3.0, 0.22 * len(rows) + 1.2)
    fig, ax = new_figure(figsize=(9.0, height))
    for position, row in enumerate(rows.itertuples()):
        ax.plot([row.shown_from, row.last], [position, position], color=KIND_COLOURS.get(row.kind, PALETTE["grey"]),
                linewidth=5, solid_capstyle="butt")
    ax.set_yticks(range(len(rows)), rows["label"], fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.axvline(pd.Timestamp(as_of), color=PALETTE["grey"], linestyle="--", linewidth=1)
    ax.set_title("Snapshot coverage by dataset")
    ax.grid(axis="y", visible=False)
    source_note(fig, "project snapshot manifest (data/snapshot/manifest.json); dashed line: as-of date", as_of)
    return fig


def provenance_table(coverage: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """The provenance table: each dataset with its dates, rows and source."""
    frame = coverage[coverage["kind"].isin(kinds)].copy()
    frame["first"] = frame["first"].dt.strftime("%Y-%m-%d")
    frame["last"] = frame["last"].dt.strftime("%Y-%m-%d")
    return frame[["kind", "name", "first", "last", "rows", "unit", "source"]].rename(columns=str.capitalize)
