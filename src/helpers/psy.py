"""Explosive-root tests of Phillips, Shi & Yu (2015): SADF, GSADF and the BSADF sequence
with date-stamping of explosive episodes, computed without refitting any window.

Every ADF regression of a window is an OLS on a contiguous block of rows of one design
matrix: ``dy_t = a + sum_i phi_i dy_{t-i} + b y_{t-1} + e_t``. The cross products a
window needs are differences of cumulative sums, so all O(T^2) windows are computed at
once with vectorized numpy. The t-statistic of ``b`` then comes from a Cholesky
factorisation done in closed form across windows: with ``y_{t-1}`` ordered last,
``t = u_k / s`` where ``u = L^{-1} Z'dy`` and ``s^2 = (dy'dy - u'u) / (n - k)``.

Conventions follow statsmodels' ``adfuller(x, maxlag=p, regression="c", autolag=None)``
on the window's observations, so the full-sample statistic equals statsmodels' exactly.
Critical values come from Monte Carlo under the random-walk null (seeded, cached on
disk) or from the wild bootstrap of Harvey, Leybourne, Sollis & Taylor (2016).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .paths import PROJECT_ROOT

CACHE_DIR = PROJECT_ROOT / ".cache" / "psy"
CACHE_VERSION = 1


def default_r0(observations: int) -> float:
    """PSY's rule for the smallest window, as a fraction of the sample: 0.01 + 1.8 / sqrt(T)."""
    return 0.01 + 1.8 / math.sqrt(observations)


def minimum_window(observations: int, r0: float) -> int:
    """Observations in the smallest window: floor(T r0)."""
    return int(math.floor(observations * r0))


def check_settings(observations: int, r0: float, lags: int) -> int:
    """The smallest window for these settings, or a ValueError naming the fix."""
    if lags < 0:
        raise ValueError(f"lags={lags} is negative; use 0 or more")
    if not 0 < r0 < 1:
        raise ValueError(f"r0={r0} must lie strictly between 0 and 1")
    window = minimum_window(observations, r0)
    needed = 2 * lags + 4  # regression rows (window - 1 - lags) must exceed the lags + 2 regressors
    if window < needed:
        raise ValueError(f"the smallest window holds {window} observations (T={observations}, r0={r0:.4f}); "
                         f"with lags={lags} it needs at least {needed}: raise r0 or use a longer sample")
    return window


# ---------------------------------------------------------------------- window sums


