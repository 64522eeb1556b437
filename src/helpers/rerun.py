"""Re-run chapters with your own parameters: variants and sweeps.

A variant executes a chapter (or all) with new parameters into its own directory, never
touching ``chapters/``; it can be rendered as a small book (HTML and PDF) whose first
page lists the parameters used. A sweep runs a YAML grid of variants in parallel on Dask
distributed (a local cluster by default, or a scheduler's address) and tabulates the
chapters' key numbers across variants. Every variant's parameters are validated before
anything executes; a variant that fails is reported and the others go on.

    python -m helpers.rerun list deepseek
    python -m helpers.rerun run deepseek --params my.yaml --name chatgpt --html --pdf
    python -m helpers.rerun sweep grid.yaml [--scheduler tcp://host:8786] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import BookError, ParameterError
from .parameters import CHAPTERS, spec_for, validate
from .paths import PROJECT_ROOT

VARIANTS_DIR = PROJECT_ROOT / "_build" / "variants"


# ---------------------------------------------------------------------- inputs


def load_yaml(path: str | Path) -> dict:
    """A YAML mapping from a file, with a clear error for anything else."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"parameter file {path} does not exist")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParameterError(f"{path} is not valid YAML: {error}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ParameterError(f"{path} must hold a mapping of parameter names to values, not {type(content).__name__}")
    return content


def chapters_with_parameters(chapter: str, overrides: dict) -> dict[str, dict]:
    """``chapter`` may be one chapter (flat overrides) or ``all`` (overrides per chapter)."""
    from .build import toc_pages

    if chapter != "all":
        spec_for(chapter)  # unknown chapter: clear error
        return {chapter: overrides}
    pages = toc_pages()
    unknown = [name for name in overrides if name not in pages]
    if unknown:
        raise ParameterError(f"not chapters of the book: {', '.join(unknown)}; with 'all', give overrides per "
                             f"chapter: {', '.join(pages)}")
    return {page: dict(overrides.get(page) or {}) for page in pages}


def slug(parameters: dict) -> str:
    """A short, file-safe name for a set of parameters."""
    text = "_".join(f"{k}-{v if not isinstance(v, (list, tuple)) else '+'.join(map(str, v))}"
                    for k, v in parameters.items()) or "defaults"
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", text)[:80]


# ---------------------------------------------------------------------- one variant


@dataclass
class VariantResult:
    """What one variant produced: its notebooks, the numbers its pages glued, or its error."""

    name: str
    chapters: dict[str, dict]  # chapter -> validated parameters
    directory: Path
    values: dict[str, dict] = field(default_factory=dict)  # chapter -> glued values
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def validate_all(plan: dict[str, dict]) -> dict[str, dict]:
    """Validate every chapter's overrides; one ParameterError listing every problem."""
    problems, values = [], {}
    for chapter, overrides in plan.items():
        try:
            values[chapter] = validate(chapter, overrides)
        except ParameterError as error:
            problems.append(str(error))
    if problems:
        raise ParameterError("\n".join(problems))
    return values


def run_variant(plan: dict[str, dict], directory: Path, *, name: str | None = None,
                progress: bool = False) -> VariantResult:
    """Execute each chapter of ``plan`` (chapter -> overrides) into ``directory/chapters``.

    Parameters are validated first; nothing runs if any is invalid. Pages that summarise
    others (the executive summary, the ledger) read this variant's chapters.
    """
    from .build import execute_page
    from .publish import glued_values

    values = validate_all(plan)
    directory = Path(directory).resolve()
    if directory == (PROJECT_ROOT / "chapters").resolve() or (PROJECT_ROOT / "chapters") in directory.parents:
        raise BookError("a variant never writes into chapters/ (the published book); choose another directory")
    chapters_dir = directory / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    order = [c for c in values if not spec_for(c).reads_pages] + [c for c in values if spec_for(c).reads_pages]
    result = VariantResult(name or directory.name, values, directory)
    started = time.perf_counter()
    previous = os.environ.get("CHINATECH_RESULTS")
    os.environ["CHINATECH_RESULTS"] = str(chapters_dir)
    try:
        for chapter in order:
            if progress:
                print(f"[{result.name}] executing {chapter} ...", flush=True)
            execute_page(chapter, values[chapter], chapters_dir / f"{chapter}.ipynb", progress=False,
                         inject=values[chapter])
            result.values[chapter] = glued_values(chapter)
    except (BookError, ParameterError) as error:
        result.error = str(error)
    except Exception as error:  # a variant's failure is reported, never fatal to a sweep
        result.error = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"
    finally:
        if previous is None:
            os.environ.pop("CHINATECH_RESULTS", None)
        else:
            os.environ["CHINATECH_RESULTS"] = previous
    result.seconds = time.perf_counter() - started
    (directory / "parameters.yaml").write_text(yaml.safe_dump(values, sort_keys=False, allow_unicode=True),
                                               encoding="utf-8")
    return result


