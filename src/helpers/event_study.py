"""Event studies: market-model abnormal returns, cumulative abnormal returns and their tests.

Conventions (Campbell, Lo & MacKinlay 1997, ch. 4; MacKinlay 1997):

- **Day 0** is the first session of the asset's own market on or after the event date,
  or strictly after it when the news came after the US close. Relative days count that
  market's sessions, so holidays (US or Hong Kong) are skipped, never filled.
- **Estimation window**: the ``estimation_length`` sessions that end ``gap`` sessions
  before day 0, i.e. days ``[-gap - L, -gap - 1]``. It must end before the earliest
  event window starts, so no event-window return informs the model.
- **Model**: the market model ``R = a + b R_m + e`` fitted by OLS (statsmodels), or the
  constant-mean model ``R = a + e`` when no benchmark shares the asset's calendar.
- **CAR variance** includes the estimation error of the model's coefficients:
  ``Var(CAR) = s^2 (L2 + g' (X'X)^-1 g)`` where ``g`` sums the event-window regressors
  (``[1, R_m]`` per day). The standardized CAR (SCAR) divides by its square root.

Tests across firms (two-sided p-values): cross-sectional t; Patell (1976) Z; the
Boehmer, Musumeci & Poulsen (1991) standardized cross-sectional t, and its Kolari &
Pynnönen (2010) adjustment for cross-correlation (all firms share one event date); the
generalized sign test (Cowan 1992); and, as robustness, a portfolio test: one regression
of an equal-weight portfolio on the benchmark with a dummy for every event-window day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .errors import DateRangeError


# ---------------------------------------------------------------------- windows


@dataclass(frozen=True, order=True)
class Window:
    """An event window ``[start, end]`` in sessions relative to day 0 (both included)."""

    start: int
    end: int

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError(f"window [{self.start}, {self.end}] ends before it starts")

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def label(self) -> str:
        def signed(day: int) -> str:
            return f"{day:+d}" if day else "0"

        return f"[{signed(self.start)}]" if self.start == self.end else f"[{signed(self.start)},{signed(self.end)}]"

    def __str__(self) -> str:
        return self.label


def windows_from(pairs: Iterable[Sequence[int]]) -> tuple[Window, ...]:
    """``[[0, 0], [0, 5]]`` -> ``(Window(0, 0), Window(0, 5))``."""
    return tuple(Window(int(a), int(b)) for a, b in pairs)


def market_of(ticker: str) -> str:
    """``HK`` for Hong Kong listings (``0700.HK``), ``US`` for everything else in the snapshot."""
    return "HK" if ticker.upper().endswith(".HK") else "US"


def day_zero_position(sessions: pd.DatetimeIndex, event_date, *, after_close: bool = False) -> int:
    """Position of day 0: the first session on (or, with ``after_close``, after) the event date."""
    event = pd.Timestamp(event_date)
    position = int(sessions.searchsorted(event, side="right" if after_close else "left"))
    if position >= len(sessions):
        raise DateRangeError(
            f"no session {'after' if after_close else 'on or after'} {event.date()}: "
            f"the data end on {sessions[-1].date()}"
        )
    return position


def _sessions(count: int) -> str:
    return f"{count} session" + ("" if count == 1 else "s")


# ---------------------------------------------------------------------- one firm


@dataclass(frozen=True)
class FirmEvent:
    """One asset's model, abnormal returns and CARs around one event."""

    ticker: str
    model: str
    day_zero: pd.Timestamp
    params: pd.Series  # const (and market) coefficients
    sigma2: float  # residual variance, degrees of freedom = n_estimation - k
    dof: int
    xtx_inv: np.ndarray
    estimation_residuals: pd.Series  # date-indexed
    event: pd.DataFrame  # indexed by relative day: date, ret, [market], abnormal

    @property
    def n_estimation(self) -> int:
        return len(self.estimation_residuals)

    def _rows(self, window: Window) -> pd.DataFrame:
        if window.start < self.event.index.min() or window.end > self.event.index.max():
            raise ValueError(f"{self.ticker}: window {window} lies outside the studied days "
                             f"[{self.event.index.min()}, {self.event.index.max()}]")
        return self.event.loc[window.start:window.end]

    def car(self, window: Window) -> float:
        """Cumulative abnormal return over the window."""
        return float(self._rows(window)["abnormal"].sum())

    def car_variance(self, window: Window) -> float:
        """Variance of the CAR, including the coefficients' estimation error."""
        rows = self._rows(window)
        regressors = np.column_stack([np.ones(len(rows))] + ([rows["market"].to_numpy()] if "market" in rows else []))
        summed = regressors.sum(axis=0)
        return float(self.sigma2 * (window.length + summed @ self.xtx_inv @ summed))

    def scar(self, window: Window) -> float:
        """Standardized CAR: CAR divided by its standard deviation."""
        return self.car(window) / math.sqrt(self.car_variance(window))

    def positive_share(self) -> float:
        """Share of positive abnormal returns in the estimation window (for the sign test)."""
        return float((self.estimation_residuals > 0).mean())


def _aligned(asset: pd.Series, market: pd.Series | None) -> pd.DataFrame:
    frame = asset.rename("ret").to_frame()
    if market is not None:
        frame = frame.join(market.rename("market"), how="inner")
    return frame.dropna()


def study_firm(
    asset: pd.Series,
    market: pd.Series | None,
    event_date,
    *,
    estimation_length: int,
    gap: int,
    first_day: int,
    last_day: int,
    after_close: bool = False,
    ticker: str | None = None,
) -> FirmEvent:
    """Fit the model on the estimation window and compute abnormal returns on days
    ``first_day..last_day``.

    ``asset`` and ``market`` are daily returns indexed by date; only dates where both
    exist are used (the asset's own sessions with the constant-mean model).
    """
    name = ticker or str(asset.name)
    if -gap - 1 >= first_day:
        raise ValueError(f"{name}: the estimation window (ending on day {-gap - 1}) overlaps the event "
                         f"window starting on day {first_day}; use a gap of at least {-first_day}")
    frame = _aligned(asset, market)
    sessions = frame.index
    try:
        zero = day_zero_position(sessions, event_date, after_close=after_close)
    except DateRangeError as error:
        raise DateRangeError(f"{name}: {error}") from None
    first_estimation = zero - gap - estimation_length
    if first_estimation < 0:
        raise DateRangeError(
            f"{name}: the estimation window needs {estimation_length} sessions ending {gap} sessions before "
            f"day 0 ({sessions[zero].date()}), but the data start on {sessions[0].date()} "
            f"({zero - gap} sessions available); shorten estimation_length or gap"
        )
    if zero + last_day >= len(sessions):
        raise DateRangeError(
            f"{name}: day +{last_day} after {sessions[zero].date()} is beyond the data, which end on "
            f"{sessions[-1].date()} ({_sessions(len(sessions) - zero - 1)} after day 0); shorten the windows"
        )
    if zero + first_day < 0:
        raise DateRangeError(f"{name}: day {first_day} is before the first session {sessions[0].date()}")
    estimation = frame.iloc[first_estimation: zero - gap]
    regressors = ["const"] + (["market"] if market is not None else [])
    design = sm.add_constant(estimation[regressors[1:]], has_constant="add") if market is not None else \
        pd.DataFrame({"const": 1.0}, index=estimation.index)
    fit = sm.OLS(estimation["ret"], design).fit()
    event = frame.iloc[zero + first_day: zero + last_day + 1].copy()
    event_design = np.column_stack([np.ones(len(event))] + ([event["market"].to_numpy()] if market is not None else []))
    event["abnormal"] = event["ret"].to_numpy() - event_design @ fit.params.to_numpy()
    event.index.name = "date"
    event = event.reset_index()
    event.index = pd.RangeIndex(first_day, last_day + 1, name="relative_day")
    return FirmEvent(
        ticker=name,
        model="market model" if market is not None else "constant mean",
        day_zero=sessions[zero],
        params=fit.params,
        sigma2=float(fit.scale),
        dof=int(fit.df_resid),
        xtx_inv=np.asarray(fit.normalized_cov_params),
        estimation_residuals=fit.resid,
        event=event,
    )


# ---------------------------------------------------------------------- test statistics


@dataclass(frozen=True)
class TestResult:
    """One test statistic with its two-sided p-value and reference distribution."""

    name: str
    statistic: float
    p_value: float
    distribution: str


