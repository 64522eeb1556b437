"""Flow helpers: implied-flow arithmetic by hand, abnormal volume on a constructed spike,
and a shares-outstanding series plugged into a snapshot copy."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.flows import (
    abnormal_volume,
    aum_snapshots,
    daily_flows_from_shares,
    dollar_volume,
    event_label,
    implied_flow,
    implied_flows_between,
    implied_share_checks,
    implied_shares_mn,
    monthly_share_of_volume,
    period_return,
    reported_ytd_flows,
    rolling_beta_and_correlation,
    ticker_of,
    to_usd_bn,
    total_return,
)
from helpers.manifest import sha256_of


def test_implied_flow_without_a_distribution():
    # 100 of assets, price +10%, 130 at the end: 130 - 100 * 1.1 = 20 of inflows.
    assert implied_flow(100.0, 130.0, 0.10) == pytest.approx(20.0)
    assert implied_flow(100.0, 99.0, 0.10) == pytest.approx(-11.0)


def test_implied_flow_with_a_distribution_uses_total_return():
    # Synthetic fund: the price goes 10 -> 10.5 (+5%) and 0.5 per share is paid out on the
    # way, so the total return (what adjusted closes show) is +10%. Assets unchanged at 100
    # then mean 10 of value left: 100 - 100 * 1.10 = -10; the price return alone gives -5.
    dates = pd.to_datetime(["2025-01-02", "2025-06-30"])
    adjusted = pd.Series([100.0, 110.0], index=dates)
    tr = total_return(adjusted, dates[0], dates[1])
    assert tr == pytest.approx(0.10)
    assert implied_flow(100.0, 100.0, tr) == pytest.approx(-10.0)
    assert implied_flow(100.0, 100.0, 0.05) == pytest.approx(-5.0)  # the price-only answer, biased


def test_month_only_dates_give_a_range():
    closes = pd.Series([100.0, 100.0, 120.0], index=pd.to_datetime(["2025-01-31", "2025-02-03", "2025-02-28"]))
    snapshots = pd.DataFrame({"date": pd.to_datetime(["2025-01-31", "2025-02-01"]), "precision": ["day", "month"],
                              "as_of": ["2025-01-31", "2025-02"], "aum_bn": [10.0, 12.0]})
    row = implied_flows_between(snapshots, closes).iloc[0]
    # Early February: no price change -> +2; end of February: +20% -> 12 - 12 = 0.
    assert row["implied flow low (USD bn)"] == pytest.approx(0.0)
    assert row["implied flow high (USD bn)"] == pytest.approx(2.0)


def test_units_tickers_and_shares():
    assert to_usd_bn(871, "USD mn") == pytest.approx(0.871)
    assert to_usd_bn(5.293422e9, "USD") == pytest.approx(5.293422)
    with pytest.raises(ValueError, match="unknown unit"):
        to_usd_bn(1, "HKD bn")
    assert ticker_of("KWEB (KraneShares CSI China Internet ETF)") == "KWEB"
    assert ticker_of("MCHI+FXI+KWEB+ASHR combined") is None
    assert implied_shares_mn(6.44, 33.71) == pytest.approx(6440 / 33.71)


def test_reported_figures_are_read_with_their_units():
    reported = data.table("etf_flow_aum_reported")
    flows = reported_ytd_flows(reported).set_index("ticker")["flow_bn"]
    assert flows.to_dict() == pytest.approx({"ASHR": -1.4, "CQQQ": 2.1, "FXI": -2.3, "KWEB": 2.3, "MCHI": 0.871})
    kweb = aum_snapshots(reported, "KWEB")
    assert kweb.loc[kweb["date"] == "2025-11-30", "aum_bn"].item() == pytest.approx(8.889)
    assert kweb["date"].is_monotonic_increasing and kweb["date"].is_unique


def test_abnormal_volume_finds_a_constructed_spike():
    rng = np.random.default_rng(11)  # synthetic test data
    days = pd.bdate_range("2024-01-01", periods=200)
    logs = rng.normal(0.0, 0.1, size=200)
    logs[150:153] += 1.0  # a spike of e^1 on three days
    volume = pd.Series(np.exp(logs + 15), index=days, name="SYNTHETIC")
    result = abnormal_volume(volume, days[150], baseline=100, gap=5, window=(0, 2))
    base = np.log(volume.iloc[45:145])
    expected_z = (np.log(volume.iloc[150:153]) - base.mean()) / base.std(ddof=1)
    assert result.z.to_numpy() == pytest.approx(expected_z.to_numpy())
    assert result.statistic == pytest.approx(expected_z.sum() / math.sqrt(3))
    assert result.statistic > 10 and result.p_value < 1e-6
    assert result.ratio == pytest.approx(volume.iloc[150:153].mean() / math.exp(base.mean()))
    quiet = abnormal_volume(volume, days[120], baseline=100, gap=5, window=(0, 2))
    assert abs(quiet.statistic) < 3
    with pytest.raises(ValueError, match="do not fit"):
        abnormal_volume(volume, days[50], baseline=100, gap=5, window=(0, 2))


def test_monthly_share_and_rolling_beta():
    days = pd.bdate_range("2025-01-01", "2025-03-31")
    volume = pd.Series(1.0, index=days, name="X")
    shares = monthly_share_of_volume(volume, 2025)
    assert shares.sum() == pytest.approx(100.0) and list(shares.index) == [1, 2, 3]
    rng = np.random.default_rng(3)  # synthetic test data
    market = pd.Series(rng.normal(0, 0.01, size=len(days)), index=days)
    asset = 1.5 * market
    rolled = rolling_beta_and_correlation(asset, market, 20)
    assert rolled["beta"].to_numpy() == pytest.approx(1.5) and rolled["correlation"].to_numpy() == pytest.approx(1.0)


def test_a_shares_series_plugs_into_the_loader_and_the_flow_helper(snapshot_copy):
    # Synthetic shares outstanding written into a private snapshot copy, as a refresh would.
    (snapshot_copy / "shares").mkdir()
    path = snapshot_copy / "shares" / "KWEB.csv"
    path.write_text("date,shares\n2025-05-20,100\n2025-05-21,110\n2025-05-22,105\n")
    manifest_path = snapshot_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["datasets"]["shares/KWEB"] = {
        "kind": "shares", "file": "shares/KWEB.csv", "ticker": "KWEB", "meaning": "synthetic test series",
        "unit": "shares", "frequency": "daily", "source": "test", "first": "2025-05-20", "last": "2025-05-22",
        "rows": 3, "sha256": sha256_of(path),
    }
    manifest_path.write_text(json.dumps(manifest))
    assert data.tickers("shares") == ["KWEB"]
    shares = data.shares_outstanding("KWEB")
    nav = pd.Series([10.0, 11.0, 12.0], index=shares.index)
    assert daily_flows_from_shares(shares, nav).tolist() == pytest.approx([10 * 11.0, -5 * 12.0])


def test_without_a_shares_series_the_loader_says_so():
    assert data.tickers("shares") == []
    with pytest.raises(Exception, match="shares"):
        data.shares_outstanding("KWEB")


def test_event_labels_follow_each_market_session():
    sessions = data.prices("QQQ", "2025-01-02", "2025-09-30")["QQQ"].index
    events = data.events()
    assert event_label(events, "2025-04-03", sessions).startswith("US 'reciprocal' tariffs")
    assert event_label(events, "2025-01-29", sessions) == "Alibaba releases its Qwen2.5-Max model"
    assert event_label(events, "2025-03-03", sessions) == "session of 2025-03-03"


def test_period_return_compounds_the_equal_weight_group():
    days = pd.bdate_range("2024-12-30", periods=4)  # 30, 31 Dec, 1 (holiday in real life), 2 Jan
    returns = pd.DataFrame({"A": [0.5, 0.10, 0.10, 0.0], "B": [0.5, -0.10, 0.10, 0.2]}, index=days)
    # Calendar 2025 only: day 3 mean 0.10, day 4 mean 0.10 -> 1.1 * 1.1 - 1.
    assert period_return(returns, "2025-01-01", "2025-12-31") == pytest.approx(0.21)
    with pytest.raises(ValueError, match="no session"):
        period_return(returns, "2026-01-01", "2026-12-31")


def test_dollar_volume_and_the_reported_share_check():
    volumes = dollar_volume(["KWEB"])
    bars_close = data.prices("KWEB", "2025-05-22", "2025-05-22", field="close")["KWEB"].iloc[0]
    bars_volume = data.prices("KWEB", "2025-05-22", "2025-05-22", field="volume")["KWEB"].iloc[0]
    assert volumes.loc["2025-05-22", "KWEB"] == pytest.approx(bars_close * bars_volume)
    check = implied_share_checks(data.table("etf_flow_aum_reported")).set_index("ticker")
    assert check.loc["KWEB", "implied shares (mn)"] == pytest.approx(6440 / bars_close)
    assert check.loc["KWEB", "reported shares (mn)"] == pytest.approx(188.03)
