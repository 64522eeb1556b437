"""Every chapter's parameters, declared once, and their validation.

A chapter's ``parameters`` cell holds the defaults declared here (a test keeps them in
step). The runner validates overrides with :func:`validate` *before* anything executes;
each problem becomes one line naming the parameter and the fix, for example::

    event_date: '2031-01-01' is after the snapshot's last date 2026-07-13; use a date up to 2026-07-13

List a chapter's parameters with ``python -m helpers.build --list CHAPTER``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandas as pd

from .errors import BookError, ParameterError

Problem = tuple[str, str]  # (parameter name, message with the fix)


@dataclass(frozen=True)
class Param:
    """One parameter: its type (``kind``), default, allowed values or range, and help."""

    name: str
    kind: str  # date | dates | int | float | str | bool | ticker | tickers | choice | choices | windows
    default: Any
    help: str
    choices: Sequence[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        allowed = ""
        if self.choices is not None:
            allowed = f"; one of {', '.join(map(str, self.choices))}" if self.kind == "choice" else \
                f"; any of {', '.join(map(str, self.choices))}"
        elif self.minimum is not None or self.maximum is not None:
            allowed = f"; range [{self.minimum if self.minimum is not None else '-inf'}, " \
                      f"{self.maximum if self.maximum is not None else 'inf'}]"
        return f"{self.name} ({self.kind}, default {self.default!r}{allowed}): {self.help}"


@dataclass(frozen=True)
class ChapterSpec:
    """A chapter's parameters plus checks that involve several of them or the data."""

    chapter: str
    params: tuple[Param, ...]
    checks: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = field(default=())
    # Pages that read other pages' executed notebooks (summary, ledger) run after them.
    reads_pages: bool = False

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}


# ---------------------------------------------------------------------- coercion


def _coerce(param: Param, value: Any) -> tuple[Any, str | None]:
    """Return (normalised value, None) or (None, message)."""
    kind = param.kind
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat(), None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat(), None
            except ValueError:
                pass
        return None, f"{value!r} is not a date; write it as YYYY-MM-DD"
    if kind == "dates":
        values = [value] if isinstance(value, (str, dt.date)) else value
        if not isinstance(values, (list, tuple)) or not values:
            return None, "give a non-empty list of dates written as YYYY-MM-DD"
        normalised = []
        for item in values:
            one, message = _coerce(Param(param.name, "date", None, ""), item)
            if message:
                return None, message
            normalised.append(one)
        if len(set(normalised)) < len(normalised):
            return None, "a date is listed twice; list each date once"
        return normalised, None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                return None, f"{value!r} is not a whole number; give an integer"
        return _in_range(param, value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{value!r} is not a number"
        return _in_range(param, float(value))
    if kind == "bool":
        if not isinstance(value, bool):
            return None, f"{value!r} is not true/false"
        return value, None
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            return None, f"{value!r} is not a non-empty text"
        return value, None
    if kind == "choice":
        if value not in param.choices:
            hint = difflib.get_close_matches(str(value), [str(c) for c in param.choices], n=1)
            return None, f"{value!r} is not allowed; choose one of {', '.join(map(str, param.choices))}" + (
                f" (did you mean {hint[0]!r}?)" if hint else "")
        return value, None
    if kind == "choices":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)) or not values:
            return None, "give a non-empty list"
        bad = [v for v in values if v not in param.choices]
        if bad:
            return None, f"{', '.join(map(repr, bad))} not allowed; choose from {', '.join(map(str, param.choices))}"
        return list(values), None
    if kind == "windows":
        return _windows(param, value)
    if kind in ("ticker", "tickers"):
        from . import data  # imported here: validating a date must not need the snapshot

        values = [value] if isinstance(value, str) else value
        if kind == "ticker" and not isinstance(value, str):
            return None, f"{value!r} is not a ticker; give one ticker as text"
        if not isinstance(values, (list, tuple)) or not values or not all(isinstance(v, str) for v in values):
            return None, "give a non-empty list of tickers"
        known = {t.upper(): t for t in data.tickers("closes")}
        unknown = [v for v in values if v.upper() not in known]
        if unknown:
            hints = []
            for v in unknown:
                close = difflib.get_close_matches(v.upper(), list(known), n=3, cutoff=0.5)
                hints.append(f"{v!r}" + (f" (did you mean {', '.join(known[c] for c in close)}?)" if close else ""))
            return None, f"not in the snapshot: {'; '.join(hints)}; list tickers with helpers.data.tickers()"
        normalised = [known[v.upper()] for v in values]
        return (normalised[0] if kind == "ticker" else normalised), None
    raise ValueError(f"parameter {param.name}: unknown kind {kind!r}")


