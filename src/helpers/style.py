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
        "figure.dpi": 110,
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


def styled_table(frame, name: str, *, precision: int = 2, caption: str | None = None):
    """A pandas Styler in the book's table style, with a stable HTML id.

    ``name`` becomes the table's id: the Styler's default is a random one, which would
    make every execution's output differ.
    """
    styler = frame.style.set_uuid(name).hide(axis="index").format(precision=precision, thousands=",", na_rep="–")
    if caption:
        styler = styler.set_caption(caption)
    return styler.set_table_styles([
        {"selector": "th", "props": [("text-align", "left"), ("font-weight", "bold")]},
        {"selector": "td", "props": [("text-align", "left")]},
    ])


def plain_log_axis(axis) -> None:
    """Label a log-scale axis with plain numbers (20, 40, 60) instead of powers of ten."""
    from matplotlib.ticker import LogLocator

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
