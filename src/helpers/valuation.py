"""Chapter 2's analyses: basket P/Es, discounts, sector valuations through time,
reversion arithmetic, the earnings-vs-multiple decomposition and provider dispersion.

Every P/E keeps its provider, metric (trailing, forward or unspecified) and date. A
basket's P/E is aggregated correctly: the P/E of a portfolio is its value over its
earnings, i.e. the (weighted) harmonic mean of the members' P/Es, never their average.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from . import data
from .style import GROUP_COLOURS, PALETTE, new_figure, plain_log_axis, source_note

METRICS = ("trailing", "forward", "unspecified")


# ---------------------------------------------------------------------- aggregation


def harmonic_mean_pe(pes: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """P/E of a portfolio holding the members in proportion to ``weights`` (equal if None):
    ``sum(w) / sum(w / PE)``, i.e. total value over total earnings.

    A non-positive P/E (losses) has no meaningful inverse here and is refused.
    """
    values = np.asarray(pes, dtype=float)
    if len(values) == 0:
        raise ValueError("no P/E to aggregate")
    if np.any(~np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"P/Es must be positive and finite, got {values.tolist()}")
    w = np.ones_like(values) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != values.shape or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative, one per P/E, not all zero")
    return float(w.sum() / (w / values).sum())


def aggregate_pe(market_caps: Sequence[float], earnings: Sequence[float]) -> float:
    """Total market capitalisation over total earnings."""
    return float(np.sum(market_caps) / np.sum(earnings))


def discount_percent(pe: float, reference_pe: float) -> float:
    """How far ``pe`` lies below ``reference_pe``, in percent of the reference."""
    return (1 - pe / reference_pe) * 100


def reversion_change_percent(current_pe: float, target_pe: float, earnings_growth_percent: float = 0.0) -> float:
    """Price change (percent) if the P/E moved from ``current_pe`` to ``target_pe`` while
    earnings grew by ``earnings_growth_percent``: ``(1 + g) * target / current - 1``."""
    return ((1 + earnings_growth_percent / 100) * target_pe / current_pe - 1) * 100


@dataclass(frozen=True)
class Decomposition:
    """Price (or value) change split into earnings growth and multiple change.

    Multiplicatively ``1 + price = (1 + earnings) (1 + multiple)``; in logs the two
    contributions add up exactly to the log price change.
    """

    price_percent: float
    earnings_percent: float
    multiple_percent: float
    log_price: float
    log_earnings: float
    log_multiple: float


def decompose(value_start: float, value_end: float, pe_start: float, pe_end: float) -> Decomposition:
    """Split the change of a price (or market value) into earnings and P/E."""
    earnings_ratio = (value_end / pe_end) / (value_start / pe_start)
    multiple_ratio = pe_end / pe_start
    price_ratio = value_end / value_start
    return Decomposition(
        price_percent=(price_ratio - 1) * 100, earnings_percent=(earnings_ratio - 1) * 100,
        multiple_percent=(multiple_ratio - 1) * 100, log_price=math.log(price_ratio),
        log_earnings=math.log(earnings_ratio), log_multiple=math.log(multiple_ratio),
    )


# ---------------------------------------------------------------------- observations


def provider(source: str) -> str:
    """The provider of a figure: the web site of its source (``stockanalysis.com``)."""
    host = urlparse(str(source).split(" ")[0]).netloc or str(source)
    return re.sub(r"^www\.", "", host)


def companies() -> pd.DataFrame:
    """Every company of the reported baskets with its aliases (tickers and names)."""
    frames = [data.basket(name).assign(basket=name) for name in ("seven_titans", "magnificent_seven")]
    return pd.concat(frames, ignore_index=True)


def _company_matcher():
    table = companies()
    patterns = {
        row.company: re.compile(r"(?<![\w.])(" + "|".join(re.escape(a) for a in row.aliases.split(";")) + r")(?![\w])",
                                re.IGNORECASE)
        for row in table.itertuples()
    }

    def match(*texts: str) -> str | None:
        found = {company for company, pattern in patterns.items() for text in texts if text and pattern.search(str(text))}
        return found.pop() if len(found) == 1 else None

    return match


def _reported_metric(metric: str) -> str | None:
    text = metric.lower()
    if "p/e" not in text or re.search(r"percentile|average|high|gap|median|fy20|historical", text):
        return None
    if "forward" in text:
        return "forward"
    if "ttm" in text or "trailing" in text:
        return "trailing"
    return "unspecified"


def observations() -> pd.DataFrame:
    """Every company P/E in the snapshot, one row per figure, with company, date, metric,
    value, provider, source, dataset and a note (fiscal-year-end vs current, etc.)."""
    match = _company_matcher()
    rows: list[dict] = []

    def add(company, date, metric, value, source, dataset, note="", precision="day"):
        if company and pd.notna(value) and pd.notna(date):
            rows.append({"company": company, "date": pd.Timestamp(date), "metric": metric, "pe": float(value),
                         "provider": provider(source), "source": source, "dataset": dataset, "note": note,
                         "date_precision": precision})

    snapshots = data.table("stock_valuation_snapshots")
    for row in snapshots.itertuples():
        company = match(row.ticker)
        add(company, row.date, "trailing", row.pe_trailing, row.source, "stock_valuation_snapshots", row.basis)
        add(company, row.date, "forward", row.pe_forward, row.source, "stock_valuation_snapshots", row.basis)
    reported = data.table("reported_figures")
    for row in reported.itertuples():
        metric = _reported_metric(row.metric)
        if metric and row.unit == "x":
            add(match(row.subject), row.as_of_start, metric, row.value, row.source, "reported_figures",
                row.metric, row.as_of_precision)
    for row in data.table("stock_pe_daily_gurufocus_2025").itertuples():
        add(match(row.ticker), row.date, "trailing", row.pe_ttm, row.source, "stock_pe_daily_gurufocus_2025")
    for row in data.table("stock_pe_yearend_companiesmarketcap").itertuples():
        add(match(row.ticker), row.date, "trailing", row.pe_ttm_year_end, row.source,
            "stock_pe_yearend_companiesmarketcap", "year end")
    quarterly = data.table("stock_pe_quarterly_stockanalysis")
    for row in quarterly.itertuples():
        current = row.period_label == "Current"
        date = row.page_date if current else row.period_end_month_start + pd.offsets.MonthEnd(0)
        note = "current" if current else f"quarter end {row.period_label}"
        precision = "day" if current else "month"
        add(match(row.ticker), date, "trailing", row.pe_trailing, row.source, "stock_pe_quarterly_stockanalysis",
            note, precision)
        add(match(row.ticker), date, "forward", row.pe_forward, row.source, "stock_pe_quarterly_stockanalysis",
            note, precision)
    for row in data.table("stock_pe_ttm_eps_macrotrends").itertuples():
        add(match(row.ticker), row.date, "trailing", row.pe_ttm, row.source, "stock_pe_ttm_eps_macrotrends")
    frame = pd.DataFrame(rows)
    return frame.sort_values(["company", "date", "metric", "provider"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- baskets


def basket_snapshot(obs: pd.DataFrame, members: Sequence[str], metric: str, on: str, max_age_days: int,
                    include_unspecified: bool = False) -> pd.DataFrame:
    """For each member, the latest figure of ``metric`` dated on or before ``on`` and at most
    ``max_age_days`` old. Figures from several providers on that same date are all kept
    (the basket uses their mean, and the table shows each).

    Members without a usable figure get a row with ``pe`` NaN and the reason.
    """
    if metric not in ("trailing", "forward"):
        raise ValueError(f"metric must be trailing or forward, got {metric!r}")
    day = pd.Timestamp(on)
    wanted = [metric, "unspecified"] if include_unspecified else [metric]
    rows = []
    for company in members:
        candidates = obs[(obs["company"] == company) & obs["metric"].isin(wanted) & (obs["date"] <= day)]
        recent = candidates[candidates["date"] >= day - pd.Timedelta(days=max_age_days)]
        if recent.empty:
            last = candidates["date"].max()
            reason = (f"no {metric} P/E in the snapshot" if pd.isna(last)
                      else f"latest {metric} P/E is from {last.date()}, older than {max_age_days} days")
            rows.append({"company": company, "date": pd.NaT, "metric": metric, "pe": np.nan,
                         "provider": "", "age_days": np.nan, "note": reason})
            continue
        latest = recent[recent["date"] == recent["date"].max()]
        for row in latest.itertuples():
            rows.append({"company": company, "date": row.date, "metric": row.metric, "pe": row.pe,
                         "provider": row.provider, "age_days": (day - row.date).days, "note": row.note})
    return pd.DataFrame(rows)


def basket_pe(snapshot: pd.DataFrame) -> float:
    """Equal-weight basket P/E: the harmonic mean of the members' P/Es (each member's
    providers averaged first). NaN when no member has a figure."""
    per_member = snapshot.dropna(subset=["pe"]).groupby("company")["pe"].mean()
    return harmonic_mean_pe(per_member.to_numpy()) if len(per_member) else math.nan


def leave_one_out(snapshot: pd.DataFrame) -> pd.Series:
    """The basket P/E with each member left out in turn."""
    per_member = snapshot.dropna(subset=["pe"]).groupby("company")["pe"].mean()
    return pd.Series({company: harmonic_mean_pe(per_member.drop(company).to_numpy())
                      for company in per_member.index if len(per_member) > 1}, name="P/E without")


# ---------------------------------------------------------------------- sector series


def sector_pe(sws: pd.DataFrame, markets: Sequence[str]) -> pd.DataFrame:
    """Monthly P/E of Simply Wall St universes: both the market cap over earnings
    (``aggregate``) and the site's own ``pe`` column, one value per market and month
    (the last crawl of the month)."""
    frame = sws[sws["market"].isin(markets)].copy()
    frame["aggregate"] = frame["market_cap_bn"] / frame["earnings_bn"]
    frame["month"] = frame["date"].dt.to_period("M").dt.to_timestamp()
    last = frame.sort_values("date").groupby(["market", "month"]).tail(1)
    return last.pivot(index="month", columns="market", values=["aggregate", "pe"])


# ---------------------------------------------------------------------- charts


def basket_chart(china: pd.DataFrame, us: pd.DataFrame, china_pe: float, us_pe: float, labels: tuple[str, str],
                 metric: str, on: str, as_of: str):
    """Each member's P/E as a dot on its own row, and each basket's harmonic-mean P/E as a
    dashed line across its rows."""
    fig, axis = new_figure(figsize=(9, 5.2))
    row, ticks, names = 0, [], []
    for frame, pe, label, group in ((us, us_pe, labels[1], "US AI"), (china, china_pe, labels[0], "China tech")):
        colour = GROUP_COLOURS[group]
        usable = frame.dropna(subset=["pe"]).groupby("company")["pe"].mean().sort_values()
        first = row
        for company, value in usable.items():
            axis.scatter([value], [row], color=colour, s=40, zorder=3)
            axis.annotate(f"{value:.1f}", (value, row), xytext=(6, 0), textcoords="offset points", va="center",
                          fontsize=8, color=colour)
            ticks.append(row)
            names.append(company)
            row += 1
        if math.isfinite(pe):
            axis.plot([pe, pe], [first - 0.4, row - 0.6], color=colour, linestyle="--", linewidth=1.6)
            axis.annotate(f"{label}: {pe:.1f}x", (pe, row - 0.6), xytext=(0, 4), textcoords="offset points",
                          ha="center", fontsize=9, fontweight="bold", color=colour)
        row += 1
    axis.set_yticks(ticks, names)
    axis.set_xscale("log")
    plain_log_axis(axis.xaxis)
    axis.set_xlabel(f"{metric.capitalize()} P/E (log scale)")
    axis.set_title(f"Members' P/Es and the basket P/E (harmonic mean), latest figures up to {on}")
    axis.grid(axis="y", visible=False)
    source_note(fig, "P/E figures by provider (see the membership table); equal-weight harmonic mean", as_of)
    return fig


def sector_chart(aggregate: pd.DataFrame, own: pd.DataFrame, as_of: str):
    """Two panels: market cap over earnings, and the provider's own P/E column."""
    fig, (left, right) = new_figure(1, 2, figsize=(10, 4.2), sharex=True)
    colours = {"US Tech sector": GROUP_COLOURS["US AI"], "Hong Kong Tech sector": GROUP_COLOURS["China tech"],
               "China Tech sector": GROUP_COLOURS["China broad"]}
    for axis, frame, title in ((left, aggregate, "Market cap / earnings"), (right, own, "Provider's 'P/E' column")):
        for market in frame.columns:
            series = frame[market].dropna()
            axis.plot(series.index, series.to_numpy(), marker="o", markersize=3, linewidth=1.6,
                      color=colours.get(market, PALETTE["grey"]), label=market)
        axis.set_title(title, fontsize=10)
        axis.tick_params(axis="x", labelsize=8, rotation=30)
    left.set_ylabel("P/E (x)")
    left.legend(loc="upper left", fontsize=8)
    fig.suptitle("Sector P/E through time (Simply Wall St universes)", x=0.0, ha="left", fontweight="bold")
    fig.tight_layout()
    source_note(fig, "Simply Wall St sector pages (stored crawls)", as_of)
    return fig


