"""The one way in for data: typed pandas objects from the pinned snapshot.

Every chapter reads data through these functions, never through file paths::

    from helpers import data
    closes = data.prices(["KWEB", "FXI"], start="2025-01-01", end="2025-12-31")
    rets = data.returns(["KWEB", "FXI"], start="2025-01-01", end="2025-12-31")
    cpi = data.macro("cn_cpi_yoy_m")
    flows = data.reported(metric="year-to-date")

Each file is checked against its manifest checksum before it is parsed (once per
process while the file is unchanged). Errors say what exists: unknown tickers and series
come with close matches, dates outside the snapshot with the range that exists.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import DateRangeError, UnknownSeriesError, UnknownTickerError
from .manifest import Dataset, Manifest, load_manifest
from .paths import REFERENCE_DIR, snapshot_dir

FIELDS = ("open", "high", "low", "close", "adj_close", "volume")  # adj_close from closes/, the rest from bars/
READ_LOG_ENV = "CHINATECH_READ_LOG"


# ------------------------------------------------------------------------- snapshot


@lru_cache(maxsize=8)
def _manifest_at(root: str, manifest_mtime_ns: int) -> Manifest:
    return load_manifest(Path(root))


def _current_manifest() -> Manifest:
    root = snapshot_dir()
    manifest_path = root / "manifest.json"
    mtime = manifest_path.stat().st_mtime_ns if manifest_path.exists() else 0
    return _manifest_at(str(root), mtime)


def manifest() -> Manifest:
    """The manifest of the active snapshot (``$CHINATECH_SNAPSHOT`` or ``data/snapshot``).

    A chapter that asks for snapshot-wide facts (as-of date, coverage, lists of tickers)
    depends on the whole manifest; one that only loads datasets depends on those files.
    """
    current = _current_manifest()
    log_read(current.root / "manifest.json")
    return current


def as_of() -> str:
    """The snapshot's as-of date: the last date of its daily closes (ISO string)."""
    return manifest().as_of


# Files already checked in this process, keyed by (path, mtime, size, expected sha256):
# a file is re-hashed whenever it changes on disk.
_VERIFIED: set[tuple[str, int, int, str]] = set()


def _open_dataset(dataset: Dataset) -> Path:
    """Path of a dataset's file after its checksum was verified; logs the read."""
    current = _current_manifest()
    path = current.path_of(dataset)
    stat = path.stat() if path.exists() else None
    key = (str(path), stat.st_mtime_ns, stat.st_size, dataset.sha256) if stat else None
    if key not in _VERIFIED:
        current.verify(dataset)  # raises a clear error naming the file
        _VERIFIED.add(key)
    log_read(path)
    return path


