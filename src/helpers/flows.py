"""Chapter 3's analyses: reported ETF flows, flows implied by assets and returns, implied
shares, trading activity around events, and the tech-vs-broad performance divergence.

No flow or shares-outstanding history exists in the snapshot. The functions here work
from what does exist (dated assets, adjusted closes, volume), and
:func:`daily_flows_from_shares` takes a shares-outstanding series as soon as one is
loaded (``helpers.data.shares_outstanding``), so a refreshed snapshot plugs in without
changing the chapter.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .style import GROUP_COLOURS, PALETTE, new_figure, percent_axis, plain_log_axis, source_note

UNIT_TO_BN = {"USD bn": 1.0, "USD mn": 1e-3, "USD": 1e-9}


def to_usd_bn(value: float, unit: str) -> float:
    """A reported amount in billions of US dollars."""
    if unit not in UNIT_TO_BN:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNIT_TO_BN)}")
    return float(value) * UNIT_TO_BN[unit]


def ticker_of(subject: str) -> str | None:
    """``KWEB (KraneShares CSI China Internet ETF)`` -> ``KWEB``; None for combined subjects."""
    match = re.fullmatch(r"([A-Z]{2,5}) \(.*\)", subject.strip())
    return match.group(1) if match else None


# ---------------------------------------------------------------------- reported figures


def reported_ytd_flows(reported: pd.DataFrame) -> pd.DataFrame:
    """The reported 2025 year-to-date net flows, one row per ETF, in USD bn."""
    rows = reported[reported["metric"].str.contains("year-to-date", case=False)
                    & reported["metric"].str.contains("flow|inflow", case=False)]
    return pd.DataFrame({
        "ticker": rows["subject"].map(ticker_of), "flow_bn": [to_usd_bn(v, u) for v, u in zip(rows["value"], rows["unit"])],
        "as_of": rows["as_of"], "precision": rows["as_of_precision"], "source": rows["source"],
    }).reset_index(drop=True)


def aum_snapshots(reported: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Dated total-assets figures of one ETF (AUM, assets, net assets), in USD bn."""
    rows = reported[(reported["subject"].map(ticker_of) == ticker)
                    & reported["metric"].str.contains(r"^(?:AUM|assets|net assets)", case=False, regex=True)]
    frame = pd.DataFrame({
        "date": rows["as_of_start"], "precision": rows["as_of_precision"], "as_of": rows["as_of"],
        "aum_bn": [to_usd_bn(v, u) for v, u in zip(rows["value"], rows["unit"])], "metric": rows["metric"],
        "source": rows["source"],
    })
    return frame.sort_values("date").drop_duplicates("date", keep="first").reset_index(drop=True)


# ---------------------------------------------------------------------- implied flows


def implied_flow(aum_start: float, aum_end: float, total_return: float) -> float:
    """Net flow between two asset figures: what the end assets hold beyond the start
    assets grown at the fund's total return, ``AUM1 - AUM0 (1 + R)``.

    It assumes the flow earned nothing between the two dates (it arrived at the end);
    flows that arrived earlier earned part of R, so the true figure lies between this and
    ``AUM1 / (1 + R) - AUM0``, measured at start prices.
    """
    return float(aum_end - aum_start * (1 + total_return))


def close_on_or_before(closes: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float]:
    """The last adjusted close on or before ``day``."""
    available = closes.dropna().loc[:day]
    if available.empty:
        raise ValueError(f"no close on or before {day.date()} (data start {closes.index[0].date()})")
    return available.index[-1], float(available.iloc[-1])


