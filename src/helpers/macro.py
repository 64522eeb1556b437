"""Chapter 5's analyses: growth, the GDP deflator, deflation streaks, annual figures
from quarterly data, and equities against the economy.

All growth rates are in percent. Vintages are never spliced: functions take one series
each and say which one in their results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .style import GROUP_COLOURS, PALETTE, new_figure, source_note


# ---------------------------------------------------------------------- identities


def deflator_growth(nominal_growth, real_growth):
    """Implicit deflator growth from nominal and real growth (percent):
    ``((1 + n) / (1 + r) - 1) * 100``, the exact ratio, not the difference ``n - r``."""
    return ((1 + np.asarray(nominal_growth, dtype=float) / 100)
            / (1 + np.asarray(real_growth, dtype=float) / 100) - 1) * 100


def nominal_growth(real_growth, deflator):
    """Nominal growth from real growth and deflator growth (percent): ``(1+r)(1+d) - 1``."""
    return ((1 + np.asarray(real_growth, dtype=float) / 100)
            * (1 + np.asarray(deflator, dtype=float) / 100) - 1) * 100


# ---------------------------------------------------------------------- streaks


@dataclass(frozen=True)
class Run:
    """A run of consecutive observations meeting a condition."""

    start: pd.Timestamp
    end: pd.Timestamp
    length: int


def runs(mask: pd.Series) -> list[Run]:
    """Every run of consecutive ``True`` values of a boolean series (in index order)."""
    values = mask.astype(bool).to_numpy()
    found, start = [], None
    for position, flag in enumerate(values):
        if flag and start is None:
            start = position
        if not flag and start is not None:
            found.append(Run(mask.index[start], mask.index[position - 1], position - start))
            start = None
    if start is not None:
        found.append(Run(mask.index[start], mask.index[len(values) - 1], len(values) - start))
    return found


def current_run(mask: pd.Series) -> Run | None:
    """The run that includes the last observation, or ``None`` if the last value is False."""
    found = runs(mask)
    if found and found[-1].end == mask.index[-1]:
        return found[-1]
    return None


def longest_run(mask: pd.Series) -> Run | None:
    """The longest run (the latest one among equals)."""
    found = runs(mask)
    return max(reversed(found), key=lambda r: r.length) if found else None


# ---------------------------------------------------------------------- annual figures


def complete_years(quarterly: pd.Series) -> pd.Series:
    """Annual sums of a quarterly level series, for years with all four quarters only."""
    grouped = quarterly.dropna().groupby(quarterly.dropna().index.year)
    sums = grouped.sum()[grouped.count() == 4]
    sums.index.name = "year"
    return sums


def annual_growth_from_levels(quarterly_levels: pd.Series) -> pd.Series:
    """Annual growth (percent) of the summed quarterly levels, consecutive complete years only."""
    annual = complete_years(quarterly_levels)
    growth = (annual / annual.shift(1) - 1) * 100
    consecutive = pd.Series(annual.index, index=annual.index).diff() == 1
    return growth[consecutive].rename("growth")


def annual_growth_from_ytd(year_to_date: pd.Series) -> pd.Series:
    """Annual growth (percent) from a year-to-date cumulative series dated at the first day
    of the last quarter of each window (the full year is the row dated 1 October),
    consecutive years only."""
    full_year = year_to_date[year_to_date.index.month == 10].dropna()
    full_year.index = full_year.index.year
    growth = (full_year / full_year.shift(1) - 1) * 100
    consecutive = pd.Series(full_year.index, index=full_year.index).diff() == 1
    return growth[consecutive].rename("growth").rename_axis("year")


def annual_real_growth(nominal_levels: pd.Series, real_growth_yoy: pd.Series) -> pd.Series:
    """Annual real growth (percent) from quarterly real y/y rates, weighted by the previous
    year's nominal quarterly GDP.

    China's y/y real growth is measured in the previous year's prices, in which last
    year's real quarters equal last year's nominal quarters; so the annual real growth is
    exactly ``sum(N[q, t-1] * (1 + g[q, t])) / sum(N[q, t-1]) - 1``.
    """
    rows = {}
    for year in sorted(set(real_growth_yoy.index.year)):
        growth = real_growth_yoy[real_growth_yoy.index.year == year]
        base = nominal_levels[nominal_levels.index.year == year - 1]
        if len(growth) != 4 or len(base) != 4:
            continue
        weights = base.to_numpy() / base.sum()
        rows[year] = float((weights * growth.sort_index().to_numpy()).sum())
    return pd.Series(rows, name="real growth", dtype=float).rename_axis("year")


# ---------------------------------------------------------------------- vintages


def vintage_differences(first: pd.Series, latest: pd.Series) -> pd.DataFrame:
    """The overlap of two vintages of one series, with the revision (latest - first)."""
    both = pd.concat({"first release": first, "latest vintage": latest}, axis=1, sort=True).dropna()
    both["revision"] = both["latest vintage"] - both["first release"]
    return both


# ---------------------------------------------------------------------- equities vs economy


def quarterly_yoy_returns(closes: pd.Series) -> pd.Series:
    """Year-over-year price change (percent) at each quarter end, dated at the quarter's
    first day (the convention of the macro series)."""
    quarter_end = closes.dropna().resample("QE").last()
    change = (quarter_end / quarter_end.shift(4) - 1) * 100
    change.index = change.index.to_period("Q").start_time
    return change.dropna().rename(closes.name)


@dataclass(frozen=True)
class Correlation:
    """A Pearson correlation with its Fisher-z confidence interval."""

    r: float
    n: int
    low: float
    high: float
    level: float
    p_value: float


def correlation_with_interval(x: pd.Series, y: pd.Series, level: float = 0.95) -> Correlation:
    """Pearson r of the common observations, with a Fisher-z interval and two-sided p-value."""
    both = pd.concat([x, y], axis=1, sort=True).dropna()
    n = len(both)
    if n < 4:
        raise ValueError(f"a correlation needs at least 4 common observations, got {n}")
    r, p = stats.pearsonr(both.iloc[:, 0], both.iloc[:, 1])
    z, half = math.atanh(r), stats.norm.ppf(0.5 + level / 2) / math.sqrt(n - 3)
    return Correlation(float(r), n, math.tanh(z - half), math.tanh(z + half), level, float(p))


# ---------------------------------------------------------------------- charts


def growth_chart(real: pd.Series, real_first: pd.Series, nominal: pd.Series, nominal_old: pd.Series,
                 deflator: pd.Series, as_of: str):
    """Real and nominal GDP growth (each vintage its own line) above the quarterly deflator."""
    fig, (top, bottom) = new_figure(2, 1, figsize=(9, 6.4), sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
    top.plot(real_first.index, real_first.to_numpy(), color=PALETTE["sky"], linewidth=1.2,
             label="Real, first release (Jin10)")
    top.plot(real.index, real.to_numpy(), color=PALETTE["blue"], linewidth=2.2, label="Real, latest NBS vintage")
    top.plot(nominal_old.index, nominal_old.to_numpy(), color=PALETTE["orange"], linewidth=1.2,
             label="Nominal, Eastmoney (older vintage)")
    top.plot(nominal.index, nominal.to_numpy(), color=PALETTE["red"], linewidth=2.2, label="Nominal, latest NBS vintage")
    top.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    top.set_ylabel("Percent, year on year")
    top.set_title("China's GDP growth: real and nominal")
    top.legend(loc="upper right", ncol=2)
    colours = [PALETTE["red"] if v < 0 else PALETTE["green"] for v in deflator.to_numpy()]
    bottom.bar(deflator.index, deflator.to_numpy(), width=70, color=colours)
    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.set_ylabel("Percent, y/y")
    bottom.set_title("Implicit GDP deflator (nominal / real, latest NBS vintage)")
    fig.tight_layout()
    source_note(fig, "NBS quarterly GDP (latest vintage), Jin10 first releases, Eastmoney; deflator derived", as_of)
    return fig


def prices_chart(frame: pd.DataFrame, labels: dict[str, str], as_of: str):
    """Monthly CPI and PPI inflation with months below zero shaded."""
    fig, axis = new_figure(figsize=(9, 4.4))
    colours = [PALETTE["blue"], PALETTE["red"], PALETTE["green"], PALETTE["purple"]]
    for colour, column in zip(colours, frame.columns):
        series = frame[column].dropna()
        axis.plot(series.index, series.to_numpy(), color=colour, linewidth=1.8, label=labels.get(column, column))
        axis.fill_between(series.index, series.to_numpy(), 0, where=series.to_numpy() < 0, color=colour,
                          alpha=0.15, linewidth=0)
    axis.axhline(0, color="black", linewidth=0.8)
    axis.set_ylabel("Percent, year on year")
    axis.set_title("Consumer and producer prices (shaded: below zero)")
    axis.legend(loc="upper left")
    source_note(fig, "NBS via Eastmoney (monthly y/y)", as_of)
    return fig


def equities_vs_economy_chart(equity: pd.Series, nominal: pd.Series, nominal_old: pd.Series, deflator: pd.Series,
                              equity_label: str, as_of: str):
    """Quarterly y/y change of a China-tech price index against nominal growth and the deflator."""
    fig, left = new_figure(figsize=(9, 4.6))
    left.bar(equity.index, equity.to_numpy(), width=70, color=GROUP_COLOURS["China tech"], alpha=0.55,
             label=f"{equity_label}, y/y price change (left)")
    left.set_ylabel("Equities, percent y/y")
    left.axhline(0, color="black", linewidth=0.8)
    right = left.twinx()
    right.plot(nominal_old.index, nominal_old.to_numpy(), color=GROUP_COLOURS["Macro"], linewidth=1.2,
               alpha=0.7, label="Nominal GDP growth, Eastmoney vintage (right)")
    right.plot(nominal.index, nominal.to_numpy(), color=GROUP_COLOURS["Macro"], linewidth=2.2,
               label="Nominal GDP growth, latest NBS vintage (right)")
    right.plot(deflator.index, deflator.to_numpy(), color=PALETTE["purple"], linewidth=2, linestyle="--",
               label="GDP deflator (right)")
    right.set_ylabel("Economy, percent y/y")
    right.grid(False)
    right.spines["right"].set_visible(True)
    handles = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    left.set_title("China tech against the economy, quarter by quarter")
    source_note(fig, "adjusted closes (quarter ends); NBS and Eastmoney GDP", as_of)
    return fig


def context_chart(panels: dict[str, pd.DataFrame], as_of: str):
    """A 2x2 grid of comparison panels: each entry's columns are drawn as lines."""
    fig, axes = new_figure(2, 2, figsize=(10, 6.6))
    colours = [PALETTE["red"], PALETTE["blue"], PALETTE["green"]]
    for axis, (title, frame) in zip(axes.flat, panels.items()):
        for colour, column in zip(colours, frame.columns):
            series = frame[column].dropna()
            axis.plot(series.index, series.to_numpy(), color=colour, linewidth=1.6, label=column)
        axis.set_title(title, fontsize=10)
        axis.legend(loc="best", fontsize=8)
        axis.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    source_note(fig, "NBS, FRED, IMF, World Bank, Bloomberg-derived yield; see the data appendix", as_of)
    return fig
