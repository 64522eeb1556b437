"""Every chapter's parameters, declared once, and their validation.

A chapter's ``parameters`` cell holds the defaults declared here (a test keeps them in
step). The runner validates overrides with :func:`validate` *before* anything executes;
each problem becomes one line naming the parameter and the fix, for example::

    event_date: '2031-01-01' is after the snapshot's last date 2026-07-13; use a date up to 2026-07-13

List a chapter's parameters with ``python -m helpers.build --list CHAPTER``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .errors import ParameterError

Problem = tuple[str, str]  # (parameter name, message with the fix)


@dataclass(frozen=True)
class Param:
    """One parameter: its type (``kind``), default, allowed values or range, and help."""

    name: str
    kind: str  # date | int | float | str | bool | ticker | tickers | choice | choices
    default: Any
    help: str
    choices: Sequence[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        allowed = ""
        if self.choices is not None:
            allowed = f"; one of {', '.join(map(str, self.choices))}" if self.kind == "choice" else \
                f"; any of {', '.join(map(str, self.choices))}"
        elif self.minimum is not None or self.maximum is not None:
            allowed = f"; range [{self.minimum if self.minimum is not None else '-inf'}, " \
                      f"{self.maximum if self.maximum is not None else 'inf'}]"
        return f"{self.name} ({self.kind}, default {self.default!r}{allowed}): {self.help}"


@dataclass(frozen=True)
class ChapterSpec:
    """A chapter's parameters plus checks that involve several of them or the data."""

    chapter: str
    params: tuple[Param, ...]
    checks: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = field(default=())

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}


# ---------------------------------------------------------------------- coercion


def _coerce(param: Param, value: Any) -> tuple[Any, str | None]:
    """Return (normalised value, None) or (None, message)."""
    kind = param.kind
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat(), None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat(), None
            except ValueError:
                pass
        return None, f"{value!r} is not a date; write it as YYYY-MM-DD"
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                return None, f"{value!r} is not a whole number; give an integer"
        return _in_range(param, value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{value!r} is not a number"
        return _in_range(param, float(value))
    if kind == "bool":
        if not isinstance(value, bool):
            return None, f"{value!r} is not true/false"
        return value, None
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            return None, f"{value!r} is not a non-empty text"
        return value, None
    if kind == "choice":
        if value not in param.choices:
            hint = difflib.get_close_matches(str(value), [str(c) for c in param.choices], n=1)
            return None, f"{value!r} is not allowed; choose one of {', '.join(map(str, param.choices))}" + (
                f" (did you mean {hint[0]!r}?)" if hint else "")
        return value, None
    if kind == "choices":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)) or not values:
            return None, "give a non-empty list"
        bad = [v for v in values if v not in param.choices]
        if bad:
            return None, f"{', '.join(map(repr, bad))} not allowed; choose from {', '.join(map(str, param.choices))}"
        return list(values), None
    if kind in ("ticker", "tickers"):
        from . import data  # imported here: validating a date must not need the snapshot

        values = [value] if isinstance(value, str) else value
        if kind == "ticker" and not isinstance(value, str):
            return None, f"{value!r} is not a ticker; give one ticker as text"
        if not isinstance(values, (list, tuple)) or not values or not all(isinstance(v, str) for v in values):
            return None, "give a non-empty list of tickers"
        known = {t.upper(): t for t in data.tickers("closes")}
        unknown = [v for v in values if v.upper() not in known]
        if unknown:
            hints = []
            for v in unknown:
                close = difflib.get_close_matches(v.upper(), list(known), n=3, cutoff=0.5)
                hints.append(f"{v!r}" + (f" (did you mean {', '.join(known[c] for c in close)}?)" if close else ""))
            return None, f"not in the snapshot: {'; '.join(hints)}; list tickers with helpers.data.tickers()"
        normalised = [known[v.upper()] for v in values]
        return (normalised[0] if kind == "ticker" else normalised), None
    raise ValueError(f"parameter {param.name}: unknown kind {kind!r}")


def _in_range(param: Param, value: float) -> tuple[Any, str | None]:
    if param.minimum is not None and value < param.minimum:
        return None, f"{value} is below the minimum {param.minimum}"
    if param.maximum is not None and value > param.maximum:
        return None, f"{value} is above the maximum {param.maximum}"
    return value, None


# ---------------------------------------------------------------------- validation


def validate(chapter: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults merged with ``overrides``, checked; raises :class:`ParameterError` listing
    every problem, one line each, before anything is executed."""
    spec = spec_for(chapter)
    overrides = dict(overrides or {})
    params = spec.by_name()
    problems: list[Problem] = []
    for name in overrides:
        if name not in params:
            close = difflib.get_close_matches(name, list(params), n=1)
            fix = f"did you mean {close[0]!r}?" if close else \
                f"{chapter} takes: {', '.join(params) or 'no parameters'}"
            problems.append((name, f"unknown parameter; {fix}"))
    values: dict[str, Any] = {}
    for name, param in params.items():
        value, message = _coerce(param, overrides.get(name, param.default))
        if message:
            problems.append((name, message))
        else:
            values[name] = value
    if not problems:
        for check in spec.checks:
            problems.extend(check(values))
    if problems:
        lines = [f"{name}: {message}" for name, message in problems]
        raise ParameterError(f"invalid parameters for chapter {chapter!r}:\n  " + "\n  ".join(lines))
    return values


def spec_for(chapter: str) -> ChapterSpec:
    """The declared parameters of a chapter (by its file stem, e.g. ``data_appendix``)."""
    if chapter not in CHAPTERS:
        close = difflib.get_close_matches(chapter, list(CHAPTERS), n=1)
        raise ParameterError(
            f"unknown chapter {chapter!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            + f" Chapters: {', '.join(CHAPTERS)}"
        )
    return CHAPTERS[chapter]


# ---------------------------------------------------------------------- shared checks


def dates_in_order(first: str, second: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that date parameter ``first`` comes strictly before ``second``."""

    def check(values: dict[str, Any]) -> list[Problem]:
        if values[first] >= values[second]:
            return [(second, f"{values[second]} is not after {first}={values[first]}; "
                             f"make {second} later than {first}")]
        return []

    return check


def dates_within_snapshot(*names: str) -> Callable[[dict[str, Any]], list[Problem]]:
    """A check that each named date lies within the snapshot's daily closes."""

    def check(values: dict[str, Any]) -> list[Problem]:
        from . import data

        coverage = data.coverage().frame
        closes = coverage[coverage["kind"] == "closes"]
        first, last = closes["first"].min().date().isoformat(), data.as_of()
        problems = []
        for name in names:
            if values[name] > last:
                problems.append((name, f"{values[name]!r} is after the snapshot's last date {last}; "
                                       f"use a date up to {last} (or refresh the snapshot)"))
            elif values[name] < first:
                problems.append((name, f"{values[name]!r} is before the snapshot's first date {first}; "
                                       f"use a date from {first}"))
        return problems

    return check


# ---------------------------------------------------------------------- the chapters

DATASET_KINDS = ("closes", "bars", "dividends", "macro", "valuation", "reported")

CHAPTERS: dict[str, ChapterSpec] = {
    "intro": ChapterSpec("intro", ()),
    "references": ChapterSpec("references", ()),
    "data_appendix": ChapterSpec(
        "data_appendix",
        (
            Param("coverage_start", "date", "2016-01-01",
                  "left edge of the coverage chart (series starting earlier are clipped)"),
            Param("dataset_kinds", "choices", list(DATASET_KINDS),
                  "which kinds of dataset the coverage chart shows", choices=DATASET_KINDS),
        ),
    ),
}