def dispersion_chart(points: pd.DataFrame, subject: str, as_of: str):
    """P/E figures for one subject by date, one marker colour per provider."""
    fig, axis = new_figure(figsize=(9, 4.2))
    colours = list(PALETTE.values())
    for colour, (name, group) in zip(colours * 3, points.groupby("provider", sort=True)):
        axis.scatter(group["date"], group["value"], color=colour, s=40, label=name, zorder=3)
    axis.set_ylabel("P/E (x)")
    axis.set_title(f"{subject}: the same ratio from different providers")
    axis.legend(loc="upper left", fontsize=7, ncol=2)
    axis.tick_params(axis="x", labelsize=8, rotation=30)
    source_note(fig, "reported figures with their providers (reported_figures)", as_of)
    return fig


# ---------------------------------------------------------------------- index figures and dispersion


def index_figures(subject_pattern: str, *, statistics: bool = False) -> pd.DataFrame:
    """Reported P/E figures of an index whose subject matches ``subject_pattern`` (regex,
    case-insensitive), with provider. ``statistics=True`` returns the averages and
    percentiles reported alongside instead of the P/E levels."""
    reported = data.table("reported_figures")
    rows = reported[reported["subject"].str.contains(subject_pattern, case=False, regex=True)
                    & reported["metric"].str.contains("P/E", regex=False)]
    is_statistic = rows["metric"].str.contains("percentile|average|median|gap", case=False, regex=True)
    rows = rows[is_statistic] if statistics else rows[~is_statistic & (rows["unit"] == "x")]
    return pd.DataFrame({
        "date": rows["as_of_start"], "date_precision": rows["as_of_precision"], "subject": rows["subject"],
        "metric": rows["metric"], "value": rows["value"], "unit": rows["unit"],
        "provider": rows["source"].map(provider),
    }).sort_values("date", kind="stable").reset_index(drop=True)


