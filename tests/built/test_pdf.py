"""The client PDF: pages, every chapter, resolved references, embedded figures."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from helpers.build import chapter_notebooks

from .conftest import page_titles

pytestmark = pytest.mark.built


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_pdf_has_pages_and_every_chapter(pdf):
    pages = int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), flags=re.M).group(1))
    assert pages > 0
    text = " ".join(run("pdftotext", str(pdf), "-").split()).lower()
    missing = [title for title in page_titles().values() if " ".join(title.split()).lower() not in text]
    assert not missing, f"chapter titles not in the PDF: {missing}"


def test_no_unresolved_references_or_citations(pdf):
    text = run("pdftotext", str(pdf), "-")
    assert "??" not in text, "unresolved cross-reference or citation (??) in the PDF"
    assert "{cite" not in text and "{ref}" not in text and "{glue" not in text, "a MyST role was printed as text"


def test_the_title_page_names_the_data_date(pdf):
    from helpers import data
    from helpers.publish import long_date

    first_page = " ".join(run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-").split())
    assert f"Data as of {long_date(data.as_of())}" in first_page and "Built" in first_page


def test_no_code_is_printed(pdf):
    text = run("pdftotext", str(pdf), "-")
    for code in ("import pandas", "from helpers", "glue_number(", "validate("):
        assert code not in text, f"code in the client PDF: {code!r}"


def test_every_figure_is_embedded(pdf):
    listed = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [line for line in listed if line.split() and line.split()[2] == "image"]
    figures = 0
    notebooks = chapter_notebooks()
    for path in notebooks + [notebooks[0].parent / "summary.ipynb"]:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        figures += sum("image/png" in output.get("data", {}) for cell in notebook["cells"]
                       for output in cell.get("outputs", []))
    assert len(images) >= figures > 0, f"{len(images)} images in the PDF for {figures} figures in the notebooks"