def _design(y: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows t = lags+1 .. T-1: regressors [1, dy_{t-1}..dy_{t-lags}, y_{t-1}] and dy_t.

    y is demeaned first: with a constant in the regression, the t-statistic of y_{t-1}
    does not change, and the cumulative sums stay small (fewer rounding errors).
    """
    y = np.asarray(y, dtype=float)
    y = y - y.mean()
    dy = np.diff(y)
    rows = len(y) - 1 - lags
    columns = [np.ones(rows)]
    for lag in range(1, lags + 1):
        columns.append(dy[lags - lag: lags - lag + rows])
    columns.append(y[lags: lags + rows])
    return np.column_stack(columns), dy[lags:]


def _cumulative(values: np.ndarray) -> np.ndarray:
    """Cumulative sum with a leading zero: rows [a, b) sum to c[b] - c[a]."""
    out = np.zeros(len(values) + 1)
    np.cumsum(values, out=out[1:])
    return out


@dataclass(frozen=True)
class _Moments:
    """Cumulative cross products of the ADF design: every window's sums in O(1)."""

    k: int
    zz: dict  # (i, j) with j <= i -> cumulative sum of z_i z_j (except (0, 0): the row count)
    zy: list  # i -> cumulative sum of z_i dy
    yy: np.ndarray

    @classmethod
    def of(cls, y: np.ndarray, lags: int) -> "_Moments":
        z, dy = _design(y, lags)
        k = z.shape[1]
        zz = {(i, j): _cumulative(z[:, i] * z[:, j]) for i in range(1, k) for j in range(i + 1)}
        return cls(k, zz, [_cumulative(z[:, i] * dy) for i in range(k)], _cumulative(dy * dy))


def _adf_block(moments: _Moments, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """ADF t-statistics for every pair (row block [low, high)): shape (len(high), len(low))."""
    h, l = high[:, None], low[None, :]

    def window_sum(cumulative: np.ndarray) -> np.ndarray:
        return cumulative[h] - cumulative[l]

    n = (h - l).astype(float)
    k = moments.k
    # Blocks include pairs that are not windows (too short or reversed); their values are
    # discarded by the caller, so their divisions by zero are not errors.
    if k == 2:  # lag 0: closed form, fewer operations than the factorisation
        with np.errstate(invalid="ignore", divide="ignore"):
            sx, sy = window_sum(moments.zz[(1, 0)]), window_sum(moments.zy[0])
            vx = window_sum(moments.zz[(1, 1)]) - sx * sx / n
            vxy = window_sum(moments.zy[1]) - sx * sy / n
            ssr = window_sum(moments.yy) - sy * sy / n - vxy * vxy / vx
            return vxy / np.sqrt(vx * ssr / (n - 2))
    # Cholesky A = L L' and forward substitution u = L^-1 Z'dy, in closed form across windows.
    chol: dict = {}
    u: list = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(k):
            for j in range(i + 1):
                a = n if (i, j) == (0, 0) else window_sum(moments.zz[(i, j)])
                total = a - sum(chol[i, m] * chol[j, m] for m in range(j)) if j else a
                chol[i, j] = np.sqrt(total) if i == j else total / chol[j, j]
            b = window_sum(moments.zy[i])
            u.append((b - sum(chol[i, m] * u[m] for m in range(i))) / chol[i, i])
        ssr = window_sum(moments.yy) - sum(ui * ui for ui in u)
        return u[k - 1] / np.sqrt(ssr / (n - k))


def window_adf(y: np.ndarray, start: int, end: int, lags: int) -> float:
    """The ADF t-statistic of the window of observations ``start..end`` (inclusive)."""
    moments = _Moments.of(y, lags)
    return float(_adf_block(moments, np.array([end - lags]), np.array([start]))[0, 0])


# ---------------------------------------------------------------------- the statistics


@dataclass(frozen=True)
class PSYStatistics:
    """ADF (full sample), SADF, GSADF and the BSADF sequence of one series."""

    adf: float
    sadf: float
    gsadf: float
    bsadf: np.ndarray  # one value per window end, ends = window - 1 .. T - 1
    forward: np.ndarray  # ADF of the windows starting at 0 (the SADF sequence)
    window: int
    lags: int
    observations: int


BLOCK_ROWS = 48  # ends per block: large enough for vectorization, small enough for the cache


def psy_statistics(y: np.ndarray, r0: float | None = None, lags: int = 0) -> PSYStatistics:
    """SADF, GSADF and BSADF of a series (log prices for bubble tests).

    For each window end e (from the smallest window on), the BSADF is the largest ADF
    statistic over the starts s = 0 .. e - window + 1; the SADF takes s = 0 only.
    Ends are processed in blocks, each as one broadcast array of window sums.
    """
    values = np.asarray(y, dtype=float)
    if values.ndim != 1 or np.any(~np.isfinite(values)):
        raise ValueError("the series must be one-dimensional without missing or infinite values")
    observations = len(values)
    r0 = default_r0(observations) if r0 is None else r0
    window = check_settings(observations, r0, lags)
    moments = _Moments.of(values, lags)
    ends = np.arange(window - 1, observations)
    bsadf = np.empty(len(ends))
    forward = np.empty(len(ends))
    for first in range(0, len(ends), BLOCK_ROWS):
        block = ends[first: first + BLOCK_ROWS]
        starts = np.arange(0, block[-1] - window + 2)
        stats = _adf_block(moments, block - lags, starts)
        valid = starts[None, :] <= (block - window + 1)[:, None]
        stats[~valid] = -np.inf
        bsadf[first: first + len(block)] = stats.max(axis=1)
        forward[first: first + len(block)] = stats[:, 0]
    return PSYStatistics(adf=float(forward[-1]), sadf=float(forward.max()), gsadf=float(bsadf.max()),
                         bsadf=bsadf, forward=forward, window=window, lags=lags, observations=observations)


# ---------------------------------------------------------------------- critical values


@dataclass(frozen=True)
class CriticalValues:
    """Quantiles of SADF, GSADF and of BSADF at each window end, under the null."""

    levels: tuple[float, ...]
    sadf: np.ndarray  # one per level
    gsadf: np.ndarray
    bsadf: np.ndarray  # levels x ends
    method: str
    replications: int
    seed: int
    key: str = field(default="")

    def level_index(self, level: float) -> int:
        if level not in self.levels:
            raise ValueError(f"level {level} not computed; available: {self.levels}")
        return self.levels.index(level)


LEVELS = (0.90, 0.95, 0.99)


def _simulate(observations: int, r0: float, lags: int, replications: int, seed: int,
              draw: Callable[[np.random.Generator], np.ndarray], method: str, key: str,
              progress: Callable[[int, int], None] | None) -> CriticalValues:
    window = check_settings(observations, r0, lags)
    rng = np.random.default_rng(seed)
    sadf = np.empty(replications)
    gsadf = np.empty(replications)
    bsadf = np.empty((replications, observations - window + 1))
    for rep in range(replications):
        result = psy_statistics(draw(rng), r0, lags)
        sadf[rep], gsadf[rep], bsadf[rep] = result.sadf, result.gsadf, result.bsadf
        if progress and (rep + 1) % max(1, replications // 20) == 0:
            progress(rep + 1, replications)
    levels = np.array(LEVELS)
    return CriticalValues(LEVELS, np.quantile(sadf, levels), np.quantile(gsadf, levels),
                          np.quantile(bsadf, levels, axis=0), method, replications, seed, key)


def _cached(key: str, compute: Callable[[], CriticalValues], cache_dir: Path | None) -> CriticalValues:
    directory = CACHE_DIR if cache_dir is None else cache_dir
    path = directory / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"
    if path.exists():
        stored = np.load(path, allow_pickle=False)
        if str(stored["key"]) == key:
            return CriticalValues(tuple(float(v) for v in stored["levels"]), stored["sadf"], stored["gsadf"],
                                  stored["bsadf"], str(stored["method"]), int(stored["replications"]),
                                  int(stored["seed"]), key)
    values = compute()
    directory.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npz")
    np.savez(temporary, key=key, levels=np.array(values.levels), sadf=values.sadf, gsadf=values.gsadf,
             bsadf=values.bsadf, method=values.method, replications=values.replications, seed=values.seed)
    temporary.replace(path)  # atomic: a concurrent reader never sees half a file
    return values


def monte_carlo_critical_values(observations: int, r0: float | None = None, lags: int = 0,
                                replications: int = 2000, seed: int = 2015, *,
                                cache_dir: Path | None = None,
                                progress: Callable[[int, int], None] | None = None) -> CriticalValues:
    """Critical values under PSY's null, y_t = d T^-eta + y_{t-1} + e_t with d = eta = 1 and
    e_t ~ N(0, 1); seeded and cached on disk by (T, r0, lags, replications, seed)."""
    r0 = default_r0(observations) if r0 is None else r0
    key = f"v{CACHE_VERSION}|monte-carlo|T={observations}|r0={r0:.10f}|lags={lags}|reps={replications}|seed={seed}"
    drift = 1.0 / observations

    def draw(rng: np.random.Generator) -> np.ndarray:
        return np.cumsum(drift + rng.standard_normal(observations))

    return _cached(key, lambda: _simulate(observations, r0, lags, replications, seed, draw, "Monte Carlo", key,
                                          progress), cache_dir)


def wild_bootstrap_critical_values(y: np.ndarray, r0: float | None = None, lags: int = 0,
                                   replications: int = 999, seed: int = 2016, *,
                                   cache_dir: Path | None = None,
                                   progress: Callable[[int, int], None] | None = None) -> CriticalValues:
    """Heteroskedasticity-robust critical values (Harvey, Leybourne, Sollis & Taylor 2016):
    bootstrap series y*_t = sum of w_s dy_s with w_s ~ N(0, 1), which keep the observed
    pattern of volatility under the unit-root null."""
    values = np.asarray(y, dtype=float)
    observations = len(values)
    r0 = default_r0(observations) if r0 is None else r0
    changes = np.diff(values)
    fingerprint = hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()[:16]
    key = (f"v{CACHE_VERSION}|wild|T={observations}|r0={r0:.10f}|lags={lags}|reps={replications}|seed={seed}"
           f"|data={fingerprint}")

    def draw(rng: np.random.Generator) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(rng.standard_normal(len(changes)) * changes)])

    return _cached(key, lambda: _simulate(observations, r0, lags, replications, seed, draw, "wild bootstrap", key,
                                          progress), cache_dir)


# ---------------------------------------------------------------------- date-stamping


@dataclass(frozen=True)
class Episode:
    """An explosive episode: BSADF above its critical value from ``start`` to ``end``."""

    start: pd.Timestamp
    end: pd.Timestamp
    duration: int  # observations
    peak_statistic: float
    ongoing: bool


def date_stamp(bsadf: pd.Series, critical: pd.Series, min_duration: int) -> list[Episode]:
    """PSY's date-stamping: an episode starts when BSADF first exceeds its critical value
    and ends when it falls back below; episodes shorter than ``min_duration``
    observations are dropped."""
    above = (bsadf > critical).to_numpy()
    episodes, start = [], None
    for position, flag in enumerate(np.append(above, False)):
        if flag and start is None:
            start = position
        elif not flag and start is not None:
            duration = position - start
            if duration >= min_duration:
                last = min(position, len(above)) - 1
                episodes.append(Episode(bsadf.index[start], bsadf.index[last], duration,
                                        float(bsadf.iloc[start:position].max()), position >= len(above)))
            start = None
    return episodes


def default_min_duration(observations: int) -> int:
    """About log(T) observations (PSY's delta log T with delta = 1)."""
    return max(1, int(round(math.log(observations))))


# ---------------------------------------------------------------------- a results object


@dataclass(frozen=True)
class BubbleTest:
    """One series' PSY test: statistics, critical values and explosive episodes."""

    name: str
    dates: pd.DatetimeIndex
    statistics: PSYStatistics
    critical: CriticalValues
    level: float
    min_duration: int
    r0: float

    @property
    def bsadf(self) -> pd.Series:
        return pd.Series(self.statistics.bsadf, index=self.dates[self.statistics.window - 1:], name=self.name)

    @property
    def bsadf_critical(self) -> pd.Series:
        return pd.Series(self.critical.bsadf[self.critical.level_index(self.level)], index=self.bsadf.index)

    @property
    def episodes(self) -> list[Episode]:
        return date_stamp(self.bsadf, self.bsadf_critical, self.min_duration)

    def summary(self) -> dict:
        """The headline numbers: statistics with critical values, and the episodes."""
        index = self.critical.level_index(self.level)
        episodes = self.episodes
        return {
            "series": self.name, "T": self.statistics.observations, "window": self.statistics.window,
            "lags": self.statistics.lags, "SADF": self.statistics.sadf,
            f"SADF cv {self.level:.0%}": float(self.critical.sadf[index]), "GSADF": self.statistics.gsadf,
            f"GSADF cv {self.level:.0%}": float(self.critical.gsadf[index]),
            "explosive (GSADF)": bool(self.statistics.gsadf > self.critical.gsadf[index]),
            "episodes": len(episodes),
            "latest episode": (f"{episodes[-1].start.date()} to {episodes[-1].end.date()}"
                               + (" (ongoing)" if episodes[-1].ongoing else "")) if episodes else "none",
        }


def bubble_test(prices: pd.Series, *, r0: float | None = None, lags: int = 0, critical: CriticalValues,
                level: float = 0.95, min_duration: int | None = None) -> BubbleTest:
    """Run PSY on the log of a price series with given critical values."""
    series = prices.dropna()
    if (series <= 0).any():
        raise ValueError(f"{prices.name}: prices must be positive to take logs")
    observations = len(series)
    r0 = default_r0(observations) if r0 is None else r0
    statistics = psy_statistics(np.log(series.to_numpy()), r0, lags)
    if critical.bsadf.shape[1] != len(statistics.bsadf):
        raise ValueError(f"{prices.name}: critical values were computed for another sample size or r0")
    return BubbleTest(str(prices.name), series.index, statistics, critical, level,
                      default_min_duration(observations) if min_duration is None else min_duration, r0)


CRITICAL_METHODS = ("monte_carlo", "wild_bootstrap")


def run_bubble_test(prices: pd.Series, *, r0: float | None = None, lags: int = 0,
                    critical_method: str = "monte_carlo", replications: int = 2000, seed: int = 2015,
                    level: float = 0.95, min_duration: int | None = None) -> BubbleTest:
    """PSY on the log of a price series, with critical values computed (or read from the
    cache) for its sample size: Monte Carlo under the random-walk null, or the wild
    bootstrap of the series itself. ``r0=None`` (or 0) means PSY's rule."""
    if critical_method not in CRITICAL_METHODS:
        raise ValueError(f"unknown critical_method {critical_method!r}; choose one of {', '.join(CRITICAL_METHODS)}")
    series = prices.dropna()
    r0 = r0 or default_r0(len(series))
    if critical_method == "monte_carlo":
        critical = monte_carlo_critical_values(len(series), r0, lags, replications, seed)
    else:
        critical = wild_bootstrap_critical_values(np.log(series.to_numpy()), r0, lags, replications, seed)
    return bubble_test(series, r0=r0, lags=lags, critical=critical, level=level, min_duration=min_duration or None)
