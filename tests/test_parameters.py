"""Parameters are declared once, validated before execution, and match the chapters."""

from __future__ import annotations

import ast

import pytest

from helpers.build import read_source_notebook, toc_pages
from helpers.errors import ParameterError
from helpers.parameters import CHAPTERS, ChapterSpec, Param, dates_in_order, dates_within_snapshot, validate


def test_defaults_validate_for_every_page():
    for page in toc_pages():
        assert validate(page) == CHAPTERS[page].defaults(), page


def test_parameters_cells_hold_the_declared_defaults():
    """The literal defaults in each chapter's `parameters` cell equal the registry's."""
    for page in toc_pages():
        notebook = read_source_notebook(page)
        cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        declared = CHAPTERS[page].defaults()
        if not declared:
            assert not cells, f"{page}: parameters cell but nothing declared"
            continue
        assert len(cells) == 1, f"{page}: needs exactly one parameters cell"
        values = {node.targets[0].id: ast.literal_eval(node.value)
                  for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign)}
        assert values == declared, page


def test_unknown_parameter_suggests_the_closest():
    with pytest.raises(ParameterError, match=r"coverage_strat: unknown parameter; did you mean 'coverage_start'\?"):
        validate("data_appendix", {"coverage_strat": "2020-01-01"})


def test_each_kind_of_bad_value_gives_one_line_naming_it():
    with pytest.raises(ParameterError) as error:
        validate("data_appendix", {"coverage_start": "2020-13-01", "dataset_kinds": ["closes", "prices"]})
    lines = str(error.value).splitlines()[1:]
    assert lines == [
        "  coverage_start: '2020-13-01' is not a date; write it as YYYY-MM-DD",
        "  dataset_kinds: 'prices' not allowed; choose from closes, bars, dividends, macro, valuation, reported",
    ]


SYNTHETIC_SPEC = ChapterSpec(
    "synthetic_test_chapter",
    (Param("ticker", "ticker", "KWEB", "one ticker"),
     Param("window", "int", 5, "days", minimum=1, maximum=250),
     Param("start", "date", "2025-01-02", "start"),
     Param("end", "date", "2025-06-30", "end"),
     Param("benchmark", "choice", "SPY", "benchmark", choices=("SPY", "ACWI"))),
    (dates_in_order("start", "end"), dates_within_snapshot("start", "end")),
)


@pytest.fixture
def synthetic_chapter(monkeypatch):
    monkeypatch.setitem(CHAPTERS, "synthetic_test_chapter", SYNTHETIC_SPEC)
    return "synthetic_test_chapter"


@pytest.mark.parametrize("override, message", [
    ({"ticker": "KWBE"}, "ticker: not in the snapshot: 'KWBE' (did you mean KWEB"),
    ({"window": "5"}, "window: '5' is not a whole number"),
    ({"window": 0}, "window: 0 is below the minimum 1"),
    ({"benchmark": "SPX"}, "benchmark: 'SPX' is not allowed; choose one of SPY, ACWI (did you mean 'SPY'?)"),
    ({"start": "2025-07-01"}, "end: 2025-06-30 is not after start=2025-07-01"),
    ({"end": "2031-01-01"}, "end: '2031-01-01' is after the snapshot's last date 2026-07-13"),
    ({"start": "2001-01-01"}, "start: '2001-01-01' is before the snapshot's first date"),
])
def test_bad_values_for_each_kind(synthetic_chapter, override, message):
    with pytest.raises(ParameterError) as error:
        validate(synthetic_chapter, override)
    assert message in str(error.value)
    assert len(str(error.value).splitlines()) == 2  # the heading and exactly one problem


def test_values_are_normalised(synthetic_chapter):
    import datetime as dt

    values = validate(synthetic_chapter, {"ticker": "kweb", "start": dt.date(2025, 1, 3), "window": 10.0})
    assert values["ticker"] == "KWEB" and values["start"] == "2025-01-03" and values["window"] == 10


def test_unknown_chapter():
    with pytest.raises(ParameterError, match="did you mean 'data_appendix'"):
        validate("data_apendix")


def test_a_ticker_without_data_around_the_event_is_named():
    with pytest.raises(ParameterError) as error:
        validate("deepseek", {"event_date": "2025-09-01"})
    lines = str(error.value).splitlines()[1:]
    assert "  china_tech_tickers: 1024.HK: no session on or after 2025-09-01: the data end on 2025-05-22" in lines
    assert any(line.startswith("  china_tech_tickers: TCEHY: day +60 after 2025-09-02") for line in lines)