# ---------------------------------------------------------------------- rendering


def _parameters_page(result: VariantResult) -> str:
    from . import data
    from .publish import long_date

    lines = [f"# Variant: {result.name}", "",
             f"This book re-runs the chapters below with the parameters listed here, on the data snapshot of "
             f"{long_date(data.as_of())}. It was built on {long_date(time.strftime('%Y-%m-%d'))}; the published "
             "book is unchanged.", ""]
    for chapter, values in result.chapters.items():
        defaults = spec_for(chapter).defaults()
        lines += [f"## {chapter}", "", ":::{list-table}", ":header-rows: 1", "",
                  "* - parameter\n  - value used\n  - default"]
        for key, value in values.items():
            marker = "**" if value != defaults.get(key) else ""
            lines.append(f"* - {marker}{key}{marker}\n  - {marker}`{json.dumps(value)}`{marker}\n"
                         f"  - `{json.dumps(defaults.get(key))}`")
        lines += [":::", ""]
    lines.append("Parameters in bold differ from the published book.")
    return "\n".join(lines) + "\n"


def render_variant(result: VariantResult, formats: tuple[str, ...] = ("html",)) -> dict[str, Path]:
    """Turn an executed variant into a small book: a first page with the parameters, then
    the chapters; built as HTML and/or PDF. Warnings do not fail a variant's build (its
    chapters may refer to chapters it does not contain)."""
    from .build import build_html, build_pdf

    if not result.ok:
        raise BookError(f"variant {result.name} failed and cannot be rendered: {result.error}")
    root = result.directory
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config['title']}: variant {result.name}"
    config["exclude_patterns"] = [p for p in config.get("exclude_patterns", []) if p != "chapters/*.md"]
    (root / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copy2(PROJECT_ROOT / "references.bib", root / "references.bib")
    shutil.copytree(PROJECT_ROOT / "_static", root / "_static", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("mathjax"))
    (root / "chapters" / "variant.md").write_text(_parameters_page(result), encoding="utf-8")
    toc = {"format": "jb-book", "root": "chapters/variant",
           "chapters": [{"file": f"chapters/{c}"} for c in result.chapters]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    changed = [f"{key}={json.dumps(value)}" for chapter, values in result.chapters.items()
               for key, value in values.items() if value != spec_for(chapter).defaults().get(key)]
    previous = os.environ.get("CHINATECH_TITLE_NOTE")
    os.environ["CHINATECH_TITLE_NOTE"] = "Variant parameters: " + ("; ".join(changed) or "the published defaults")
    built = {}
    try:
        if "html" in formats:
            build_html(root, strict=False)
            built["html"] = root / "_build" / "html" / "index.html"
        if "pdf" in formats:
            pdf, _ = build_pdf(root, strict=False)
            built["pdf"] = pdf
    finally:
        if previous is None:
            os.environ.pop("CHINATECH_TITLE_NOTE", None)
        else:
            os.environ["CHINATECH_TITLE_NOTE"] = previous
    return built


# ---------------------------------------------------------------------- sweeps


@dataclass(frozen=True)
class SweepPlan:
    """A sweep: named variants of one chapter (or ``all``) and the numbers to tabulate."""

    name: str
    chapter: str
    variants: dict[str, dict]  # variant name -> overrides (flat for one chapter)
    summary: tuple[str, ...]


def sweep_plan(spec: dict, default_name: str = "sweep") -> SweepPlan:
    """Read a sweep: ``chapter``, optional ``base`` overrides, a ``grid`` (every combination)
    and/or a list of ``variants``, and optional ``summary`` keys (glued numbers)."""
    known = {"chapter", "name", "base", "grid", "variants", "summary"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ParameterError(f"unknown sweep keys {', '.join(unknown)}; use {', '.join(sorted(known))}")
    chapter = spec.get("chapter")
    if not chapter or (chapter != "all" and chapter not in CHAPTERS):
        raise ParameterError(f"the sweep needs 'chapter': one of {', '.join(CHAPTERS)} (got {chapter!r})")
    base = dict(spec.get("base") or {})
    variants: dict[str, dict] = {}
    grid = spec.get("grid") or {}
    if grid:
        if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
            raise ParameterError("'grid' maps each parameter to a non-empty list of values")
        keys = list(grid)
        for combination in itertools.product(*(grid[k] for k in keys)):
            changes = dict(zip(keys, combination))
            variants[f"{len(variants) + 1:02d}-{slug(changes)}"] = {**base, **changes}
    for changes in spec.get("variants") or []:
        if not isinstance(changes, dict):
            raise ParameterError("each entry of 'variants' is a mapping of parameter names to values")
        variants[f"{len(variants) + 1:02d}-{slug(changes)}"] = {**base, **changes}
    if not variants:
        raise ParameterError("the sweep defines no variant: give a 'grid' or a list of 'variants'")
    return SweepPlan(str(spec.get("name") or default_name), chapter, variants, tuple(spec.get("summary") or ()))


def _run_remote(plan: dict[str, dict], directory: str, name: str) -> VariantResult:
    """A sweep task (runs in a Dask worker): one variant, never raising."""
    return run_variant(plan, Path(directory), name=name)


def run_sweep(plan: SweepPlan, out: Path | None = None, *, scheduler: str | None = None, workers: int = 2,
              show_progress: bool = True) -> tuple[pd.DataFrame, list[VariantResult]]:
    """Run every variant on Dask distributed and tabulate the key numbers.

    Invalid variants are reported as failed without running; the others run in parallel
    (a local cluster of ``workers`` processes, or the cluster at ``scheduler``).
    """
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    out = Path(out or VARIANTS_DIR / plan.name).resolve()
    results: list[VariantResult] = []
    runnable: dict[str, dict] = {}
    for name, overrides in plan.variants.items():
        chapter_plan = chapters_with_parameters(plan.chapter, overrides)
        try:
            validate_all(chapter_plan)
            runnable[name] = chapter_plan
        except ParameterError as error:
            results.append(VariantResult(name, {}, out / name, error=f"invalid parameters: {error}"))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(_run_remote, chapter_plan, str(out / name), name, key=f"variant-{name}", pure=False)
                   for name, chapter_plan in runnable.items()]
        bar = tqdm(total=len(futures), desc=f"sweep {plan.name}", unit="variant", disable=not show_progress)
        for future in as_completed(futures):
            try:
                results.append(future.result())
            except Exception as error:  # the worker itself died: report, go on
                results.append(VariantResult(future.key.removeprefix("variant-"), {}, out, error=repr(error)))
            bar.update(1)
        bar.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    results.sort(key=lambda r: r.name)
    table = summary_table(plan, results)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "summary.csv", index=False)
    (out / "summary.md").write_text(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False),
                                    encoding="utf-8")
    return table, results


