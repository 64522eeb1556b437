"""Putting computed values into the prose: thin wrappers around MyST-NB's glue.

Numbers are glued as numbers (format them in the text with ``{glue:text}`name:.1f```);
text is glued as Markdown and pasted with ``{glue:md}`name``` so it reads without quotes.
"""

from __future__ import annotations

import math
from numbers import Real

from IPython.display import Markdown
from myst_nb import glue


def glue_number(name: str, value: Real) -> None:
    """Glue a finite number under ``name`` (not displayed).

    Returns nothing, so that a cell ending with a glue shows no output.
    """
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"refusing to glue {name!r}: value {value!r} is not a finite number")
    glue(name, number, display=False)


def glue_text(name: str, text: str) -> None:
    """Glue a piece of Markdown text under ``name`` (paste it with ``{glue:md}``)."""
    glue(name, Markdown(text), display=False)


def long_date(iso: str) -> str:
    """``2026-07-13`` -> ``13 July 2026`` (for prose)."""
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def effect_phrase(value_percent: float, p_value: float, *, alpha: float = 0.05, noun: str = "abnormal return") -> str:
    """A computed effect in words: ``a fall of 3.9% (p = 0.003, significant at 5%)``.

    Used so that a re-run with other parameters never leaves prose that contradicts its
    own numbers.
    """
    if not (math.isfinite(value_percent) and math.isfinite(p_value)):
        raise ValueError(f"effect_phrase needs finite numbers, got {value_percent!r} and {p_value!r}")
    direction = "a rise" if value_percent > 0 else "a fall" if value_percent < 0 else "no change"
    significance = (f"significant at {alpha:.0%}" if p_value < alpha else f"not significant at {alpha:.0%}")
    return f"{direction} of {abs(value_percent):.1f}% ({noun}; {p_value_text(p_value)}, {significance})"


def p_value_text(p_value: float) -> str:
    """``0.0004`` -> ``p < 0.001``; ``0.0412`` -> ``p = 0.041`` (for prose)."""
    if not math.isfinite(p_value) or not 0 <= p_value <= 1:
        raise ValueError(f"{p_value!r} is not a p-value")
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def quarter_label(date) -> str:
    """``2025-10-01`` -> ``2025Q4``."""
    return f"{date.year}Q{(date.month - 1) // 3 + 1}"


def month_label(date) -> str:
    """``2026-07-01`` -> ``July 2026``."""
    return f"{date:%B %Y}"


RECORD_PREFIX = "application/papermill.record/"


def glued_values(stem: str) -> dict:
    """The values a page glued, read from its executed notebook: numbers as floats,
    Markdown as text. Used by pages that summarise others (glue is per page in MyST-NB).

    The read is logged, so a summarising page is re-executed when the page changes.
    """
    import json

    from .data import log_read
    from .paths import results_dir

    path = results_dir() / f"{stem}.ipynb"
    log_read(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    values: dict = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            data = output.get("data", {})
            if RECORD_PREFIX + "text/markdown" in data:
                values[name] = data[RECORD_PREFIX + "text/markdown"]
            elif RECORD_PREFIX + "text/plain" in data:
                text = data[RECORD_PREFIX + "text/plain"]
                try:
                    values[name] = float(text)
                except ValueError:
                    values[name] = text
    return values


def reglue(stem: str, names: list[str]) -> dict:
    """Glue, on the current page, values another page glued: ``<stem>_<name>``.

    Raises if a name is missing, so a renamed value in a chapter cannot silently leave a
    gap in the summary.
    """
    values = glued_values(stem)
    missing = [name for name in names if name not in values]
    if missing:
        raise KeyError(f"{stem} glued no value named {', '.join(missing)}; re-execute it or fix the name")
    for name in names:
        value = values[name]
        if isinstance(value, float):
            glue_number(f"{stem}_{name}", value)
        else:
            glue_text(f"{stem}_{name}", value)
    return {name: values[name] for name in names}


def glue_claims(ids: list[str]) -> None:
    """Glue the reported figure of each claim (``claim_<ID>``, and ``claim_<ID>_abs`` for
    prose such as "fell about 10%"), read from the cited claims table, so that a page
    quotes the reports without typing their numbers."""
    from .ledger import claims

    reference = claims()
    missing = [claim_id for claim_id in ids if claim_id not in reference.index]
    if missing:
        raise KeyError(f"claims not in data/reference/claims.csv: {', '.join(missing)}")
    for claim_id in ids:
        value = float(reference.loc[claim_id, "reported_value"])
        glue_number(f"claim_{claim_id}", value)
        glue_number(f"claim_{claim_id}_abs", abs(value))