def total_return(closes: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Total return between the last closes on or before two dates (adjusted closes
    include distributions)."""
    return close_on_or_before(closes, end)[1] / close_on_or_before(closes, start)[1] - 1


def implied_flows_between(snapshots: pd.DataFrame, closes: pd.Series) -> pd.DataFrame:
    """Implied flows between consecutive asset figures. A month-only date is taken at
    both ends of its month, giving a low and a high estimate."""
    rows = []
    for first, second in zip(snapshots.itertuples(), snapshots.iloc[1:].itertuples()):
        estimates = []
        for start in _candidate_days(first):
            for end in _candidate_days(second):
                if end <= closes.index[-1]:
                    estimates.append(implied_flow(first.aum_bn, second.aum_bn, total_return(closes, start, end)))
        returns = [total_return(closes, s, e) for s in _candidate_days(first) for e in _candidate_days(second)
                   if e <= closes.index[-1]]
        rows.append({
            "from": first.as_of, "to": second.as_of, "AUM from (USD bn)": first.aum_bn, "AUM to (USD bn)": second.aum_bn,
            "total return %": 100 * float(np.mean(returns)) if returns else math.nan,
            "implied flow low (USD bn)": min(estimates) if estimates else math.nan,
            "implied flow high (USD bn)": max(estimates) if estimates else math.nan,
        })
    return pd.DataFrame(rows)


def _candidate_days(snapshot) -> list[pd.Timestamp]:
    if snapshot.precision == "month":
        return [snapshot.date, snapshot.date + pd.offsets.MonthEnd(0)]
    return [snapshot.date]


def implied_shares_mn(aum_bn: float, price: float) -> float:
    """Shares outstanding (millions) implied by assets and the price per share."""
    return aum_bn * 1e3 / price


def daily_flows_from_shares(shares: pd.Series, nav: pd.Series) -> pd.Series:
    """Daily creations and redemptions in value: the change in shares outstanding times
    that day's price per share (the standard estimate of ETF flows)."""
    both = pd.concat({"shares": shares, "nav": nav}, axis=1, sort=True).dropna()
    return (both["shares"].diff() * both["nav"]).dropna().rename("flow")


# ---------------------------------------------------------------------- trading activity


@dataclass(frozen=True)
class AbnormalVolume:
    """Standardized abnormal log dollar volume around one event.

    ``z`` holds ``(ln DV_t - m) / s`` by relative day, with ``m`` and ``s`` the mean and
    standard deviation of ln DV over the baseline; ``statistic`` is ``sum(z) / sqrt(n)``
    over the window, approximately N(0, 1) if volume is not abnormal and the days are
    independent (volume is autocorrelated, so read it as a descriptive score).
    """

    ticker: str
    day_zero: pd.Timestamp
    z: pd.Series
    statistic: float
    p_value: float
    ratio: float  # mean dollar volume in the window over the baseline's geometric mean


def abnormal_volume(dollar_volume: pd.Series, event_date, *, baseline: int, gap: int, window: tuple[int, int],
                    after_close: bool = False) -> AbnormalVolume:
    """Abnormal dollar volume of one series around ``event_date`` (see :class:`AbnormalVolume`)."""
    from .event_study import day_zero_position

    series = dollar_volume.dropna()
    series = series[series > 0]
    try:
        zero = day_zero_position(series.index, event_date, after_close=after_close)
    except ValueError as error:  # DateRangeError: name the series too
        raise ValueError(f"{series.name}: {error}") from None
    first, last = window
    if zero - gap - baseline < 0 or zero + last >= len(series) or -gap - 1 >= first:
        raise ValueError(f"{series.name}: the baseline of {baseline} sessions, gap {gap} and window {window} do "
                         f"not fit the data {series.index[0].date()}..{series.index[-1].date()} around {event_date}")
    logs = np.log(series)
    base = logs.iloc[zero - gap - baseline: zero - gap]
    m, s = base.mean(), base.std(ddof=1)
    window_logs = logs.iloc[zero + first: zero + last + 1]
    z = pd.Series(((window_logs - m) / s).to_numpy(), index=pd.RangeIndex(first, last + 1, name="relative_day"))
    statistic = float(z.sum() / math.sqrt(len(z)))
    ratio = float(series.iloc[zero + first: zero + last + 1].mean() / math.exp(m))
    return AbnormalVolume(str(series.name), series.index[zero], z, statistic, float(2 * stats.norm.sf(abs(statistic))),
                          ratio)


def monthly_share_of_volume(dollar_volume: pd.Series, year: int) -> pd.Series:
    """Each month's share (percent) of a year's dollar volume."""
    in_year = dollar_volume[dollar_volume.index.year == year].dropna()
    monthly = in_year.groupby(in_year.index.month).sum()
    return (100 * monthly / monthly.sum()).rename(dollar_volume.name)


# ---------------------------------------------------------------------- performance


def group_index(returns: pd.DataFrame) -> pd.Series:
    """Cumulative return of an equal-weight, daily-rebalanced group (days where all
    members trade)."""
    daily = returns.dropna(how="any").mean(axis=1)
    return (1 + daily).cumprod() - 1


def rolling_beta_and_correlation(asset: pd.Series, market: pd.Series, window: int) -> pd.DataFrame:
    """Rolling OLS beta (cov / var) and correlation of daily returns over ``window`` days."""
    both = pd.concat({"asset": asset, "market": market}, axis=1, sort=True).dropna()
    cov = both["asset"].rolling(window).cov(both["market"])
    var = both["market"].rolling(window).var()
    corr = both["asset"].rolling(window).corr(both["market"])
    return pd.DataFrame({"beta": cov / var, "correlation": corr}).dropna()


# ---------------------------------------------------------------------- charts


def reported_flows_chart(flows: pd.DataFrame, tech: list[str], as_of: str):
    """Reported 2025 year-to-date flows by ETF, tech and broad coloured apart."""
    fig, axis = new_figure(figsize=(8, 4))
    ordered = flows.sort_values("flow_bn")
    colours = [GROUP_COLOURS["China tech"] if t in tech else GROUP_COLOURS["China broad"] for t in ordered["ticker"]]
    axis.barh(ordered["ticker"], ordered["flow_bn"], color=colours)
    for position, value in enumerate(ordered["flow_bn"]):
        axis.annotate(f"{value:+.2f}", (value, position), xytext=(4 if value >= 0 else -4, 0),
                      textcoords="offset points", ha="left" if value >= 0 else "right", va="center", fontsize=9)
    axis.axvline(0, color="black", linewidth=0.8)
    low, high = ordered["flow_bn"].min(), ordered["flow_bn"].max()
    axis.set_xlim(min(low, 0) * 1.3 - 0.1, max(high, 0) * 1.3 + 0.1)  # room for the labels
    axis.set_xlabel("Net flow, USD bn (2025 year to date, as reported)")
    axis.set_title("Reported flows: tech ETFs in, broad ETFs out")
    axis.grid(axis="y", visible=False)
    source_note(fig, "Cailian Press (reported year-to-date figures; exact data date not stated)", as_of)
    return fig


def activity_chart(dollar_volume: pd.DataFrame, events: dict[str, pd.Timestamp], as_of: str):
    """20-day average dollar volume of each ETF, with event days marked."""
    fig, axis = new_figure(figsize=(9, 4.4))
    colours = list(PALETTE.values())
    for colour, ticker in zip(colours, dollar_volume.columns):
        smooth = dollar_volume[ticker].rolling(20).mean() / 1e6
        axis.plot(smooth.index, smooth.to_numpy(), color=colour, linewidth=1.5, label=ticker)
    for label, day in events.items():
        axis.axvline(day, color=PALETTE["grey"], linestyle="--", linewidth=0.9)
        axis.annotate(label, (day, 0.02), xycoords=("data", "axes fraction"), rotation=90, va="bottom", ha="right",
                      fontsize=8, color=PALETTE["grey"])
    axis.set_yscale("log")
    plain_log_axis(axis.yaxis)
    axis.set_ylabel("USD mn per day (20-day average, log)")
    axis.set_title("Trading activity: dollar volume of the China ETFs")
    axis.legend(loc="upper left", ncol=3, fontsize=8)
    source_note(fig, "daily bars (close x volume, primary source only)", as_of)
    return fig


def divergence_chart(tech: pd.Series, broad: pd.Series, rolling: pd.DataFrame, labels: tuple[str, str],
                     benchmark: str, as_of: str):
    """Top: cumulative returns of the two groups. Bottom: rolling beta of tech to US tech."""
    fig, (top, bottom) = new_figure(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
    top.plot(tech.index, tech.to_numpy(), color=GROUP_COLOURS["China tech"], linewidth=2, label=labels[0])
    top.plot(broad.index, broad.to_numpy(), color=GROUP_COLOURS["China broad"], linewidth=2, label=labels[1])
    top.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    percent_axis(top.yaxis)
    top.set_title("China tech vs broad China ETFs (equal weight, total return)")
    top.legend(loc="upper left")
    bottom.plot(rolling.index, rolling["beta"].to_numpy(), color=PALETTE["blue"], linewidth=1.5,
                label=f"beta of tech group to {benchmark}")
    bottom.plot(rolling.index, rolling["correlation"].to_numpy(), color=PALETTE["purple"], linewidth=1.5,
                label=f"correlation with {benchmark}")
    bottom.axhline(0, color=PALETTE["grey"], linewidth=0.8)
    bottom.set_title("Rolling beta and correlation to US tech", fontsize=10)
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    source_note(fig, "adjusted daily closes", as_of)
    return fig


def event_label(events: pd.DataFrame, day: str, sessions: pd.DatetimeIndex) -> str:
    """The name of the event whose first US session is ``day`` (from the events table),
    or the date itself when no listed event starts then."""
    from .event_study import day_zero_position

    target = pd.Timestamp(day)
    for _, event in events.sort_values("date").iterrows():
        if event["date"] > sessions[-1]:
            continue
        position = day_zero_position(sessions, event["date"], after_close=bool(event["after_us_close"]))
        if sessions[position] == target:
            return str(event["event"])
    return f"session of {target.date()}"


def dollar_volume(tickers: list[str]) -> pd.DataFrame:
    """Daily dollar volume (unadjusted close times shares traded, primary source only),
    one column per ticker."""
    from . import data

    return pd.DataFrame({
        ticker: data.prices(ticker, field="close", strict=False)[ticker]
        * data.prices(ticker, field="volume", strict=False)[ticker].astype("float64")
        for ticker in tickers
    })


def implied_share_checks(reported: pd.DataFrame) -> pd.DataFrame:
    """Every reported share count set against assets / market close on the same date."""
    from . import data

    rows = []
    for row in reported[reported["metric"].str.contains("shares outstanding", case=False)].itertuples():
        ticker = ticker_of(row.subject)
        same_day = aum_snapshots(reported, ticker) if ticker else pd.DataFrame()
        same_day = same_day[same_day["date"] == row.as_of_start] if len(same_day) else same_day
        if same_day.empty:
            continue
        close_day, close = close_on_or_before(data.prices(ticker, field="close", strict=False)[ticker],
                                              row.as_of_start)
        implied = implied_shares_mn(same_day["aum_bn"].iloc[0], close)
        rows.append({"ticker": ticker, "date": row.as_of, "assets (USD bn)": same_day["aum_bn"].iloc[0],
                     "close (USD)": close, "close date": close_day.date().isoformat(),
                     "implied shares (mn)": implied, "reported shares (mn)": row.value,
                     "difference %": 100 * (implied / row.value - 1)})
    return pd.DataFrame(rows)


def period_return(returns: pd.DataFrame, start: str, end: str) -> float:
    """Return of an equal-weight, daily-rebalanced group over the sessions from ``start`` to ``end``."""
    window = returns.loc[start:end]
    if window.dropna(how="any").empty:
        raise ValueError(f"no session with every member's return between {start} and {end}")
    return float(group_index(window).iloc[-1])
