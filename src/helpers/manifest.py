"""The snapshot manifest: what each dataset is, where it came from, and its checksum.

The manifest is ``manifest.json`` at the root of a snapshot directory. It is written
deterministically (sorted keys, no timestamps of the import run), so importing the same
sources twice gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ChecksumError, SnapshotMissingError

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Dataset:
    """One manifest entry: a file of the snapshot and what is known about it."""

    id: str
    kind: str
    file: str
    meaning: str
    unit: str
    frequency: str
    source: str
    first: str | None
    last: str | None
    rows: int
    sha256: str
    extra: dict[str, Any]

    @classmethod
    def from_json(cls, dataset_id: str, entry: dict[str, Any]) -> "Dataset":
        known = {"kind", "file", "meaning", "unit", "frequency", "source", "first", "last", "rows", "sha256"}
        return cls(
            id=dataset_id,
            kind=entry["kind"],
            file=entry["file"],
            meaning=entry.get("meaning", ""),
            unit=entry.get("unit", ""),
            frequency=entry.get("frequency", ""),
            source=entry.get("source", ""),
            first=entry.get("first"),
            last=entry.get("last"),
            rows=int(entry["rows"]),
            sha256=entry["sha256"],
            extra={k: v for k, v in entry.items() if k not in known},
        )


class Manifest:
    """A loaded manifest bound to its snapshot directory."""

    def __init__(self, root: Path, content: dict[str, Any]):
        self.root = root
        self.content = content
        self.datasets = {
            dataset_id: Dataset.from_json(dataset_id, entry)
            for dataset_id, entry in content["datasets"].items()
        }

    @property
    def as_of(self) -> str:
        """The snapshot's data as-of date (last date of the daily closes)."""
        return self.content["as_of"]

    def of_kind(self, kind: str) -> dict[str, Dataset]:
        """All datasets of one kind (``closes``, ``bars``, ``macro``, ...), by id."""
        return {k: d for k, d in self.datasets.items() if d.kind == kind}

    def path_of(self, dataset: Dataset) -> Path:
        return self.root / dataset.file

    def verify(self, dataset: Dataset) -> Path:
        """Return the dataset's path after checking it exists and matches its checksum."""
        path = self.path_of(dataset)
        if not path.exists():
            raise SnapshotMissingError(
                f"snapshot file {path} (dataset {dataset.id!r}) is missing; "
                "restore it with `git checkout -- data/` or rebuild with `make data`"
            )
        actual = sha256_of(path)
        if actual != dataset.sha256:
            raise ChecksumError(
                f"checksum mismatch for {path} (dataset {dataset.id!r}): manifest says "
                f"{dataset.sha256[:12]}…, file has {actual[:12]}…. The file was changed "
                "after the snapshot was made; restore it with `git checkout -- data/` "
                "or rebuild the snapshot with `make data`"
            )
        return path


def load_manifest(root: Path) -> Manifest:
    """Read ``manifest.json`` from a snapshot directory, with a clear error if absent."""
    path = root / MANIFEST_NAME
    if not path.exists():
        raise SnapshotMissingError(
            f"no snapshot manifest at {path}. The book reads the pinned snapshot under "
            "data/snapshot; restore it with `git checkout -- data/` or rebuild it from "
            "../shared/market-data with `make data`"
        )
    with open(path, encoding="utf-8") as handle:
        content = json.load(handle)
    if content.get("schema_version") != SCHEMA_VERSION:
        raise SnapshotMissingError(
            f"{path} has schema_version {content.get('schema_version')!r}; this code reads "
            f"version {SCHEMA_VERSION}. Rebuild the snapshot with `make data`"
        )
    return Manifest(root, content)


def write_json_atomically(path: Path, content: dict[str, Any]) -> None:
    """Write JSON deterministically through a temporary file and a rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(content, handle, indent=1, sort_keys=True, ensure_ascii=False)
        handle.write("\n")
    os.replace(tmp, path)
