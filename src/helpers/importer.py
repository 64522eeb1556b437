"""Build the project's pinned snapshot from ``../shared/market-data``.

Run it with ``make data`` (``python -m helpers.importer``). It reads every folder's
``PROVENANCE.md``, checks each file against what its provenance says (rows, first and
last date, ascending unique dates), and writes ``data/snapshot/``:

- ``closes/<T>.csv``: adjusted daily closes, one source per ticker, the source text
  unchanged. Tickers in ``closes/`` come from there; tickers that only exist in
  ``prices/`` contribute their *primary-source* rows only, so no series ever crosses a
  splice between two sources.
- ``bars/<T>.csv``: daily OHLC and volume with a ``source`` column naming the repository
  of every row; spliced continuations are kept but tagged, and the loader returns only
  the primary source unless asked otherwise.
- ``dividends/``, ``macro/``, ``valuation/``, ``reported/``: the source files copied
  byte for byte, with their column types recorded in the manifest.
- ``provenance/``: the source ``PROVENANCE.md`` files, so the snapshot documents itself.
- ``manifest.json``: per dataset its meaning, unit, frequency, source (repository, path,
  commit or page), first and last date, rows and sha256.

The import is deterministic: the same sources give byte-identical output.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SourceMissingError
from .manifest import MANIFEST_NAME, SCHEMA_VERSION, sha256_of, write_json_atomically
from .paths import DEFAULT_SNAPSHOT_DIR, shared_market_data_dir
from .snapshot_files import replace_directory_atomically, safe_file_stem

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
FOLDERS = ("closes", "prices", "macro", "valuation", "flows")


# --------------------------------------------------------------------------- parsing


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Every pipe table in a Markdown text, as lists of row dicts keyed by header."""
    tables: list[list[dict[str, str]]] = []
    block: list[str] = []
    for line in text.splitlines() + [""]:
        if line.strip().startswith("|"):
            block.append(line.strip())
            continue
        if len(block) >= 2:
            header = [cell.strip() for cell in block[0].strip("|").split("|")]
            rows = []
            for raw in block[2:]:
                cells = [cell.strip() for cell in raw.strip("|").split("|")]
                rows.append(dict(zip(header, cells)))
            tables.append(rows)
        block = []
    return tables


