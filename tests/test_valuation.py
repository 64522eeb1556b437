"""Valuation helpers: aggregation on hand examples, the exact decomposition, basket rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.parameters import MAGNIFICENT_SEVEN, SEVEN_TITANS
from helpers.valuation import (
    aggregate_pe,
    basket_pe,
    basket_snapshot,
    compare_baskets,
    decompose,
    discount_percent,
    harmonic_mean_pe,
    leave_one_out,
    observations,
    provider,
    provider_pairs,
    reversion_change_percent,
    _reported_metric,
)


def test_aggregate_pe_is_total_value_over_total_earnings():
    # Hand example: caps 100, 300; earnings 10, 5 -> P/Es 10 and 60; aggregate 400 / 15.
    caps, earnings = [100.0, 300.0], [10.0, 5.0]
    assert aggregate_pe(caps, earnings) == pytest.approx(400 / 15)
    # The cap-weighted harmonic mean of the P/Es is the same number...
    assert harmonic_mean_pe([10.0, 60.0], weights=caps) == pytest.approx(400 / 15)
    # ...while the average of the P/Es is not.
    assert np.mean([10.0, 60.0]) != pytest.approx(400 / 15)


def test_equal_weight_basket_is_the_harmonic_mean():
    # $1 in each: earnings 1/10 + 1/40 = 0.125 for $2 -> P/E 16.
    assert harmonic_mean_pe([10.0, 40.0]) == pytest.approx(16.0)
    with pytest.raises(ValueError, match="positive"):
        harmonic_mean_pe([10.0, -5.0])
    with pytest.raises(ValueError, match="no P/E"):
        harmonic_mean_pe([])


def test_discount_and_reversion_arithmetic():
    assert discount_percent(18.0, 30.0) == pytest.approx(40.0)
    assert reversion_change_percent(20.0, 25.0) == pytest.approx(25.0)
    assert reversion_change_percent(20.0, 25.0, 10.0) == pytest.approx(37.5)


def test_decomposition_adds_up_exactly():
    split = decompose(100.0, 150.0, 10.0, 12.0)  # earnings 10 -> 12.5 (+25%), multiple +20%
    assert split.price_percent == pytest.approx(50.0)
    assert split.earnings_percent == pytest.approx(25.0)
    assert split.multiple_percent == pytest.approx(20.0)
    assert (1 + split.earnings_percent / 100) * (1 + split.multiple_percent / 100) == pytest.approx(1.5)
    assert split.log_earnings + split.log_multiple == pytest.approx(split.log_price)
    assert split.log_price == pytest.approx(math.log(1.5))


SYNTHETIC_OBS = pd.DataFrame([
    {"company": "A", "date": pd.Timestamp("2025-01-10"), "metric": "trailing", "pe": 10.0, "provider": "p1", "note": ""},
    {"company": "A", "date": pd.Timestamp("2025-03-01"), "metric": "trailing", "pe": 12.0, "provider": "p1", "note": ""},
    {"company": "A", "date": pd.Timestamp("2025-03-01"), "metric": "trailing", "pe": 14.0, "provider": "p2", "note": ""},
    {"company": "B", "date": pd.Timestamp("2024-01-01"), "metric": "trailing", "pe": 20.0, "provider": "p1", "note": ""},
    {"company": "C", "date": pd.Timestamp("2025-02-01"), "metric": "unspecified", "pe": 30.0, "provider": "p3", "note": ""},
    {"company": "C", "date": pd.Timestamp("2025-04-01"), "metric": "trailing", "pe": 99.0, "provider": "p3", "note": ""},
])


def test_basket_snapshot_takes_the_latest_recent_figure_and_keeps_providers():
    snapshot = basket_snapshot(SYNTHETIC_OBS, ["A", "B", "C"], "trailing", "2025-03-15", max_age_days=90)
    a = snapshot[snapshot["company"] == "A"]
    assert sorted(a["pe"]) == [12.0, 14.0]  # both providers of the latest date, none older
    b = snapshot[snapshot["company"] == "B"]
    assert b["pe"].isna().all() and "older than 90 days" in b["note"].iloc[0]
    c = snapshot[snapshot["company"] == "C"]
    assert c["pe"].isna().all() and "no trailing P/E" in c["note"].iloc[0]  # the later figure is after the date
    assert basket_pe(snapshot) == pytest.approx(13.0)  # one member: mean of the two providers
    with_unspecified = basket_snapshot(SYNTHETIC_OBS, ["A", "C"], "trailing", "2025-03-15", 90, include_unspecified=True)
    assert basket_pe(with_unspecified) == pytest.approx(harmonic_mean_pe([13.0, 30.0]))
    assert leave_one_out(with_unspecified).to_dict() == pytest.approx({"A": 30.0, "C": 13.0})


def test_provider_pairs_isolate_same_day_differences():
    pairs = provider_pairs(SYNTHETIC_OBS)
    assert len(pairs) == 1
    assert pairs.iloc[0]["spread %"] == pytest.approx(2 / 12 * 100)


def test_metric_and_provider_parsing():
    assert _reported_metric("P/E ratio (TTM)") == "trailing"
    assert _reported_metric("forward P/E ratio") == "forward"
    assert _reported_metric("P/E ratio") == "unspecified"
    assert _reported_metric("P/E TTM 10-year percentile") is None
    assert _reported_metric("P/E ratio 5-year average") is None
    assert provider("https://www.stockanalysis.com/stocks/aapl/") == "stockanalysis.com"


def test_observations_from_the_snapshot_name_companies_unambiguously():
    obs = observations()
    assert set(obs["company"]) <= set(SEVEN_TITANS) | set(MAGNIFICENT_SEVEN)
    assert set(obs["metric"]) <= {"trailing", "forward", "unspecified"}
    # "Magnificent Seven (NVDA AAPL ...)" names seven companies: it is not a company figure.
    assert not ((obs["dataset"] == "reported_figures") & obs["note"].str.contains("average", case=False)).any()
    tesla = obs[(obs["company"] == "Tesla") & (obs["date"] == "2026-01-29") & (obs["metric"] == "trailing")]
    assert tesla["pe"].tolist() == [387.35]


def test_parameter_choices_match_the_basket_table():
    assert set(data.basket("seven_titans")["company"]) == set(SEVEN_TITANS)
    assert set(data.basket("magnificent_seven")["company"]) == set(MAGNIFICENT_SEVEN)


def test_compare_baskets_values_both_sides_on_one_date():
    synthetic_us = pd.DataFrame([
        {"company": "U", "date": pd.Timestamp("2025-03-01"), "metric": "trailing", "pe": 26.0, "provider": "p", "note": ""},
    ])
    obs = pd.concat([SYNTHETIC_OBS, synthetic_us], ignore_index=True)
    result = compare_baskets(obs, ["A", "B"], ["U"], "trailing", "2025-03-15", max_age_days=90)
    assert result["counted"] == (1, 1)  # B's only figure is too old
    assert result["china_pe"] == pytest.approx(13.0) and result["us_pe"] == pytest.approx(26.0)
    assert result["discount"] == pytest.approx(50.0)
