"""The goals of a training run: one goal video and goal frame I* per object placement.

They live in ``<run>/goals/seed_N`` (N = placement), made once at the start of a run (generated
with the goal-video model, or copied from a `--goal` folder) and read back when it resumes.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreward.data.atomic import remove_stale_temporaries
from genreward.data.goal_video import GOAL_FILE, load_goal_video
from genreward.errors import GenRewardError
from genreward.goals.select import goal_frame_current, load_goal_frame, make_scorer, select_goal
from genreward.rl.config import TrainConfig


@dataclass
class Goal:
    """The goal of one placement: video ``uint8 [K, H, W, 3]`` and frame I* ``uint8 [H, W, 3]``."""

    placement: int
    video: np.ndarray
    frame: np.ndarray
    folder: Path


def _source_folders(source: Path) -> dict[int, Path]:
    """Goal folders under a `genreward generate` output, by env seed."""
    if (source / GOAL_FILE).is_file():
        seed = load_goal_video(source)[1].get("seed")
        if seed is None:
            raise GenRewardError(
                f"{source / GOAL_FILE}: its metadata names no placement (seed); put goal "
                "videos in seed_N/ folders or make them with `genreward generate`"
            )
        return {seed: source}
    found = {}
    for folder in sorted(source.glob("seed_*")):
        if (folder / GOAL_FILE).is_file() and folder.name[5:].isdigit():
            found[int(folder.name[5:])] = folder
    if not found:
        raise GenRewardError(
            f"{source}: no {GOAL_FILE} here or in seed_N/ folders; "
            "make goals with `genreward generate --task T --seed 0,1,... --out DIR`"
        )
    return found


def check_goal_source(source: Path, seeds: list[int], task: str, size: int) -> dict[int, Path]:
    """The goal folder of each placement in `seeds` under `source` (a `genreward generate`
    output); a clear error unless every one is there and holds a goal of `task` at `size` px."""
    available = _source_folders(source)
    missing = [s for s in seeds if s not in available]
    if missing:
        raise GenRewardError(
            f"{source} has goals for placements {sorted(available)}, the run needs "
            f"{seeds[0]}..{seeds[-1]}: generate them (`genreward generate --seed "
            f"{','.join(map(str, seeds))}`) or lower --placements"
        )
    for seed in seeds:
        video, meta = load_goal_video(available[seed])
        if meta.get("task") != task or video.shape[1] != size:
            raise GenRewardError(
                f"{available[seed]}: a goal of {meta.get('task')} at {video.shape[1]} px, "
                f"the run trains {task} at {size} px"
            )
        if goal_frame_current(available[seed]):  # else the run selects its goal frame anew
            load_goal_frame(available[seed])
    return {seed: available[seed] for seed in seeds}


def _copy_goals(source: Path, target: Path, seeds: list[int], task: str, size: int) -> None:
    for seed, folder in check_goal_source(source, seeds, task, size).items():
        temporary = target / f".seed_{seed}.partial"
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(folder, temporary)
        temporary.rename(target / f"seed_{seed}")


@functools.lru_cache(maxsize=1)
def _pipeline(video_model: Path | None, device: str):
    """The goal-video model, loaded once per process (a sweep prepares several tasks)."""
    from genreward.video.pipeline import GoalVideoPipeline

    return GoalVideoPipeline.from_pretrained(video_model, device=device)


@functools.lru_cache(maxsize=1)
def _scorer():
    """The shipped goal-frame scorer, loaded once per process."""
    return make_scorer("domain")


def _generate_goals(config: TrainConfig, target: Path, seeds: list[int]) -> None:
    from genreward.video.generate import generate_goals

    pipe = _pipeline(config.video_model, config.device)
    if pipe.frame_size != config.size:
        raise GenRewardError(
            f"the goal-video model makes {pipe.frame_size} px frames, the run asks --size "
            f"{config.size}"
        )
    for seed in seeds:  # one at a time: each lands complete before the next starts
        generate_goals(
            pipe,
            config.task,
            [seed],
            target / f"seed_{seed}",
            camera=config.camera,
            model_name=str(config.video_model or "shipped default"),
        )


def _goal_frame(goal_dir: Path, video: np.ndarray, mode: str, placement: int) -> np.ndarray:
    if mode == "selected":
        return load_goal_frame(goal_dir)
    if mode == "last":
        return video[-1]
    # "random": a fixed random frame per placement, the same in every run.
    return video[np.random.default_rng(placement).integers(len(video))]


def prepare_goals(config: TrainConfig, target: Path) -> list[Goal]:
    """The goal of each placement 0..N-1 in `target`, making the missing ones."""
    target.mkdir(parents=True, exist_ok=True)
    for partial in target.glob(".seed_*.partial"):
        shutil.rmtree(partial)
    seeds = list(range(config.placements))
    missing = [s for s in seeds if not (target / f"seed_{s}" / GOAL_FILE).is_file()]
    if missing and config.goal is not None:
        _copy_goals(Path(config.goal), target, missing, config.task, config.size)
    elif missing:
        _generate_goals(config, target, missing)
    unselected = [s for s in seeds if not goal_frame_current(target / f"seed_{s}")]
    if unselected and config.goal_frame == "selected":
        scorer = _scorer()
        for seed in unselected:
            select_goal(target / f"seed_{seed}", scorer)
    goals = []
    for seed in seeds:
        folder = target / f"seed_{seed}"
        remove_stale_temporaries(folder)
        video, _ = load_goal_video(folder)
        frame = _goal_frame(folder, video, config.goal_frame, seed)
        goals.append(Goal(seed, video, frame, folder))
    return goals
