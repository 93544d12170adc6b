"""Train a stable-baselines3 SAC agent on a Meta-World task with GenReward as the reward.

Needs the optional extra: ``pip install -e ".[sb3]"``. One line builds the reward from the
shipped models: the goal video generated from the env's first frame and the task text, its goal
frame, the video encoder and the pretrained FB (``--fb`` names another FB from
``genreward train-fb``); ``--scale auto`` standardises the bonuses and scales them to the env
reward, ``--env-reward sparse`` gives 1 on success only, ``--progress`` adds goal-video
progress (auto scale only).

    .venv/bin/python examples/train_sb3.py --task door-open --steps 20000 --scale auto
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stable_baselines3 import SAC
from stable_baselines3.common.monitor import Monitor

from genreward.envs import make_env
from genreward.rewards.combine import GenRewardConfig
from genreward.rewards.wrappers import GenRewardWrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="door-open")
    parser.add_argument("--seed", type=int, default=0, help="env seed (object/goal placement)")
    parser.add_argument("--fb", type=Path, default=None, help="FB model folder (train-fb)")
    parser.add_argument("--scale", choices=("paper", "auto"), default="auto")
    parser.add_argument("--env-reward", choices=("dense", "sparse", "none"), default="dense")
    parser.add_argument("--progress", action="store_true", help="add goal-video progress")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--episode-steps", type=int, default=256)
    parser.add_argument("--out", type=Path, default=Path("runs/sb3"))
    args = parser.parse_args()

    env = GenRewardWrapper.from_pretrained(
        make_env(args.task, args.seed, max_episode_steps=args.episode_steps),
        seed=args.seed,
        fb_model=args.fb,
        progress=args.progress,
        config=GenRewardConfig(scale=args.scale, env_reward=args.env_reward),
    )
    agent = SAC("MlpPolicy", Monitor(env), seed=args.seed, verbose=1)
    agent.learn(total_timesteps=args.steps)
    agent.save(args.out / "sac")
    print(f"agent saved to {args.out / 'sac.zip'}")


if __name__ == "__main__":
    main()
