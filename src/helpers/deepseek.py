"""Chapter 1's analyses: the event study of the DeepSeek moment, its benchmark
sensitivity, the "two moments" comparison and the reported baskets.

Data come from the loader; the statistics from :mod:`helpers.event_study`.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import data
from .event_study import EventStudy, Window, event_time_paths, equal_weight_path, market_of, run_event_study
from .style import GROUP_COLOURS, PALETTE, new_figure, percent_axis, source_note


def group_returns(tickers: Sequence[str]) -> dict[str, pd.Series]:
    """Each ticker's full history of daily total returns, on its own sessions."""
    frame = data.returns(list(tickers), strict=False)
    return {ticker: frame[ticker].dropna() for ticker in tickers}


def study_groups(groups: Mapping[str, Sequence[str]], benchmark: str, event_date: str,
                 windows: Sequence[Window], *, estimation_length: int, gap: int,
                 after_close: bool = False) -> dict[str, EventStudy]:
    """One event study per group, all against the same benchmark."""
    market = data.returns(benchmark, strict=False)[benchmark].dropna()
    return {
        name: run_event_study(name, group_returns(tickers), market, event_date, windows,
                              estimation_length=estimation_length, gap=gap, benchmark=benchmark,
                              after_close=after_close, benchmark_market=market_of(benchmark))
        for name, tickers in groups.items()
    }


def headline_table(studies: Mapping[str, EventStudy]) -> pd.DataFrame:
    """CAAR and every test, per group and window, in one table (CAAR in percent)."""
    frame = pd.concat([study.results() for study in studies.values()], ignore_index=True)
    frame["CAAR"] = frame["CAAR"] * 100
    if "portfolio CAR" in frame:
        frame["portfolio CAR"] = frame["portfolio CAR"] * 100
    return frame.rename(columns={"CAAR": "CAAR %", "portfolio CAR": "portfolio CAR %"})


def benchmark_sensitivity(groups: Mapping[str, Sequence[str]], benchmarks: Sequence[str], event_date: str,
                          windows: Sequence[Window], *, estimation_length: int, gap: int,
                          after_close: bool = False) -> pd.DataFrame:
    """CAAR (percent) of each group over each window under each benchmark, with the
    Kolari-Pynnönen t of the first window and the firms' residual correlation."""
    rows = []
    for benchmark in benchmarks:
        studies = study_groups(groups, benchmark, event_date, windows, estimation_length=estimation_length,
                               gap=gap, after_close=after_close)
        for name, study in studies.items():
            results = study.results().set_index("window")
            row = {"group": name, "benchmark": benchmark}
            row.update({w.label: results.loc[w.label, "CAAR"] * 100 for w in windows})
            row[f"KP t {windows[0].label}"] = results.loc[windows[0].label, "KP t"]
            row["residual correlation"] = study.residual_correlation()
            rows.append(row)
    return pd.DataFrame(rows).sort_values(["group", "benchmark"], kind="stable").reset_index(drop=True)


def basket_ytd(tickers: Sequence[str], year: int, end: str | None = None) -> pd.Series:
    """Equal-weight buy-and-hold return of a basket since the last close of ``year - 1``.

    Every member must trade on the base date and on each date shown (one market's
    sessions): a missing close is never filled.
    """
    closes = data.prices(list(tickers), f"{year - 1}-12-01", end, strict=True)
    base = closes.loc[: f"{year - 1}-12-31"].dropna(how="any")
    if base.empty:
        raise ValueError(f"no common close of {', '.join(tickers)} in December {year - 1}")
    after = closes.loc[f"{year}-01-01":].dropna(how="any")
    return (after / base.iloc[-1]).mean(axis=1) - 1.0


def moments_paths(tickers: Sequence[str], event_date: str, horizon: int) -> pd.DataFrame:
    """Cumulative returns of each ticker from day 0 of ``event_date`` to ``horizon``."""
    return event_time_paths(data.prices(list(tickers), strict=False), event_date, horizon)


# ---------------------------------------------------------------------- charts


def reaction_chart(studies: Mapping[str, EventStudy], benchmark: str, as_of: str):
    """Left: each asset's abnormal return on day 0. Right: the groups' CAAR by day."""
    fig, (bars, path) = new_figure(1, 2, figsize=(10, 4.8), gridspec_kw={"width_ratios": [1, 1.4]})
    labels, values, colours = [], [], []
    for name, study in studies.items():
        for firm in study.firms:
            labels.append(firm.ticker)
            values.append(firm.event.loc[0, "abnormal"] if 0 in firm.event.index else np.nan)
            colours.append(GROUP_COLOURS.get(name, PALETTE["grey"]))
    positions = np.arange(len(labels))[::-1]
    bars.barh(positions, values, color=colours)
    bars.set_yticks(positions, labels, fontsize=8)
    bars.axvline(0, color="black", linewidth=0.8)
    percent_axis(bars.xaxis)
    bars.set_title("Abnormal return on day 0")
    bars.grid(axis="y", visible=False)
    for name, study in studies.items():
        caar = study.caar_path()
        path.plot(caar.index, caar.to_numpy(), color=GROUP_COLOURS.get(name, PALETTE["grey"]), linewidth=2,
                  label=f"{name} ({len(study.firms)} assets)")
    path.axvline(0, color="black", linewidth=0.8, linestyle="--")
    path.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    percent_axis(path.yaxis)
    path.set_xlabel("Sessions relative to day 0")
    path.set_title("Average cumulative abnormal return")
    path.legend(loc="upper left")
    first = next(iter(studies.values()))
    fig.suptitle(f"Reaction to the event of {first.event_date.date()} (market model vs {benchmark})",
                 x=0.0, ha="left", fontweight="bold")
    fig.tight_layout()
    source_note(fig, f"adjusted daily closes; abnormal returns from the market model vs {benchmark} "
                     "(Hong Kong listings: constant-mean model)", as_of)
    return fig