def markdown_sections(text: str, level: str = "## ") -> dict[str, str]:
    """Map each section heading (without the hashes) to its body text."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(level) and not line.startswith(level + "#"):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[len(level):].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


def bullet_fields(body: str) -> dict[str, str]:
    """``- key: value`` bullets of a section, keyed by lower-case key."""
    found = {}
    for line in body.splitlines():
        match = re.match(r"^- ([^:]+): (.*)$", line.strip())
        if match:
            found[match.group(1).strip().lower()] = match.group(2).strip()
    return found


@dataclass
class Segment:
    """A run of rows in a ``prices/`` file that comes from one source."""

    repository: str
    path: str
    commit: str
    start: str | None = None  # None for the primary segment: every row not in a splice
    end: str | None = None
    rows: int | None = None


SPLICE_PATTERNS = (
    # "+196 close-only rows 2025-09-30..2026-07-13 from owner/repo path @ commit"
    re.compile(
        r"\+(?P<rows>\d+) (?:close-only |OHLCV )?rows (?P<start>\d{4}-\d\d-\d\d)\.\.(?P<end>\d{4}-\d\d-\d\d)"
        r" from (?P<repo>[\w.-]+/[\w.-]+) (?P<path>\S+) @ (?P<commit>[0-9a-f]{40})"
    ),
    # "2025-09-30..2026-02-23: 100 OHLCV rows from owner/repo path @ commit"
    re.compile(
        r"(?P<start>\d{4}-\d\d-\d\d)\.\.(?P<end>\d{4}-\d\d-\d\d): (?P<rows>\d+) (?:OHLCV |close-only )?rows"
        r" from (?P<repo>[\w.-]+/[\w.-]+) (?P<path>\S+) @ (?P<commit>[0-9a-f]{40})"
    ),
    # "then 96 close-only rows 2026-02-24..2026-07-13 (close=adj_close) from owner/repo path @ commit"
    re.compile(
        r"then (?P<rows>\d+) (?:close-only |OHLCV )?rows (?P<start>\d{4}-\d\d-\d\d)\.\.(?P<end>\d{4}-\d\d-\d\d)"
        r" \([^)]*\) from (?P<repo>[\w.-]+/[\w.-]+) (?P<path>\S+) @ (?P<commit>[0-9a-f]{40})"
    ),
)


def splice_segments(notes: str) -> list[Segment]:
    """The spliced continuations a ``prices/PROVENANCE.md`` row describes, in date order."""
    segments = []
    for pattern in SPLICE_PATTERNS:
        for match in pattern.finditer(notes):
            segments.append(
                Segment(
                    repository=match["repo"], path=match["path"], commit=match["commit"],
                    start=match["start"], end=match["end"], rows=int(match["rows"]),
                )
            )
    return sorted(segments, key=lambda s: s.start or "")


ALT_DIVIDENDS = re.compile(
    r"(?P<repo>[\w.-]+(?:/[\w.-]+)?) (?P<path>\S+) @ (?P<commit>[0-9a-f]{40}) \([^)]*\) kept as alt/"
    r".*?\.dividends\.csv \((?P<count>\d+) dividends\) comes from that"
)


def dividend_source(notes: str, primary: Segment, rows: int, path: Path, repositories: set[str]) -> Segment:
    """Where a ticker's dividends come from: the primary source, unless its provenance
    notes say they come from the alternative copy kept in ``alt/`` (the count must agree).

    The notes may name a repository by its owner only (``sheep-farm``); it is resolved
    against ``repositories``, the full names the provenance table uses.
    """
    match = ALT_DIVIDENDS.search(notes)
    if match is None:
        return primary
    if int(match["count"]) != rows:
        raise ValueError(f"{path}: provenance says {match['count']} dividends, the file has {rows}")
    repository = match["repo"]
    if "/" not in repository:
        owners = [r for r in repositories if r.split("/")[0] == repository]
        if len(owners) != 1:
            raise ValueError(f"{path}: cannot resolve repository {repository!r} named in the provenance notes")
        repository = owners[0]
    return Segment(repository, match["path"], match["commit"])


# ------------------------------------------------------------------------ validation


def read_csv_text(path: Path) -> tuple[list[str], list[list[str]], str]:
    """Header, rows and the raw text of a small CSV, with a clear error if missing."""
    if not path.exists():
        raise SourceMissingError(f"source file {path} is missing (named in its folder's PROVENANCE.md)")
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    return header, [row for row in reader if row], text


def check_dates(path: Path, dates: list[str], *, pattern: re.Pattern[str] = ISO_DATE) -> None:
    """Dates must be well formed, ascending and unique."""
    for date in dates:
        if not pattern.match(date):
            raise ValueError(f"{path}: malformed date {date!r}")
    for earlier, later in zip(dates, dates[1:]):
        if not earlier < later:
            raise ValueError(f"{path}: dates not ascending and unique at {earlier} -> {later}")


def check_coverage(path: Path, dates: list[str], first: str, last: str, rows: int) -> None:
    """A file must cover exactly what its provenance row says."""
    if (dates[0], dates[-1], len(dates)) != (first, last, rows):
        raise ValueError(
            f"{path}: provenance says {first}..{last} with {rows} rows, "
            f"file has {dates[0]}..{dates[-1]} with {len(dates)} rows"
        )


def column_types(header: list[str], rows: list[list[str]]) -> dict[str, str]:
    """Infer each column's type: ``date``, ``month``, ``date_or_month``, ``float`` or ``str``."""
    types = {}
    for index, name in enumerate(header):
        values = [row[index] for row in rows if index < len(row) and row[index] != ""]
        if values and all(ISO_DATE.match(v) for v in values):
            types[name] = "date"
        elif values and all(ISO_MONTH.match(v) for v in values):
            types[name] = "month"
        elif values and all(ISO_DATE.match(v) or ISO_MONTH.match(v) for v in values):
            types[name] = "date_or_month"
        elif values and all(_is_number(v) for v in values):
            types[name] = "float"
        else:
            types[name] = "str"
    return types


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------- build


