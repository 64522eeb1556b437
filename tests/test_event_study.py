"""Event-study helpers against a hand-computed case and against statsmodels.

The hand case (synthetic data, built for the arithmetic): five estimation days with
market returns m = [-2, -1, 0, 1, 2] and two event days with m = [3, -1].
Residuals are chosen orthogonal to [1, m], so OLS recovers the coefficients exactly:

- firm A: r = 1 + 2 m + e_A, e_A = [3, -4, -2, 4, -1] (SSR 46, s^2 = 46/3);
  event returns [8, 0] -> abnormal returns [8 - 7, 0 - (-1)] = [1, 1];
- firm B: r = 0 + 1 m + e_B, e_B = [2, -4, 4, -4, 2] (SSR 56, s^2 = 56/3);
  event returns [5, -2] -> abnormal returns [2, -1].

X'X = [[5, 0], [0, 10]], so for a window summing the regressors to g = (n, sum m),
Var(CAR) = s^2 (n + n^2/5 + (sum m)^2/10):
  [0]:    g = (1, 3)  -> n + 1/5 + 9/10 = 2.1
  [0,+1]: g = (2, 2)  -> 2 + 4/5 + 4/10 = 3.2
  [+1]:   g = (1, -1) -> 1 + 1/5 + 1/10 = 1.3
corr(e_A, e_B) = -4 / sqrt(46 * 56).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from helpers.errors import DateRangeError
from helpers.event_study import (
    Window,
    bmp_t,
    cross_sectional_t,
    day_zero_position,
    equal_weight_path,
    event_time_paths,
    generalized_sign_z,
    kolari_pynnonen,
    market_of,
    patell_z,
    portfolio_test,
    run_event_study,
    study_firm,
    windows_from,
)

SYNTHETIC_DATES = pd.bdate_range("2024-01-01", periods=7)
MARKET = pd.Series([-2, -1, 0, 1, 2, 3, -1], index=SYNTHETIC_DATES, dtype=float, name="market")
FIRM_A = pd.Series([0, -5, -1, 7, 4, 8, 0], index=SYNTHETIC_DATES, dtype=float, name="A")
FIRM_B = pd.Series([0, -5, 4, -3, 4, 5, -2], index=SYNTHETIC_DATES, dtype=float, name="B")
EVENT = SYNTHETIC_DATES[5]
SETTINGS = dict(estimation_length=5, gap=0, first_day=0, last_day=1)
W0, W01, W1 = Window(0, 0), Window(0, 1), Window(1, 1)


@pytest.fixture
def firm_a():
    return study_firm(FIRM_A, MARKET, EVENT, **SETTINGS)


@pytest.fixture
def firm_b():
    return study_firm(FIRM_B, MARKET, EVENT, **SETTINGS)


def test_market_model_recovers_the_hand_coefficients(firm_a, firm_b):
    assert firm_a.params["const"] == pytest.approx(1.0)
    assert firm_a.params["market"] == pytest.approx(2.0)
    assert firm_b.params["const"] == pytest.approx(0.0, abs=1e-12)
    assert firm_b.params["market"] == pytest.approx(1.0)
    assert firm_a.sigma2 == pytest.approx(46 / 3)
    assert firm_b.sigma2 == pytest.approx(56 / 3)
    assert firm_a.dof == 3


def test_abnormal_returns_and_cars_by_hand(firm_a, firm_b):
    assert firm_a.event["abnormal"].tolist() == pytest.approx([1.0, 1.0])
    assert firm_b.event["abnormal"].tolist() == pytest.approx([2.0, -1.0])
    assert firm_a.car(W01) == pytest.approx(2.0)
    assert firm_b.car(W01) == pytest.approx(1.0)
    assert firm_b.car(W1) == pytest.approx(-1.0)


def test_car_variance_includes_estimation_error(firm_a, firm_b):
    assert firm_a.car_variance(W0) == pytest.approx(46 / 3 * 2.1)
    assert firm_a.car_variance(W01) == pytest.approx(46 / 3 * 3.2)
    assert firm_a.car_variance(W1) == pytest.approx(46 / 3 * 1.3)
    assert firm_b.scar(W01) == pytest.approx(1.0 / math.sqrt(56 / 3 * 3.2))


def test_constant_mean_model_variance():
    # With only a constant, (X'X)^-1 = 1/L1 and Var(CAR) = s^2 (L2 + L2^2 / L1).
    firm = study_firm(FIRM_A, None, EVENT, **SETTINGS)
    mean = FIRM_A.iloc[:5].mean()
    residual_var = FIRM_A.iloc[:5].var(ddof=1)
    assert firm.params["const"] == pytest.approx(mean)
    assert firm.car(W01) == pytest.approx(8 + 0 - 2 * mean)
    assert firm.car_variance(W01) == pytest.approx(residual_var * (2 + 4 / 5))
    assert firm.model == "constant mean"


def test_test_statistics_by_hand(firm_a, firm_b):
    scar_a = 2.0 / math.sqrt(46 / 3 * 3.2)
    scar_b = 1.0 / math.sqrt(56 / 3 * 3.2)
    # cross-sectional t on CARs [2, 1]: mean 1.5, sd sqrt(0.5), t = 1.5 / (sqrt(0.5)/sqrt(2)) = 3
    cs = cross_sectional_t([2.0, 1.0])
    assert cs.statistic == pytest.approx(3.0)
    assert cs.p_value == pytest.approx(2 * stats.t.sf(3.0, 1))
    # Patell: d = 3 for both firms, d/(d-2) = 3, Z = (scar_a + scar_b) / sqrt(6)
    patell = patell_z([firm_a.scar(W01), firm_b.scar(W01)], [firm_a.dof, firm_b.dof])
    assert patell.statistic == pytest.approx((scar_a + scar_b) / math.sqrt(6))
    # BMP: t on the standardized CARs
    bmp = bmp_t([scar_a, scar_b])
    mean, sd = (scar_a + scar_b) / 2, abs(scar_a - scar_b) / math.sqrt(2)
    assert bmp.statistic == pytest.approx(mean / (sd / math.sqrt(2)))
    # Kolari-Pynnönen with r = corr(e_A, e_B)
    r = -4 / math.sqrt(46 * 56)
    kp = kolari_pynnonen(bmp, r, 2)
    assert kp.statistic == pytest.approx(bmp.statistic * math.sqrt((1 - r) / (1 + r)))
    # generalized sign: estimation positives A 2/5, B 3/5 -> p = 0.5; both CARs positive
    sign = generalized_sign_z([2.0, 1.0], [firm_a.positive_share(), firm_b.positive_share()])
    assert sign.statistic == pytest.approx((2 - 1.0) / math.sqrt(2 * 0.25))


def test_group_study_combines_firms_and_residual_correlation():
    study = run_event_study("synthetic", {"A": FIRM_A, "B": FIRM_B}, MARKET, EVENT, [W0, W01],
                            estimation_length=5, gap=0, benchmark="market")
    assert study.residual_correlation() == pytest.approx(-4 / math.sqrt(46 * 56))
    results = study.results().set_index("window")
    assert results.loc["[0,+1]", "CAAR"] == pytest.approx(1.5)
    assert results.loc["[0]", "CAAR"] == pytest.approx(1.5)
    assert results.loc["[0,+1]", "positive"] == 2
    assert results.loc["[0,+1]", "t CS"] == pytest.approx(3.0)
    assert study.caar_path().tolist() == pytest.approx([1.5, 1.5])
    # The portfolio of A and B: its CAR is the mean CAR.
    assert results.loc["[0,+1]", "portfolio CAR"] == pytest.approx(1.5)


def test_single_firm_scar_matches_statsmodels_dummy_regression(firm_a):
    # Karafiath (1988): with one dummy per event day, the t-test of their sum is the SCAR.
    check = portfolio_test(FIRM_A.to_frame(), MARKET, EVENT, W01, estimation_length=5, gap=0)
    assert check.car == pytest.approx(firm_a.car(W01))
    assert check.t == pytest.approx(firm_a.scar(W01))


def test_real_data_scar_matches_statsmodels():
    from helpers import data

    returns = data.returns(["NVDA", "RSP"], "2023-06-01", "2025-03-31")
    firm = study_firm(returns["NVDA"], returns["RSP"], "2025-01-27",
                      estimation_length=250, gap=10, first_day=-5, last_day=20)
    # The same market model fitted directly with statsmodels on the same 250 sessions.
    estimation = returns.loc[:"2025-01-27"].iloc[-(250 + 10 + 1):-(10 + 1)]
    direct = sm.OLS(estimation["NVDA"], sm.add_constant(estimation["RSP"])).fit()
    assert firm.params.to_numpy() == pytest.approx(direct.params.to_numpy())
    assert firm.day_zero == pd.Timestamp("2025-01-27")
    window = Window(0, 5)
    check = portfolio_test(returns[["NVDA"]], returns["RSP"], "2025-01-27", window, estimation_length=250, gap=10)
    assert check.t == pytest.approx(firm.scar(window))
    # Nvidia's market-model abnormal return on 27 January 2025 was a fall of more than 15%.
    assert firm.event.loc[0, "abnormal"] < -0.15


def test_day_zero_skips_holidays_and_respects_after_close():
    sessions = pd.DatetimeIndex(["2025-01-17", "2025-01-21", "2025-01-22"])  # 20 Jan: US holiday
    assert day_zero_position(sessions, "2025-01-20") == 1
    assert day_zero_position(sessions, "2025-01-21") == 1
    assert day_zero_position(sessions, "2025-01-21", after_close=True) == 2
    with pytest.raises(DateRangeError, match="data end on 2025-01-22"):
        day_zero_position(sessions, "2025-01-23")


def test_errors_name_the_fix():
    with pytest.raises(DateRangeError, match="shorten estimation_length or gap"):
        study_firm(FIRM_A, MARKET, EVENT, estimation_length=6, gap=0, first_day=0, last_day=1)
    with pytest.raises(DateRangeError, match="shorten the windows"):
        study_firm(FIRM_A, MARKET, EVENT, estimation_length=5, gap=0, first_day=0, last_day=2)
    with pytest.raises(ValueError, match="use a gap of at least 1"):
        study_firm(FIRM_A, MARKET, EVENT, estimation_length=4, gap=0, first_day=-1, last_day=1)


def test_windows_and_markets():
    assert [w.label for w in windows_from([[0, 0], [0, 5], [-5, 20]])] == ["[0]", "[0,+5]", "[-5,+20]"]
    assert Window(-5, 20).length == 26
    with pytest.raises(ValueError):
        Window(3, 1)
    assert market_of("0700.HK") == "HK" and market_of("BABA") == "US"


def test_event_time_paths_known_answer_and_left_out():
    dates = pd.bdate_range("2024-03-01", periods=6)
    closes = pd.DataFrame({"X": [100, 110, 121, 133.1, 146.41, 161.051],  # +10% a day
                           "Y": [50, 50, 25, 25, np.nan, np.nan]}, index=dates)
    paths = event_time_paths(closes, dates[1], horizon=3)
    assert paths["X"].tolist() == pytest.approx([0.1, 0.21, 0.331, 0.4641])
    assert "Y" in paths.attrs["left_out"] and list(paths.columns) == ["X"]
    short = event_time_paths(closes, dates[1], horizon=2)
    assert short["Y"].tolist() == pytest.approx([0.0, -0.5, -0.5])
    assert equal_weight_path(short).tolist() == pytest.approx([0.05, -0.145, -0.0845])
