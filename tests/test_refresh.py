"""The live refresh, tested offline: fake downloads, never the network."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import data
from helpers.errors import RefreshError
from helpers.manifest import sha256_of
from helpers.refresh import RateLimited, refresh_closes, yfinance_download


def synthetic_yahoo_frame(last_close: float = 30.0) -> pd.DataFrame:
    """SYNTHETIC: the shape yfinance.download returns with multi_level_index=False."""
    index = pd.DatetimeIndex(["2026-07-14", "2026-07-15", "2026-07-16"], name="Date")
    return pd.DataFrame({"Close": [28.0, 29.0, last_close], "High": [29.0, 30.0, 31.0], "Low": [27.0, 28.0, 29.0],
                         "Open": [28.0, 28.5, 29.5], "Volume": [100, 200, 300]}, index=index)


def tree_digest(root):
    return {p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_yfinance_is_called_with_explicit_adjustment_and_flat_columns(monkeypatch):
    import yfinance

    calls = []

    def fake_download(ticker, **kwargs):
        calls.append((ticker, kwargs))
        return synthetic_yahoo_frame()

    monkeypatch.setattr(yfinance, "download", fake_download)
    frame = yfinance_download("KWEB", "2016-01-01")
    assert calls[0][0] == "KWEB"
    assert calls[0][1]["auto_adjust"] is True and calls[0][1]["multi_level_index"] is False
    assert calls[0][1]["progress"] is False and calls[0][1]["start"] == "2016-01-01"
    assert list(frame.columns)[:1] == ["Close"]


def test_partial_refresh_replaces_whole_series_and_records_the_mix(snapshot_copy):
    content = refresh_closes(["KWEB"], target=snapshot_copy, download=lambda t, s: synthetic_yahoo_frame(),
                             allow_partial=True, fetched_at="2026-07-17T00:00:00Z", log=lambda m: None)
    assert content["mixed_sources"] is True and content["as_of"] == "2026-07-16"
    assert content["refreshes"][0]["tickers"] == ["KWEB"]
    closes = data.prices("KWEB")  # the loader verifies the new checksum
    assert closes["KWEB"].tolist() == [28.0, 29.0, 30.0]  # replaced, not appended to the old history
    assert "yfinance" in data.describe("closes/KWEB").source


def test_partial_refresh_needs_consent(snapshot_copy):
    with pytest.raises(RefreshError, match="mix two sources"):
        refresh_closes(["KWEB"], target=snapshot_copy, download=lambda t, s: synthetic_yahoo_frame(), log=lambda m: None)


def test_rate_limits_back_off_then_succeed(snapshot_copy):
    answers = iter([RateLimited("Too Many Requests"), pd.DataFrame(), synthetic_yahoo_frame()])

    def flaky(ticker, start):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    waits = []
    refresh_closes(["FXI"], target=snapshot_copy, download=flaky, allow_partial=True, base_delay=1.5,
                   sleep=waits.append, log=lambda m: None)
    assert waits == [1.5, 3.0]
    assert data.prices("FXI")["FXI"].iloc[-1] == 30.0


def test_any_failure_leaves_the_snapshot_byte_identical(snapshot_copy):
    before = tree_digest(snapshot_copy)

    def one_bad(ticker, start):
        if ticker == "FXI":
            return synthetic_yahoo_frame(last_close=-1.0)
        return synthetic_yahoo_frame()

    with pytest.raises(RefreshError, match="FXI: non-positive"):
        refresh_closes(["KWEB", "FXI"], target=snapshot_copy, download=one_bad, allow_partial=True, log=lambda m: None)
    with pytest.raises(RefreshError, match="gave up after 2 attempts"):
        refresh_closes(["KWEB"], target=snapshot_copy, download=lambda t, s: pd.DataFrame(), allow_partial=True,
                       attempts=2, sleep=lambda s: None, log=lambda m: None)
    assert tree_digest(snapshot_copy) == before
    assert not any(p.name.startswith(".") for p in snapshot_copy.parent.iterdir())


def test_multi_level_columns_are_refused(snapshot_copy):
    frame = synthetic_yahoo_frame()
    frame.columns = pd.MultiIndex.from_product([frame.columns, ["KWEB"]])
    with pytest.raises(RefreshError, match="multi_level_index=False"):
        refresh_closes(["KWEB"], target=snapshot_copy, download=lambda t, s: frame, allow_partial=True, log=lambda m: None)
    assert json.loads((snapshot_copy / "manifest.json").read_text())["as_of"] == "2026-07-13"
