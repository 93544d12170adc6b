"""Cost of GenReward's reward terms per env step, against bare stepping with rendering.

Runs the same random actions through: bare stepping; bare stepping + rendering every frame
(the baseline); and `GenRewardWrapper` with no bonus, the video-level reward only, the FB
reward only, and both (the paper's full reward, FB at the paper's size: z 64, hidden 512).
Reports steps/s and time relative to the baseline, all in one run, plus where the time of
the full wrapper goes.

    .venv/bin/python benchmarks/bench_reward.py      # table + results/bench_reward*.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, steps_per_second

from genreward.envs import make_env
from genreward.rewards.combine import GenRewardConfig
from genreward.rewards.fb import ForwardBackward
from genreward.rewards.train_fb import autoencoder_features
from genreward.rewards.video_reward import VideoLevelReward
from genreward.rewards.wrappers import GenRewardWrapper


class Timed:
    """Wraps a callable and adds up its wall time."""

    def __init__(self, fn):
        self.fn, self.seconds, self.calls = fn, 0.0, 0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        out = self.fn(*args, **kwargs)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1024, help="env steps per configuration")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one env per core, as in training

    features = autoencoder_features()
    encoder = features.encoder
    torch.manual_seed(0)
    fb = ForwardBackward(obs_dim=features.dim).eval()
    probe = make_env("door-open", 0)
    probe.reset()
    goal = np.stack([probe.render()] * 16)
    config = GenRewardConfig()
    video = VideoLevelReward(encoder, goal, **config.video_kwargs())
    actions = np.random.default_rng(0).uniform(-1, 1, (args.steps, 4)).astype(np.float32)

    def wrapper(use_video: bool, use_fb: bool, fb_every: int = 1) -> GenRewardWrapper:
        return GenRewardWrapper(
            make_env("door-open", 0),
            config=GenRewardConfig(fb_every=fb_every),
            video_reward=video if use_video else None,
            fb=fb if use_fb else None,
            features=features if use_fb else None,
            goal_frame=goal[-1],
        )

    runs = {
        "bare step": steps_per_second(make_env("door-open", 0), actions),
        "bare step + render every frame (baseline)": steps_per_second(
            make_env("door-open", 0), actions, True
        ),
        "wrapper, env reward only": steps_per_second(wrapper(False, False), actions),
        "wrapper, video-level reward": steps_per_second(wrapper(True, False), actions),
        "wrapper, FB reward": steps_per_second(wrapper(False, True), actions),
        "wrapper, full GenReward": steps_per_second(wrapper(True, True), actions),
        "wrapper, full GenReward, FB every 4th step": steps_per_second(
            wrapper(True, True, 4), actions
        ),
    }
    base = runs["bare step + render every frame (baseline)"]
    rows = [
        {"configuration": name, "steps/s": rate, "time vs baseline": base / rate}
        for name, rate in runs.items()
    ]
    report(
        f"GenReward wrapper cost, door-open, 64x64, {args.steps} steps", rows, "bench_reward.csv"
    )

    # Where the time of the full wrapper goes.
    env = wrapper(True, True)
    inner = env.env
    inner.step = Timed(inner.step)
    inner.render = Timed(inner.render)
    encoder.encode = Timed(encoder.encode)
    fb.reward_for_z = Timed(fb.reward_for_z)
    video.score_many = Timed(video.score_many)
    total = args.steps / steps_per_second(env, actions)
    parts = {
        "env step": inner.step,
        "render": inner.render,
        "autoencoder (psi + video windows)": encoder.encode,
        "FB reward": fb.reward_for_z,
        "video reward (incl. its encoding)": video.score_many,
    }
    breakdown = [
        {
            "part": name,
            "calls": t.calls,
            "ms per env step": 1e3 * t.seconds / args.steps,
            "share": t.seconds / total,
        }
        for name, t in parts.items()
    ]
    breakdown.append(
        {
            "part": "total",
            "calls": args.steps,
            "ms per env step": 1e3 * total / args.steps,
            "share": 1.0,
        }
    )
    report(
        "Full GenReward wrapper: where the time goes (video encoding is inside the "
        "autoencoder row too)",
        breakdown,
        "bench_reward_breakdown.csv",
    )


if __name__ == "__main__":
    main()
