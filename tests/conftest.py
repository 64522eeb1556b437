"""Shared fixtures. Synthetic data appear only here and in tests, named as such."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.paths import DEFAULT_SNAPSHOT_DIR, PROJECT_ROOT, shared_market_data_dir


@pytest.fixture
def snapshot_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of the pinned snapshot, made the active one for the test."""
    copy = tmp_path / "snapshot"
    shutil.copytree(DEFAULT_SNAPSHOT_DIR, copy)
    monkeypatch.setenv("CHINATECH_SNAPSHOT", str(copy))
    return copy


@pytest.fixture
def market_data() -> Path:
    """The import source beside the project (CI always has it)."""
    source = shared_market_data_dir()
    if not source.is_dir():
        pytest.skip(f"import source {source} not present")
    return source


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT
