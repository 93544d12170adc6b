"""Training speed of `genreward train`: env steps/s with the env reward alone and with the full
GenReward (video + FB), in one run, and where the time of each goes.

Both runs: drawer-open, 256-step episodes, 2 placements, SAC updates from step 512. The
GenReward run trains FB on replay for the first half and uses it, frozen, as reward in the
second half, so both phases are in the figures. Setup, evaluation and snapshots are left out.

    .venv/bin/python benchmarks/bench_train.py      # table + results/bench_train*.csv
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

from genreward.rl.config import TrainConfig
from genreward.rl.trainer import Trainer

PHASES = ("env", "act", "render", "encode", "video_reward", "replay", "sac_update", "fb_update")
EXCLUDED = ("eval", "snapshot")


def timed_run(reward: str, steps: int, folder: Path) -> tuple[float, dict[str, float]]:
    config = TrainConfig(
        task="drawer-open",
        reward=reward,
        steps=steps,
        run_dir=folder / reward,
        placements=2,
        learning_starts=512,
        fb_train_steps=steps // 2,
        eval_every=10 * steps,
        eval_episodes=1,
        gif_episodes=0,
        checkpoint_every=10 * steps,
        progress=False,
    )
    trainer = Trainer(config)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start - sum(trainer.timers.seconds[k] for k in EXCLUDED)
    return seconds, dict(trainer.timers.seconds) | {"steps": trainer.step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3072, help="env steps per run")
    args = parser.parse_args()
    rows, breakdown = [], []
    with tempfile.TemporaryDirectory() as tmp:
        results = {r: timed_run(r, args.steps, Path(tmp)) for r in ("env", "genreward")}
    base = results["env"][1]["steps"] / results["env"][0]
    for reward, (seconds, timers) in results.items():
        rate = timers["steps"] / seconds
        rows.append(
            {
                "reward": reward,
                "steps": timers["steps"],
                "steps_per_s": rate,
                "time_vs_env": base / rate,
            }
        )
        other = seconds - sum(timers.get(p, 0.0) for p in PHASES)
        for phase in (*PHASES, "other"):
            spent = other if phase == "other" else timers.get(phase, 0.0)
            breakdown.append(
                {
                    "reward": reward,
                    "phase": phase,
                    "ms_per_step": 1000 * spent / timers["steps"],
                    "share": spent / seconds,
                }
            )
    report(
        "genreward train: env steps/s (setup, eval, snapshots excluded)", rows, "bench_train.csv"
    )
    report("where the time goes", breakdown, "bench_train_phases.csv")


if __name__ == "__main__":
    main()