@dataclass
class SnapshotBuilder:
    """Collects files and manifest entries for one snapshot directory."""

    out: Path
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def write_bytes(self, relative: str, content: bytes) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    def add(self, dataset_id: str, relative: str, **entry: Any) -> None:
        entry["file"] = relative
        entry["sha256"] = sha256_of(self.out / relative)
        self.datasets[dataset_id] = entry


def import_closes(source: Path, builder: SnapshotBuilder) -> set[str]:
    """Copy ``closes/`` (one dsturdy series per ticker); return the tickers imported."""
    provenance = (source / "closes" / "PROVENANCE.md").read_text(encoding="utf-8")
    repo_match = re.search(r"public repository (\S+), folder `([^`]+)`", provenance)
    commit_match = re.search(r"at commit ([0-9a-f]{40})", provenance)
    if not (repo_match and commit_match):
        raise SourceMissingError("closes/PROVENANCE.md no longer names its source repository and commit")
    repository, folder, commit = repo_match[1], repo_match[2], commit_match[1]
    rows = next(t for t in markdown_tables(provenance) if t and "ticker" in t[0])
    tickers = set()
    for row in rows:
        ticker, file_name = row["ticker"], row["file"]
        path = source / "closes" / file_name
        header, data, text = read_csv_text(path)
        if header != ["date", "adj_close"]:
            raise ValueError(f"{path}: unexpected header {header}")
        dates = [r[0] for r in data]
        check_dates(path, dates)
        check_coverage(path, dates, row["first"], row["last"], int(row["rows"]))
        if not all(_is_number(r[1]) for r in data):
            raise ValueError(f"{path}: non-numeric adjusted close")
        relative = f"closes/{safe_file_stem(ticker)}.csv"
        builder.write_bytes(relative, text.encode("utf-8"))
        builder.add(
            f"closes/{ticker}", relative, kind="closes", ticker=ticker,
            meaning=f"{ticker} daily close adjusted for splits and distributions (yfinance auto_adjust=True)",
            unit="USD per share" if not ticker.startswith("^") else "index points (yield in percent)",
            frequency="daily (trading days)",
            source=f"{repository} {folder}{ticker}.csv @ {commit} (file last changed in {row['source commit of file']})",
            adjustment="adjusted close as written by yfinance (auto_adjust=True)",
            first=dates[0], last=dates[-1], rows=len(dates),
        )
        tickers.add(ticker)
    return tickers


