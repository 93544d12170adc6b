"""Where a drawer-open agent holds the gripper at the end of its deterministic episodes: what a
stalled run (success 0 on the caging plateau of the shaped reward) does differently from a
solving one.

Per finished drawer-open run of the learner sweep and placement 0-9: the handle's position
relative to the gripper (m), the gripper opening, the dense reward per step and the mean action
over the episode's last 100 steps; one row per run (means over placements) in
results/learner/drawer_open_stalls.csv.

    .venv/bin/python benchmarks/learner_stalls.py --sweep sweeps/learner
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

from genreward.rl.run_dir import DONE_FILE
from genreward.rl.trainer import open_run

LAST = 100  # steps at the end of each episode
PLACEMENTS = 10


def end_of_episode(run_dir: Path) -> dict:
    """Means over placements of the last `LAST` steps of each deterministic episode."""
    trainer = open_run(run_dir)
    # The env itself, each action held for the run's --action-repeat steps: rows per env step.
    env, agent, repeat = trainer.eval_env.env, trainer.agent, trainer.cfg.action_repeat
    rows, successes = [], []
    for placement in range(PLACEMENTS):
        state, _ = env.reset(seed=placement)
        steps, solved = [], False
        while True:
            if len(steps) % repeat == 0:
                action = agent.act(state, deterministic=True)
            state, reward, terminated, truncated, info = env.step(action)
            # Meta-World's state: [0:3] gripper position, [3] gripper opening, [4:7] handle.
            steps.append([*(state[4:7] - state[0:3]), state[3], reward, *action])
            solved |= bool(info["success"])
            if terminated or truncated:
                break
        rows.append(np.mean(steps[-LAST:], axis=0))
        successes.append(solved)
    mean = np.mean(rows, axis=0)
    setting, seed = run_dir.name.removeprefix("env_dense_").rsplit("_seed", 1)
    return {
        "learner": setting,
        "seed": int(seed),
        "success": float(np.mean(successes)),
        "handle - gripper x": mean[0],
        "y": mean[1],
        "z": mean[2],
        "gripper opening": mean[3],
        "reward per step": mean[4],
        "action x": mean[5],
        "action y": mean[6],
        "action z": mean[7],
        "action grip": mean[8],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=Path("sweeps/learner"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    folder = args.sweep / "runs" / "drawer-open"
    runs = sorted(p for p in folder.glob("*") if (p / DONE_FILE).is_file())
    if not runs:
        sys.exit(f"no finished drawer-open runs under {folder}: run benchmarks/learner.sh first")
    rows = [end_of_episode(run) for run in runs]
    report(
        "drawer-open: the last 100 steps of each episode", rows, "learner/drawer_open_stalls.csv"
    )


if __name__ == "__main__":
    main()
