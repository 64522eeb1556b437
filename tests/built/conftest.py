"""Checks of the built outputs (``make check``, after ``make book`` and ``make pdf``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.build import PDF_NAME, toc_pages
from helpers.paths import CHAPTERS_DIR, PROJECT_ROOT

SITE = PROJECT_ROOT / "_build" / "html"
PDF = PROJECT_ROOT / "_build" / "latex" / f"{PDF_NAME}.pdf"


def page_titles() -> dict[str, str]:
    """Each page's title: the first level-one heading of its MyST source."""
    titles = {}
    for stem in toc_pages():
        text = (CHAPTERS_DIR / f"{stem}.md").read_text(encoding="utf-8")
        titles[stem] = re.search(r"^# (.+)$", text, flags=re.M).group(1).strip()
    return titles


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} is not built: run `make book` first")
    return SITE


@pytest.fixture(scope="session")
def pdf() -> Path:
    if not PDF.exists():
        pytest.fail(f"{PDF} is not built: run `make pdf` first")
    for tool in ("pdfinfo", "pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install the Debian package poppler-utils (make system-deps)")
    return PDF
