"""Shared helpers for the China-tech re-rating book.

Everything a chapter computes lives here, in small tested functions:

- :mod:`helpers.data` is the one way in for data (the pinned snapshot under ``data/``);
- :mod:`helpers.importer` builds that snapshot from ``../shared/market-data``;
- :mod:`helpers.refresh` is the explicit, online-only yfinance refresh;
- :mod:`helpers.parameters` declares and validates every chapter parameter;
- :mod:`helpers.style` is the single plotting style;
- :mod:`helpers.ledger` records claim verdicts from executed chapters;
- :mod:`helpers.build` executes chapters with papermill and builds the book.
"""

__version__ = "0.1.0"
