"""PSY explosive-root tests: against statsmodels, size under the null, date-stamping of a
planted bubble, and reproducible critical values. All series here are synthetic."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.stattools import adfuller

from helpers.psy import (
    bubble_test,
    check_settings,
    date_stamp,
    default_min_duration,
    default_r0,
    minimum_window,
    monte_carlo_critical_values,
    psy_statistics,
    wild_bootstrap_critical_values,
    window_adf,
)


def statsmodels_adf(x: np.ndarray, lags: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return float(adfuller(x, maxlag=lags, regression="c", autolag=None)[0])


@pytest.mark.parametrize("lags", [0, 1, 2])
def test_full_sample_statistic_equals_statsmodels_adf(lags):
    rng = np.random.default_rng(lags)
    y = 40 + np.cumsum(rng.standard_normal(250))  # a synthetic random walk
    assert psy_statistics(y, lags=lags).adf == pytest.approx(statsmodels_adf(y, lags), abs=1e-10)
    assert window_adf(y, 30, 180, lags) == pytest.approx(statsmodels_adf(y[30:181], lags), abs=1e-10)


@pytest.mark.parametrize("lags", [0, 1])
def test_every_window_equals_a_direct_regression(lags):
    rng = np.random.default_rng(10 + lags)
    y = np.cumsum(rng.standard_normal(70))
    result = psy_statistics(y, lags=lags)
    w = result.window
    brute_bsadf = [max(statsmodels_adf(y[s:e + 1], lags) for s in range(0, e - w + 2)) for e in range(w - 1, 70)]
    brute_forward = [statsmodels_adf(y[:e + 1], lags) for e in range(w - 1, 70)]
    assert result.bsadf == pytest.approx(np.array(brute_bsadf), abs=1e-9)
    assert result.forward == pytest.approx(np.array(brute_forward), abs=1e-9)
    assert result.gsadf == pytest.approx(max(brute_bsadf)) and result.sadf == pytest.approx(max(brute_forward))


def test_settings_are_checked_with_a_clear_fix():
    assert minimum_window(1000, default_r0(1000)) == 66
    with pytest.raises(ValueError, match="negative"):
        check_settings(100, 0.2, -1)
    with pytest.raises(ValueError, match="raise r0 or use a longer sample"):
        check_settings(40, 0.1, 1)
    with pytest.raises(ValueError, match="missing"):
        psy_statistics(np.array([1.0, np.nan, 2.0] * 20))


def test_a_random_walk_rejects_at_about_the_nominal_rate(tmp_path):
    critical = monte_carlo_critical_values(100, replications=500, seed=1, cache_dir=tmp_path)
    rng = np.random.default_rng(99)  # independent of the critical values' seed
    rejections = [psy_statistics(np.cumsum(rng.standard_normal(100))).gsadf > critical.gsadf[1] for _ in range(400)]
    rate = float(np.mean(rejections))
    # 5% nominal; with 400 draws and 500-replication critical values, 2%..9% is a wide band.
    assert 0.02 <= rate <= 0.09, rate


def test_a_planted_bubble_is_date_stamped_near_where_it_was_planted(tmp_path):
    rng = np.random.default_rng(7)
    level = 30 + np.cumsum(rng.standard_normal(200) * 0.3)
    for t in range(120, 140):  # explosive segment: 4% growth a step
        level[t] = 1.04 * level[t - 1] + rng.standard_normal() * 0.3
    level[140:] = level[119] + np.cumsum(rng.standard_normal(60) * 0.3)  # collapse back
    prices = pd.Series(level, index=pd.bdate_range("2020-01-01", periods=200), name="SYNTHETIC")
    critical = monte_carlo_critical_values(200, replications=300, seed=3, cache_dir=tmp_path)
    result = bubble_test(np.exp(prices), critical=critical)  # bubble_test takes logs of prices
    episodes = result.episodes
    assert episodes, "no explosive episode found"
    starts = [prices.index.get_loc(e.start) for e in episodes]
    assert any(120 <= s <= 135 for s in starts), starts
    assert all(e.duration >= default_min_duration(200) for e in episodes)


def test_date_stamping_rules():
    index = pd.bdate_range("2024-01-01", periods=10)
    bsadf = pd.Series([0, 2, 2, 0, 2, 2, 2, 0, 2, 2], index=index, dtype=float)
    critical = pd.Series(1.0, index=index)
    episodes = date_stamp(bsadf, critical, min_duration=2)
    assert [(e.start, e.end, e.duration, e.ongoing) for e in episodes] == [
        (index[1], index[2], 2, False), (index[4], index[6], 3, False), (index[8], index[9], 2, True)]
    assert len(date_stamp(bsadf, critical, min_duration=3)) == 1


def test_seeded_critical_values_are_reproducible_and_cached(tmp_path):
    first = monte_carlo_critical_values(80, replications=50, seed=5, cache_dir=tmp_path / "a")
    second = monte_carlo_critical_values(80, replications=50, seed=5, cache_dir=tmp_path / "b")
    assert np.array_equal(first.bsadf, second.bsadf) and np.array_equal(first.gsadf, second.gsadf)
    cached = monte_carlo_critical_values(80, replications=50, seed=5, cache_dir=tmp_path / "a")
    assert np.array_equal(cached.bsadf, first.bsadf) and len(list((tmp_path / "a").glob("*.npz"))) == 1
    other = monte_carlo_critical_values(80, replications=50, seed=6, cache_dir=tmp_path / "a")
    assert not np.array_equal(other.gsadf, first.gsadf)
    assert first.gsadf[0] < first.gsadf[1] < first.gsadf[2]  # 90% < 95% < 99%


def test_wild_bootstrap_keeps_the_data_key(tmp_path):
    rng = np.random.default_rng(2)
    y = np.cumsum(rng.standard_normal(80) * np.linspace(0.5, 3, 80))  # volatility rises
    one = wild_bootstrap_critical_values(y, replications=40, seed=1, cache_dir=tmp_path)
    again = wild_bootstrap_critical_values(y, replications=40, seed=1, cache_dir=tmp_path)
    assert np.array_equal(one.gsadf, again.gsadf) and one.method == "wild bootstrap"
    shifted = wild_bootstrap_critical_values(y * 2, replications=40, seed=1, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2  # another series, another cache entry
    # Scaling the data scales the bootstrap increments; ADF statistics are scale-free.
    assert np.allclose(shifted.gsadf, one.gsadf)


def test_run_bubble_test_computes_its_own_critical_values(tmp_path, monkeypatch):
    from helpers import psy

    monkeypatch.setattr(psy, "CACHE_DIR", tmp_path)
    rng = np.random.default_rng(4)
    prices = pd.Series(np.exp(np.cumsum(rng.standard_normal(90) * 0.02)), index=pd.bdate_range("2024-01-01", periods=90),
                       name="SYNTHETIC")
    result = psy.run_bubble_test(prices, replications=60, seed=1)
    direct = monte_carlo_critical_values(90, default_r0(90), 0, 60, 1, cache_dir=tmp_path)
    assert np.array_equal(result.critical.gsadf, direct.gsadf) and result.critical.method == "Monte Carlo"
    wild = psy.run_bubble_test(prices, critical_method="wild_bootstrap", replications=40, seed=1)
    assert wild.critical.method == "wild bootstrap"
    with pytest.raises(ValueError, match="unknown critical_method"):
        psy.run_bubble_test(prices, critical_method="bootstrap")
