"""Claims ledger: verdicts follow the stated rule and travel in notebook outputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.ledger import CLAIM_COLUMNS, VERDICT_KEY, claims, collect, judge, record

SYNTHETIC_CLAIMS = pd.DataFrame([
    {"id": "T1", "thesis": 3, "claim": "synthetic: fund A took in 2.3", "reported_value": 2.3, "unit": "USD bn",
     "as_of": "2025-12", "publication": "test", "chapter": "test"},
    {"id": "T2", "thesis": 3, "claim": "synthetic: no number", "reported_value": None, "unit": "",
     "as_of": "2025-12", "publication": "test", "chapter": "test"},
]).set_index("id")


def test_rules():
    assert judge(2.3, 2.1, "within", 0.25) == "confirmed"
    assert judge(2.3, 2.0, "within", 0.25) == "contradicted"
    assert judge(-2.3, -0.1, "same_sign") == "confirmed"
    assert judge(-2.3, 0.4, "same_sign") == "contradicted"
    assert judge(40, 41, "at_least") == "confirmed" and judge(40, 39, "at_least") == "contradicted"
    assert judge(40, 39, "at_most") == "confirmed"
    with pytest.raises(ValueError, match="tolerance"):
        judge(1, 1, "within")
    with pytest.raises(ValueError, match="unknown rule"):
        judge(1, 1, "close_enough")


def test_record_computes_the_verdict_and_displays_it():
    verdict = record("T1", 2.0, rule="within", tolerance=0.25, reason="implied flow", table=SYNTHETIC_CLAIMS)
    assert verdict.verdict == "contradicted" and verdict.rule == "within ±0.25"
    bundle, metadata = verdict._repr_mimebundle_()
    assert metadata[VERDICT_KEY]["computed_value"] == 2.0
    assert "Verdict" in bundle["text/html"]
    assert "CONTRADICTED" in bundle["text/html"] and "CONTRADICTED" in bundle["text/markdown"]


def test_not_testable_needs_a_reason():
    verdict = record("T2", testable=False, reason="no daily flow history in the snapshot", table=SYNTHETIC_CLAIMS)
    assert verdict.verdict == "not testable"
    with pytest.raises(ValueError, match="reason"):
        record("T2", testable=False, reason=" ", table=SYNTHETIC_CLAIMS)
    with pytest.raises(KeyError, match="T9"):
        record("T9", 1.0, rule="same_sign", reason="x", table=SYNTHETIC_CLAIMS)


def test_collect_reads_verdicts_from_executed_notebooks(tmp_path):
    verdict = record("T1", 2.2, rule="within", tolerance=0.25, reason="x", table=SYNTHETIC_CLAIMS)
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": verdict._repr_mimebundle_()[0],
         "metadata": verdict._repr_mimebundle_()[1]}]}]}
    path = tmp_path / "synthetic.ipynb"
    path.write_text(json.dumps(notebook))
    found = collect([path])
    assert found.loc[0, "claim_id"] == "T1" and found.loc[0, "verdict"] == "confirmed"
    assert found.loc[0, "notebook"] == "synthetic"


def test_reference_claims_table_is_well_formed():
    table = claims()
    assert list(table.reset_index().columns[: len(CLAIM_COLUMNS)]) == list(CLAIM_COLUMNS)


def test_publish_phrases_follow_the_numbers():
    from helpers.publish import effect_phrase, p_value_text

    assert p_value_text(0.0004) == "p < 0.001" and p_value_text(0.0412) == "p = 0.041"
    assert effect_phrase(-3.94, 0.0031) == "a fall of 3.9% (abnormal return; p = 0.003, significant at 5%)"
    assert effect_phrase(13.3, 0.41).startswith("a rise of 13.3%") and "not significant" in effect_phrase(13.3, 0.41)
    with pytest.raises(ValueError):
        p_value_text(1.5)


def test_every_claim_has_a_computed_verdict_or_a_reason():
    """Completeness: every claim of claims.csv belongs to a published chapter and carries a
    verdict written by that executed chapter (confirmed, contradicted, or not testable with
    a reason). Verdicts exist only as outputs of ``record``; none is typed in a page."""
    from helpers.build import chapter_notebooks, toc_pages

    pages = toc_pages()
    reference = claims()
    unpublished = sorted(set(reference["chapter"]) - set(pages))
    assert not unpublished, f"claims name chapters that are not in the book: {unpublished}"
    published = reference
    found = collect(chapter_notebooks()).set_index("claim_id")
    missing = sorted(set(published.index) - set(found.index))
    assert not missing, f"claims without a verdict: {missing}"
    for claim_id, row in found.iterrows():
        assert row["verdict"] in ("confirmed", "contradicted", "not testable") and row["reason"]
        assert row["chapter"] == row["notebook"], claim_id


def test_the_ledger_table_keeps_gaps_visible_and_renders_links():
    from helpers.ledger import ledger_markdown, ledger_table

    verdict = record("T1", 2.2, rule="within", tolerance=0.25, reason="x", table=SYNTHETIC_CLAIMS)
    found = pd.DataFrame([{**verdict._repr_mimebundle_()[1][VERDICT_KEY], "notebook": "synthetic"}])
    table = ledger_table(found, SYNTHETIC_CLAIMS)
    assert table.set_index("id").loc["T1", "verdict"] == "confirmed"
    assert table.set_index("id").loc["T2", "verdict"] == "no verdict"  # a gap stays on the page
    markdown = ledger_markdown(table)
    assert ":class: sortable claims-ledger" in markdown
    assert "{cite:t}`" in markdown and "-claims>`" in markdown
    assert markdown.count("* - ") == len(table) + 1


def test_glued_values_are_read_back_from_an_executed_chapter():
    from helpers.publish import glued_values

    values = glued_values("macro")
    assert isinstance(values["deflator_run"], float) and values["deflator_run"] >= 1
    assert isinstance(values["ppi_status"], str) and "producer prices" in values["ppi_status"]


def test_summarising_pages_execute_after_the_chapters(monkeypatch):
    from helpers import build

    order = []
    monkeypatch.setattr(build, "stale_reason", lambda stem, params, path: "test")
    monkeypatch.setattr(build, "execute_page", lambda stem, params, path, progress: order.append(stem))
    build.execute_book(progress=False)
    from helpers.parameters import spec_for

    summarising = [stem for stem in order if spec_for(stem).reads_pages]
    assert {"summary", "claims_ledger"} <= set(summarising)
    assert order[-len(summarising):] == summarising and "deepseek" in order[:-len(summarising)]
