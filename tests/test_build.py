"""The runner's dependency cache: what re-executes a chapter, and what does not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers.build import CHAPTERS_DIR, _imported_modules, helper_closure, stale_reason, toc_pages
from helpers.parameters import validate


def test_imports_are_resolved_transitively():
    closure = helper_closure("from helpers.coverage import coverage_rows\nimport pandas as pd")
    assert {"helpers", "helpers.coverage", "helpers.style"} <= set(closure)
    assert "helpers.refresh" not in closure and "helpers.build" not in closure
    assert "helpers.ledger" not in helper_closure("from helpers import data")
    assert "helpers.data" in helper_closure("from helpers import data")
    assert _imported_modules("from . import data", package="helpers") == {"helpers", "helpers.data"}


def test_published_notebooks_are_current():
    """Every executed notebook matches its source, helpers, data and parameters."""
    for page in toc_pages():
        assert stale_reason(page, validate(page), CHAPTERS_DIR / f"{page}.ipynb") is None, page


def _with_metadata(tmp_path, page, change):
    content = json.loads((CHAPTERS_DIR / f"{page}.ipynb").read_text())
    change(content["metadata"]["chinatech"])
    path = tmp_path / f"{page}.ipynb"
    path.write_text(json.dumps(content))
    return path


def test_helper_change_is_detected(tmp_path):
    def change(meta):
        meta["fingerprint"]["helpers"]["helpers.coverage"] = "0" * 64
    reason = stale_reason("data_appendix", validate("data_appendix"), _with_metadata(tmp_path, "data_appendix", change))
    assert reason == "a helper it imports changed (helpers.coverage)"


def test_data_change_is_detected(tmp_path):
    def change(meta):
        meta["fingerprint"]["data"]["data/snapshot/manifest.json"] = "0" * 64
    reason = stale_reason("intro", validate("intro"), _with_metadata(tmp_path, "intro", change))
    assert reason == "a data file it reads changed (data/snapshot/manifest.json)"


def test_parameter_change_is_detected():
    params = validate("data_appendix", {"coverage_start": "2020-01-01"})
    assert stale_reason("data_appendix", params, CHAPTERS_DIR / "data_appendix.ipynb") == "parameters changed"


@pytest.mark.slow
def test_rebuild_reexecutes_only_what_changed(tmp_path, project_root):
    """End to end in a copy of the project: nothing changed -> nothing runs; a helper
    edit re-runs only the chapters importing it; an unrelated helper edit runs nothing."""
    copy = tmp_path / "project"
    shutil.copytree(project_root, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    env.pop("CHINATECH_SNAPSHOT", None)

    def run():
        done = subprocess.run([sys.executable, "-m", "helpers.build", "--execute-only"], cwd=copy, env=env,
                              capture_output=True, text=True, check=True)
        return [line for line in done.stdout.splitlines() if line.startswith("[")]

    assert all("up to date" in line for line in run())
    with open(copy / "src" / "helpers" / "refresh.py", "a") as handle:
        handle.write("\n# an unrelated edit\n")
    assert all("up to date" in line for line in run())
    with open(copy / "src" / "helpers" / "coverage.py", "a") as handle:
        handle.write("\n# an edit the data appendix depends on\n")
    lines = run()
    assert any("data_appendix: executing (a helper it imports changed (helpers.coverage))" in l for l in lines)
    assert any("intro: up to date" in l for l in lines)
    assert all("up to date" in line for line in run())


def test_the_pdf_build_names_what_is_missing(monkeypatch):
    from helpers import build

    monkeypatch.setattr(build.shutil, "which", lambda tool: None)
    monkeypatch.setattr(build, "_run_jupyter_book", lambda *a, **k: pytest.fail("built without LaTeX"))
    with pytest.raises(build.BookError, match="xelatex, latexmk, pdftotext, not found; `make system-deps`"):
        build.build_pdf()
