"""Does GenReward help a learner? The evidence of the reward-check sweep.

Reads the finished runs of `benchmarks/reward_check.sh` (env-only, GenReward and goal-video
progress, auto scale; sparse env reward, and dense on the tasks where the dense reward alone
stalls, whose env-only runs are the learner benchmark's: --baseline) and writes under
benchmarks/results/reward_check/: the sweep's report (learning_curves.png, results.csv and
results.md: last evaluation, mean ± std over seeds), summary.csv and summary.md (per task and
reward: final success, success averaged over every evaluation (area under the success curve),
the first evaluation with mean success >= 0.8, wall-clock minutes per 100k env steps) and
runs/*.csv (each run's metrics.csv).

    .venv/bin/python benchmarks/reward_check_evidence.py --sweep sweeps/reward_check \
        [--tasks reach,window-open]   # only tasks whose runs are all finished
        [--out reward_check_fb_state]  # another folder under benchmarks/results/
        [--baseline sweeps/learner/runs/drawer-open/env_dense_simba_seed0 ...]  # more runs
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report
from learner_evidence import curve, first_step, minutes_per_100k

from genreward.report.make import make_report
from genreward.report.runs import aligned, find_runs, group
from genreward.rl.run_dir import DONE_FILE, METRICS_FILE


def summary(grouped: dict, minutes: dict[str, list[float]]) -> list[dict]:
    rows = []
    for task, series in grouped.items():
        for label, runs in series.items():
            steps, success = aligned(runs, "eval_success")
            reached = first_step(steps, success.mean(0))
            rows.append(
                {
                    "task": task,
                    "reward": label,
                    "seeds": len(runs),
                    "steps": int(steps[-1]),
                    "final_success": f"{success[:, -1].mean():.2f} ± {success[:, -1].std():.2f}",
                    "mean_success": f"{success.mean(1).mean():.2f} ± {success.mean(1).std():.2f}",
                    "steps_to_0.8": reached if reached is not None else "not reached",
                    "minutes_per_100k": float(np.mean(minutes[f"{task} {label}"])),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=Path("sweeps/reward_check"))
    parser.add_argument("--tasks", help="comma-separated tasks to include (default: all)")
    parser.add_argument("--out", default="reward_check", help="folder under results/")
    parser.add_argument(
        "--baseline",
        type=Path,
        nargs="+",
        default=[],
        help="finished runs from other sweeps to compare with (run folders or sweeps)",
    )
    args = parser.parse_args()
    found = find_runs([args.sweep / "runs", *args.baseline])
    runs = [run for run in found if (run.folder / DONE_FILE).is_file()]
    if args.tasks:
        runs = [run for run in runs if run.task in args.tasks.split(",")]
    out = RESULTS / args.out
    make_report([run.folder for run in runs], out / "report")
    for name in ("learning_curves.png", "results.csv", "results.md"):
        shutil.copy(out / "report" / name, out / name)
    shutil.rmtree(out / "report")
    (out / "runs").mkdir(exist_ok=True)
    for run in runs:
        shutil.copy(run.folder / METRICS_FILE, out / "runs" / f"{run.task}_{run.folder.name}.csv")
    minutes: dict[str, list[float]] = {}
    for run in runs:
        timed = curve(run)
        minutes.setdefault(f"{run.task} {run.series}", []).append(
            minutes_per_100k(timed.steps, timed.wall)
        )
    rows = summary(group(runs), minutes)
    title = "reward check (env reward of each series in brackets)"
    report(title, rows, f"{args.out}/summary.csv")
    head = "| task | reward | seeds | steps | final success | mean success | steps to 0.8 | "
    head += "min / 100k |\n|---|---|---|---|---|---|---|---|\n"
    lines = [
        f"| {r['task']} | {r['reward']} | {r['seeds']} | {r['steps']} | {r['final_success']} | "
        f"{r['mean_success']} | {r['steps_to_0.8']} | {r['minutes_per_100k']:.1f} |"
        for r in rows
    ]
    (out / "summary.md").write_text(head + "\n".join(lines) + "\n")
    print(f"wrote {out / 'summary.md'}")


if __name__ == "__main__":
    main()
