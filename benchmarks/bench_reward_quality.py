"""Do the rewards measure task progress? Margins of the video-level reward, FB rank correlation.

Video-level reward: for each task and env seed of the evaluation data, the goal video is
generated (shipped model) from that seed's first frame; the reward of the real expert episode
of that seed is compared with a random-action episode from the same placement (same length)
and with an expert episode of another task, for the paper's raw cosine and the
change-from-first-frame variant. FB: with a model from `genreward train-fb`, r_FB toward each
held-out expert episode's final frame is computed along the episode; the Spearman correlation
with time is reported.

    .venv/bin/python benchmarks/bench_reward_quality.py --eval data/eval_heldin \
        --fb models/fb_door_open --fb-task door-open
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

from genreward.data import load_dataset
from genreward.data.collect import EpisodeSpec, record_episode
from genreward.envs import make_env, resolve_task
from genreward.rewards.train_fb import load_fb
from genreward.rewards.video_reward import VideoLevelReward
from genreward.video.pipeline import GoalVideoPipeline

FORMS = ("paper", "change")


def random_episode_frames(task: str, seed: int, steps: int) -> np.ndarray:
    env = make_env(task, seed)
    rng = np.random.default_rng(seed)
    spec = EpisodeSpec(task, seed, max_steps=steps, extra_steps=steps)
    episode = record_episode(env, lambda _: rng.uniform(-1, 1, 4).astype(np.float32), spec)
    env.close()
    return episode.frames


def video_scores(eval_dir: str, per_task: int) -> dict[tuple[str, str, str], list[float]]:
    """scores[(task, form, agent video)]: the video-level reward of each agent video."""
    pipe = GoalVideoPipeline.from_pretrained()
    dataset = load_dataset(eval_dir).subset(success_only=True)
    tasks = dataset.tasks
    scores: dict[tuple[str, str, str], list[float]] = {}
    for t, task in enumerate(tasks):
        other = dataset.subset(tasks=[tasks[(t + 1) % len(tasks)]])
        for i, episode in enumerate(list(dataset.subset(tasks=[task]))[:per_task]):
            seed = int(episode.meta["seed"])
            goal = pipe(episode.frames[0], episode.meta["text"], seed=seed)
            clips = {
                "expert": episode.frames,
                "random": random_episode_frames(task, seed, episode.length),
                "other task": other[i % len(other)].frames,
            }
            for mode in FORMS:
                reward = VideoLevelReward(pipe.encoder, goal, mode=mode)
                for kind, frames in clips.items():
                    scores.setdefault((task, mode, kind), []).append(reward.score(frames))
    return scores


def margins(scores: dict[tuple[str, str, str], list[float]], task: str | None) -> list[dict]:
    """Mean reward per form and agent video, and how well it ranks the expert first, for one
    task (or all tasks pooled when `task` is None)."""

    def pooled(mode: str, kind: str) -> np.ndarray:
        keys = [k for k in scores if k[1:] == (mode, kind) and task in (None, k[0])]
        return np.concatenate([scores[k] for k in keys])

    rows = []
    for mode in FORMS:
        expert = pooled(mode, "expert")
        for kind in ("expert", "random", "other task"):
            values = pooled(mode, kind)
            row = {
                "task": (task or "all").removesuffix("-v3"),
                "form": mode,
                "agent video": kind,
                "videos": len(values),
                "mean": float(values.mean()),
                "std": float(values.std()),
            }
            if kind != "expert":
                gap = expert - values
                spread = np.sqrt((expert.var() + values.var()) / 2) + 1e-9
                row |= {
                    "expert - this": float(gap.mean()),
                    "expert ranked higher": float((gap > 0).mean()),
                    "d'": float(gap.mean() / spread),
                }
            rows.append(row)
    return rows


def fb_correlation(fb_dir: str, eval_dir: str, task: str) -> list[dict]:
    model, features = load_fb(fb_dir)
    rows = []
    for episode in load_dataset(eval_dir).subset(tasks=[resolve_task(task)], success_only=True):
        psi = features(episode.frames)
        reward = model.goal_reward(psi[:-1], torch.as_tensor(episode.actions), psi[-1])
        rho = spearmanr(np.arange(len(reward)), reward.numpy()).statistic
        rows.append(
            {
                "task": task,
                "seed": int(episode.meta["seed"]),
                "steps": episode.length,
                "spearman(r_FB, t)": float(rho),
                "r_FB first 10%": float(reward[: max(1, len(reward) // 10)].mean()),
                "r_FB last 10%": float(reward[-max(1, len(reward) // 10) :].mean()),
            }
        )
    rows.append(
        {
            "task": task,
            "seed": "mean",
            "steps": "",
            "spearman(r_FB, t)": float(np.mean([r["spearman(r_FB, t)"] for r in rows])),
            "r_FB first 10%": "",
            "r_FB last 10%": "",
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", required=True, help="evaluation dataset (expert episodes)")
    parser.add_argument("--per-task", type=int, default=4)
    parser.add_argument("--fb", default=None, help="FB model folder from train-fb")
    parser.add_argument("--fb-task", default="door-open")
    args = parser.parse_args()
    scores = video_scores(args.eval, args.per_task)
    report(
        "Video-level reward of agent videos against the generated goal video",
        margins(scores, None),
        "bench_reward_quality_video.csv",
    )
    report(
        "The same, per task",
        [row for task in sorted({k[0] for k in scores}) for row in margins(scores, task)],
        "bench_reward_quality_video_tasks.csv",
    )
    if args.fb:
        report(
            f"FB reward toward the final frame along held-out {args.fb_task} expert episodes",
            fb_correlation(args.fb, args.eval, args.fb_task),
            "bench_reward_quality_fb.csv",
        )


if __name__ == "__main__":
    main()