def figures_near(figures: pd.DataFrame, on: str, days: int) -> pd.DataFrame:
    """Figures dated within ``days`` of ``on`` (either side)."""
    day = pd.Timestamp(on)
    return figures[(figures["date"] - day).abs() <= pd.Timedelta(days=days)]


def provider_pairs(obs: pd.DataFrame, max_days_apart: int = 0) -> pd.DataFrame:
    """The same company and metric from two different providers dated at most
    ``max_days_apart`` apart (the default, 0, isolates the providers' difference from price
    moves): the spread in percent of the lower figure."""
    rows = []
    for (company, metric), group in obs.groupby(["company", "metric"]):
        group = group.sort_values("date")
        records = list(group.itertuples())
        for i, first in enumerate(records):
            for second in records[i + 1:]:
                apart = (second.date - first.date).days
                if apart > max_days_apart:
                    break
                if first.provider != second.provider:
                    rows.append({"company": company, "metric": metric, "date 1": first.date.date().isoformat(),
                                 "provider 1": first.provider, "P/E 1": first.pe,
                                 "date 2": second.date.date().isoformat(), "provider 2": second.provider,
                                 "P/E 2": second.pe, "days apart": apart,
                                 "spread %": abs(second.pe - first.pe) / min(first.pe, second.pe) * 100})
    return pd.DataFrame(rows)


