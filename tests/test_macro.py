"""Macro helpers: identities by hand, streaks on constructed series, annual aggregation,
and the correlation interval against scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import data
from helpers.macro import (
    annual_growth_from_levels,
    annual_growth_from_ytd,
    annual_real_growth,
    complete_years,
    correlation_with_interval,
    current_run,
    deflator_growth,
    longest_run,
    nominal_growth,
    quarterly_yoy_returns,
    runs,
    vintage_differences,
)


def test_deflator_is_the_exact_ratio_not_the_difference():
    # Nominal +4%, real +5%: deflator = 1.04 / 1.05 - 1 = -0.952...%, not -1%.
    assert float(deflator_growth(4.0, 5.0)) == pytest.approx((1.04 / 1.05 - 1) * 100)
    assert float(deflator_growth(10.0, 0.0)) == pytest.approx(10.0)
    assert float(nominal_growth(5.0, deflator_growth(4.0, 5.0))) == pytest.approx(4.0)


def test_the_snapshot_deflator_matches_its_derivation():
    # The provenance derives the deflator from the NBS levels and real index: recompute it.
    levels = data.macro("cn_nominal_gdp_q_nbs")
    real = data.macro("cn_real_gdp_yoy_q_nbs")
    nominal_yoy = (levels / levels.shift(4) - 1) * 100
    recomputed = pd.Series(deflator_growth(nominal_yoy, real), index=levels.index).dropna()
    stored = data.macro("cn_gdp_deflator_yoy_q_nbs_derived")
    assert recomputed.loc[stored.index].round(2).tolist() == pytest.approx(stored.tolist(), abs=0.011)


SYNTHETIC_MONTHS = pd.date_range("2024-01-01", periods=10, freq="MS")


def test_runs_on_a_constructed_series():
    values = pd.Series([-1, -2, 1, -1, -1, -1, 2, 3, -4, -5], index=SYNTHETIC_MONTHS, dtype=float)
    found = runs(values < 0)
    assert [r.length for r in found] == [2, 3, 2]
    assert found[1].start == SYNTHETIC_MONTHS[3] and found[1].end == SYNTHETIC_MONTHS[5]
    assert current_run(values < 0).length == 2
    assert current_run(values > 0) is None
    assert longest_run(values < 0).length == 3
    assert longest_run(values > 5) is None
    # Ties: the latest of the longest runs.
    tied = pd.Series([-1, -1, 1, -1, -1], index=SYNTHETIC_MONTHS[:5], dtype=float)
    assert longest_run(tied < 0).start == SYNTHETIC_MONTHS[3]


def test_annual_aggregation_from_quarters_by_hand():
    quarters = pd.date_range("2022-01-01", periods=11, freq="QS")  # 2022Q1..2024Q3
    levels = pd.Series([10, 10, 10, 10, 11, 11, 11, 11, 12, 12, 12], index=quarters, dtype=float)
    assert complete_years(levels).to_dict() == {2022: 40.0, 2023: 44.0}  # 2024 has 3 quarters
    assert annual_growth_from_levels(levels).to_dict() == pytest.approx({2023: 10.0})


def test_annual_real_growth_weights_by_previous_year_nominal():
    quarters = pd.date_range("2024-01-01", periods=8, freq="QS")
    nominal = pd.Series([100, 200, 300, 400, 0, 0, 0, 0], index=quarters, dtype=float)
    real_yoy = pd.Series([np.nan] * 4 + [1.0, 2.0, 3.0, 4.0], index=quarters)
    # weights 0.1, 0.2, 0.3, 0.4 -> 0.1 + 0.4 + 0.9 + 1.6 = 3.0
    assert annual_real_growth(nominal, real_yoy.dropna()).to_dict() == pytest.approx({2025: 3.0})


def test_annual_figures_from_the_snapshot_match_the_world_bank():
    levels, real = data.macro("cn_nominal_gdp_q_nbs"), data.macro("cn_real_gdp_yoy_q_nbs")
    ours = annual_real_growth(levels, real)
    world_bank = data.macro("cn_real_gdp_yoy_a_wb_2026aug")
    for year in (2023, 2024, 2025):
        assert ours[year] == pytest.approx(world_bank.loc[f"{year}-01-01"], abs=0.1)


def test_vintage_differences():
    first = pd.Series([4.0, 0.4], index=pd.to_datetime(["2021-10-01", "2022-04-01"]))
    latest = pd.Series([4.5, 0.8, 3.0], index=pd.to_datetime(["2021-10-01", "2022-04-01", "2022-10-01"]))
    table = vintage_differences(first, latest)
    assert table["revision"].tolist() == pytest.approx([0.5, 0.4]) and len(table) == 2


def test_quarterly_returns_are_dated_at_quarter_start():
    days = pd.bdate_range("2023-01-02", "2024-12-31")
    closes = pd.Series(np.linspace(100, 200, len(days)), index=days, name="SYNTHETIC")
    change = quarterly_yoy_returns(closes)
    assert change.index[0] == pd.Timestamp("2024-01-01")  # the first quarter with a year-earlier value
    q4_2024 = closes.loc["2024-12-31"] / closes.loc["2023-12-29"] - 1
    assert change.loc["2024-10-01"] == pytest.approx(100 * q4_2024)


def test_correlation_interval_matches_scipy():
    rng = np.random.default_rng(7)  # synthetic test data
    x = pd.Series(rng.normal(size=30))
    y = 0.5 * x + pd.Series(rng.normal(size=30))
    ours = correlation_with_interval(x, y)
    reference = stats.pearsonr(x, y)
    interval = reference.confidence_interval(0.95)
    assert ours.r == pytest.approx(reference.statistic)
    assert ours.p_value == pytest.approx(reference.pvalue)
    assert (ours.low, ours.high) == pytest.approx((interval.low, interval.high), rel=1e-6)
    with pytest.raises(ValueError, match="at least 4"):
        correlation_with_interval(x.iloc[:3], y.iloc[:3])
    assert math.isfinite(ours.low)


def test_annual_growth_from_year_to_date_totals_by_hand():
    # Year-to-date totals dated at each window's last quarter; the full year is the October row.
    dates = pd.to_datetime(["2022-10-01", "2023-01-01", "2023-10-01", "2025-10-01", "2026-10-01"])
    ytd = pd.Series([100.0, 30.0, 110.0, 130.0, 117.0], index=dates)
    growth = annual_growth_from_ytd(ytd)
    # 2023: 110/100 - 1 = 10%; 2025 follows a gap (no 2024): not a growth; 2026: 117/130 - 1 = -10%.
    assert growth.to_dict() == pytest.approx({2023: 10.0, 2026: -10.0})


def test_annual_growth_from_ytd_matches_the_snapshot_levels():
    # The older vintage's 2023 full year against the NBS quarterly levels' sum (latest vintage).
    older = annual_growth_from_ytd(data.macro("cn_nominal_gdp_ytd_eastmoney"))
    newer = annual_growth_from_levels(data.macro("cn_nominal_gdp_q_nbs"))
    assert older[2023] == pytest.approx(newer[2023], abs=0.2)  # vintages differ only slightly