def _two_sided_normal(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def _two_sided_t(t: float, dof: int) -> float:
    return float(2 * stats.t.sf(abs(t), dof))


def _one_sample_t(name: str, values: Sequence[float]) -> TestResult:
    """t = mean / (sd / sqrt(N)), two-sided against t with N-1 degrees of freedom."""
    array = np.asarray(values, dtype=float)
    n = len(array)
    if n < 2:
        return TestResult(name, math.nan, math.nan, "t(N-1)")
    t = array.mean() / (array.std(ddof=1) / math.sqrt(n))
    return TestResult(name, float(t), _two_sided_t(t, n - 1), f"t({n - 1})")


def cross_sectional_t(cars: Sequence[float]) -> TestResult:
    """The cross-sectional t of the CARs: mean(CAR) / (sd(CAR) / sqrt(N))."""
    return _one_sample_t("cross-sectional t", cars)


def patell_z(scars: Sequence[float], dofs: Sequence[int]) -> TestResult:
    """Patell (1976): Z = sum(SCAR) / sqrt(sum(d / (d - 2))), d = estimation degrees of freedom."""
    values = np.asarray(scars, dtype=float)
    d = np.asarray(dofs, dtype=float)
    if len(values) == 0 or np.any(d <= 2):
        return TestResult("Patell Z", math.nan, math.nan, "N(0,1)")
    z = values.sum() / math.sqrt(float((d / (d - 2)).sum()))
    return TestResult("Patell Z", float(z), _two_sided_normal(z), "N(0,1)")


def bmp_t(scars: Sequence[float]) -> TestResult:
    """Boehmer, Musumeci & Poulsen (1991): the cross-sectional t of the standardized CARs,
    mean(SCAR) / (sd(SCAR) / sqrt(N)), robust to event-induced variance."""
    return _one_sample_t("BMP t", scars)


def kolari_pynnonen(bmp: TestResult, mean_correlation: float, n: int) -> TestResult:
    """Kolari & Pynnönen (2010): BMP t times sqrt((1 - r) / (1 + (N - 1) r)), r the mean
    cross-correlation of the firms' estimation-window abnormal returns."""
    r = float(mean_correlation)
    if n < 2 or not math.isfinite(bmp.statistic) or not math.isfinite(r):
        return TestResult("BMP t, Kolari-Pynnönen adjusted", math.nan, math.nan, "t(N-1)")
    factor = math.sqrt((1 - r) / (1 + (n - 1) * r))
    t = bmp.statistic * factor
    return TestResult("BMP t, Kolari-Pynnönen adjusted", float(t), _two_sided_t(t, n - 1), f"t({n - 1})")


def mean_pairwise_correlation(residuals: pd.DataFrame) -> float:
    """Average off-diagonal correlation of date-aligned residuals (pairwise complete)."""
    if residuals.shape[1] < 2:
        return math.nan
    matrix = residuals.corr().to_numpy()
    mask = ~np.eye(len(matrix), dtype=bool)
    return float(np.nanmean(matrix[mask]))


def generalized_sign_z(cars: Sequence[float], positive_shares: Sequence[float]) -> TestResult:
    """Cowan (1992): Z = (w - N p) / sqrt(N p (1 - p)), w the firms with a positive CAR and
    p the average share of positive abnormal returns in the estimation windows."""
    values = np.asarray(cars, dtype=float)
    n = len(values)
    p = float(np.mean(positive_shares)) if n else math.nan
    if n == 0 or not 0 < p < 1:
        return TestResult("generalized sign Z", math.nan, math.nan, "N(0,1)")
    w = float((values > 0).sum())
    z = (w - n * p) / math.sqrt(n * p * (1 - p))
    return TestResult("generalized sign Z", float(z), _two_sided_normal(z), "N(0,1)")


# ---------------------------------------------------------------------- portfolio test


@dataclass(frozen=True)
class PortfolioTest:
    """Equal-weight portfolio CAR from a dummy-variable market-model regression."""

    window: Window
    members: tuple[str, ...]
    car: float
    t: float
    p_value: float
    fit: object = field(repr=False)


def portfolio_test(
    assets: pd.DataFrame,
    market: pd.Series | None,
    event_date,
    window: Window,
    *,
    estimation_length: int,
    gap: int,
    after_close: bool = False,
) -> PortfolioTest:
    """Regress the equal-weight portfolio on the benchmark over the estimation window and
    the event window together, with one dummy per event-window day; the CAR is the sum
    of the dummies' coefficients and its t-statistic comes from ``fit.t_test``.

    The portfolio's own residual variance absorbs the firms' cross-correlation (all firms
    share the event date), which is why it is a robustness check for the firm-level tests.
    """
    members = tuple(str(c) for c in assets.columns)
    portfolio = assets.dropna(how="any").mean(axis=1).rename("ret")
    frame = _aligned(portfolio, market)
    zero = day_zero_position(frame.index, event_date, after_close=after_close)
    first_estimation = zero - gap - estimation_length
    if first_estimation < 0 or zero + window.end >= len(frame) or -gap - 1 >= window.start:
        raise DateRangeError(f"portfolio of {', '.join(members)}: the estimation window or {window} "
                             f"does not fit the common sessions {frame.index[0].date()}..{frame.index[-1].date()}")
    estimation = frame.iloc[first_estimation: zero - gap]
    event = frame.iloc[zero + window.start: zero + window.end + 1]
    sample = pd.concat([estimation, event])
    design = pd.DataFrame({"const": 1.0}, index=sample.index)
    if market is not None:
        design["market"] = sample["market"]
    dummies = [f"day_{day}" for day in range(window.start, window.end + 1)]
    for name, date in zip(dummies, event.index):
        design[name] = (sample.index == date).astype(float)
    fit = sm.OLS(sample["ret"], design).fit()
    contrast = np.array([1.0 if c in dummies else 0.0 for c in design.columns])
    result = fit.t_test(contrast)
    return PortfolioTest(window=window, members=members, car=float(np.squeeze(result.effect)),
                         t=float(np.squeeze(result.tvalue)), p_value=float(np.squeeze(result.pvalue)), fit=fit)


# ---------------------------------------------------------------------- a group of firms


@dataclass(frozen=True)
class EventStudy:
    """A group of firms studied around one event; tables come from :meth:`results`."""

    group: str
    event_date: pd.Timestamp
    windows: tuple[Window, ...]
    firms: tuple[FirmEvent, ...]
    benchmark: str | None
    portfolio: tuple[PortfolioTest, ...] = ()

    @property
    def tickers(self) -> list[str]:
        return [f.ticker for f in self.firms]

    def cars(self) -> pd.DataFrame:
        """CAR of every firm (rows) over every window (columns)."""
        return pd.DataFrame({w.label: [f.car(w) for f in self.firms] for w in self.windows},
                            index=pd.Index(self.tickers, name="ticker"))

    def scars(self) -> pd.DataFrame:
        return pd.DataFrame({w.label: [f.scar(w) for f in self.firms] for w in self.windows},
                            index=pd.Index(self.tickers, name="ticker"))

    def residual_correlation(self) -> float:
        residuals = pd.concat({f.ticker: f.estimation_residuals for f in self.firms}, axis=1, sort=True)
        return mean_pairwise_correlation(residuals)

    def tests(self, window: Window) -> list[TestResult]:
        """Every test of the mean CAR over one window."""
        cars = [f.car(window) for f in self.firms]
        scars = [f.scar(window) for f in self.firms]
        bmp = bmp_t(scars)
        return [
            cross_sectional_t(cars),
            patell_z(scars, [f.dof for f in self.firms]),
            bmp,
            kolari_pynnonen(bmp, self.residual_correlation(), len(scars)),
            generalized_sign_z(cars, [f.positive_share() for f in self.firms]),
        ]

    def results(self) -> pd.DataFrame:
        """One row per window: N, CAAR, each test's statistic and p-value, and the
        portfolio test where it was run."""
        rows = []
        portfolio = {p.window: p for p in self.portfolio}
        for window in self.windows:
            cars = [f.car(window) for f in self.firms]
            row = {"group": self.group, "window": window.label, "N": len(cars),
                   "CAAR": float(np.mean(cars)), "positive": int(np.sum(np.asarray(cars) > 0))}
            for test in self.tests(window):
                short = SHORT_NAMES[test.name]
                row[short] = test.statistic
                row[f"p {short}"] = test.p_value
            if window in portfolio:
                row["portfolio CAR"] = portfolio[window].car
                row["portfolio t"] = portfolio[window].t
                row["p portfolio"] = portfolio[window].p_value
            rows.append(row)
        return pd.DataFrame(rows)

    def caar_path(self) -> pd.Series:
        """Average cumulative abnormal return by relative day, from the first studied day."""
        abnormal = pd.concat({f.ticker: f.event["abnormal"] for f in self.firms}, axis=1)
        return abnormal.cumsum().mean(axis=1).rename(self.group)

    def day_zero(self) -> pd.DataFrame:
        """Each firm's day 0 session, model and estimation sample."""
        return pd.DataFrame({
            "ticker": self.tickers,
            "market": [market_of(t) for t in self.tickers],
            "day 0": [f.day_zero.date().isoformat() for f in self.firms],
            "model": [f.model + (f" ({self.benchmark})" if f.model == "market model" else "") for f in self.firms],
            "beta": [float(f.params.get("market", math.nan)) for f in self.firms],
            "estimation": [f"{f.estimation_residuals.index[0].date()}..{f.estimation_residuals.index[-1].date()}"
                           for f in self.firms],
        })


SHORT_NAMES = {
    "cross-sectional t": "t CS",
    "Patell Z": "Patell Z",
    "BMP t": "BMP t",
    "BMP t, Kolari-Pynnönen adjusted": "KP t",
    "generalized sign Z": "sign Z",
}


def run_event_study(
    group: str,
    asset_returns: Mapping[str, pd.Series],
    market_returns: pd.Series | None,
    event_date,
    windows: Sequence[Window],
    *,
    estimation_length: int,
    gap: int,
    benchmark: str | None = None,
    after_close: bool = False,
    benchmark_market: str = "US",
) -> EventStudy:
    """Study every asset of a group; assets of another market than the benchmark's get
    the constant-mean model (their sessions do not match the benchmark's). The portfolio
    test runs on the members that share the benchmark's market."""
    first_day = min(w.start for w in windows)
    last_day = max(w.end for w in windows)
    firms = []
    for ticker, series in asset_returns.items():
        same_market = market_returns is not None and market_of(ticker) == benchmark_market
        firms.append(study_firm(series, market_returns if same_market else None, event_date,
                                estimation_length=estimation_length, gap=gap, first_day=first_day,
                                last_day=last_day, after_close=after_close, ticker=ticker))
    on_benchmark_calendar = {t: s for t, s in asset_returns.items() if market_of(t) == benchmark_market}
    portfolio: list[PortfolioTest] = []
    if market_returns is not None and on_benchmark_calendar:
        assets = pd.concat(on_benchmark_calendar, axis=1, sort=True)
        portfolio = [portfolio_test(assets, market_returns, event_date, w, estimation_length=estimation_length,
                                    gap=gap, after_close=after_close) for w in windows]
    return EventStudy(group=group, event_date=pd.Timestamp(event_date), windows=tuple(windows),
                      firms=tuple(firms), benchmark=benchmark, portfolio=tuple(portfolio))


# ---------------------------------------------------------------------- event-time paths


def event_time_paths(closes: pd.DataFrame, event_date, horizon: int, *, after_close: bool = False) -> pd.DataFrame:
    """Cumulative total return of each column from the close before day 0 to day ``0..horizon``.

    Each column keeps its own sessions (day 0 per market). Columns without ``horizon``
    sessions after day 0 are left out; the frame's ``attrs['left_out']`` names them with
    their last date, so a chart can say what it does not show.
    """
    paths, left_out = {}, {}
    for ticker in closes.columns:
        series = closes[ticker].dropna()
        zero = day_zero_position(series.index, event_date, after_close=after_close)
        if zero == 0:
            left_out[ticker] = f"no close before day 0 ({series.index[0].date()})"
            continue
        if zero + horizon >= len(series):
            left_out[ticker] = f"data end {series.index[-1].date()}, {len(series) - zero - 1} sessions after day 0"
            continue
        window = series.iloc[zero - 1: zero + horizon + 1].to_numpy()
        paths[ticker] = window[1:] / window[0] - 1.0
    frame = pd.DataFrame(paths, index=pd.RangeIndex(0, horizon + 1, name="relative_day"))
    frame.attrs["left_out"] = left_out
    return frame


def equal_weight_path(paths: pd.DataFrame) -> pd.Series:
    """Equal-weight buy-and-hold return: the average of the members' cumulative returns."""
    return paths.mean(axis=1)
