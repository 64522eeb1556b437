"""Putting computed values into the prose: thin wrappers around MyST-NB's glue.

Numbers are glued as numbers (format them in the text with ``{glue:text}`name:.1f```);
text is glued as Markdown and pasted with ``{glue:md}`name``` so it reads without quotes.
"""

from __future__ import annotations

import math
from numbers import Real

from IPython.display import Markdown
from myst_nb import glue


def glue_number(name: str, value: Real) -> float:
    """Glue a finite number under ``name`` (not displayed); returns it as a float."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"refusing to glue {name!r}: value {value!r} is not a finite number")
    glue(name, number, display=False)
    return number


def glue_text(name: str, text: str) -> str:
    """Glue a piece of Markdown text under ``name`` (paste it with ``{glue:md}``)."""
    glue(name, Markdown(text), display=False)
    return text


def long_date(iso: str) -> str:
    """``2026-07-13`` -> ``13 July 2026`` (for prose)."""
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
