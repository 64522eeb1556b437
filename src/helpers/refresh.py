"""Live refresh of adjusted closes from Yahoo Finance (yfinance). Explicit, never automatic.

``make refresh`` (``python -m helpers.refresh``) downloads the *whole* history of each
ticker again rather than appending new rows: adjusted closes are rescaled at every
distribution, so new rows spliced onto old ones would create false returns. The new
snapshot is assembled in a temporary directory and swapped in only when every ticker
succeeded; on any failure the previous snapshot is left exactly as it was.

Refreshing only some tickers would leave the snapshot with two sources side by side; that
needs ``--allow-partial`` and is recorded in the manifest (``mixed_sources``), so the book
can say so. The download function is injectable: the tests use recorded responses and
never touch the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from .errors import RefreshError
from .manifest import MANIFEST_NAME, load_manifest, sha256_of, write_json_atomically
from .paths import snapshot_dir
from .snapshot_files import replace_directory_atomically, safe_file_stem

Download = Callable[[str, str], pd.DataFrame]
HISTORY_START = "2016-01-01"


class RateLimited(Exception):
    """Raised by a download function when the provider asks us to slow down."""


def yfinance_download(ticker: str, start: str) -> pd.DataFrame:
    """One ticker's daily bars from Yahoo Finance, adjusted, with flat columns.

    ``auto_adjust`` and ``multi_level_index`` are given explicitly: their defaults have
    changed between yfinance versions, and the result's shape must not depend on them.
    """
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError

    try:
        frame = yf.download(ticker, start=start, auto_adjust=True, multi_level_index=False,
                            actions=False, progress=False, threads=False, repair=False)
    except YFRateLimitError as error:
        raise RateLimited(str(error)) from error
    return frame if frame is not None else pd.DataFrame()


def adjusted_closes(frame: pd.DataFrame, ticker: str) -> pd.Series:
    """Validate a downloaded frame and return its adjusted closes (no filling)."""
    if frame is None or frame.empty:
        raise RefreshError(f"{ticker}: the download returned no rows")
    if isinstance(frame.columns, pd.MultiIndex):
        raise RefreshError(f"{ticker}: got multi-level columns; the download must use multi_level_index=False")
    if "Close" not in frame.columns:
        raise RefreshError(f"{ticker}: no 'Close' column in the download (columns: {list(frame.columns)})")
    closes = frame["Close"].dropna()
    if closes.empty:
        raise RefreshError(f"{ticker}: every close is missing")
    index = pd.DatetimeIndex(closes.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    closes.index = index.normalize()
    if not closes.index.is_monotonic_increasing or closes.index.has_duplicates:
        raise RefreshError(f"{ticker}: dates are not ascending and unique")
    if (closes <= 0).any() or not all(math.isfinite(v) for v in closes):
        raise RefreshError(f"{ticker}: non-positive or non-finite closes")
    return closes.astype("float64")


def download_with_retries(ticker: str, download: Download, *, start: str, attempts: int = 4,
                          base_delay: float = 2.0, sleep: Callable[[float], None] = time.sleep,
                          log: Callable[[str], None] = print) -> pd.Series:
    """Download one ticker, backing off exponentially on rate limits and empty answers."""
    last_problem = ""
    for attempt in range(attempts):
        try:
            return adjusted_closes(download(ticker, start), ticker)
        except RateLimited as error:
            last_problem = f"rate limited ({error})"
        except RefreshError as error:
            if "no rows" not in str(error):
                raise
            last_problem = str(error)
        if attempt < attempts - 1:
            delay = base_delay * 2 ** attempt
            log(f"  {ticker}: {last_problem}; retrying in {delay:.0f} s ({attempt + 2}/{attempts})")
            sleep(delay)
    raise RefreshError(f"{ticker}: gave up after {attempts} attempts: {last_problem}")


def refresh_closes(tickers: Sequence[str] | None = None, *, target: Path | None = None,
                   download: Download = yfinance_download, allow_partial: bool = False,
                   start: str = HISTORY_START, attempts: int = 4, base_delay: float = 2.0,
                   sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] = print,
                   fetched_at: str | None = None) -> dict:
    """Replace the adjusted closes of ``tickers`` (default: all) in snapshot ``target``.

    Returns the new manifest content. Raises :class:`RefreshError` (and leaves the
    snapshot untouched) if any ticker fails.
    """
    target = Path(target) if target else snapshot_dir()
    current = load_manifest(target)
    closes = {d.extra["ticker"]: d for d in current.of_kind("closes").values()}
    wanted = list(closes) if tickers is None else list(tickers)
    unknown = [t for t in wanted if t not in closes]
    if unknown:
        raise RefreshError(f"not in the snapshot's closes: {', '.join(unknown)}; a refresh replaces existing series only")
    if set(wanted) != set(closes) and not allow_partial:
        raise RefreshError(
            f"refreshing {len(wanted)} of {len(closes)} tickers would mix two sources in one snapshot; "
            "refresh all tickers, or pass allow_partial=True (--allow-partial) to record the mix in the manifest"
        )
    fetched_at = fetched_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    import importlib.metadata as metadata

    try:
        version = metadata.version("yfinance")
    except metadata.PackageNotFoundError:
        version = "unknown"

    downloaded: dict[str, pd.Series] = {}
    failures: list[str] = []
    for number, ticker in enumerate(wanted, 1):
        log(f"[{number}/{len(wanted)}] downloading {ticker} ...")
        try:
            downloaded[ticker] = download_with_retries(ticker, download, start=start, attempts=attempts,
                                                       base_delay=base_delay, sleep=sleep, log=log)
        except RefreshError as error:
            failures.append(str(error))
    if failures:
        raise RefreshError("refresh failed, the snapshot was left unchanged:\n  " + "\n  ".join(failures))

    staging = target.parent / f".{target.name}.refreshing"
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(target, staging)
    try:
        content = dict(current.content)
        datasets = {k: dict(v) for k, v in content["datasets"].items()}
        source = (f"Yahoo Finance via yfinance {version}: download(auto_adjust=True, multi_level_index=False, "
                  f"start={start}), fetched {fetched_at}")
        for ticker, series in downloaded.items():
            relative = f"closes/{safe_file_stem(ticker)}.csv"
            lines = ["date,adj_close"] + [f"{d:%Y-%m-%d},{v!r}" for d, v in series.items()]
            (staging / relative).write_text("\n".join(lines) + "\n", encoding="utf-8")
            entry = datasets[f"closes/{ticker}"]
            entry.update(file=relative, source=source, first=f"{series.index[0]:%Y-%m-%d}",
                         last=f"{series.index[-1]:%Y-%m-%d}", rows=len(series),
                         sha256=sha256_of(staging / relative),
                         adjustment="adjusted close as written by yfinance (auto_adjust=True)")
        content["datasets"] = datasets
        content["as_of"] = max(d["last"] for d in datasets.values() if d["kind"] == "closes")
        content["refreshes"] = list(content.get("refreshes", [])) + [
            {"fetched_at": fetched_at, "tickers": sorted(downloaded), "source": source}]
        refreshed = {t for event in content["refreshes"] for t in event["tickers"]}
        content["mixed_sources"] = 0 < len(refreshed) < len(closes)
        write_json_atomically(staging / MANIFEST_NAME, content)
        replace_directory_atomically(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    log(f"refreshed {len(downloaded)} tickers; snapshot as of {content['as_of']}")
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh adjusted closes from Yahoo Finance (needs the internet).")
    parser.add_argument("tickers", nargs="*", help="tickers to refresh (default: every ticker of the snapshot)")
    parser.add_argument("--target", type=Path, default=None, help="snapshot directory (default data/snapshot)")
    parser.add_argument("--allow-partial", action="store_true", help="allow refreshing a subset (mixes sources)")
    args = parser.parse_args(argv)
    try:
        refresh_closes(args.tickers or None, target=args.target, allow_partial=args.allow_partial)
    except RefreshError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
