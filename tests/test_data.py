"""The loader API: known values, hand-computed returns, typed output and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.errors import ChecksumError, DateRangeError, SnapshotMissingError, UnknownSeriesError, UnknownTickerError


def test_adjusted_close_known_value():
    closes = data.prices("KWEB", "2016-01-04", "2016-01-05")
    assert closes["KWEB"].tolist() == [28.980335235595703, 29.315980911254883]
    assert isinstance(closes.index, pd.DatetimeIndex) and closes.index.name == "date"
    assert closes["KWEB"].dtype == np.float64


def test_returns_are_hand_computable():
    closes = data.prices("KWEB", "2016-01-04", "2016-01-06")["KWEB"]
    simple = data.returns("KWEB", "2016-01-05", "2016-01-06")["KWEB"]
    assert simple.iloc[0] == pytest.approx(29.315980911254883 / 28.980335235595703 - 1, rel=1e-15)
    assert simple.iloc[1] == pytest.approx(closes.iloc[2] / closes.iloc[1] - 1, rel=1e-15)
    logged = data.returns("KWEB", "2016-01-05", "2016-01-06", log=True)["KWEB"]
    assert logged.iloc[0] == pytest.approx(math.log(29.315980911254883 / 28.980335235595703), rel=1e-15)


def test_returns_keep_each_market_calendar():
    # 2025-01-09: US markets closed (national day of mourning), Hong Kong open.
    rets = data.returns(["KWEB", "0700.HK"], "2025-01-08", "2025-01-10")
    assert math.isnan(rets.loc["2025-01-09", "KWEB"]) and not math.isnan(rets.loc["2025-01-09", "0700.HK"])
    # The US return of 2025-01-10 spans 01-08 -> 01-10 (no filled row in between).
    closes = data.prices("KWEB", "2025-01-08", "2025-01-10")["KWEB"].dropna()
    assert rets.loc["2025-01-10", "KWEB"] == pytest.approx(closes.iloc[-1] / closes.iloc[0] - 1)


def test_volume_excludes_spliced_sources_by_default():
    primary = data.prices("QQQ", "2025-09-01", field="volume", strict=False)
    assert primary.index.max() == pd.Timestamp("2025-09-29") and str(primary["QQQ"].dtype) == "Int64"
    spliced = data.prices("QQQ", "2025-09-01", field="volume", strict=False, include_splices=True)
    assert spliced.index.max() > pd.Timestamp("2025-09-29")


def test_unknown_ticker_suggests_close_matches():
    with pytest.raises(UnknownTickerError, match="did you mean: KWEB"):
        data.prices("KWEBB")


def test_dates_outside_snapshot_say_what_exists():
    with pytest.raises(DateRangeError, match="holds 2016-01-04..2026-07-13"):
        data.prices("KWEB", "2010-01-01", "2016-02-01")
    with pytest.raises(DateRangeError, match="holds 2021-01-04..2025-09-29"):
        data.prices("TCEHY", end="2026-01-31")


def test_empty_range_and_wrong_order():
    with pytest.raises(DateRangeError, match="no observations between 2025-01-04 and 2025-01-05"):
        data.prices("KWEB", "2025-01-04", "2025-01-05")  # a weekend
    with pytest.raises(DateRangeError, match="start 2025-02-01 is after end 2025-01-01"):
        data.prices("KWEB", "2025-02-01", "2025-01-01")
    with pytest.raises(DateRangeError, match="not a date"):
        data.prices("KWEB", "first of may")


def test_macro_series_typed_with_metadata():
    cpi = data.macro("cn_cpi_yoy_m", "2026-01-01")
    assert cpi.index[0] == pd.Timestamp("2026-01-01") and cpi.loc["2026-07-01"] == 0.5
    assert cpi.attrs["unit"] == "percent y/y" and "Eastmoney" in cpi.attrs["source"]
    with pytest.raises(UnknownSeriesError, match="did you mean: cn_cpi_yoy_m"):
        data.macro("cn_cpi_yoy")


def test_reported_dates_keep_their_precision():
    flows = data.reported(subject="KWEB", metric="year-to-date")
    assert flows["value"].tolist() == [2.3]
    assert flows["as_of"].tolist() == ["2025-12"] and flows["as_of_precision"].tolist() == ["month"]
    assert flows["as_of_start"].tolist() == [pd.Timestamp("2025-12-01")]
    with pytest.raises(UnknownSeriesError):
        data.reported(subject="no such fund")


def test_coverage_summary_counts_every_dataset():
    coverage = data.coverage()
    assert len(coverage.frame) == len(data.manifest().datasets)
    assert coverage.summary().loc["closes", "latest"] == pd.Timestamp("2026-07-13")


def test_corrupted_file_raises_checksum_error_naming_it(snapshot_copy):
    target = snapshot_copy / "closes" / "FXI.csv"
    target.write_text(target.read_text().replace("2016-01-05,", "2016-01-05,1", 1))
    with pytest.raises(ChecksumError, match=r"closes/FXI\.csv.*closes/FXI"):
        data.prices("FXI")
    data.prices("KWEB")  # other files still load


def test_missing_snapshot_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("CHINATECH_SNAPSHOT", str(tmp_path / "empty"))
    with pytest.raises(SnapshotMissingError, match="make data"):
        data.as_of()


def test_missing_dataset_file_is_named(snapshot_copy):
    (snapshot_copy / "macro" / "cn_ppi_yoy_m.csv").unlink()
    with pytest.raises(SnapshotMissingError, match="cn_ppi_yoy_m.csv"):
        data.macro("cn_ppi_yoy_m")


def test_coverage_rows_group_identical_spans_and_skip_events():
    from helpers.coverage import coverage_rows

    frame = pd.DataFrame({  # SYNTHETIC manifest rows
        "kind": ["closes", "closes", "closes", "dividends", "macro"],
        "name": ["B", "A", "C", "A", "cpi"],
        "first": pd.to_datetime(["2016-01-04", "2016-01-04", "2021-01-04", "2021-05-01", "2010-01-01"]),
        "last": pd.to_datetime(["2026-07-13", "2026-07-13", "2025-09-29", "2025-05-01", "2015-12-01"]),
    })
    rows = coverage_rows(frame, ["closes", "dividends", "macro"], "2016-01-01")
    assert rows["label"].tolist() == ["closes: A, B", "closes: C"]  # macro ends before start
    assert rows["datasets"].tolist() == [2, 1]
    assert rows["shown_from"].tolist() == [pd.Timestamp("2016-01-04"), pd.Timestamp("2021-01-04")]


def test_period_start_handles_days_and_months():
    assert data.period_start("2025-12") == pd.Timestamp("2025-12-01")
    assert data.period_start("2025-12-26") == pd.Timestamp("2025-12-26")
    assert data.period_start(None) is pd.NaT


def test_events_table_is_typed_and_validated(tmp_path):
    events = data.events()
    assert events.loc["deepseek_r1_release", "date"] == pd.Timestamp("2025-01-20")
    assert bool(events.loc["qwen25_max_release", "after_us_close"]) is True
    assert set(data.events("confounder").index) >= {"us_tariffs_feb2025", "liberation_day_tariffs"}
    broken = tmp_path / "events.csv"
    broken.write_text("id,date,event,after_us_close,kind,markets,source,note\n"
                      "x,2025-01-01,e,maybe,catalyst,US,s,n\n")
    with pytest.raises(ValueError, match="after_us_close must be True or False"):
        data.events(path=broken)
    with pytest.raises(ValueError, match="unknown event kind"):
        data.events("rumour")


def test_baskets_name_snapshot_tickers():
    titans = data.basket("seven_titans")
    assert len(titans) == 7 and set(titans["ticker"]) <= set(data.tickers("closes"))
    assert set(data.basket("magnificent_seven")["ticker"]) == {"AAPL", "MSFT", "GOOGL", "AMZN", "META", "NVDA", "TSLA"}
    with pytest.raises(UnknownSeriesError, match="did you mean: seven_titans"):
        data.basket("seven_titan")
