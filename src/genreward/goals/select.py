"""`genreward select-goal`: pick the goal frame I* of a generated goal video and save it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from genreward.data.atomic import atomic_write_text, sha256_file
from genreward.data.goal_video import GOAL_FILE, load_goal_video
from genreward.data.media import save_media
from genreward.errors import GenRewardError
from genreward.goals.selector import FrameScorer, GoalFrame, GoalFrameSelector

GOAL_FRAME_FILE = "goal_frame.json"


def make_scorer(backend: str, model: str | None = None) -> FrameScorer:
    """ "domain" (the shipped offline scorer, or a folder from train-selector in `model`), or
    "transformers" (a CLIP/SigLIP folder or hub id in `model`)."""
    if backend == "domain":
        from genreward.goals.domain import DomainScorer

        return DomainScorer.from_pretrained(model)
    if backend == "transformers":
        if not model:
            raise GenRewardError(
                "the transformers scorer needs --model (a CLIP/SigLIP folder "
                "or hub id, e.g. openai/clip-vit-base-patch32)"
            )
        from genreward.goals.selector import TransformersScorer

        return TransformersScorer.from_pretrained(model)
    raise GenRewardError(f"unknown scorer backend {backend!r}; use domain or transformers")


def select_goal(
    goal_dir: str | os.PathLike,
    scorer: FrameScorer,
    text: str | None = None,
    prompts: tuple[str, ...] = ("{}",),
) -> GoalFrame:
    """Select I* in ``goal_dir/goal_video.npz``; writes goal_frame.json and goal_frame.png."""
    goal_dir = Path(goal_dir)
    video, meta = load_goal_video(goal_dir)
    text = text or meta.get("text")
    goal = GoalFrameSelector(scorer, prompts).select(video, text)
    atomic_write_text(
        goal_dir / GOAL_FRAME_FILE,
        json.dumps(
            {
                "index": goal.index,
                "text": text,
                "scores": [round(float(s), 5) for s in goal.scores],
                "video_sha256": sha256_file(goal_dir / GOAL_FILE),
            },
            indent=2,
        ),
    )
    save_media(video[goal.index][None], goal_dir / "goal_frame.png", count=1)
    return goal


def goal_frame_current(goal_dir: str | os.PathLike) -> bool:
    """Whether `goal_dir` holds a goal frame selected on its present goal video (a selection
    made before goal frames recorded their video counts as current)."""
    spec = Path(goal_dir) / GOAL_FRAME_FILE
    try:
        recorded = json.loads(spec.read_text()).get("video_sha256")
    except (OSError, json.JSONDecodeError, AttributeError):
        return False
    return recorded is None or recorded == sha256_file(Path(goal_dir) / GOAL_FILE)


def load_goal_frame(goal_dir: str | os.PathLike):
    """The goal frame ``uint8 [H, W, 3]`` chosen earlier by `select_goal` on this very video."""
    goal_dir = Path(goal_dir)
    video, _ = load_goal_video(goal_dir)
    spec = goal_dir / GOAL_FRAME_FILE
    if not spec.is_file():
        raise GenRewardError(f"{goal_dir}: no {GOAL_FRAME_FILE}; run `genreward select-goal` first")
    try:
        index = int(json.loads(spec.read_text())["index"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise GenRewardError(
            f"{spec}: unreadable ({exc}); run `genreward select-goal` again"
        ) from exc
    if not goal_frame_current(goal_dir):
        raise GenRewardError(
            f"{spec} was selected on another goal video than the present "
            f"{GOAL_FILE}; run `genreward select-goal {goal_dir}` again"
        )
    if not 0 <= index < len(video):
        raise GenRewardError(f"{spec}: goal frame index {index} is outside the video")
    return video[index]
