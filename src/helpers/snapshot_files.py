"""File operations shared by the importer and the live refresh."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def safe_file_stem(ticker: str) -> str:
    """A file name for a ticker: ``^GSPC`` -> ``IDX_GSPC``, ``CNY=X`` -> ``CNY_X``.

    Matches the ``closes/`` convention of the shared data (``^TNX`` -> ``IDX_TNX``).
    """
    stem = ticker.replace("^", "IDX_")
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem)


def replace_directory_atomically(new: Path, target: Path) -> None:
    """Put directory ``new`` in place of ``target``.

    ``target`` is first renamed aside, then ``new`` renamed into place, then the old copy
    removed. Each rename is atomic; if the second fails the old directory is put back, so
    ``target`` is always either the complete old or the complete new snapshot.
    """
    backup = target.parent / f".{target.name}.previous"
    if backup.exists():
        shutil.rmtree(backup)
    had_target = target.exists()
    if had_target:
        os.replace(target, backup)
    try:
        os.replace(new, target)
    except BaseException:
        if had_target:
            os.replace(backup, target)
        raise
    if had_target:
        shutil.rmtree(backup)