def log_read(path: Path) -> None:
    """Note that the running chapter read ``path`` (for the build's dependency cache)."""
    log = os.environ.get(READ_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{Path(path).resolve()}\n")


@lru_cache(maxsize=512)
def _read_csv(path: str, mtime_ns: int, parse_dates: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=list(parse_dates))


def _frame(dataset: Dataset, parse_dates: Sequence[str] = ("date",)) -> pd.DataFrame:
    path = _open_dataset(dataset)
    return _read_csv(str(path), path.stat().st_mtime_ns, tuple(parse_dates)).copy()


# ------------------------------------------------------------------------- lookups


def _suggest(name: str, choices: Iterable[str]) -> str:
    choices = sorted(choices)
    by_upper = {c.upper(): c for c in choices}
    close = difflib.get_close_matches(name.upper(), list(by_upper), n=4, cutoff=0.5)
    return ", ".join(by_upper[c] for c in close)


def tickers(kind: str = "closes") -> list[str]:
    """Tickers with a dataset of this kind (``closes``, ``bars``, ``dividends`` or ``shares``)."""
    return sorted(d.extra["ticker"] for d in manifest().of_kind(kind).values())


def _dataset_for_ticker(ticker: str, kind: str) -> Dataset:
    datasets = _current_manifest().of_kind(kind)
    by_upper = {d.extra["ticker"].upper(): d for d in datasets.values()}
    found = by_upper.get(str(ticker).strip().upper())
    if found is not None:
        return found
    known = [d.extra["ticker"] for d in datasets.values()]
    hint = _suggest(str(ticker), known)
    other = [k for k in ("closes", "bars") if k != kind and str(ticker).upper() in
             {d.extra["ticker"].upper() for d in _current_manifest().of_kind(k).values()}]
    where = f" ({ticker} exists only as {other[0]})" if other else ""
    raise UnknownTickerError(
        f"unknown ticker {ticker!r} in snapshot {kind}/{where}"
        + (f"; did you mean: {hint}?" if hint else "")
        + f" The snapshot holds {len(known)} {kind} tickers; list them with helpers.data.tickers({kind!r})"
    )


def describe(dataset_id: str) -> Dataset:
    """The manifest entry of one dataset (``closes/KWEB``, ``macro/cn_cpi_yoy_m``, ...)."""
    datasets = manifest().datasets
    if dataset_id not in datasets:
        hint = _suggest(dataset_id, datasets)
        raise UnknownSeriesError(
            f"unknown dataset {dataset_id!r}" + (f"; did you mean: {hint}?" if hint else "")
        )
    return datasets[dataset_id]


# ------------------------------------------------------------------------- dates


def period_start(text: str | None) -> pd.Timestamp:
    """First day of a ``YYYY-MM-DD`` or ``YYYY-MM`` period (NaT for empty)."""
    if not text:
        return pd.NaT
    return pd.Timestamp(f"{text}-01" if len(text) == 7 else text)


def _timestamp(value: str | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise DateRangeError(f"{name}={value!r} is not a date (use YYYY-MM-DD)") from error


def _check_order(start: pd.Timestamp | None, end: pd.Timestamp | None) -> None:
    if start is not None and end is not None and start > end:
        raise DateRangeError(f"start {start.date()} is after end {end.date()}")


def _check_within(label: str, first: pd.Timestamp, last: pd.Timestamp,
                  start: pd.Timestamp | None, end: pd.Timestamp | None) -> None:
    """Raise if the requested window reaches outside what the snapshot holds."""
    if (start is not None and start < first) or (end is not None and end > last):
        asked = f"{start.date() if start is not None else '…'}..{end.date() if end is not None else '…'}"
        raise DateRangeError(
            f"{label}: asked for {asked}, the snapshot holds {first.date()}..{last.date()} "
            f"(snapshot as of {_current_manifest().as_of}); narrow the dates or pass strict=False to take what exists"
        )


def _slice(frame: pd.DataFrame | pd.Series, start, end, label: str):
    window = frame.loc[start:end] if isinstance(frame.index, pd.DatetimeIndex) else frame
    if len(window) == 0:
        raise DateRangeError(
            f"{label}: no observations between {start.date() if start is not None else 'the start'} "
            f"and {end.date() if end is not None else 'the end'} "
            f"(the snapshot holds {frame.index.min().date()}..{frame.index.max().date()})"
        )
    return window


# ------------------------------------------------------------------------- prices


def _one_price_series(ticker: str, field: str, include_splices: bool) -> pd.Series:
    if field == "adj_close":
        dataset = _dataset_for_ticker(ticker, "closes")
        frame = _frame(dataset)
        series = frame.set_index("date")["adj_close"].astype("float64")
    else:
        dataset = _dataset_for_ticker(ticker, "bars")
        frame = _frame(dataset)
        if not include_splices:
            primary = dataset.source.split(" ")[0]
            frame = frame[frame["source"] == primary]
        series = frame.set_index("date")[field]
        series = series.astype("Int64") if field == "volume" else series.astype("float64")
        series = series.dropna()
    series.name = dataset.extra["ticker"]
    series.index.name = "date"
    return series


def prices(
    tickers: str | Sequence[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    field: str = "adj_close",
    *,
    strict: bool = True,
    include_splices: bool = False,
) -> pd.DataFrame:
    """Daily prices as a wide frame (dates x tickers).

    ``field`` is ``adj_close`` (the default, from ``closes/``: one source per ticker,
    adjusted for splits and distributions: use it for returns) or one of ``open``,
    ``high``, ``low``, ``close``, ``volume`` (from ``bars/``, unadjusted, primary source
    only unless ``include_splices=True``).

    With ``strict=True`` (default) every ticker must cover the whole requested window;
    ``strict=False`` returns what exists. Tickers from different markets keep their own
    trading days: rows where a ticker did not trade hold NaN.
    """
    names = [tickers] if isinstance(tickers, str) else list(tickers)
    if not names:
        raise UnknownTickerError("no tickers given")
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}; choose one of {', '.join(FIELDS)}")
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    _check_order(start_ts, end_ts)
    columns = {}
    for name in names:
        series = _one_price_series(name, field, include_splices)
        if strict:
            _check_within(f"{series.name} {field}", series.index.min(), series.index.max(), start_ts, end_ts)
        columns[series.name] = _slice(series, start_ts, end_ts, f"{series.name} {field}")
    frame = pd.concat(columns, axis=1, sort=True)
    frame.columns.name = "ticker"
    frame.attrs["field"] = field
    return frame


def returns(
    tickers: str | Sequence[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    log: bool = False,
    strict: bool = True,
) -> pd.DataFrame:
    """Daily total returns from adjusted closes, each ticker on its own trading days.

    The first return is the one *into* the first date on or after ``start``, so the
    close before ``start`` is read too when it exists. A return is never computed across
    a gap of another market's calendar or across two sources.
    """
    closes = prices(tickers, None, end, "adj_close", strict=False)
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    _check_order(start_ts, end_ts)
    columns = {}
    for name in closes.columns:
        series = closes[name].dropna()
        if strict:
            _check_within(f"{name} returns", series.index[1], series.index.max(), start_ts, end_ts)
        ratio = (series / series.shift(1)).iloc[1:]
        daily = np.log(ratio) if log else ratio - 1.0
        columns[name] = _slice(daily, start_ts, end_ts, f"{name} returns")
    frame = pd.concat(columns, axis=1, sort=True)
    frame.columns.name = "ticker"
    return frame


def dividends(ticker: str) -> pd.Series:
    """Cash dividends per share on ex-dates (non-zero only) for one ticker."""
    dataset = _dataset_for_ticker(ticker, "dividends")
    frame = _frame(dataset)
    series = frame.set_index("date")["dividend"].astype("float64")
    series.name = dataset.extra["ticker"]
    return series


def shares_outstanding(ticker: str) -> pd.Series:
    """Daily shares outstanding of an ETF (kind ``shares`` in the manifest: a file with
    ``date,shares``), for example from an issuer download or a live refresh.

    The pinned snapshot holds none (no public history was found); chapters ask
    :func:`tickers` with ``"shares"`` first, so such a series plugs in when it exists.
    """
    dataset = _dataset_for_ticker(ticker, "shares")
    series = _frame(dataset).set_index("date")["shares"].astype("float64")
    series.name = dataset.extra["ticker"]
    return series


# ------------------------------------------------------------------------- macro


def macro_series() -> list[str]:
    """Ids of every macro series in the snapshot."""
    return sorted(d.extra["series"] for d in manifest().of_kind("macro").values())


def macro(
    series: str | Sequence[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.Series | pd.DataFrame:
    """One macro series as a Series (or several as a frame), indexed by period date.

    Series ids are the file names of ``macro/`` (``cn_cpi_yoy_m``, ``cn_real_gdp_yoy_q_nbs``,
    ...); each keeps its own vintage, nothing is spliced here. Metadata (meaning, unit,
    source) is in ``series.attrs``.
    """
    if not isinstance(series, str):
        return pd.concat({name: macro(name, start, end) for name in series}, axis=1, sort=True)
    known = _current_manifest().of_kind("macro")
    dataset = known.get(f"macro/{series}")
    if dataset is None:
        hint = _suggest(series, [d.extra["series"] for d in known.values()])
        raise UnknownSeriesError(
            f"unknown macro series {series!r}" + (f"; did you mean: {hint}?" if hint else "")
            + " List them with helpers.data.macro_series()"
        )
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    _check_order(start_ts, end_ts)
    values = _frame(dataset).set_index("date")["value"].astype("float64")
    values.name = series
    values = _slice(values, start_ts, end_ts, f"macro series {series}")
    values.attrs.update(meaning=dataset.meaning, unit=dataset.unit, frequency=dataset.frequency,
                        source=dataset.source, last=dataset.last)
    return values


# ------------------------------------------------------------------------- tables


def table_names() -> list[str]:
    """Valuation and reported tables, as ``group/name``."""
    current = manifest()
    return sorted([*current.of_kind("valuation"), *current.of_kind("reported")])


def table(name: str) -> pd.DataFrame:
    """A valuation or reported table with typed columns.

    Date columns become datetimes; month-only or mixed columns (``2025-12``) stay as
    text and gain ``<col>_start`` (first day of the period) and ``<col>_precision``
    (``day`` or ``month``), so an approximate date is never mistaken for an exact one.
    """
    candidates = {k: d for k, d in _current_manifest().datasets.items() if d.kind in ("valuation", "reported")}
    key = name if name in candidates else next((k for k in candidates if k.split("/")[1] == name), None)
    if key is None:
        hint = _suggest(name, [k.split("/")[1] for k in candidates])
        raise UnknownSeriesError(
            f"unknown table {name!r}" + (f"; did you mean: {hint}?" if hint else "")
            + f" Tables: {', '.join(sorted(k.split('/')[1] for k in candidates))}"
        )
    dataset = candidates[key]
    types: dict[str, str] = dataset.extra["columns"]
    frame = _frame(dataset, parse_dates=tuple(c for c, t in types.items() if t == "date"))
    for column, kind in types.items():
        if kind == "float":
            frame[column] = frame[column].astype("float64")
        elif kind in ("month", "date_or_month"):
            text = frame[column].astype("str")
            frame[f"{column}_precision"] = text.str.len().map({7: "month", 10: "day"})
            frame[f"{column}_start"] = pd.to_datetime(text.map(period_start))
    frame.attrs.update(meaning=dataset.meaning, source=dataset.source, table=key)
    return frame


def reported(subject: str | None = None, metric: str | None = None) -> pd.DataFrame:
    """Dated reported figures (with their sources), filtered by case-insensitive substrings."""
    frame = table("reported_figures")
    if subject:
        frame = frame[frame["subject"].str.contains(subject, case=False, regex=False)]
    if metric:
        frame = frame[frame["metric"].str.contains(metric, case=False, regex=False)]
    if frame.empty:
        raise UnknownSeriesError(f"no reported figure matches subject={subject!r}, metric={metric!r}")
    return frame.reset_index(drop=True)


# ------------------------------------------------------------------------- reference

EVENT_COLUMNS = ("id", "date", "event", "after_us_close", "kind", "markets", "source", "note")
EVENT_KINDS = ("catalyst", "reaction", "confounder")


def events(kind: str | None = None, path: Path | None = None) -> pd.DataFrame:
    """The cited table of dated events (``data/reference/events.csv``), indexed by id.

    ``date`` is the calendar date of the announcement in US time; ``after_us_close``
    marks announcements made after the US close, whose first reaction is the next
    session. ``markets`` lists the markets affected (``US;HK``).
    """
    path = path or REFERENCE_DIR / "events.csv"
    log_read(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {', '.join(missing)}")
    if frame["id"].duplicated().any():
        raise ValueError(f"{path}: duplicated event ids {', '.join(frame['id'][frame['id'].duplicated()])}")
    bad_kind = sorted(set(frame["kind"]) - set(EVENT_KINDS))
    if bad_kind:
        raise ValueError(f"{path}: unknown event kinds {', '.join(bad_kind)}; use {', '.join(EVENT_KINDS)}")
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame["after_us_close"] = frame["after_us_close"].map({"True": True, "False": False})
    if frame["after_us_close"].isna().any():
        raise ValueError(f"{path}: after_us_close must be True or False")
    frame = frame.set_index("id")
    if kind is not None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; choose one of {', '.join(EVENT_KINDS)}")
        frame = frame[frame["kind"] == kind]
    return frame


def basket(name: str, path: Path | None = None) -> pd.DataFrame:
    """Members of a named basket from the reports (``data/reference/baskets.csv``), with
    the ticker the snapshot holds for each company and the publication naming it."""
    path = path or REFERENCE_DIR / "baskets.csv"
    log_read(path)
    frame = pd.read_csv(path, dtype=str)
    members = frame[frame["basket"] == name]
    if members.empty:
        hint = _suggest(name, frame["basket"].unique())
        raise UnknownSeriesError(f"unknown basket {name!r}" + (f"; did you mean: {hint}?" if hint else "")
                                 + f" Baskets: {', '.join(sorted(frame['basket'].unique()))}")
    return members.drop(columns="basket").reset_index(drop=True)


# ------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    """What the snapshot covers, one row per dataset."""

    frame: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Datasets per kind with their earliest start and latest end."""
        grouped = self.frame.groupby("kind")
        return pd.DataFrame({
            "datasets": grouped.size(),
            "rows": grouped["rows"].sum(),
            "earliest": grouped["first"].min(),
            "latest": grouped["last"].max(),
        })


def coverage() -> Coverage:
    """Coverage of every dataset of the snapshot, from the manifest (no file is read)."""
    rows = []
    for dataset in manifest().datasets.values():
        label = dataset.extra.get("ticker") or dataset.extra.get("series") or dataset.extra.get("table")
        rows.append({
            "id": dataset.id, "kind": dataset.kind, "name": label,
            "first": period_start(dataset.first), "last": period_start(dataset.last),
            "rows": dataset.rows, "unit": dataset.unit, "frequency": dataset.frequency,
            "source": dataset.source,
        })
    return Coverage(pd.DataFrame(rows).sort_values(["kind", "name"]).reset_index(drop=True))