def own_history(year_end: pd.Series, current: float, years: int) -> dict[str, float]:
    """A current P/E against the average of the last ``years`` year-end P/Es."""
    recent = year_end.sort_index().iloc[-years:]
    return {"current": float(current), "average": float(recent.mean()), "low": float(recent.min()),
            "high": float(recent.max()), "first_year": int(recent.index[0].year),
            "last_year": int(recent.index[-1].year), "years": len(recent)}


def compare_baskets(obs: pd.DataFrame, china_members: Sequence[str], us_members: Sequence[str], metric: str, on: str,
                    *, max_age_days: int, include_unspecified: bool = False) -> dict:
    """Both baskets on one date: the members' figures, the basket P/Es, the members with a
    figure, and the discount of the first basket to the second (percent)."""
    china = basket_snapshot(obs, china_members, metric, on, max_age_days, include_unspecified)
    us = basket_snapshot(obs, us_members, metric, on, max_age_days, include_unspecified)
    counted = (china.dropna(subset=["pe"])["company"].nunique(), us.dropna(subset=["pe"])["company"].nunique())
    china_pe, us_pe = basket_pe(china), basket_pe(us)
    discount = discount_percent(china_pe, us_pe) if math.isfinite(china_pe) and math.isfinite(us_pe) else math.nan
    return {"china": china, "us": us, "china_pe": china_pe, "us_pe": us_pe, "counted": counted, "discount": discount}
