"""`genreward generate`: render an env seed's first frame and generate its goal video."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from genreward.data.goal_video import GOAL_FILE, save_goal_video
from genreward.data.media import save_media
from genreward.envs import make_env, resolve_task
from genreward.goals.select import GOAL_FRAME_FILE
from genreward.video.pipeline import GoalVideoPipeline


def generate_goals(
    pipe: GoalVideoPipeline,
    task: str,
    seeds: list[int],
    out: str | os.PathLike,
    *,
    camera: str = "corner",
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    model_name: str = "",
) -> list[Path]:
    """Generate goal videos for several env seeds of `task` in one batch.

    Writes ``goal_video.npz`` + ``.gif`` + filmstrip ``.png`` into `out` (one seed) or into
    ``out/seed_N`` (several); returns the folders.
    """
    task = resolve_task(task)
    env = make_env(task, seeds[0], camera=camera, size=pipe.frame_size)
    firsts = []
    for seed in seeds:
        env.reset(seed=seed)
        firsts.append(env.render())
    env.close()
    videos = pipe(
        np.stack(firsts),
        env.text,
        seeds,
        guidance_scale=guidance_scale,
        num_inference_steps=num_inference_steps,
    )
    folders = []
    for seed, video in zip(seeds, videos, strict=True):
        folder = Path(out) if len(seeds) == 1 else Path(out) / f"seed_{seed}"
        meta = {
            "task": task,
            "text": env.text,
            "seed": seed,
            "camera": camera,
            "size": pipe.frame_size,
            "model": model_name,
            "guidance_scale": pipe.guidance_scale if guidance_scale is None else guidance_scale,
            "num_inference_steps": num_inference_steps or pipe.num_inference_steps,
        }
        # The goal frame of an earlier video in this folder no longer applies.
        for derived in (GOAL_FRAME_FILE, "goal_frame.png"):
            (folder / derived).unlink(missing_ok=True)
        save_goal_video(folder / GOAL_FILE, video, meta)
        save_media(video, folder / "goal_video.gif", fps=8)
        save_media(video, folder / "goal_video.png", count=len(video))
        folders.append(folder)
    return folders