def two_moments_chart(first: pd.Series, second: pd.Series, labels: tuple[str, str],
                      benchmarks: tuple[pd.Series, pd.Series], benchmark: str, as_of: str):
    """Two equal-weight event-time paths on one axis, each with its benchmark dashed."""
    fig, axis = new_figure(figsize=(9, 4.6))
    colours = (GROUP_COLOURS["US AI"], GROUP_COLOURS["China tech"])
    for path, bench, label, colour in zip((first, second), benchmarks, labels, colours):
        axis.plot(path.index, path.to_numpy(), color=colour, linewidth=2.2, label=label)
        axis.plot(bench.index, bench.to_numpy(), color=colour, linewidth=1.1, linestyle="--", alpha=0.8,
                  label=f"{benchmark} over the same sessions")
        axis.annotate(f"{path.iloc[-1]:+.0%}", (path.index[-1], path.iloc[-1]), xytext=(4, 0),
                      textcoords="offset points", color=colour, fontweight="bold", va="center")
    axis.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    percent_axis(axis.yaxis)
    axis.set_xlabel("Sessions after day 0")
    axis.set_ylabel("Cumulative total return")
    axis.set_title("Two moments: equal-weight groups from their day 0")
    axis.legend(loc="upper left")
    source_note(fig, "adjusted daily closes (total return); equal-weight buy-and-hold averages", as_of)
    return fig


def basket_chart(china: pd.Series, us: pd.Series, labels: tuple[str, str], as_of: str):
    """Year-to-date paths of two equal-weight baskets."""
    fig, axis = new_figure(figsize=(9, 4.2))
    axis.plot(china.index, china.to_numpy(), color=GROUP_COLOURS["China tech"], linewidth=2, label=labels[0])
    axis.plot(us.index, us.to_numpy(), color=GROUP_COLOURS["US AI"], linewidth=2, label=labels[1])
    axis.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    percent_axis(axis.yaxis)
    axis.set_ylabel("Return since 31 December")
    axis.set_title("The reported baskets, year to date")
    axis.legend(loc="upper left")
    source_note(fig, "adjusted daily closes (Hong Kong lines for the Chinese basket); equal-weight buy-and-hold",
                as_of)
    return fig


def market_sessions(ticker: str) -> pd.DatetimeIndex:
    """The sessions on which ``ticker`` has a close: its market's trading calendar in the snapshot."""
    return data.prices(ticker, strict=False)[ticker].dropna().index


def day_zero_table(events: pd.DataFrame, calendars: Mapping[str, pd.DatetimeIndex]) -> pd.DataFrame:
    """For each event, day 0 in each market (first session on, or after, the announcement)."""
    from .event_study import day_zero_position

    rows = []
    for event_id, event in events.iterrows():
        row = {"event": event["event"], "announced": event["date"].date().isoformat(),
               "after US close": "yes" if event["after_us_close"] else "no"}
        for market, sessions in calendars.items():
            if market not in event["markets"].split(";"):
                row[f"day 0 {market}"] = "not studied"
                continue
            if event["date"] > sessions[-1]:
                row[f"day 0 {market}"] = f"after the data end ({sessions[-1].date()})"
                continue
            position = day_zero_position(sessions, event["date"], after_close=bool(event["after_us_close"]))
            row[f"day 0 {market}"] = sessions[position].date().isoformat()
        rows.append(row)
    return pd.DataFrame(rows)


def sessions_after(tickers: Sequence[str], event_date: str) -> pd.Series:
    """How many sessions of closes each ticker has after its day 0 (-1 when its data end
    before the event)."""
    from .errors import DateRangeError
    from .event_study import day_zero_position

    counts = {}
    for ticker in tickers:
        sessions = market_sessions(ticker)
        try:
            counts[ticker] = len(sessions) - 1 - day_zero_position(sessions, event_date)
        except DateRangeError:
            counts[ticker] = -1
    return pd.Series(counts, name="sessions after day 0")


def above_threshold(leader: pd.Series, other: pd.Series, threshold: float) -> pd.DataFrame:
    """Dates (common to both series) on which ``leader`` was at or above ``threshold``."""
    both = pd.concat({"leader": leader, "other": other}, axis=1, sort=True).dropna()
    return both[both["leader"] >= threshold]
