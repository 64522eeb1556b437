"""The book's one plotting style.

Call :func:`use_book_style` once at the top of a chapter. Figures are sized for the web
page and saved sharp for print; colours are colour-blind safe (Okabe-Ito), and every
chart carries its source and as-of date through :func:`source_note`.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "grey": "#7F7F7F",
}
GROUP_COLOURS = {
    "China tech": PALETTE["red"],
    "China broad": PALETTE["orange"],
    "US AI": PALETTE["blue"],
    "US broad": PALETTE["sky"],
    "Macro": PALETTE["green"],
}


def use_book_style() -> None:
    """Set matplotlib defaults for every figure of the book."""
    mpl.rcParams.update({
        "figure.figsize": (8.0, 4.2),
        "figure.dpi": 200,  # inline PNGs are drawn at the figure's dpi: sharp in print
        "savefig.dpi": 200,
        "savefig.bbox": "tight",
        "font.size": 10,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "legend.fontsize": 9,
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
        "svg.hashsalt": "chinatech",  # deterministic ids in SVG output
    })


def source_note(fig: Figure, source: str, as_of: str) -> None:
    """Write "Source: …; data as of …" under a figure."""
    fig.text(0.0, -0.02, f"Source: {source}. Data as of {as_of}.", ha="left", va="top",
             fontsize=8, color=PALETTE["grey"], transform=fig.transFigure)


def percent_axis(axis, decimals: int = 0) -> None:
    """Format an axis holding fractions (0.25) as percentages (25%)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.{decimals}%}"))


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """A figure and axes in the book's style (applies the style if not yet applied)."""
    if mpl.rcParams.get("svg.hashsalt") != "chinatech":
        use_book_style()
    return plt.subplots(nrows, ncols, **kwargs)


class Table:
    """A table for both outputs of the book: HTML for the website (a pandas Styler with a
    stable id), a MyST list-table for the PDF (the LaTeX build renders Markdown outputs,
    wraps columns to the text width and breaks long tables across pages), and plain text
    (what nbval compares)."""

    LONG = 40  # rows above which the PDF uses a longtable that breaks across pages

    def __init__(self, frame, name: str, precision: int, caption: str | None):
        self.frame = frame
        self.name = name
        self.precision = precision
        self.caption = caption

    def styler(self):
        styler = self.frame.style.set_uuid(self.name).hide(axis="index").format(
            precision=self.precision, thousands=",", na_rep="–")
        return styler.set_caption(self.caption) if self.caption else styler

    def _repr_html_(self) -> str:
        return self.styler().set_table_styles([
            {"selector": "th", "props": [("text-align", "left"), ("font-weight", "bold")]},
            {"selector": "td", "props": [("text-align", "left")]},
        ]).to_html()

    def _formatted(self):
        """Cell texts as on the website: fixed precision, thousands separators, '–' for missing."""
        import pandas as pd

        def text(value) -> str:
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
                return "–"
            if isinstance(value, bool):
                return str(value)
            if isinstance(value, int):
                return f"{value:,}"
            if isinstance(value, float):
                return f"{value:,.{self.precision}f}"
            return str(value)

        return [[text(v) for v in row] for row in self.frame.itertuples(index=False)]

    def _repr_markdown_(self) -> str:
        """A MyST list-table: what the PDF (LaTeX) build renders, wrapping wide tables to
        the text width and breaking long ones across pages."""
        lines = [":::{list-table} " + _markdown_escape(self.caption or ""), ":header-rows: 1"]
        if len(self.frame) > self.LONG:
            lines.append(":class: longtable")
        lines.append("")
        for row in [[str(c) for c in self.frame.columns], *self._formatted()]:
            lines.append("* - " + "\n  - ".join(_markdown_escape(cell) or " " for cell in row))
        lines.append(":::")
        return "\n".join(lines)

    def __repr__(self) -> str:
        import pandas as pd

        with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200,
                               "display.max_colwidth", 60):
            text = self.frame.to_string(index=False, float_format=lambda v: f"{v:,.{self.precision}f}")
        return (f"{self.caption}\n" if self.caption else "") + text


def _markdown_escape(text: str) -> str:
    """Backslash-escape ASCII punctuation so cell text stays literal in MyST."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|$~:" else c for c in " ".join(str(text).split()))


def styled_table(frame, name: str, *, precision: int = 2, caption: str | None = None) -> Table:
    """A table in the book's style for the website and the PDF (see :class:`Table`).

    ``name`` becomes the HTML table's id: the Styler's default is a random one, which
    would make every execution's output differ.
    """
    return Table(frame, name, precision, caption)


def plain_log_axis(axis) -> None:
    """Label a log-scale axis with plain numbers (20, 40, 60) instead of powers of ten."""
    from matplotlib.ticker import LogLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
