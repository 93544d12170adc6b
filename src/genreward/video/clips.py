"""Training material from episode datasets: frames for the autoencoder, K-frame task clips."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from genreward.data import Dataset, Episode, load_dataset
from genreward.errors import GenRewardError


def clip_indices(episode: Episode, num_frames: int) -> np.ndarray:
    """Indices of `num_frames` frames evenly spaced from the first frame to the frame right
    after the first success (the whole episode when it never succeeded)."""
    end = episode.first_success + 1 if episode.first_success is not None else episode.length
    return np.linspace(0, end, num_frames).round().astype(int)


@dataclass
class ClipSet:
    """Task clips: ``frames uint8 [N, K, H, W, 3]`` with the task and env seed of each clip."""

    frames: np.ndarray
    tasks: list[str]
    texts: list[str]
    seeds: list[int]

    def __len__(self) -> int:
        return len(self.tasks)


def open_datasets(dirs: list[str | os.PathLike], tasks: list[str] | None = None) -> list[Dataset]:
    """Load (and verify) several dataset directories, keeping successful episodes of `tasks`."""
    if not dirs:
        raise GenRewardError("no dataset directory given (--data DIR ...)")
    datasets = [load_dataset(d).subset(tasks=tasks, success_only=True) for d in dirs]
    if not sum(len(d) for d in datasets):
        raise GenRewardError(f"no successful episodes of the requested tasks in {dirs}")
    return datasets


def load_clips(datasets: list[Dataset], num_frames: int, progress: bool = True) -> ClipSet:
    """One clip per successful episode, first frame to success, subsampled to `num_frames`."""
    frames, tasks, texts, seeds = [], [], [], []
    total = sum(len(d) for d in datasets)
    with tqdm(total=total, desc="load clips", unit="episode", disable=not progress) as bar:
        for dataset in datasets:
            for episode in dataset:
                frames.append(episode.frames[clip_indices(episode, num_frames)])
                tasks.append(episode.meta["task"])
                texts.append(episode.meta["text"])
                seeds.append(int(episode.meta["seed"]))
                bar.update(1)
    sizes = {f.shape[1:] for f in frames}
    if len(sizes) != 1:
        raise GenRewardError(f"datasets mix frame sizes {sorted(sizes)}; use one frame size")
    return ClipSet(np.stack(frames), tasks, texts, seeds)


@dataclass
class FrameSet:
    """Frames for the autoencoder: ``frames uint8 [N, H, W, 3]``, the first frame of each
    episode ``firsts uint8 [E, H, W, 3]`` and the episode of each frame ``episode int [N]``."""

    frames: np.ndarray
    firsts: np.ndarray
    episode: np.ndarray


def load_frames(datasets: list[Dataset], stride: int = 2, progress: bool = True) -> FrameSet:
    """Every `stride`-th frame of every episode, with its episode's first frame."""
    frames, firsts, owner = [], [], []
    total = sum(len(d) for d in datasets)
    with tqdm(total=total, desc="load frames", unit="episode", disable=not progress) as bar:
        for dataset in datasets:
            for episode in dataset:
                picked = episode.frames[::stride]
                owner.append(np.full(len(picked), len(firsts)))
                frames.append(picked)
                firsts.append(episode.frames[0])
                bar.update(1)
    return FrameSet(np.concatenate(frames), np.stack(firsts), np.concatenate(owner))
