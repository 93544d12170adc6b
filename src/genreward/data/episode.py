"""One recorded episode: the on-disk contract, atomic saving and validated loading.

An episode is one compressed ``.npz`` file holding

- ``frames``  uint8   [T+1, H, W, 3]  upright RGB, the first frame included
- ``actions`` float32 [T, A]
- ``states``  float32 [T+1, S]        the observation before each action, and the last one
- ``rewards`` float32 [T]
- ``success`` bool    [T]             Meta-World's success flag after each step
- ``meta``    a JSON string: task, text, seed, camera, size, policy, action_noise, ...
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genreward.data.atomic import atomic_write
from genreward.errors import GenRewardError

FORMAT_VERSION = 1
ARRAY_DTYPES: dict[str, np.dtype] = {
    "frames": np.dtype(np.uint8),
    "actions": np.dtype(np.float32),
    "states": np.dtype(np.float32),
    "rewards": np.dtype(np.float32),
    "success": np.dtype(np.bool_),
}
REQUIRED_META = ("format_version", "task", "text", "seed", "camera", "size", "policy")


class DatasetError(GenRewardError):
    """A dataset or episode file that is missing, unreadable or inconsistent."""

    def __init__(self, path: str | os.PathLike, problem: str, hint: str = "") -> None:
        self.path = Path(path)
        self.problem = problem
        self.hint = hint
        message = f"{path}: {problem}"
        super().__init__(f"{message}. {hint}" if hint else message)

    def __reduce__(self):
        # Rebuilt from its arguments, so it crosses process boundaries (collect's workers).
        return (type(self), (self.path, self.problem, self.hint))


# What numpy and zipfile raise for truncated, corrupted or non-npz files.
_UNREADABLE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    KeyError,
)
RECOLLECT = "Delete it and re-run `genreward collect` with the same arguments to record it again."


@dataclass
class Episode:
    """Arrays of one episode (see the module docstring for shapes) and its metadata."""

    frames: np.ndarray
    actions: np.ndarray
    states: np.ndarray
    rewards: np.ndarray
    success: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def length(self) -> int:
        """Number of steps T."""
        return int(self.actions.shape[0])

    @property
    def first_success(self) -> int | None:
        """Index of the first step after which the task was solved, or None."""
        hits = np.flatnonzero(self.success)
        return int(hits[0]) if hits.size else None

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by name, in the file's order."""
        return {name: getattr(self, name) for name in ARRAY_DTYPES}


def check_arrays(
    shapes: dict[str, tuple[int, ...]],
    dtypes: dict[str, np.dtype],
    meta: dict[str, Any],
    path: str | os.PathLike,
) -> None:
    """Raise `DatasetError` unless the arrays' shapes and dtypes fit the contract and `meta`."""
    missing = [name for name in ARRAY_DTYPES if name not in shapes]
    if missing:
        raise DatasetError(path, f"missing arrays {missing}", RECOLLECT)
    for name, expected in ARRAY_DTYPES.items():
        if dtypes[name] != expected:
            raise DatasetError(
                path, f"'{name}' has dtype {dtypes[name]}, expected {expected}", RECOLLECT
            )
    missing_meta = [key for key in REQUIRED_META if key not in meta]
    if missing_meta:
        raise DatasetError(path, f"metadata lacks {missing_meta}", RECOLLECT)
    steps = shapes["actions"][0] if len(shapes["actions"]) == 2 else -1
    size = meta["size"]
    expected_shapes = {
        "frames": (steps + 1, size, size, 3),
        "states": (steps + 1, shapes["states"][-1] if shapes["states"] else -1),
        "rewards": (steps,),
        "success": (steps,),
    }
    if steps < 1:
        raise DatasetError(
            path, f"'actions' has shape {shapes['actions']}, expected [T, A], T>0", RECOLLECT
        )
    for name, expected in expected_shapes.items():
        if tuple(shapes[name]) != expected:
            raise DatasetError(
                path,
                f"'{name}' has shape {tuple(shapes[name])}, expected {expected} "
                f"(T={steps} steps, frame size {size} from the metadata)",
                RECOLLECT,
            )


def save_episode(path: str | os.PathLike, episode: Episode) -> None:
    """Validate `episode` and write it to `path` atomically as a compressed ``.npz``."""
    meta = {"format_version": FORMAT_VERSION, **episode.meta}
    arrays = episode.arrays()
    check_arrays(
        {k: v.shape for k, v in arrays.items()}, {k: v.dtype for k, v in arrays.items()}, meta, path
    )
    with atomic_write(path) as handle:
        np.savez_compressed(handle, **arrays, meta=np.array(json.dumps(meta, sort_keys=True)))


def _parse_meta(raw: np.ndarray, path: str | os.PathLike) -> dict[str, Any]:
    try:
        meta = json.loads(str(raw))
    except (json.JSONDecodeError, TypeError) as exc:
        raise DatasetError(path, f"metadata is not valid JSON ({exc})", RECOLLECT) from exc
    if not isinstance(meta, dict):
        raise DatasetError(path, "metadata is not a JSON object", RECOLLECT)
    return meta


def read_header(
    path: str | os.PathLike,
) -> tuple[dict[str, tuple[int, ...]], dict[str, np.dtype], dict[str, Any]]:
    """Shapes, dtypes and metadata of an episode file, without decompressing its frames."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, "file not found", RECOLLECT)
    shapes: dict[str, tuple[int, ...]] = {}
    dtypes: dict[str, np.dtype] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.removesuffix(".npy")
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read(member)
                shapes[name], dtypes[name] = shape, dtype
            meta_raw = np.load(path, allow_pickle=False)["meta"] if "meta" in shapes else None
    except _UNREADABLE as exc:
        raise DatasetError(path, f"truncated or corrupted episode file ({exc})", RECOLLECT) from exc
    if meta_raw is None:
        raise DatasetError(path, "missing 'meta'", RECOLLECT)
    meta = _parse_meta(meta_raw, path)
    check_arrays(shapes, dtypes, meta, path)
    return shapes, dtypes, meta


def load_episode(path: str | os.PathLike) -> Episode:
    """Load and validate one episode file; raises `DatasetError` naming the file and the problem."""
    read_header(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in ARRAY_DTYPES}
            meta = _parse_meta(data["meta"], path)
    except _UNREADABLE as exc:
        raise DatasetError(path, f"truncated or corrupted episode file ({exc})", RECOLLECT) from exc
    for name in ("actions", "states", "rewards"):
        if not np.isfinite(arrays[name]).all():
            raise DatasetError(path, f"'{name}' contains NaN or infinite values", RECOLLECT)
    return Episode(**arrays, meta=meta)
