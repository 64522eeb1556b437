"""Bubble-chapter helpers on constructed series (synthetic data)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.bubble import current_drawdown, max_drawdown, percentile_of_last, realized_volatility, resample_closes


def test_weekly_closes_take_the_last_session_of_each_week():
    days = pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-10", "2025-01-13", "2025-01-16"])
    closes = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=days, name="X")
    weekly = resample_closes(closes, "weekly")
    assert weekly.to_dict() == {pd.Timestamp("2025-01-10"): 3.0, pd.Timestamp("2025-01-16"): 5.0}
    assert resample_closes(closes, "daily").equals(closes)
    with pytest.raises(ValueError, match="unknown frequency"):
        resample_closes(closes, "monthly")


def test_drawdown_and_recovery_by_hand():
    days = pd.bdate_range("2024-01-01", periods=8)
    closes = pd.Series([100, 120, 90, 60, 80, 110, 125, 100], index=days, dtype=float, name="X")
    drawdown = max_drawdown(closes, str(days[0].date()), str(days[5].date()))
    assert drawdown.peak_date == days[1] and drawdown.trough_date == days[3]
    assert drawdown.depth_percent == pytest.approx(-50.0)
    assert drawdown.recovered_date == days[6]  # first close at or above 120, after the period
    assert drawdown.days_to_recover == (days[6] - days[3]).days
    never = max_drawdown(closes, str(days[0].date()), str(days[5].date()), recovery_until=days[5])
    assert never.recovered_date is None and never.days_to_recover is None
    below, peak = current_drawdown(closes)
    assert below == pytest.approx(-20.0) and peak == days[6]


def test_volatility_and_percentile():
    returns = pd.Series([0.01, -0.01] * 40)
    volatility = realized_volatility(returns, window=20)
    expected = np.std([0.01, -0.01] * 10, ddof=1) * math.sqrt(252) * 100
    assert volatility.iloc[-1] == pytest.approx(expected)
    assert percentile_of_last(pd.Series([1.0, 5.0, 3.0, 4.0])) == pytest.approx(75.0)


def test_episode_start_years_by_group():
    from helpers.bubble import episode_start_years

    episodes = pd.DataFrame({"group": ["A", "A", "B"], "start": ["2021-01-08", "2022-04-01", "2024-02-02"]})
    assert episode_start_years(episodes, "A") == "2021, 2022"
    assert episode_start_years(episodes, "C") == "no year"
    assert episode_start_years(pd.DataFrame(columns=["group", "start"]), "A") == "no year"