def one_line(text: str | None, limit: int = 240) -> str:
    """An error message on one line (its non-empty lines joined), cut to ``limit`` characters."""
    joined = " | ".join(line.strip() for line in (text or "").splitlines() if line.strip())
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


def summary_table(plan: SweepPlan, results: list[VariantResult]) -> pd.DataFrame:
    """One row per variant: what changed, status, time, and the chosen glued numbers
    (all numeric ones when the sweep names none)."""
    rows = []
    for result in results:
        row: dict[str, Any] = {"variant": result.name, "status": "ok" if result.ok else "failed",
                               "seconds": round(result.seconds, 1)}
        changes = plan.variants.get(result.name, {})
        row.update({f"param {k}": (v if not isinstance(v, list) else ", ".join(map(str, v))) for k, v in changes.items()})
        for chapter, values in result.values.items():
            keys = plan.summary or tuple(k for k, v in values.items() if isinstance(v, float))
            for key in keys:
                if key in values:
                    row[key if plan.chapter != "all" else f"{chapter}.{key}"] = values[key]
        if not result.ok:
            row["error"] = one_line(result.error)
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.rerun", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show a chapter's parameters")
    listing.add_argument("chapter")
    run = commands.add_parser("run", help="re-run one chapter (or all) with new parameters")
    run.add_argument("chapter", help="a chapter's name, or 'all'")
    run.add_argument("--params", help="YAML file of parameter overrides (per chapter when 'all')")
    run.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                     help="overrides on the command line (values read as YAML), for one chapter")
    run.add_argument("--name", help="the variant's name (default: from the parameters)")
    run.add_argument("--out", help=f"directory of the variant (default: {VARIANTS_DIR.relative_to(PROJECT_ROOT)}/NAME)")
    run.add_argument("--html", action="store_true", help="render the variant as a website")
    run.add_argument("--pdf", action="store_true", help="render the variant as a PDF")
    sweep = commands.add_parser("sweep", help="run a YAML grid of variants on Dask")
    sweep.add_argument("grid", help="YAML file: chapter, base, grid and/or variants, summary")
    sweep.add_argument("--scheduler", help="address of a Dask scheduler (default: a local cluster)")
    sweep.add_argument("--workers", type=int, default=2, help="processes of the local cluster (default 2)")
    sweep.add_argument("--out", help="directory of the sweep (default: _build/variants/NAME)")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            from .build import list_parameters

            print(list_parameters(args.chapter))
            return 0
        if args.command == "run":
            overrides = load_yaml(args.params) if args.params else {}
            for item in args.set:
                key, _, value = item.partition("=")
                if not key or not _:
                    raise ParameterError(f"--set {item!r}: write NAME=VALUE")
                overrides[key] = yaml.safe_load(value)
            plan = chapters_with_parameters(args.chapter, overrides)
            name = args.name or slug(overrides if args.chapter != "all" else {"all": "custom"})
            directory = Path(args.out) if args.out else VARIANTS_DIR / name
            validate_all(plan)  # before anything is created
            result = run_variant(plan, directory, name=name, progress=True)
            if not result.ok:
                print(f"error: variant {name} failed: {result.error}", file=sys.stderr)
                return 1
            print(f"variant {name}: {len(plan)} chapter(s) executed in {result.seconds:.1f} s into {directory}")
            formats = tuple(f for f, wanted in (("html", args.html), ("pdf", args.pdf)) if wanted)
            for kind, path in render_variant(result, formats).items() if formats else []:
                print(f"  {kind}: {path}")
            return 0
        plan = sweep_plan(load_yaml(args.grid), default_name=Path(args.grid).stem)
        table, results = run_sweep(plan, Path(args.out) if args.out else None, scheduler=args.scheduler,
                                   workers=args.workers)
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(table.to_string(index=False))
        failed = [r for r in results if not r.ok]
        for result in failed:
            print(f"failed: {result.name}: {one_line(result.error)}", file=sys.stderr)
        print(f"{len(results) - len(failed)} of {len(results)} variants ran; summary in "
              f"{(Path(args.out) if args.out else VARIANTS_DIR / plan.name) / 'summary.csv'}")
        return 0 if not failed else 2
    except (BookError, ParameterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