def test_the_chatgpt_event_on_us_tickers_validates():
    values = validate("deepseek", {"event_date": "2022-11-30", "china_tech_tickers": ["KWEB", "BABA"]})
    assert values["event_date"] == "2022-11-30" and values["benchmark"] == "RSP"


@pytest.mark.parametrize("chapter, override, message", [
    ("deepseek", {"windows": [[5, 0]]}, "windows: window [5, 0] ends before it starts; write it as [0, 5]"),
    ("deepseek", {"windows": [[0, 1], [0, 1]]}, "windows: a window is listed twice"),
    ("deepseek", {"windows": [[0, "5"]]}, "windows: [0, '5'] is not a [start, end] pair of whole numbers"),
    ("deepseek", {"windows": [[0, 400]]}, "windows: window [0, 400] reaches beyond days -60..250"),
    ("deepseek", {"windows": [[-20, 5]]}, "estimation_gap: 10 leaves the estimation window overlapping the window "
                              "starting on day -20; use at least 20"),
    ("deepseek", {"estimation_length": 1000, "event_date": "2019-06-03", "china_tech_tickers": ["KWEB"]},
     "benchmark: RSP: the estimation window needs 1000 sessions"),
    ("deepseek", {"horizon_days": 500}, "horizon_days: 500 sessions after event_date=2025-01-27 is beyond the data of every "
                            "ticker in china_tech_tickers; use at most 365"),
    ("macro", {"start_date": "2025-06-01"}, "start_date: 2025-06-01 leaves 3 quarters of KWEB and nominal GDP growth "
                                   "(at least 8 needed); use a date up to 2024-04-01"),
    ("macro", {"price_series": ["cpi"]}, "price_series: 'cpi' not allowed; choose from cn_cpi_yoy_m, cn_ppi_yoy_m"),
    ("macro", {"comparison_country": "EU"}, "comparison_country: 'EU' is not allowed; choose one of US"),
    ("macro", {"equity_ticker": "KWBE"}, "equity_ticker: not in the snapshot: 'KWBE' (did you mean KWEB"),
    ("valuation", {"decomposition_start": "2023-01-01"}, "decomposition_start: 2023-01-01 is outside sector_valuation_simplywallst"),
    ("valuation", {"decomposition_end": "2024-06-01"}, "decomposition_end: 2024-06-01 is not after decomposition_start=2025-01-01"),
    ("valuation", {"china_members": ["Alibaba", "Meituan"]}, "china_members: 'Meituan' not allowed"),
    ("valuation", {"metric": "fwd"}, "metric: 'fwd' is not allowed; choose one of trailing, forward (did you mean 'forward'?)"),
    ("valuation", {"max_age_days": 2}, "max_age_days: 2 is below the minimum 7"),
    ("etf_flows", {"event_dates": ["2025-10-01"]}, "event_dates: 2025-10-01: KWEB: no session on or after 2025-10-01"),
    ("etf_flows", {"event_dates": ["2025-01-27", "2025-01-27"]}, "event_dates: a date is listed twice"),
    ("etf_flows", {"event_dates": "2025-13-01"}, "event_dates: '2025-13-01' is not a date; write it as YYYY-MM-DD"),
    ("etf_flows", {"tech_etfs": ["KWEB", "KSTR"]}, "tech_etfs: KSTR has no daily volume in the snapshot"),
    ("etf_flows", {"window_end": -1}, "window_end: -1 is before window_start=0"),
    ("etf_flows", {"baseline_days": 500, "event_dates": ["2021-06-01"]}, "event_dates: 2021-06-01: KWEB: the baseline of 500"),
    ("bubble", {"lags": -1}, "lags: -1 is below the minimum 0"),
    ("bubble", {"r0": 0.02, "lags": 3}, "lags: KWEB: the smallest window holds 7 observations"),
    ("bubble", {"sample_start": "2026-06-01"}, "tickers: KWEB has 7 weekly closes between 2026-06-01 and 2026-07-13 (at least 20 needed)"),
    ("bubble", {"china_tickers": ["KWEB", "PDD"]}, "china_tickers: PDD not in tickers"),
    ("bubble", {"sample_end": "2027-01-01"}, "sample_end: '2027-01-01' is after the snapshot's last date"),
    ("bubble", {"level": 0.975}, "level: 0.975 is not allowed; choose one of 0.9, 0.95, 0.99"),
])
def test_chapter_parameters_fail_before_execution(chapter, override, message):
    """Each kind of bad value, per chapter: a clear line naming the parameter and the fix."""
    with pytest.raises(ParameterError) as error:
        validate(chapter, override)
    assert message in str(error.value)
