"""The goal-video file: what `genreward generate` writes and the reward stages read.

One compressed ``.npz`` holding ``frames uint8 [K, H, W, 3]`` (frame 0 is the agent's first
frame) and ``meta``, a JSON string: task, text, seed, camera, size, model, guidance_scale,
num_inference_steps.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from genreward.data.atomic import atomic_write
from genreward.data.episode import _UNREADABLE, DatasetError
from genreward.validate import json_type_problem

GOAL_FILE = "goal_video.npz"
REGENERATE = "Re-create it with `genreward generate`."
# Each metadata key's type (all optional: a goal video made by other means may hold fewer).
META_TYPES: dict[str, type | tuple[type, ...]] = {
    "task": str,
    "text": str,
    "seed": int,
    "camera": str,
    "size": int,
    "model": str,
    "guidance_scale": (int, float),
    "num_inference_steps": int,
}


def save_goal_video(path: str | os.PathLike, frames: np.ndarray, meta: dict[str, Any]) -> Path:
    """Write a goal video atomically."""
    check_goal_frames(frames, path)
    with atomic_write(path) as handle:
        np.savez_compressed(handle, frames=frames, meta=np.array(json.dumps(meta, sort_keys=True)))
    return Path(path)


def check_goal_frames(frames: np.ndarray, path: str | os.PathLike = "<goal video>") -> None:
    """Raise `DatasetError` unless `frames` is ``uint8 [K, H, W, 3]`` with K >= 2."""
    if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8:
        raise DatasetError(
            path,
            f"goal video must be uint8, got {getattr(frames, 'dtype', type(frames))}",
            REGENERATE,
        )
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] < 2:
        raise DatasetError(
            path, f"goal video must have shape [K>=2, H, W, 3], got {frames.shape}", REGENERATE
        )


def load_goal_video(path: str | os.PathLike) -> tuple[np.ndarray, dict[str, Any]]:
    """Frames ``uint8 [K, H, W, 3]`` and metadata of a goal video (a file, or a folder holding
    ``goal_video.npz``); raises `DatasetError` naming the file and the problem."""
    path = Path(path)
    if path.is_dir():
        path = path / GOAL_FILE
    if not path.is_file():
        raise DatasetError(path, "goal video not found", REGENERATE)
    try:
        with np.load(path, allow_pickle=False) as data:
            frames, meta = data["frames"], json.loads(str(data["meta"]))
    except (*_UNREADABLE, json.JSONDecodeError) as exc:
        raise DatasetError(path, f"unreadable goal video ({exc})", REGENERATE) from exc
    problem = json_type_problem(meta, META_TYPES)
    if problem is not None:
        raise DatasetError(path, f"bad metadata: {problem}", REGENERATE)
    check_goal_frames(frames, path)
    return frames, meta
