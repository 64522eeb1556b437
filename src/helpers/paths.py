"""Where things live: the project root, the pinned snapshot and the import source.

Two environment variables move them, for tests and for refreshed snapshots:
``CHINATECH_SNAPSHOT`` (a snapshot directory) and ``CHINATECH_SHARED`` (the folder
holding ``market-data/``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
CHAPTERS_DIR = PROJECT_ROOT / "chapters"


def snapshot_dir() -> Path:
    """The snapshot the loader reads: ``$CHINATECH_SNAPSHOT`` or ``data/snapshot``."""
    override = os.environ.get("CHINATECH_SNAPSHOT")
    return Path(override).resolve() if override else DEFAULT_SNAPSHOT_DIR


def shared_market_data_dir() -> Path:
    """The import source: ``$CHINATECH_SHARED/market-data`` or ``../shared/market-data``."""
    override = os.environ.get("CHINATECH_SHARED")
    base = Path(override).resolve() if override else PROJECT_ROOT.parent / "shared"
    return base / "market-data"


def results_dir() -> Path:
    """Where executed chapters are read from by pages that summarise them:
    ``$CHINATECH_RESULTS`` (a variant's chapters) or the published ``chapters/``."""
    override = os.environ.get("CHINATECH_RESULTS")
    return Path(override).resolve() if override else CHAPTERS_DIR
