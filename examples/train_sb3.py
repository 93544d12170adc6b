"""Train a stable-baselines3 SAC agent on a Meta-World task with GenReward as the reward.

Needs the optional extra: ``pip install -e ".[sb3]"``. The goal comes from a folder written by
``genreward generate`` and ``genreward select-goal`` (or is generated here with the shipped
model), the FB model from ``genreward train-fb`` (optional; without it only the video-level
reward is added to the env reward).

    .venv/bin/python examples/train_sb3.py --task door-open --steps 20000 --fb models/fb
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stable_baselines3 import SAC
from stable_baselines3.common.monitor import Monitor

from genreward.data.goal_video import load_goal_video
from genreward.envs import make_env
from genreward.goals.select import load_goal_frame, make_scorer, select_goal
from genreward.rewards.combine import GenRewardConfig
from genreward.rewards.train_fb import autoencoder_features, load_fb
from genreward.rewards.video_reward import VideoLevelReward
from genreward.rewards.wrappers import GenRewardWrapper
from genreward.video.generate import generate_goals
from genreward.video.pipeline import GoalVideoPipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="door-open")
    parser.add_argument("--seed", type=int, default=0, help="env seed (object/goal placement)")
    parser.add_argument("--goal", type=Path, default=None, help="goal folder (default: generate)")
    parser.add_argument("--fb", type=Path, default=None, help="FB model folder (train-fb)")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--episode-steps", type=int, default=256)
    parser.add_argument("--out", type=Path, default=Path("runs/sb3"))
    args = parser.parse_args()

    goal_dir = args.goal or args.out / "goal"
    if args.goal is None:
        generate_goals(GoalVideoPipeline.from_pretrained(), args.task, [args.seed], goal_dir)
        select_goal(goal_dir, make_scorer("domain"))
    video, _ = load_goal_video(goal_dir)
    config = GenRewardConfig()
    # An FB model is tied to the autoencoder its psi came from: use that one for both rewards.
    fb, features = load_fb(args.fb) if args.fb else (None, autoencoder_features())
    env = GenRewardWrapper(
        make_env(args.task, args.seed, max_episode_steps=args.episode_steps),
        config=config,
        video_reward=VideoLevelReward(features.encoder, video, **config.video_kwargs()),
        fb=fb,
        features=features if fb else None,
        goal_frame=load_goal_frame(goal_dir) if fb else None,
    )
    agent = SAC("MlpPolicy", Monitor(env), seed=args.seed, verbose=1)
    agent.learn(total_timesteps=args.steps)
    agent.save(args.out / "sac")
    print(f"agent saved to {args.out / 'sac.zip'}")


if __name__ == "__main__":
    main()
