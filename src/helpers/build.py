"""Execute the chapters with papermill and build the book with Jupyter Book.

``make book`` runs ``python -m helpers.build``:

1. For every page of ``_toc.yml`` (each a MyST-markdown notebook ``chapters/<name>.md``)
   compute a fingerprint of everything its result depends on: the chapter source, the
   source of every ``helpers`` module it imports (followed transitively), the checksum of
   every data file it read on its last run, its parameters, the pinned requirements and
   the Python version. jupyter-cache hashes only cell source; this also catches helper
   and data changes.
2. Execute the pages whose fingerprint changed with papermill (parameters validated
   first) and write the executed, paired notebook ``chapters/<name>.ipynb`` with the
   fingerprint in its metadata. Any cell error stops the build and names the cell.
3. Build the HTML site with Jupyter Book from the executed notebooks (no re-execution),
   with Sphinx warnings as errors.

Other uses: ``--execute-only``, ``--force`` (re-execute all), ``--list CHAPTER``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .data import READ_LOG_ENV
from .errors import BookError, ParameterError
from .parameters import spec_for, validate
from .paths import CHAPTERS_DIR, PROJECT_ROOT

HELPERS_DIR = Path(__file__).resolve().parent
FINGERPRINT_VERSION = 1
METADATA_KEY = "chinatech"


# ---------------------------------------------------------------------- the pages


def toc_pages(root: Path = PROJECT_ROOT) -> list[str]:
    """Page stems in book order, from ``_toc.yml`` (``chapters/intro`` -> ``intro``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    stems = []
    for entry in files:
        path = Path(entry)
        if path.parent.name != "chapters":
            raise BookError(f"_toc.yml entry {entry!r}: every page lives in chapters/")
        stems.append(path.with_suffix("").name)
    return stems


def read_source_notebook(stem: str, chapters: Path = CHAPTERS_DIR):
    """The MyST-markdown source of a page as a notebook, with stable cell ids."""
    import jupytext

    from .data import log_read

    path = chapters / f"{stem}.md"
    if not path.exists():
        raise BookError(f"page {stem!r} is listed in _toc.yml but {path} does not exist")
    log_read(path)  # a page that executes another (the re-run example) depends on its source
    notebook = jupytext.read(path, fmt="md:myst")
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
    notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    notebook.metadata.setdefault("jupytext", {})["formats"] = "ipynb,md:myst"
    return notebook


# ---------------------------------------------------------------------- fingerprints


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _imported_modules(source: str, package: str | None = None) -> set[str]:
    """Absolute names of modules imported by Python source (relative imports resolved
    against ``package``). IPython magics and shell lines are ignored."""
    cleaned = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(cleaned)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and package:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _module_file(name: str) -> Path | None:
    """The file of a ``helpers`` module, or None for anything else."""
    parts = name.split(".")
    if parts[0] != "helpers":
        return None
    candidate = HELPERS_DIR.joinpath(*parts[1:])
    if candidate.with_suffix(".py").is_file():
        return candidate.with_suffix(".py")
    if (candidate / "__init__.py").is_file():
        return candidate / "__init__.py"
    return None


def helper_closure(code: str) -> dict[str, str]:
    """``{module: sha256}`` for every helpers module the code imports, transitively."""
    pending = {m for m in _imported_modules(code) if _module_file(m)}
    pending.add("helpers")  # importing any helpers module runs the package __init__
    seen: dict[str, str] = {}
    while pending:
        name = pending.pop()
        path = _module_file(name)
        if path is None or name in seen:
            continue
        source = path.read_text(encoding="utf-8")
        seen[name] = sha256_text(source)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        pending.update(m for m in _imported_modules(source, package) if _module_file(m) and m not in seen)
    return dict(sorted(seen.items()))


def data_reads_state(reads: list[str]) -> dict[str, str | None]:
    """Current sha256 of each data file a chapter read last time (None when gone)."""
    from .manifest import sha256_of

    state = {}
    for relative in reads:
        path = PROJECT_ROOT / relative
        state[relative] = sha256_of(path) if path.exists() else None
    return state


def fingerprint(stem: str, params: dict[str, Any], data_reads: list[str]) -> dict[str, Any]:
    """Everything a page's executed result depends on, as a JSON-able dict."""
    notebook = read_source_notebook(stem)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    return {
        "version": FINGERPRINT_VERSION,
        "source": sha256_text((CHAPTERS_DIR / f"{stem}.md").read_text(encoding="utf-8")),
        "helpers": helper_closure(code),
        "data": data_reads_state(data_reads),
        "parameters": params,
        "requirements": sha256_text((PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8")),
        "python": platform.python_version(),
        # The runner post-processes every executed notebook, so its code is an input too.
        "runner": sha256_text(Path(__file__).read_text(encoding="utf-8")),
    }


def stored_metadata(executed: Path) -> dict[str, Any] | None:
    if not executed.exists():
        return None
    content = json.loads(executed.read_text(encoding="utf-8"))
    return content.get("metadata", {}).get(METADATA_KEY)


def stale_reason(stem: str, params: dict[str, Any], executed: Path) -> str | None:
    """Why a page must be (re-)executed, or None when its executed notebook is current."""
    stored = stored_metadata(executed)
    if stored is None:
        return "never executed"
    current = fingerprint(stem, params, stored.get("data_reads", []))
    previous = stored.get("fingerprint", {})
    for key, label in (("source", "chapter source changed"), ("helpers", "a helper it imports changed"),
                       ("data", "a data file it reads changed"), ("parameters", "parameters changed"),
                       ("requirements", "pinned requirements changed"), ("python", "Python version changed"), ("runner", "the runner changed"),
                       ("version", "build format changed")):
        if current.get(key) != previous.get(key):
            if key == "helpers":
                changed = sorted(set(current[key].items()) ^ set(previous.get(key, {}).items()))
                label += f" ({', '.join(sorted({name for name, _ in changed}))})"
            if key == "data":
                changed = sorted(k for k in set(current[key]) | set(previous.get(key, {}))
                                 if current[key].get(k) != previous.get(key, {}).get(k))
                label += f" ({', '.join(changed)})"
            return label
    return None


# ---------------------------------------------------------------------- execution


@dataclass
class PageResult:
    stem: str
    executed: bool
    seconds: float
    reason: str | None


MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _clean_for_publication(notebook: dict[str, Any]) -> None:
    """Drop run-specific metadata (timings, papermill bookkeeping) and memory addresses in
    object reprs (written as nbval's sanitiser writes them, see tests/nbval_sanitize.cfg),
    so that an unchanged result gives a byte-identical notebook."""
    notebook["metadata"].pop("papermill", None)
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            plain = output.get("data", {}).get("text/plain")
            if plain:
                lines = [plain] if isinstance(plain, str) else plain
                output["data"]["text/plain"] = [MEMORY_ADDRESS.sub(" at 0xADDRESS>", line) for line in lines]
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        tags = cell["metadata"].get("tags")
        if tags == []:
            cell["metadata"].pop("tags")


def execute_page(stem: str, params: dict[str, Any], output: Path, *, progress: bool = True,
                 inject: dict[str, Any] | None = None) -> list[str]:
    """Execute one page with papermill into ``output``; return the data files it read.

    ``inject`` are parameters papermill writes into the notebook (None for the published
    build, which runs the declared defaults already in the parameters cell).
    """
    import nbformat
    import papermill

    notebook = read_source_notebook(stem)
    with tempfile.TemporaryDirectory(prefix=f"exec-{stem}-") as scratch:
        source = Path(scratch) / f"{stem}.ipynb"
        executed = Path(scratch) / f"{stem}.out.ipynb"
        read_log = Path(scratch) / "reads.log"
        read_log.touch()
        nbformat.write(notebook, source)
        previous_log = os.environ.get(READ_LOG_ENV)
        os.environ[READ_LOG_ENV] = str(read_log)
        # A kernel over local (IPC) sockets in the scratch folder: no TCP port, and no
        # "running over TCP without encryption" warning in the log or in nested outputs.
        from jupyter_client.manager import KernelManager

        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(scratch) / "kernel"))
        try:
            papermill.execute_notebook(
                str(source), str(executed), parameters=inject or {}, kernel_name="python3",
                cwd=str(CHAPTERS_DIR), progress_bar=progress, log_output=False,
                request_save_on_cell_execute=False, km=kernel,
            )
        except papermill.PapermillExecutionError as error:
            failed = PROJECT_ROOT / "_build" / "failed" / f"{stem}.ipynb"
            failed.parent.mkdir(parents=True, exist_ok=True)
            if executed.exists():
                failed.write_bytes(executed.read_bytes())
            raise BookError(
                f"chapter {stem!r} failed in cell {error.exec_count}: {error.ename}: {error.evalue}\n"
                f"the partly executed notebook is at {failed.relative_to(PROJECT_ROOT)}"
            ) from None
        finally:
            if kernel.has_kernel:  # papermill leaves a kernel it was given running
                kernel.shutdown_kernel(now=True)
            if previous_log is None:
                os.environ.pop(READ_LOG_ENV, None)
            else:
                os.environ[READ_LOG_ENV] = previous_log
        reads = sorted({line for line in read_log.read_text(encoding="utf-8").splitlines() if line})
        result = json.loads(executed.read_text(encoding="utf-8"))
    _clean_for_publication(result)
    reads = sorted({_project_relative(path) for path in reads})
    result["metadata"][METADATA_KEY] = {
        "fingerprint": fingerprint(stem, params, reads),
        "data_reads": reads,
        "parameters": params,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, output)
    return reads


def _project_relative(path: str) -> str:
    """Project-relative form of an absolute path read by a chapter (absolute if outside)."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def execute_book(*, force: bool = False, progress: bool = True, only: list[str] | None = None) -> list[PageResult]:
    """Execute every stale page of the book (or all with ``force``); print progress."""
    pages = toc_pages()
    if only:
        unknown = [p for p in only if p not in pages]
        if unknown:
            raise BookError(f"not pages of the book: {', '.join(unknown)}; pages: {', '.join(pages)}")
        pages = [p for p in pages if p in only]
    # Validate every page's parameters before executing anything.
    params = {stem: validate(stem) for stem in pages}
    # Pages that read other pages' executed notebooks run last, so that they read this
    # run's results (their fingerprint includes those notebooks).
    pages = [p for p in pages if not spec_for(p).reads_pages] + [p for p in pages if spec_for(p).reads_pages]
    results = []
    for number, stem in enumerate(pages, 1):
        executed = CHAPTERS_DIR / f"{stem}.ipynb"
        reason = "forced" if force else stale_reason(stem, params[stem], executed)
        prefix = f"[{number}/{len(pages)}] {stem}"
        if reason is None:
            print(f"{prefix}: up to date, not re-executed", flush=True)
            results.append(PageResult(stem, False, 0.0, None))
            continue
        print(f"{prefix}: executing ({reason}) ...", flush=True)
        started = time.perf_counter()
        execute_page(stem, params[stem], executed, progress=progress)
        seconds = time.perf_counter() - started
        print(f"{prefix}: executed in {seconds:.1f} s", flush=True)
        results.append(PageResult(stem, True, seconds, reason))
    return results


def chapter_notebooks(root: Path = PROJECT_ROOT) -> list[Path]:
    """Executed notebooks of the pages that compute results (not those that summarise them)."""
    from .paths import results_dir

    return [results_dir() / f"{stem}.ipynb" for stem in toc_pages(root) if not spec_for(stem).reads_pages]


PDF_NAME = "china-tech-rerating"


def book_config(builder: str, root: Path = PROJECT_ROOT) -> Path:
    """The Jupyter Book configuration for one build: ``_config.yml`` plus what is only known
    at build time (the snapshot's as-of date and the build date) and what differs between
    the website and the PDF. Written under ``_build/config/``."""
    from . import data
    from .publish import long_date

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    as_of = long_date(data.as_of())
    built = long_date(time.strftime("%Y-%m-%d"))
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    if builder == "html":
        ledger = " &middot; <a href=\"claims_ledger.html\">claims ledger</a>" if "claims_ledger" in toc_pages(root) else ""
        config.setdefault("html", {})["announcement"] = f"Data as of {as_of} (pinned snapshot) &middot; built {built}{ledger}"
    else:
        config.setdefault("latex", {})["latex_engine"] = "xelatex"
        sphinx["nb_remove_code_source"] = True  # clients read outputs, tables and figures only
        sphinx["latex_elements"] = {
            "papersize": "a4paper",
            "pointsize": "10pt",
            # FreeFont for Latin text; Noto CJK only for the few Chinese characters of the data
            # (units such as 亿元), switched in by ucharclasses.
            "fontpkg": "\\setmainfont{FreeSerif}\\setsansfont{FreeSans}\\setmonofont{FreeMono}"
                       "\\usepackage[Latin,Greek,CJK]{ucharclasses}\\newfontfamily\\cjkfont{Noto Serif CJK SC}"
                       "\\setTransitionsForCJK{\\begingroup\\cjkfont}{\\endgroup}",
            # Small type in tables, so that wide ones fit the text width.
            "preamble": "\\usepackage{etoolbox}\\AtBeginEnvironment{tabulary}{\\scriptsize}"
                        "\\AtBeginEnvironment{longtable}{\\scriptsize}\\AtBeginEnvironment{tabular}{\\scriptsize}",
            "maketitle": (
                "\\begin{titlepage}\\centering\\vspace*{5cm}"
                f"{{\\Huge\\bfseries {config['title']}\\par}}\\vspace{{1.5cm}}"
                "{\\Large Reproducible research: five theses tested against data\\par}\\vspace{2cm}"
                f"{{\\large Data as of {as_of}\\par}}\\vspace{{0.4cm}}"
                + (f"{{\\normalsize {_latex_text(os.environ['CHINATECH_TITLE_NOTE'])}\\par}}\\vspace{{0.4cm}}"
                   if os.environ.get("CHINATECH_TITLE_NOTE") else "") +
                f"{{\\large Built {built}\\par}}\\vfill"
                f"{{\\large {config['author']}\\par}}\\end{{titlepage}}"),
            "figure_align": "H",
        }
    target = root / "_build" / "config" / f"{builder}.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def _latex_text(text: str) -> str:
    """Plain text made safe for LaTeX."""
    replacements = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(replacements.get(character, character) for character in text)


def _run_jupyter_book(root: Path, builder: str, strict: bool = True) -> None:
    """Build with Jupyter Book; ``strict`` turns warnings into errors (the published book)."""
    script = Path(sys.executable).with_name("jupyter-book")
    command = [str(script), "build", str(root), "--builder", builder, "--config", str(book_config(builder, root)),
               "--keep-going"] + (["--warningiserror", "--nitpick"] if strict else [])
    print(f"building the {builder} book: jupyter-book {' '.join(command[1:])}", flush=True)
    completed = subprocess.run(command, cwd=root)
    if completed.returncode != 0:
        # Sphinx saves its environment even when warnings failed the build, so the next
        # incremental build would find nothing to re-read and pass: forget it.
        shutil.rmtree(root / "_build" / ".doctrees", ignore_errors=True)
        raise BookError(f"jupyter-book {builder} build failed (exit {completed.returncode}); see the messages above")


def build_html(root: Path = PROJECT_ROOT, strict: bool = True) -> float:
    """Build the website (no execution; warnings are errors when ``strict``); return seconds taken."""
    from .assets import ensure_mathjax

    started = time.perf_counter()
    ensure_mathjax(root)
    _run_jupyter_book(root, "html", strict)
    site = root / "_build" / "html"
    if not (site / "index.html").exists():
        raise BookError(f"jupyter-book reported success but {site / 'index.html'} was not written")
    (site / ".nojekyll").touch()  # GitHub Pages: serve folders starting with '_' as they are
    return time.perf_counter() - started


def missing_latex_tools() -> list[str]:
    """The commands the PDF build needs that this machine lacks."""
    return [tool for tool in ("xelatex", "latexmk", "pdftotext") if shutil.which(tool) is None]


def build_pdf(root: Path = PROJECT_ROOT, strict: bool = True) -> tuple[Path, float]:
    """Build the client PDF through LaTeX (xelatex); return its path and seconds taken."""
    missing = missing_latex_tools()
    if missing:
        raise BookError(f"the PDF needs {', '.join(missing)}, not found; `make system-deps` installs the "
                        "Debian packages listed in tools/system-deps.sh (as root)")
    started = time.perf_counter()
    # latexmk trusts its own records of earlier runs (even failed ones): start clean.
    shutil.rmtree(root / "_build" / "latex", ignore_errors=True)
    _run_jupyter_book(root, "pdflatex", strict)
    pdf = root / "_build" / "latex" / f"{PDF_NAME}.pdf"
    if not pdf.exists():
        raise BookError(f"the LaTeX build finished but {pdf} was not written")
    return pdf, time.perf_counter() - started


def list_parameters(stem: str) -> str:
    spec = spec_for(stem)
    if not spec.params:
        return f"{stem}: no parameters"
    return "\n".join([f"{stem} parameters:"] + [f"  {p.describe()}" for p in spec.params])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute stale chapters and build the book.")
    parser.add_argument("--force", action="store_true", help="re-execute every page")
    parser.add_argument("--execute-only", action="store_true", help="execute, do not build the site")
    parser.add_argument("--pages", nargs="+", help="limit execution to these pages")
    parser.add_argument("--list", metavar="CHAPTER", help="show a chapter's parameters and exit")
    parser.add_argument("--pdf", action="store_true", help="build the client PDF (LaTeX) instead of the website")
    args = parser.parse_args(argv)
    try:
        if args.list:
            print(list_parameters(args.list))
            return 0
        started = time.perf_counter()
        results = execute_book(force=args.force, progress=sys.stdout.isatty(), only=args.pages)
        executed = sum(r.executed for r in results)
        print(f"execution: {executed} of {len(results)} pages executed in {time.perf_counter() - started:.1f} s", flush=True)
        if args.pdf:
            pdf, seconds = build_pdf()
            print(f"PDF built in {seconds:.1f} s: {pdf}", flush=True)
        elif not args.execute_only:
            seconds = build_html()
            print(f"site built in {seconds:.1f} s: {PROJECT_ROOT / '_build' / 'html' / 'index.html'}", flush=True)
    except (BookError, ParameterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