def import_prices(source: Path, builder: SnapshotBuilder, tickers_with_closes: set[str]) -> None:
    """Import ``prices/``: bars tagged by source row by row, dividends, and primary-source
    adjusted closes for tickers that have no ``closes/`` file."""
    folder = source / "prices"
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    table = next(t for t in markdown_tables(provenance) if t and "source repository" in t[0])
    repositories = {row["source repository"] for row in table}
    for row in table:
        ticker = row["ticker"]
        path = folder / f"{ticker}.csv"
        header, data, _ = read_csv_text(path)
        expected = ["date", "open", "high", "low", "close", "adj_close", "volume"]
        if header != expected:
            raise ValueError(f"{path}: unexpected header {header}")
        dates = [r[0] for r in data]
        check_dates(path, dates)
        check_coverage(path, dates, row["first"], row["last"], int(row["rows"]))

        primary = Segment(row["source repository"], row["path"], row["commit"])
        splices = splice_segments(row["notes"])
        row_sources = []
        for date in dates:
            owner = primary
            for segment in splices:
                if segment.start <= date <= segment.end:
                    owner = segment
            row_sources.append(owner)
        for segment in splices:
            counted = sum(1 for s in row_sources if s is segment)
            if counted != segment.rows:
                raise ValueError(
                    f"{path}: provenance says {segment.rows} rows from {segment.repository} "
                    f"in {segment.start}..{segment.end}, the file has {counted}"
                )

        stem = safe_file_stem(ticker)
        lines = [",".join(expected + ["source"])]
        lines += [",".join(r + [s.repository]) for r, s in zip(data, row_sources)]
        bars_relative = f"bars/{stem}.csv"
        builder.write_bytes(bars_relative, ("\n".join(lines) + "\n").encode("utf-8"))
        primary_dates = [d for d, s in zip(dates, row_sources) if s is primary]
        builder.add(
            f"bars/{ticker}", bars_relative, kind="bars", ticker=ticker,
            meaning=f"{ticker} daily bars: open, high, low, close, adjusted close, volume",
            unit="listing currency per share (index points for indices); volume in shares",
            frequency="daily (trading days)",
            source=f"{primary.repository} {primary.path} @ {primary.commit}",
            splices=[
                {"source": f"{s.repository} {s.path} @ {s.commit}", "first": s.start, "last": s.end, "rows": s.rows}
                for s in splices
            ],
            primary_first=primary_dates[0], primary_last=primary_dates[-1],
            provenance_notes=row["notes"],
            first=dates[0], last=dates[-1], rows=len(dates),
        )

        dividends = folder / f"{ticker}.dividends.csv"
        if dividends.exists():
            d_header, d_rows, d_text = read_csv_text(dividends)
            if d_header != ["date", "dividend"]:
                raise ValueError(f"{dividends}: unexpected header {d_header}")
            check_dates(dividends, [r[0] for r in d_rows])
            relative = f"dividends/{stem}.csv"
            builder.write_bytes(relative, d_text.encode("utf-8"))
            div_source = dividend_source(row["notes"], primary, len(d_rows), dividends, repositories)
            builder.add(
                f"dividends/{ticker}", relative, kind="dividends", ticker=ticker,
                meaning=f"{ticker} cash dividends per share on ex-dates (non-zero only)",
                unit="listing currency per share", frequency="event",
                source=f"{div_source.repository} {div_source.path} @ {div_source.commit}",
                first=d_rows[0][0] if d_rows else None, last=d_rows[-1][0] if d_rows else None,
                rows=len(d_rows),
            )

        if ticker in tickers_with_closes:
            continue
        # Tickers absent from closes/: adjusted closes from the primary source only.
        primary_rows = [r for r, s in zip(data, row_sources) if s is primary]
        if all(r[5] != "" for r in primary_rows):
            column, adjustment = 5, "adj_close column of the primary source"
        else:
            column, adjustment = 4, "close of the primary source, which is auto-adjusted by yfinance"
        closes_lines = ["date,adj_close"] + [f"{r[0]},{r[column]}" for r in primary_rows]
        relative = f"closes/{stem}.csv"
        builder.write_bytes(relative, ("\n".join(closes_lines) + "\n").encode("utf-8"))
        builder.add(
            f"closes/{ticker}", relative, kind="closes", ticker=ticker,
            meaning=f"{ticker} daily close adjusted for splits and distributions (primary source only)",
            unit="listing currency per share (index points for indices)",
            frequency="daily (trading days)",
            source=f"{primary.repository} {primary.path} @ {primary.commit}",
            adjustment=adjustment,
            first=primary_rows[0][0], last=primary_rows[-1][0], rows=len(primary_rows),
        )


def import_macro(source: Path, builder: SnapshotBuilder) -> None:
    """Copy ``macro/`` series with the metadata of their provenance sections."""
    folder = source / "macro"
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    sections = markdown_sections(provenance)
    for file_name, body in sections.items():
        if not file_name.endswith(".csv"):
            continue
        fields = bullet_fields(body)
        path = folder / file_name
        header, data, text = read_csv_text(path)
        if header != ["date", "value"]:
            raise ValueError(f"{path}: unexpected header {header}")
        dates = [r[0] for r in data]
        check_dates(path, dates)
        first, last, rows = [part.strip() for part in fields["first / last / rows"].split("/")]
        check_coverage(path, dates, first, last, int(rows))
        series = file_name.removesuffix(".csv")
        relative = f"macro/{file_name}"
        builder.write_bytes(relative, text.encode("utf-8"))
        builder.add(
            f"macro/{series}", relative, kind="macro", series=series,
            meaning=fields.get("meaning", ""), unit=fields.get("unit", ""),
            frequency=fields.get("frequency", ""), source=fields.get("source", ""),
            series_id=fields.get("series id", ""), transformation=fields.get("transformation", ""),
            date_convention="month-end" if series == "cn_cgb_10y_m" else "first day of the reference period",
            first=dates[0], last=dates[-1], rows=len(dates),
        )


