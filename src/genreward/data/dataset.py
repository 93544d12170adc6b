"""A directory of episodes with an ``index.jsonl``: writing the index and validated loading."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genreward.data.atomic import atomic_write_text, sha256_file
from genreward.data.episode import DatasetError, Episode, load_episode, read_header

INDEX_NAME = "index.jsonl"


@dataclass(frozen=True)
class EpisodeRecord:
    """One line of ``index.jsonl``: where an episode is and what it holds."""

    file: str  # path relative to the dataset directory
    task: str
    seed: int
    length: int
    success: bool
    first_success: int | None
    size: int
    camera: str
    sha256: str


def index_record(root: str | os.PathLike, path: str | os.PathLike) -> EpisodeRecord:
    """The index record of the episode file at `path` under dataset `root` (validated header)."""
    shapes, _, meta = read_header(path)
    with np.load(path, allow_pickle=False) as data:
        hits = np.flatnonzero(data["success"])
    return EpisodeRecord(
        file=Path(path).relative_to(root).as_posix(),
        task=meta["task"],
        seed=int(meta["seed"]),
        length=int(shapes["actions"][0]),
        success=bool(hits.size),
        first_success=int(hits[0]) if hits.size else None,
        size=int(meta["size"]),
        camera=str(meta["camera"]),
        sha256=sha256_file(path),
    )


def write_index(root: str | os.PathLike, records: list[EpisodeRecord]) -> None:
    """Write ``index.jsonl`` atomically, one record per line, sorted by file."""
    lines = [json.dumps(asdict(r), sort_keys=True) for r in sorted(records, key=lambda r: r.file)]
    atomic_write_text(Path(root) / INDEX_NAME, "".join(f"{line}\n" for line in lines))


def read_index(root: str | os.PathLike) -> list[EpisodeRecord]:
    """Parse ``index.jsonl``; raises `DatasetError` naming the line that is wrong."""
    index = Path(root) / INDEX_NAME
    if not index.is_file():
        raise DatasetError(
            index, "dataset index not found", "Point at a directory written by `genreward collect`."
        )
    records = []
    fields = set(EpisodeRecord.__dataclass_fields__)
    for number, line in enumerate(index.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw: Any = json.loads(line)
            if not isinstance(raw, dict) or set(raw) != fields:
                raise ValueError(f"expected the fields {sorted(fields)}")
            records.append(EpisodeRecord(**raw))
        except (json.JSONDecodeError, ValueError, TypeError) as exc:
            raise DatasetError(
                index,
                f"line {number} is not a valid episode record ({exc})",
                "If the directory was written by `genreward collect`, delete index.jsonl and "
                "re-run collect on it to rebuild it (finished episodes are kept).",
            ) from exc
    return records


class Dataset:
    """Validated episodes of one directory; episodes are loaded on access (`dataset[i]`)."""

    def __init__(self, root: str | os.PathLike, records: list[EpisodeRecord]) -> None:
        self.root = Path(root)
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> Episode:
        return load_episode(self.root / self.records[i].file)

    def __iter__(self) -> Iterator[Episode]:
        for i in range(len(self)):
            yield self[i]

    @property
    def tasks(self) -> list[str]:
        """The tasks present, sorted."""
        return sorted({r.task for r in self.records})

    def subset(self, *, tasks: list[str] | None = None, success_only: bool = False) -> Dataset:
        """The episodes of some tasks and/or only the successful ones."""
        keep = [
            r
            for r in self.records
            if (tasks is None or r.task in tasks) and (r.success or not success_only)
        ]
        return Dataset(self.root, keep)


def check_record(root: Path, record: EpisodeRecord) -> None:
    """Raise `DatasetError` unless the file of `record` exists, matches its checksum, and has the
    shapes, dtypes and metadata the record claims."""
    path = root / record.file
    if not path.is_file():
        raise DatasetError(
            path,
            "listed in index.jsonl but missing",
            "Re-run `genreward collect` on this directory to record it again.",
        )
    if sha256_file(path) != record.sha256:
        raise DatasetError(
            path,
            "checksum does not match index.jsonl: the file was changed or corrupted",
            "Delete it and re-run `genreward collect`.",
        )
    shapes, _, meta = read_header(path)
    claims = {
        "task": record.task,
        "seed": record.seed,
        "size": record.size,
        "camera": record.camera,
        "length": record.length,
    }
    found = {
        "task": meta["task"],
        "seed": meta["seed"],
        "size": meta["size"],
        "camera": meta["camera"],
        "length": shapes["actions"][0],
    }
    wrong = {k: (claims[k], found[k]) for k in claims if claims[k] != found[k]}
    if wrong:
        detail = ", ".join(f"{k}: index says {a!r}, file has {b!r}" for k, (a, b) in wrong.items())
        raise DatasetError(
            path,
            f"does not match index.jsonl ({detail})",
            "Re-run `genreward collect` on this directory to rebuild the index.",
        )


def load_dataset(root: str | os.PathLike, *, verify: bool = True) -> Dataset:
    """Open a dataset directory.

    With `verify` (default), every episode file is checked against ``index.jsonl``: present,
    same SHA-256, array shapes and dtypes per the episode contract, metadata matching the index.
    Frames are not decompressed here; `Dataset[i]` loads and checks one episode fully.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(root, "dataset directory not found")
    records = read_index(root)
    if verify:
        for record in records:
            check_record(root, record)
    return Dataset(root, records)
