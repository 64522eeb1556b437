"""Variants and sweeps: validated before anything runs, injected into the chapter, never
touching the published notebooks, and run in parallel on a local Dask cluster."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from helpers import rerun
from helpers.errors import ParameterError
from helpers.paths import CHAPTERS_DIR
from helpers.publish import glued_values


def published_hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(CHAPTERS_DIR.glob("*.ipynb"))}


@pytest.mark.parametrize("overrides, message", [
    ({"start_dat": "2020-01-01"}, "start_dat: unknown parameter; did you mean 'start_date'?"),
    ({"start_date": 2020}, "start_date: 2020 is not a date"),
    ({"equity_ticker": "KWBE"}, "equity_ticker: not in the snapshot: 'KWBE'"),
    ({"start_date": "2031-01-01"}, "start_date: '2031-01-01' is after the snapshot's last date"),
    ({"start_date": "2026-06-01"}, "leaves 0 quarters"),
])
def test_bad_parameters_execute_nothing(tmp_path, monkeypatch, overrides, message):
    from helpers import build

    monkeypatch.setattr(build, "execute_page", lambda *a, **k: pytest.fail("executed despite bad parameters"))
    with pytest.raises(ParameterError) as error:
        rerun.run_variant({"macro": overrides}, tmp_path / "variant")
    assert message in str(error.value)
    assert not (tmp_path / "variant").exists()


def test_a_variant_injects_its_parameters_and_leaves_the_book_alone(tmp_path):
    before = published_hashes()
    result = rerun.run_variant({"macro": {"start_date": "2020-01-01"}}, tmp_path / "v")
    assert result.ok, result.error
    assert published_hashes() == before  # byte-identical published notebooks
    published = glued_values("macro")
    assert result.values["macro"]["corr_n"] < published["corr_n"]  # a later start: fewer quarters
    assert yaml.safe_load((tmp_path / "v" / "parameters.yaml").read_text())["macro"]["start_date"] == "2020-01-01"
    # The variant can be rendered; its first page lists the parameters, the changed one in bold.
    built = rerun.render_variant(result, ("html",))
    first_page = (built["html"].parent / "chapters" / "variant.html").read_text()
    assert "start_date" in first_page and "2020-01-01" in first_page and "<strong>" in first_page
    assert published_hashes() == before


def test_a_variant_never_writes_into_the_published_chapters():
    with pytest.raises(Exception, match="never writes into chapters"):
        rerun.run_variant({"macro": {}}, CHAPTERS_DIR)


def test_sweep_plans_expand_grids_and_check_their_keys():
    plan = rerun.sweep_plan({"chapter": "deepseek", "base": {"estimation_length": 200},
                             "grid": {"benchmark": ["RSP", "SPY"], "estimation_gap": [5, 20]},
                             "variants": [{"event_date": "2022-11-30"}], "summary": ["nvda_day0"]})
    assert len(plan.variants) == 5
    assert all(v["estimation_length"] == 200 for v in plan.variants.values())
    assert list(plan.variants)[0] == "01-benchmark-RSP_estimation_gap-5"
    with pytest.raises(ParameterError, match="unknown sweep keys grids"):
        rerun.sweep_plan({"chapter": "deepseek", "grids": {}})
    with pytest.raises(ParameterError, match="needs 'chapter'"):
        rerun.sweep_plan({"grid": {"x": [1]}})
    with pytest.raises(ParameterError, match="defines no variant"):
        rerun.sweep_plan({"chapter": "macro"})


def test_a_small_sweep_runs_on_a_local_dask_cluster(tmp_path):
    before = published_hashes()
    plan = rerun.sweep_plan({"chapter": "macro", "name": "test",
                             "grid": {"start_date": ["2017-01-01", "2020-01-01"]},
                             "variants": [{"start_date": "2026-06-01"}], "summary": ["corr_n"]})
    table, results = rerun.run_sweep(plan, tmp_path / "sweep", workers=2, show_progress=False)
    status = dict(zip(table["variant"], table["status"]))
    assert status == {"01-start_date-2017-01-01": "ok", "02-start_date-2020-01-01": "ok",
                      "03-start_date-2026-06-01": "failed"}  # the bad one is reported, the others ran
    ran = table[table["status"] == "ok"].set_index("variant")["corr_n"]
    assert ran["01-start_date-2017-01-01"] > ran["02-start_date-2020-01-01"]
    assert "leaves 0 quarters" in table.set_index("variant").loc["03-start_date-2026-06-01", "error"]
    assert (tmp_path / "sweep" / "summary.csv").exists()
    assert published_hashes() == before