# What each table of valuation/ and flows/ is; the source of each row is in its own
# `source` column (or in the provenance section for single-source tables).
TABLES: dict[str, dict[str, str]] = {
    "valuation/sp500_shiller_monthly": {
        "meaning": "Robert Shiller's monthly S&P Composite data: price, 12-month dividends and earnings, CPI, 10-year yield, trailing P/E, CAPE",
        "unit": "index points; percent; ratios (x)", "frequency": "monthly", "date_column": "date", "folder": "valuation",
    },
    "valuation/index_pe_history": {
        "meaning": "index P/E histories by provider (Nasdaq-100, S&P 500, CSI 300, Hang Seng Index)",
        "unit": "x (price to earnings)", "frequency": "monthly or semi-annual (see frequency column)", "date_column": "date", "folder": "valuation",
    },
    "valuation/sector_valuation_simplywallst": {
        "meaning": "Simply Wall St market and sector aggregates: market cap, revenue, earnings, P/E, P/S",
        "unit": "bn local currency; x", "frequency": "irregular (page snapshots)", "date_column": "date", "folder": "valuation",
    },
    "valuation/stock_valuation_snapshots": {
        "meaning": "dated price, market cap, trailing and forward P/E snapshots for Chinese leaders and the Magnificent Seven",
        "unit": "listing currency; mn; x", "frequency": "irregular (page snapshots, fiscal year ends)", "date_column": "date", "folder": "valuation",
    },
    "valuation/stock_pe_quarterly_stockanalysis": {
        "meaning": "quarter-end close, trailing and forward P/E for AAPL, AMZN, META, NVDA, TSLA (stockanalysis.com)",
        "unit": "USD; x", "frequency": "quarterly", "date_column": "period_end_month", "folder": "valuation",
    },
    "valuation/stock_pe_ttm_eps_macrotrends": {
        "meaning": "quarter-end price, trailing-twelve-month EPS and P/E for NVDA and TSLA (macrotrends)",
        "unit": "USD; x", "frequency": "quarterly", "date_column": "date", "folder": "valuation",
    },
    "valuation/stock_pe_daily_gurufocus_2025": {
        "meaning": "daily trailing P/E around the DeepSeek moment and the April 2025 tariff shock (gurufocus)",
        "unit": "x", "frequency": "daily (with a gap 2025-02-21..2025-03-24 not stored)", "date_column": "date", "folder": "valuation",
    },
    "valuation/stock_pe_yearend_companiesmarketcap": {
        "meaning": "year-end trailing P/E for Tencent and NetEase (companiesmarketcap)",
        "unit": "x", "frequency": "annual (year end)", "date_column": "date", "folder": "valuation",
    },
    "reported/reported_figures": {
        "meaning": "dated published figures (index and stock P/Es, ETF flows and AUM, IPO and policy figures) with their sources",
        "unit": "see unit column", "frequency": "irregular (as reported)", "date_column": "as_of", "folder": "valuation",
    },
    "reported/etf_flow_aum_reported": {
        "meaning": "reported ETF flows, assets and shares outstanding (a subset of reported_figures)",
        "unit": "see unit column", "frequency": "irregular (as reported)", "date_column": "as_of", "folder": "flows",
    },
}


