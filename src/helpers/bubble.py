"""Chapter 4's analyses around the PSY test: resampled prices, drawdowns and recoveries,
volatility regimes, and the charts of explosive episodes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .psy import BubbleTest
from .style import GROUP_COLOURS, PALETTE, new_figure, plain_log_axis, source_note

FREQUENCIES = {"weekly": "W-FRI", "daily": None}


def resample_closes(closes: pd.Series, frequency: str) -> pd.Series:
    """Closes at the chosen frequency: the last close of each week (Friday-ending weeks),
    or every session. Weeks without a close are dropped, never filled."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}; choose one of {', '.join(FREQUENCIES)}")
    series = closes.dropna()
    if FREQUENCIES[frequency] is None:
        return series
    weekly = series.groupby(series.index.to_period("W-FRI")).agg(lambda s: s.iloc[-1] if len(s) else np.nan)
    dates = series.groupby(series.index.to_period("W-FRI")).apply(lambda s: s.index[-1])
    return pd.Series(weekly.to_numpy(), index=pd.DatetimeIndex(dates.to_numpy()), name=closes.name).dropna()


@dataclass(frozen=True)
class Drawdown:
    """The largest fall from a running peak within a period, and the recovery after it."""

    peak_date: pd.Timestamp
    peak: float
    trough_date: pd.Timestamp
    trough: float
    depth_percent: float  # negative
    recovered_date: pd.Timestamp | None  # first close back at the peak, if any
    days_to_recover: int | None  # calendar days from the trough


def max_drawdown(closes: pd.Series, start: str | None = None, end: str | None = None,
                 recovery_until: pd.Timestamp | None = None) -> Drawdown:
    """The deepest peak-to-trough fall of ``closes`` between ``start`` and ``end`` and when (if
    ever, up to ``recovery_until`` or the data end) the price regained that peak."""
    window = closes.dropna().loc[start:end]
    if len(window) < 2:
        raise ValueError(f"{closes.name}: fewer than two closes between {start} and {end}")
    running_peak = window.cummax()
    depth = window / running_peak - 1
    trough_date = depth.idxmin()
    peak_date = window.loc[:trough_date].idxmax()
    peak = float(window.loc[peak_date])
    after = closes.dropna().loc[trough_date:recovery_until]
    back = after[after >= peak]
    recovered = back.index[0] if len(back) else None
    return Drawdown(peak_date, peak, trough_date, float(window.loc[trough_date]), 100 * float(depth.min()),
                    recovered, (recovered - trough_date).days if recovered is not None else None)


def current_drawdown(closes: pd.Series) -> tuple[float, pd.Timestamp]:
    """How far the last close lies below the highest close so far (percent) and that peak's date."""
    series = closes.dropna()
    return 100 * float(series.iloc[-1] / series.max() - 1), series.idxmax()


def realized_volatility(daily_returns: pd.Series, window: int = 63) -> pd.Series:
    """Rolling annualized volatility of daily returns (percent; 252 trading days a year)."""
    return (daily_returns.rolling(window).std(ddof=1) * math.sqrt(252) * 100).dropna()


def percentile_of_last(series: pd.Series) -> float:
    """Where the last value ranks in the series' own history (percent of values at or below it)."""
    values = series.dropna()
    return 100 * float((values <= values.iloc[-1]).mean())


# ---------------------------------------------------------------------- charts


def episodes_chart(tests: dict[str, BubbleTest], prices: dict[str, pd.Series], groups: dict[str, str], as_of: str):
    """Small multiples: each series' log price with its explosive episodes shaded."""
    count = len(tests)
    columns = 2
    rows = math.ceil(count / columns)
    fig, axes = new_figure(rows, columns, figsize=(10, 2.3 * rows + 0.6), squeeze=False)
    for axis, (name, test) in zip(axes.flat, tests.items()):
        series = prices[name]
        colour = GROUP_COLOURS.get(groups.get(name, ""), PALETTE["grey"])
        axis.plot(series.index, series.to_numpy(), color=colour, linewidth=1.2)
        axis.set_yscale("log")
        plain_log_axis(axis.yaxis)
        for episode in test.episodes:
            axis.axvspan(episode.start, episode.end, color=PALETTE["yellow"], alpha=0.5, linewidth=0)
        axis.set_title(f"{name}: {len(test.episodes)} explosive episode(s)", fontsize=9)
        axis.tick_params(labelsize=7)
    for axis in list(axes.flat)[count:]:
        axis.set_visible(False)
    fig.suptitle("Prices (log scale) with explosive episodes shaded (BSADF above its critical value)",
                 x=0.0, ha="left", fontweight="bold")
    fig.tight_layout()
    source_note(fig, "adjusted closes; PSY (2015) BSADF date-stamping", as_of)
    return fig


def bsadf_chart(tests: dict[str, BubbleTest], level: float, as_of: str):
    """BSADF sequences against their critical-value sequences."""
    fig, axes = new_figure(len(tests), 1, figsize=(9, 2.6 * len(tests) + 0.4), squeeze=False, sharex=True)
    for axis, (name, test) in zip(axes[:, 0], tests.items()):
        axis.plot(test.bsadf.index, test.bsadf.to_numpy(), color=PALETTE["blue"], linewidth=1.2, label="BSADF")
        axis.plot(test.bsadf_critical.index, test.bsadf_critical.to_numpy(), color=PALETTE["red"], linewidth=1.2,
                  linestyle="--", label=f"{level:.0%} critical value ({test.critical.method})")
        axis.set_title(name, fontsize=10)
        axis.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    source_note(fig, "PSY (2015) backward sup ADF on log prices", as_of)
    return fig


def boom_chart(closes: pd.Series, booms: dict[str, Drawdown], as_of: str):
    """A price history with each period's peak and trough marked."""
    fig, axis = new_figure(figsize=(9, 4))
    series = closes.dropna()
    axis.plot(series.index, series.to_numpy(), color=GROUP_COLOURS["China tech"], linewidth=1.4)
    for label, drawdown in booms.items():
        axis.scatter([drawdown.peak_date, drawdown.trough_date], [drawdown.peak, drawdown.trough], color="black",
                     zorder=3, s=18)
        axis.annotate(f"{label}: {drawdown.depth_percent:.0f}%", (drawdown.trough_date, drawdown.trough),
                      xytext=(6, -12), textcoords="offset points", fontsize=8)
    axis.set_yscale("log")
    plain_log_axis(axis.yaxis)
    axis.set_title(f"{series.name}: the 2020-21 boom and bust against 2025")
    axis.set_ylabel("Adjusted close (log scale)")
    source_note(fig, "adjusted daily closes", as_of)
    return fig


def episode_start_years(episodes: pd.DataFrame, group: str) -> str:
    """The years in which a group's episodes start (``2021, 2022``), or ``no year``."""
    if episodes.empty:
        return "no year"
    years = sorted({str(start)[:4] for start in episodes.loc[episodes["group"] == group, "start"]})
    return ", ".join(years) if years else "no year"
