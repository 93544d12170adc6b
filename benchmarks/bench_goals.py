"""Goal-frame selection on real expert episodes: how often I* lies in the last 20%.

For every successful episode of the evaluation datasets (held-in and held-out tasks), the
scorer picks the frame most similar to the task text; a pick in the last 20% of the episode
counts as a hit (a uniformly random pick hits about 20%).

    .venv/bin/python benchmarks/bench_goals.py --eval data/eval_heldin data/eval_heldout
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

from genreward.data import load_dataset
from genreward.envs import HELD_OUT_TASKS
from genreward.goals.select import make_scorer
from genreward.goals.selector import GoalFrameSelector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", nargs="+", required=True, help="evaluation dataset folders")
    parser.add_argument("--backend", default="domain", help="domain or transformers")
    parser.add_argument("--model", default=None, help="scorer folder or CLIP/SigLIP id")
    args = parser.parse_args()
    selector = GoalFrameSelector(make_scorer(args.backend, args.model))

    rows = []
    for directory in args.eval:
        dataset = load_dataset(directory).subset(success_only=True)
        for task in dataset.tasks:
            hits, positions = [], []
            for episode in dataset.subset(tasks=[task]):
                goal = selector.select(episode.frames, episode.meta["text"])
                position = goal.index / (len(episode.frames) - 1)
                positions.append(position)
                hits.append(position >= 0.8)
            rows.append(
                {
                    "group": "held-out" if task in HELD_OUT_TASKS else "held-in",
                    "task": task,
                    "episodes": len(hits),
                    "in last 20%": float(np.mean(hits)),
                    "mean position": float(np.mean(positions)),
                }
            )
    for group in ("held-in", "held-out"):
        sel = [r for r in rows if r["group"] == group]
        if sel:
            total = sum(r["episodes"] for r in sel)
            rows.append(
                {
                    "group": group,
                    "task": "ALL",
                    "episodes": total,
                    "in last 20%": sum(r["in last 20%"] * r["episodes"] for r in sel) / total,
                    "mean position": float(np.mean([r["mean position"] for r in sel])),
                }
            )
    report(
        f"Goal-frame selection ({args.backend}) on real expert episodes; random ~ 0.20",
        rows,
        "bench_goals.csv",
    )


if __name__ == "__main__":
    main()
