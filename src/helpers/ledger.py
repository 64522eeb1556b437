"""The claims ledger: reported figures, our computed counterparts and verdicts.

``data/reference/claims.csv`` lists every quantitative claim from the reports (in our
own words, with the reported figure, unit, as-of date and publication). A chapter that
tests a claim calls :func:`record` with its computed value and a stated rule; the verdict
is *computed* from the rule, never typed, and is displayed as a cell output carrying a
machine-readable copy in the output's metadata (key :data:`VERDICT_KEY`; metadata, not a
MIME type, so the site builder has nothing unknown to render). :func:`collect` reads verdicts
back from executed notebooks, so the ledger page shows exactly what the chapters found.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from .data import log_read
from .paths import REFERENCE_DIR

VERDICT_KEY = "chinatech_verdict"
CLAIM_COLUMNS = ("id", "thesis", "claim", "reported_value", "unit", "as_of", "publication", "chapter")
CONFIRMED, CONTRADICTED, NOT_TESTABLE = "confirmed", "contradicted", "not testable"
RULES = ("within", "same_sign", "at_least", "at_most")


def claims(path: Path | None = None) -> pd.DataFrame:
    """The reference table of claims, checked for required columns and unique ids."""
    path = path or REFERENCE_DIR / "claims.csv"
    log_read(path)
    frame = pd.read_csv(path, dtype={"id": "str"})
    missing = [c for c in CLAIM_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {', '.join(missing)}")
    duplicated = frame["id"][frame["id"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: duplicated claim ids {', '.join(duplicated)}")
    frame["reported_value"] = pd.to_numeric(frame["reported_value"], errors="coerce")
    return frame.set_index("id")


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict as computed by a chapter."""

    claim_id: str
    claim: str
    reported_value: float | None
    unit: str
    computed_value: float | None
    verdict: str
    rule: str
    reason: str
    chapter: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        shown = "n/a" if self.computed_value is None else f"{self.computed_value:,.4g}"
        reported = "n/a" if self.reported_value is None else f"{self.reported_value:,.4g}"
        rows = [("Claim", self.claim), ("Reported", f"{reported} {self.unit}"),
                ("Computed", f"{shown} {self.unit}"), ("Rule", self.rule),
                ("Verdict", self.verdict.upper()), ("Why", self.reason)]
        table = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                        f"<td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in rows)
        markdown = "\n".join([f"**Claim {self.claim_id}: {self.verdict.upper()}**", "",
                              "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows]])
        data = {
            "text/html": f"<table class='claim-verdict'><caption>Claim {html.escape(self.claim_id)}</caption>{table}</table>",
            "text/markdown": markdown,
            "text/plain": f"Claim {self.claim_id}: {self.verdict} ({self.rule}); computed {shown} vs reported {reported} {self.unit}",
        }
        return data, {VERDICT_KEY: asdict(self)}


def judge(reported: float | None, computed: float | None, rule: str, tolerance: float | None = None) -> str:
    """Apply a stated rule; returns ``confirmed`` or ``contradicted``.

    - ``within``: |computed - reported| <= tolerance (same unit as the claim);
    - ``same_sign``: computed and reported are both positive or both negative;
    - ``at_least`` / ``at_most``: computed >= (<=) reported.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if computed is None or reported is None or not (math.isfinite(computed) and math.isfinite(reported)):
        raise ValueError("judging needs a finite reported and computed value; use record(..., testable=False)")
    if rule == "within":
        if tolerance is None or tolerance < 0:
            raise ValueError("rule 'within' needs a non-negative tolerance")
        return CONFIRMED if abs(computed - reported) <= tolerance + 1e-12 else CONTRADICTED
    if rule == "same_sign":
        return CONFIRMED if computed * reported > 0 else CONTRADICTED
    if rule == "at_least":
        return CONFIRMED if computed >= reported else CONTRADICTED
    return CONFIRMED if computed <= reported else CONTRADICTED


def record(claim_id: str, computed: float | None = None, *, rule: str | None = None,
           tolerance: float | None = None, reason: str, testable: bool = True,
           table: pd.DataFrame | None = None) -> Verdict:
    """Judge one claim of ``claims.csv`` and return the verdict to display.

    ``reason`` explains the computation (or, with ``testable=False``, why the snapshot
    cannot test the claim). The verdict itself is derived from ``rule``.
    """
    reference = claims() if table is None else table
    if claim_id not in reference.index:
        raise KeyError(f"claim {claim_id!r} is not in data/reference/claims.csv")
    row = reference.loc[claim_id]
    reported = None if pd.isna(row["reported_value"]) else float(row["reported_value"])
    if not reason or not reason.strip():
        raise ValueError("every verdict needs a reason")
    if testable:
        verdict = judge(reported, None if computed is None else float(computed), rule or "", tolerance)
        rule_text = f"{rule}" + (f" ±{tolerance:g}" if rule == "within" else "")
    else:
        verdict, rule_text = NOT_TESTABLE, "not testable with the snapshot"
    return Verdict(
        claim_id=claim_id, claim=str(row["claim"]), reported_value=reported, unit=str(row["unit"]),
        computed_value=None if computed is None else float(computed), verdict=verdict,
        rule=rule_text, reason=reason.strip(), chapter=str(row["chapter"]),
    )


def collect(notebooks: Iterable[Path]) -> pd.DataFrame:
    """Verdicts found in the outputs of executed notebooks (one row per claim)."""
    found = []
    for path in notebooks:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in content.get("cells", []):
            for output in cell.get("outputs", []):
                payload = output.get("metadata", {}).get(VERDICT_KEY)
                if payload:
                    found.append({**payload, "notebook": Path(path).stem})
    columns = [f for f in Verdict.__dataclass_fields__] + ["notebook"]
    return pd.DataFrame(found, columns=columns)


# ---------------------------------------------------------------------- the ledger page

THESES = {1: "The DeepSeek moment", 2: "The valuation discount", 3: "ETF flow divergence", 4: "Bubble risk",
          5: "The macro backdrop"}


def ledger_table(verdicts: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every claim of the reference table with the verdict a chapter computed for it.

    A claim without a verdict keeps the row, with verdict ``no verdict``: the page shows
    the gap instead of hiding it (and a test fails on it).
    """
    reference = claims() if reference is None else reference
    found = verdicts.drop_duplicates("claim_id", keep="last").set_index("claim_id")
    rows = []
    for claim_id, row in reference.iterrows():
        verdict = found.loc[claim_id] if claim_id in found.index else None
        rows.append({
            "id": claim_id, "thesis": int(row["thesis"]), "claim": row["claim"], "publication": row["publication"],
            "as_of": row["as_of"], "unit": row["unit"],
            "reported": None if pd.isna(row["reported_value"]) else float(row["reported_value"]),
            "computed": None if verdict is None or pd.isna(verdict["computed_value"]) else float(verdict["computed_value"]),
            "verdict": "no verdict" if verdict is None else verdict["verdict"],
            "rule": "" if verdict is None else verdict["rule"],
            "why": "no executed chapter recorded a verdict" if verdict is None else verdict["reason"],
            "chapter": row["chapter"],
        })
    return pd.DataFrame(rows).sort_values(["thesis", "id"], kind="stable").reset_index(drop=True)


def _number(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:,.4g}"


def _cell(text: str) -> str:
    """Text safe inside a list-table cell (one line, no stray markup)."""
    return " ".join(str(text).replace("|", "/").split())


def ledger_markdown(table: pd.DataFrame) -> str:
    """The ledger as a MyST list-table: citations and links to the testing sections resolve
    on the website and in the PDF; the ``sortable`` class makes it sortable on the web."""
    lines = [":::{list-table}", ":header-rows: 1", ":class: sortable claims-ledger",
             ":widths: 5 4 17 9 10 8 10 26 11", ""]
    header = ["Id", "No.", "Claim", "Source", "Reported", "Computed", "Verdict", "Why", "Tested in"]
    lines.append("* - " + "\n  - ".join(header))
    for row in table.itertuples():
        cells = [row.id, str(row.thesis), _cell(row.claim), f"{{cite:t}}`{row.publication}` ({row.as_of})",
                 f"{_number(row.reported)} {_cell(row.unit)}", _number(row.computed),
                 f"**{row.verdict}**", _cell(row.why) + (f" Rule: {_cell(row.rule)}." if row.rule else ""),
                 f"{{ref}}`{THESES.get(row.thesis, row.chapter)} <{row.chapter}-claims>`"]
        lines.append("* - " + "\n  - ".join(cells))
    lines.append(":::")
    return "\n".join(lines)


def verdict_chart(table: pd.DataFrame, as_of: str):
    """Claims per thesis, stacked by verdict."""
    from .style import PALETTE, new_figure, source_note

    colours = {CONFIRMED: PALETTE["green"], CONTRADICTED: PALETTE["red"], NOT_TESTABLE: PALETTE["grey"],
               "no verdict": PALETTE["yellow"]}
    counts = table.pivot_table(index="thesis", columns="verdict", values="id", aggfunc="count", fill_value=0)
    fig, axis = new_figure(figsize=(8.5, 3.8))
    left = pd.Series(0, index=counts.index)
    labels = [f"{t}. {THESES.get(t, '')}" for t in counts.index]
    for verdict in [v for v in colours if v in counts.columns]:
        axis.barh(labels, counts[verdict], left=left, color=colours[verdict], label=verdict)
        left = left + counts[verdict]
    axis.invert_yaxis()
    axis.set_xlabel("Claims from the reports")
    axis.set_title("What the data say about the reports' claims")
    axis.legend(loc="lower right", fontsize=8)
    axis.grid(axis="y", visible=False)
    source_note(fig, "verdicts computed by the chapters (claims ledger)", as_of)
    return fig
