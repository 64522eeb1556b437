"""The snapshot importer: provenance parsing, checks, determinism and splice tagging."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from helpers.errors import SourceMissingError
from helpers.importer import build_snapshot, column_types, markdown_tables, splice_segments
from helpers.manifest import sha256_of
from helpers.paths import DEFAULT_SNAPSHOT_DIR


def test_splice_notes_are_parsed_into_dated_segments():
    notes = ("raw OHLC to 2025-09-29; 2025-09-30..2026-02-23: 100 OHLCV rows from alitalbi/storage_data_fy "
             "QQQ.csv @ 941406838f8b8a613f95450e8df70f806c1de58a (5-day overlap 0.00%); then 96 close-only rows "
             "2026-02-24..2026-07-13 (close=adj_close) from dsturdy/Factor_Attribution_5_csvs data/QQQ.csv @ "
             "a206574f380c69cb147d5900c6115d54c74ce8d0 (overlap checked)")
    segments = splice_segments(notes)
    assert [(s.repository, s.start, s.end, s.rows) for s in segments] == [
        ("alitalbi/storage_data_fy", "2025-09-30", "2026-02-23", 100),
        ("dsturdy/Factor_Attribution_5_csvs", "2026-02-24", "2026-07-13", 96),
    ]
    assert splice_segments("dsturdy close-only continuation NOT appended (5-day overlap deviation 2.30%)") == []


def test_markdown_tables_and_column_types():
    tables = markdown_tables("text\n| a | b |\n|---|---|\n| 1 | x |\n| 2 | y |\nmore")
    assert tables == [[{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]]
    types = column_types(["d", "m", "mixed", "v", "s"], [["2025-01-02", "2025-01", "2025-12", "1.5", "a"],
                                                          ["2025-01-03", "2025-02", "2025-12-31", "", "b"]])
    assert types == {"d": "date", "m": "month", "mixed": "date_or_month", "v": "float", "s": "str"}


def test_committed_snapshot_is_exactly_what_the_importer_makes(market_data, tmp_path):
    """Re-importing the sources reproduces the committed snapshot byte for byte."""
    fresh = tmp_path / "snapshot"
    build_snapshot(market_data, fresh, quiet=True)
    committed = json.loads((DEFAULT_SNAPSHOT_DIR / "manifest.json").read_text())
    rebuilt = json.loads((fresh / "manifest.json").read_text())
    assert rebuilt == committed
    assert sha256_of(fresh / "manifest.json") == sha256_of(DEFAULT_SNAPSHOT_DIR / "manifest.json")


def test_every_manifest_checksum_matches_its_file():
    manifest = json.loads((DEFAULT_SNAPSHOT_DIR / "manifest.json").read_text())
    for dataset_id, entry in manifest["datasets"].items():
        assert sha256_of(DEFAULT_SNAPSHOT_DIR / entry["file"]) == entry["sha256"], dataset_id


def test_closes_are_copied_unchanged_from_the_source(market_data):
    assert (DEFAULT_SNAPSHOT_DIR / "closes" / "KWEB.csv").read_bytes() == (market_data / "closes" / "KWEB.csv").read_bytes()
    first = (DEFAULT_SNAPSHOT_DIR / "closes" / "KWEB.csv").read_text().splitlines()[1]
    assert first == "2016-01-04,28.980335235595703"


def test_spliced_rows_are_tagged_and_closes_never_cross_a_splice():
    manifest = json.loads((DEFAULT_SNAPSHOT_DIR / "manifest.json").read_text())["datasets"]
    bars = pd.read_csv(DEFAULT_SNAPSHOT_DIR / "bars" / "QQQ.csv")
    assert bars.loc[bars["date"] <= "2025-09-29", "source"].unique().tolist() == ["sheep-farm/assets-data"]
    assert bars.loc[bars["date"].between("2025-09-30", "2026-02-23"), "source"].unique().tolist() == ["alitalbi/storage_data_fy"]
    assert bars.loc[bars["date"] >= "2026-02-24", "source"].unique().tolist() == ["dsturdy/Factor_Attribution_5_csvs"]
    # ^GSPC exists only in prices/ and is spliced from three sources: its closes keep the first only.
    gspc = manifest["closes/^GSPC"]
    assert gspc["last"] == manifest["bars/^GSPC"]["primary_last"] == "2023-08-28"
    assert gspc["source"].startswith("hektornerya/datayfinance")


def test_missing_source_is_named(tmp_path):
    with pytest.raises(SourceMissingError, match="does not exist.*CHINATECH_SHARED"):
        build_snapshot(tmp_path / "nowhere", tmp_path / "out", quiet=True)


def test_incomplete_source_names_the_missing_provenance(market_data, tmp_path):
    partial = tmp_path / "market-data"
    shutil.copytree(market_data, partial)
    (partial / "flows" / "PROVENANCE.md").unlink()
    with pytest.raises(SourceMissingError, match="flows/PROVENANCE.md"):
        build_snapshot(partial, tmp_path / "out", quiet=True)


def test_failed_import_leaves_previous_snapshot_intact(market_data, tmp_path):
    target = tmp_path / "snapshot"
    build_snapshot(market_data, target, quiet=True)
    before = sha256_of(target / "manifest.json")
    broken = tmp_path / "broken"
    shutil.copytree(market_data, broken)
    lines = (broken / "closes" / "KWEB.csv").read_text().splitlines()
    (broken / "closes" / "KWEB.csv").write_text("\n".join(lines[:-1]) + "\n")  # one row short of provenance
    with pytest.raises(ValueError, match="KWEB.csv: provenance says"):
        build_snapshot(broken, target, quiet=True)
    assert sha256_of(target / "manifest.json") == before
    assert not (tmp_path / ".snapshot.importing").exists()


def test_dividend_source_follows_the_provenance_notes(tmp_path):
    """On the real ACWI notes: bars from alitalbi, dividends from the sheep-farm copy in alt/."""
    from helpers.importer import Segment, dividend_source

    provenance = (DEFAULT_SNAPSHOT_DIR / "provenance" / "prices.md").read_text()
    rows = next(t for t in markdown_tables(provenance) if t and "source repository" in t[0])
    repositories = {r["source repository"] for r in rows}
    acwi = next(r for r in rows if r["ticker"] == "ACWI")
    primary = Segment(acwi["source repository"], acwi["path"], acwi["commit"])
    source = dividend_source(acwi["notes"], primary, 10, tmp_path / "ACWI.dividends.csv", repositories)
    assert (source.repository, source.path, source.commit) == (
        "sheep-farm/assets-data", "ACWI.csv", "02056fa1626760eed05c49591fccef71eafd457a")
    kweb = next(r for r in rows if r["ticker"] == "KWEB")
    assert dividend_source(kweb["notes"], primary, 4, tmp_path / "x", repositories) is primary
    with pytest.raises(ValueError, match="provenance says 10 dividends, the file has 9"):
        dividend_source(acwi["notes"], primary, 9, tmp_path / "ACWI.dividends.csv", repositories)