def _windows(param: Param, value: Any) -> tuple[Any, str | None]:
    """A list of ``[start, end]`` session offsets around day 0, start <= end, within range."""
    example = "for example [[0, 0], [0, 5], [-5, 20]]"
    if not isinstance(value, (list, tuple)) or not value:
        return None, f"{value!r} is not a list of [start, end] windows; write {example}"
    windows = []
    for item in value:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(d, int) and not isinstance(d, bool) for d in item)):
            return None, f"{item!r} is not a [start, end] pair of whole numbers; write {example}"
        start, end = item
        if start > end:
            return None, f"window [{start}, {end}] ends before it starts; write it as [{end}, {start}]"
        for day in (start, end):
            if (param.minimum is not None and day < param.minimum) or (param.maximum is not None and day > param.maximum):
                return None, f"window [{start}, {end}] reaches beyond days {param.minimum:g}..{param.maximum:g}"
        windows.append([start, end])
    if len({tuple(w) for w in windows}) < len(windows):
        return None, "a window is listed twice; list each window once"
    return windows, None


def _in_range(param: Param, value: float) -> tuple[Any, str | None]:
    if param.minimum is not None and value < param.minimum:
        return None, f"{value} is below the minimum {param.minimum}"
    if param.maximum is not None and value > param.maximum:
        return None, f"{value} is above the maximum {param.maximum}"
    return value, None


# ---------------------------------------------------------------------- validation