def import_tables(source: Path, builder: SnapshotBuilder) -> None:
    """Copy ``valuation/`` and ``flows/`` tables byte for byte, recording column types."""
    for dataset_id, meta in TABLES.items():
        group, name = dataset_id.split("/")
        folder = meta["folder"]
        path = source / folder / f"{name}.csv"
        header, data, text = read_csv_text(path)
        types = column_types(header, data)
        date_column = meta["date_column"]
        dates = sorted(r[header.index(date_column)] for r in data)
        relative = f"{group}/{name}.csv"
        builder.write_bytes(relative, text.encode("utf-8"))
        section = next(
            (body for title, body in markdown_sections((source / folder / "PROVENANCE.md").read_text(encoding="utf-8")).items()
             if title.startswith(f"{name}.csv")),
            "",
        )
        builder.add(
            dataset_id, relative, kind=group, table=name,
            meaning=meta["meaning"], unit=meta["unit"], frequency=meta["frequency"],
            source=("per-row `source` column; " if "source" in header else "")
            + f"provenance: {folder}/PROVENANCE.md",
            provenance_notes=section,
            columns=types, date_column=date_column,
            first=dates[0], last=dates[-1], rows=len(data),
        )
    # The flows table must be a subset of the reported figures, or the two disagree.
    flows = set(read_csv_text(source / "flows" / "etf_flow_aum_reported.csv")[2].splitlines()[1:])
    reported = set(read_csv_text(source / "valuation" / "reported_figures.csv")[2].splitlines()[1:])
    if not flows <= reported:
        raise ValueError("flows/etf_flow_aum_reported.csv has rows missing from valuation/reported_figures.csv")


def check_source(source: Path) -> None:
    """Fail with one message naming everything missing from the import source."""
    if not source.is_dir():
        raise SourceMissingError(
            f"import source {source} does not exist. Put the shared data folder beside the "
            "project (../shared/market-data) or set CHINATECH_SHARED to the folder that holds market-data/"
        )
    missing = [f"{name}/PROVENANCE.md" for name in FOLDERS if not (source / name / "PROVENANCE.md").exists()]
    if missing:
        raise SourceMissingError(f"import source {source} is incomplete; missing: {', '.join(missing)}")


def build_snapshot(source: Path, target: Path, *, quiet: bool = False) -> dict[str, Any]:
    """Import ``source`` (a ``market-data`` folder) into the snapshot directory ``target``.

    The new snapshot is written into a temporary sibling directory and swapped in only
    when complete, so a failed import leaves the previous snapshot untouched.
    Returns the manifest content.
    """
    check_source(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.importing"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        builder = SnapshotBuilder(staging)
        say = (lambda *_, **__: None) if quiet else print
        say("importing closes/ ...", flush=True)
        tickers = import_closes(source, builder)
        say("importing prices/ (bars, dividends, primary-source closes) ...", flush=True)
        import_prices(source, builder, tickers)
        say("importing macro/ ...", flush=True)
        import_macro(source, builder)
        say("importing valuation/ and flows/ ...", flush=True)
        import_tables(source, builder)
        for name in FOLDERS:
            builder.write_bytes(f"provenance/{name}.md", (source / name / "PROVENANCE.md").read_bytes())
        closes_last = max(d["last"] for d in builder.datasets.values() if d["kind"] == "closes")
        content = {
            "schema_version": SCHEMA_VERSION,
            "as_of": closes_last,
            "description": "Pinned snapshot of real market, macro, valuation and flow data for the China-tech book",
            "origin": "imported from shared/market-data by helpers.importer",
            "provenance_sha256": {
                name: sha256_of(source / name / "PROVENANCE.md") for name in FOLDERS
            },
            "datasets": dict(sorted(builder.datasets.items())),
        }
        write_json_atomically(staging / MANIFEST_NAME, content)
        replace_directory_atomically(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None, help="the market-data folder (default ../shared/market-data)")
    parser.add_argument("--target", type=Path, default=DEFAULT_SNAPSHOT_DIR, help="snapshot directory to write")
    args = parser.parse_args(argv)
    source = args.source or shared_market_data_dir()
    try:
        content = build_snapshot(source, args.target)
    except SourceMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    kinds: dict[str, int] = {}
    for entry in content["datasets"].values():
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"snapshot written to {args.target}: {summary}; as of {content['as_of']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
