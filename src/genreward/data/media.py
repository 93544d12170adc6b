"""Turn frames into things a person can look at: GIF, MP4, filmstrip PNG."""

from __future__ import annotations

import os
from pathlib import Path

import imageio.v2 as imageio
import numpy as np

from genreward.data.atomic import atomic_path
from genreward.errors import GenRewardError

FORMATS = (".gif", ".mp4", ".png")


def upscale(frames: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling of ``uint8 [..., H, W, 3]`` by an integer factor."""
    if factor <= 1:
        return frames
    return frames.repeat(factor, axis=-3).repeat(factor, axis=-2)


def filmstrip(frames: np.ndarray, count: int = 8, gap: int = 2) -> np.ndarray:
    """`count` evenly spaced frames (first and last included) side by side, white gaps."""
    picks = np.unique(np.linspace(0, len(frames) - 1, num=min(count, len(frames))).round())
    height, _, _ = frames.shape[1:]
    spacer = np.full((height, gap, 3), 255, dtype=np.uint8)
    tiles = []
    for i in picks.astype(int):
        tiles += [frames[i], spacer]
    return np.concatenate(tiles[:-1], axis=1)


def save_media(
    frames: np.ndarray,
    path: str | os.PathLike,
    *,
    fps: int = 20,
    scale: int | None = None,
    count: int = 8,
) -> Path:
    """Write ``uint8 [T, H, W, 3]`` frames atomically as a GIF, an MP4 or a filmstrip PNG
    (chosen by the suffix of `path`). `scale` defaults to the smallest integer factor that makes
    frames at least 256 pixels tall."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise GenRewardError(f"cannot write {path}: choose a file ending in {', '.join(FORMATS)}")
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or not len(frames):
        raise GenRewardError(
            f"expected frames uint8 [T, H, W, 3], got {frames.dtype} {frames.shape}"
        )
    factor = scale if scale is not None else max(1, -(-256 // frames.shape[1]))
    frames = upscale(frames, factor)
    with atomic_path(path) as tmp:
        suffix = path.suffix.lower()
        if suffix == ".png":
            imageio.imwrite(tmp, filmstrip(frames, count))
        elif suffix == ".gif":
            imageio.mimwrite(tmp, list(frames), format="GIF", duration=1000 / fps, loop=0)
        else:
            imageio.mimwrite(tmp, list(frames), format="FFMPEG", fps=fps, macro_block_size=1)
    return path