def validate(chapter: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults merged with ``overrides``, checked; raises :class:`ParameterError` listing
    every problem, one line each, before anything is executed."""
    spec = spec_for(chapter)
    overrides = dict(overrides or {})
    params = spec.by_name()
    problems: list[Problem] = []
    for name in overrides:
        if name not in params:
            close = difflib.get_close_matches(name, list(params), n=1)
            fix = f"did you mean {close[0]!r}?" if close else \
                f"{chapter} takes: {', '.join(params) or 'no parameters'}"
            problems.append((name, f"unknown parameter; {fix}"))
    values: dict[str, Any] = {}
    for name, param in params.items():
        value, message = _coerce(param, overrides.get(name, param.default))
        if message:
            problems.append((name, message))
        else:
            values[name] = value
    # Checks run in order, from simple to data-dependent, and stop at the first that
    # finds problems: later checks assume the earlier ones hold (dates inside the
    # snapshot before the sessions around them are counted).
    for check in spec.checks if not problems else ():
        problems.extend(check(values))
        if problems:
            break
    if problems:
        lines = [f"{name}: {message}" for name, message in problems]
        raise ParameterError(f"invalid parameters for chapter {chapter!r}:\n  " + "\n  ".join(lines))
    return values


def spec_for(chapter: str) -> ChapterSpec:
    """The declared parameters of a chapter (by its file stem, e.g. ``data_appendix``)."""
    if chapter not in CHAPTERS:
        close = difflib.get_close_matches(chapter, list(CHAPTERS), n=1)
        raise ParameterError(
            f"unknown chapter {chapter!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            + f" Chapters: {', '.join(CHAPTERS)}"
        )
    return CHAPTERS[chapter]


# ---------------------------------------------------------------------- shared checks


def dates_in_order(first: str, second: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that date parameter ``first`` comes strictly before ``second``."""

    def check(values: dict[str, Any]) -> list[Problem]:
        if values[first] >= values[second]:
            return [(second, f"{values[second]} is not after {first}={values[first]}; "
                             f"make {second} later than {first}")]
        return []

    return check


def dates_within_snapshot(*names: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that each named date lies within the snapshot's daily closes."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data

        coverage = data.coverage().frame
        closes = coverage[coverage["kind"] == "closes"]
        first, last = closes["first"].min().date().isoformat(), data.as_of()
        problems = []
        for name in names:
            if values[name] > last:
                problems.append((name, f"{values[name]!r} is after the snapshot's last date {last}; "
                                       f"use a date up to {last} (or refresh the snapshot)"))
            elif values[name] < first:
                problems.append((name, f"{values[name]!r} is before the snapshot's first date {first}; "
                                       f"use a date from {first}"))
        return problems

    return check


def estimation_before_windows(gap: str, windows: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that the estimation window (ending ``gap`` sessions before day 0) ends
    before the earliest event window starts."""

    def check(values: dict[str, Any]) -> list[Problem]:
        earliest = min(start for start, _ in values[windows])
        if values[gap] < -earliest:
            return [(gap, f"{values[gap]} leaves the estimation window overlapping the window starting on day "
                          f"{earliest}; use at least {-earliest}")]
        return []

    return check


def event_study_fits(event_date: str, after_close: str, groups: Sequence[str], benchmark: str,
                     benchmarks: str, estimation_length: str, gap: str,
                     windows: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that every ticker has the sessions the event study needs around the event:
    the estimation window before day 0 and the longest window after it."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data
        from .event_study import market_of, study_firm

        settings = dict(estimation_length=values[estimation_length], gap=values[gap],
                        first_day=min(a for a, _ in values[windows]), last_day=max(b for _, b in values[windows]),
                        after_close=values[after_close])
        problems: list[Problem] = []

        def fits(name: str, ticker: str, market_ticker: str | None) -> None:
            try:
                asset = data.returns(ticker, strict=False)[ticker]
                market = None if market_ticker is None else data.returns(market_ticker, strict=False)[market_ticker]
                study_firm(asset, market, values[event_date], ticker=ticker, **settings)
            except (BookError, ValueError) as error:
                problems.append((name, f"{error}"))

        for bench in dict.fromkeys([values[benchmark], *values[benchmarks]]):
            fits(benchmark if bench == values[benchmark] else benchmarks, bench, None)
        if problems:
            return problems
        for group in groups:
            for ticker in values[group]:
                fits(group, ticker, values[benchmark] if market_of(ticker) == "US" else None)
        return problems

    return check


def horizon_fits(horizon: str, paths: Sequence[tuple[str, str]]) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that, for each (tickers, event date) pair, at least one ticker has
    ``horizon`` sessions of closes after day 0."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from .deepseek import sessions_after

        problems: list[Problem] = []
        for tickers_name, date_name in paths:
            longest = int(sessions_after(values[tickers_name], values[date_name]).max())
            if values[horizon] > longest:
                problems.append((horizon, f"{values[horizon]} sessions after {date_name}={values[date_name]} is "
                                          f"beyond the data of every ticker in {tickers_name}; use at most {max(longest, 0)}"))
        return problems

    return check


# ---------------------------------------------------------------------- the chapters

SEVEN_TITANS = ("Alibaba", "Tencent", "Xiaomi", "BYD", "SMIC", "JD.com", "NetEase")
MAGNIFICENT_SEVEN = ("Apple", "Microsoft", "Alphabet", "Amazon", "Meta", "Nvidia", "Tesla")
PRICE_SERIES = ("cn_cpi_yoy_m", "cn_ppi_yoy_m", "cn_cpi_yoy_m_imf_computed")
DATASET_KINDS = ("closes", "bars", "dividends", "macro", "valuation", "reported")

def enough_quarters(start: str, ticker: str, minimum: int = 8) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that at least ``minimum`` quarters of the equity's y/y change and of nominal
    GDP growth (both vintages together) start on or after the start date."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data
        from .macro import quarterly_yoy_returns

        equity = quarterly_yoy_returns(data.prices(values[ticker], strict=False)[values[ticker]])
        nominal = pd.concat([data.macro("cn_nominal_gdp_yoy_q_eastmoney_computed"),
                             data.macro("cn_nominal_gdp_yoy_q_nbs_computed")])
        common = sorted(set(equity.index) & set(nominal.index))
        usable = [d for d in common if d >= pd.Timestamp(values[start])]
        if len(usable) < minimum:
            latest = common[-minimum].date().isoformat() if len(common) >= minimum else None
            fix = f"use a date up to {latest}" if latest else f"choose a ticker with a longer history than {values[ticker]}"
            return [(start, f"{values[start]} leaves {len(usable)} quarters of {values[ticker]} and nominal GDP "
                            f"growth (at least {minimum} needed); {fix}")]
        return []

    return check


def dates_within_table(table: str, *names: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that each named date lies within the dates of a valuation or reported table."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data

        dataset = data.describe(next(k for k in data.table_names() if k.split("/")[1] == table))
        first, last = data.period_start(dataset.first).date().isoformat(), data.period_start(dataset.last).date().isoformat()
        return [(name, f"{values[name]} is outside {table} ({first}..{last}); use a date in that range")
                for name in names if not first <= values[name] <= last]

    return check


def activity_fits(tickers: Sequence[str], dates: str, baseline: str, gap: str, first: str,
                  last: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that each ETF has daily volume covering the baseline and window of each event."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data
        from .flows import abnormal_volume, dollar_volume

        problems: list[Problem] = []
        names = [t for group in tickers for t in values[group]]
        with_bars = set(data.tickers("bars"))
        for group in tickers:
            missing = [t for t in values[group] if t not in with_bars]
            if missing:
                problems.append((group, f"{', '.join(missing)} has no daily volume in the snapshot; choose from "
                                        f"the tickers with daily bars: {', '.join(sorted(t for t in with_bars if t.isalpha()))}"))
        if problems:
            return problems
        if values[first] > values[last]:
            return [(last, f"{values[last]} is before {first}={values[first]}; the window must end after it starts")]
        for ticker in dict.fromkeys(names):
            bars = dollar_volume([ticker])[ticker]
            for day in values[dates]:
                try:
                    abnormal_volume(bars, day, baseline=values[baseline], gap=values[gap],
                                    window=(values[first], values[last]))
                except (ValueError, BookError) as error:
                    problems.append((dates, f"{day}: {error}"))
        return problems

    return check


def subset_of(part: str, whole: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that every value of list parameter ``part`` is also in ``whole``."""

    def check(values: dict[str, Any]) -> list[Problem]:
        extra = [v for v in values[part] if v not in values[whole]]
        return [(part, f"{', '.join(extra)} not in {whole}; add it there or remove it here")] if extra else []

    return check


def bubble_samples_fit(tickers: str, start: str, end: str, frequency: str, r0: str,
                       lags: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that every ticker has enough observations in the sample for r0 and lags."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data
        from .bubble import resample_closes
        from .psy import check_settings, default_r0

        problems: list[Problem] = []
        for ticker in values[tickers]:
            closes = data.prices(ticker, strict=False)[ticker].loc[values[start]:values[end]]
            series = resample_closes(closes, values[frequency])
            if len(series) < 20:
                problems.append((tickers, f"{ticker} has {len(series)} {values[frequency]} closes between "
                                          f"{values[start]} and {values[end]} (at least 20 needed); choose a longer sample or drop it"))
                continue
            try:
                check_settings(len(series), values[r0] or default_r0(len(series)), values[lags])
            except ValueError as error:
                problems.append((r0 if values[lags] == 0 else lags, f"{ticker}: {error}"))
        return problems

    return check


US_AI_LEADERS = ["NVDA", "MSFT", "AAPL", "GOOGL", "AMZN", "META", "TSLA", "SMH", "QQQ"]
CHINA_TECH = ["KWEB", "CQQQ", "BABA", "BIDU", "JD", "PDD", "NTES", "TCEHY", "BILI", "1024.HK", "1810.HK", "0981.HK"]

CHAPTERS: dict[str, ChapterSpec] = {
    "intro": ChapterSpec("intro", ()),
    "summary": ChapterSpec("summary", (), reads_pages=True),
    "claims_ledger": ChapterSpec("claims_ledger", (), reads_pages=True),
    "rerun": ChapterSpec("rerun", (), reads_pages=True),
    "references": ChapterSpec("references", ()),
    "data_appendix": ChapterSpec(
        "data_appendix",
        (
            Param("coverage_start", "date", "2016-01-01",
                  "left edge of the coverage chart (series starting earlier are clipped)"),
            Param("dataset_kinds", "choices", list(DATASET_KINDS),
                  "which kinds of dataset the coverage chart shows", choices=DATASET_KINDS),
        ),
    ),
    "deepseek": ChapterSpec(
        "deepseek",
        (
            Param("event_date", "date", "2025-01-27",
                  "the event; day 0 is each market's first session on (or after) this date"),
            Param("event_after_us_close", "bool", False,
                  "true when the news came after the US close: day 0 is then the next session"),
            Param("estimation_length", "int", 250, "sessions in the market-model estimation window",
                  minimum=60, maximum=1000),
            Param("estimation_gap", "int", 10, "sessions between the estimation window's end and day 0",
                  minimum=0, maximum=250),
            Param("windows", "windows", [[0, 0], [0, 1], [0, 5], [-5, 20], [0, 60]],
                  "event windows [start, end] in sessions around day 0", minimum=-60, maximum=250),
            Param("us_ai_tickers", "tickers", US_AI_LEADERS, "the US AI leaders group"),
            Param("china_tech_tickers", "tickers", CHINA_TECH,
                  "the Chinese tech group (Hong Kong listings use the constant-mean model)"),
            Param("benchmark", "ticker", "RSP", "the market model's benchmark for US-listed assets"),
            Param("sensitivity_benchmarks", "tickers", ["RSP", "QQQE", "SPY", "QQQ", "ACWI"],
                  "benchmarks compared in the sensitivity table"),
            Param("comparison_event_date", "date", "2022-11-30",
                  "the US moment the China event is compared with (ChatGPT's launch)"),
            Param("horizon_days", "int", 250, "sessions after day 0 in the two-moments chart",
                  minimum=5, maximum=1000),
        ),
        checks=(
            dates_within_snapshot("event_date", "comparison_event_date"),
            estimation_before_windows("estimation_gap", "windows"),
            event_study_fits("event_date", "event_after_us_close", ("us_ai_tickers", "china_tech_tickers"),
                             "benchmark", "sensitivity_benchmarks", "estimation_length", "estimation_gap", "windows"),
            horizon_fits("horizon_days", (("us_ai_tickers", "comparison_event_date"),
                                          ("china_tech_tickers", "event_date"))),
        ),
    ),
    "valuation": ChapterSpec(
        "valuation",
        (
            Param("valuation_date", "date", "2026-02-09", "the date the baskets are valued at (latest figures up to it)"),
            Param("metric", "choice", "trailing", "trailing or forward P/E for the headline", choices=("trailing", "forward")),
            Param("include_unspecified", "bool", True,
                  "count figures that do not say trailing or forward as the chosen metric"),
            Param("max_age_days", "int", 180, "oldest figure accepted for a member, in days", minimum=7, maximum=730),
            Param("min_members", "int", 5, "members with a figure needed for a basket P/E to be reported",
                  minimum=1, maximum=7),
            Param("china_members", "choices", list(SEVEN_TITANS), "the Chinese basket", choices=SEVEN_TITANS),
            Param("us_members", "choices", list(MAGNIFICENT_SEVEN), "the US basket", choices=MAGNIFICENT_SEVEN),
            Param("history_years", "int", 5, "year-ends in the own-history average", minimum=2, maximum=15),
            Param("decomposition_start", "date", "2025-01-01", "start of the earnings-vs-multiple decomposition"),
            Param("decomposition_end", "date", "2025-12-31", "end of the earnings-vs-multiple decomposition"),
        ),
        checks=(
            dates_in_order("decomposition_start", "decomposition_end"),
            dates_within_snapshot("valuation_date"),
            dates_within_table("sector_valuation_simplywallst", "decomposition_start", "decomposition_end"),
        ),
    ),
    "etf_flows": ChapterSpec(
        "etf_flows",
        (
            Param("tech_etfs", "tickers", ["KWEB", "CQQQ", "MCHI"], "the China tech ETFs (the reports' grouping)"),
            Param("broad_etfs", "tickers", ["FXI", "ASHR"], "the broad China ETFs"),
            Param("event_dates", "dates", ["2025-01-27", "2025-04-03", "2025-08-11"],
                  "first sessions of the events whose trading activity is measured"),
            Param("baseline_days", "int", 120, "sessions in the volume baseline", minimum=20, maximum=500),
            Param("gap_days", "int", 10, "sessions between the baseline's end and day 0", minimum=0, maximum=120),
            Param("window_start", "int", 0, "first day of the activity window", minimum=-20, maximum=20),
            Param("window_end", "int", 4, "last day of the activity window", minimum=-20, maximum=60),
            Param("performance_start", "date", "2024-12-31", "start of the performance comparison"),
            Param("us_tech_benchmark", "ticker", "QQQ", "US tech benchmark for the rolling beta"),
            Param("rolling_days", "int", 60, "window of the rolling beta and correlation", minimum=20, maximum=250),
        ),
        checks=(
            dates_within_snapshot("performance_start"),
            activity_fits(("tech_etfs", "broad_etfs"), "event_dates", "baseline_days", "gap_days",
                          "window_start", "window_end"),
        ),
    ),
    "bubble": ChapterSpec(
        "bubble",
        (
            Param("tickers", "tickers", ["KWEB", "CQQQ", "KSTR", "BABA", "NVDA", "SMH", "QQQ"],
                  "series tested (China tech first, then US AI)"),
            Param("china_tickers", "tickers", ["KWEB", "CQQQ", "KSTR", "BABA"],
                  "which of the tested series are Chinese (for colours and the verdict)"),
            Param("sample_start", "date", "2019-01-01", "first date of the test sample"),
            Param("sample_end", "date", "2026-07-13", "last date of the test sample"),
            Param("frequency", "choice", "weekly", "weekly (last close of each week) or daily closes",
                  choices=("weekly", "daily")),
            Param("r0", "float", 0.0, "smallest window as a sample fraction; 0 means PSY's rule 0.01 + 1.8/sqrt(T)",
                  minimum=0.0, maximum=0.5),
            Param("lags", "int", 0, "lagged differences in each ADF regression", minimum=0, maximum=12),
            Param("replications", "int", 2000, "Monte Carlo replications for the critical values",
                  minimum=99, maximum=20000),
            Param("seed", "int", 2015, "random seed of the critical values", minimum=0, maximum=2**31 - 1),
            Param("level", "choice", 0.95, "confidence level of the critical values", choices=(0.90, 0.95, 0.99)),
            Param("min_duration", "int", 0, "shortest episode in observations; 0 means round(log T)",
                  minimum=0, maximum=52),
            Param("boom_start", "date", "2020-01-01", "start of the 2020-21 boom-and-bust period"),
            Param("boom_end", "date", "2022-12-31", "end of the 2020-21 boom-and-bust period"),
            Param("rally_start", "date", "2025-01-01", "start of the 2025 rally period"),
        ),
        checks=(
            dates_in_order("sample_start", "sample_end"),
            dates_in_order("boom_start", "boom_end"),
            subset_of("china_tickers", "tickers"),
            dates_within_snapshot("sample_start", "sample_end", "boom_start", "boom_end", "rally_start"),
            bubble_samples_fit("tickers", "sample_start", "sample_end", "frequency", "r0", "lags"),
        ),
    ),
    "macro": ChapterSpec(
        "macro",
        (
            Param("start_date", "date", "2017-01-01",
                  "left edge of the charts and first quarter of the equities-vs-economy sample"),
            Param("equity_ticker", "ticker", "KWEB", "the China-tech price series set against the economy"),
            Param("price_series", "choices", ["cn_cpi_yoy_m", "cn_ppi_yoy_m"],
                  "monthly price indices shown (y/y)", choices=PRICE_SERIES),
            Param("comparison_country", "choice", "US",
                  "the economy China is compared with (the snapshot holds US series only)", choices=("US",)),
        ),
        checks=(
            dates_within_snapshot("start_date"),
            enough_quarters("start_date", "equity_ticker"),
        ),
    ),
}
