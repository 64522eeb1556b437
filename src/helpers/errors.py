"""Error types raised by the helpers.

Each error carries a message meant to be read by a person running the book: it says
what was asked, what exists, and what to do instead.
"""


class BookError(Exception):
    """Base class for every error the helpers raise on purpose."""


class SnapshotMissingError(BookError):
    """The pinned snapshot (or a file it lists) is not on disk."""


class SourceMissingError(BookError):
    """The import source (``../shared/market-data``) or one of its files is missing."""


class ChecksumError(BookError):
    """A snapshot file no longer matches the checksum recorded in the manifest."""


class UnknownTickerError(BookError, KeyError):
    """A ticker that the snapshot does not hold."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class UnknownSeriesError(BookError, KeyError):
    """A macro series, valuation table or other dataset the snapshot does not hold."""

    def __str__(self) -> str:
        return str(self.args[0])


class DateRangeError(BookError, ValueError):
    """Dates outside the snapshot's coverage, in the wrong order, or selecting nothing."""


class ParameterError(BookError, ValueError):
    """A chapter parameter that fails validation (raised before any execution)."""


class RefreshError(BookError):
    """A live refresh failed; the previous snapshot was left untouched."""
