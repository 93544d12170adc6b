"""How fast the learners learn Meta-World from states on a CPU: the evidence of a learner sweep.

Reads the finished runs of the sweep `benchmarks/learner.sh` writes (env reward only) and
writes under benchmarks/results/learner/:
1. success_curves.png: evaluation success (solved at any step of a 256-step episode, 10
   episodes over the 10 placements) against env steps, mean ± std over seeds, one panel per
   task, one line per learner; the 0.8 line and the task's target step marked.
2. steps_to_target.csv: per task and learner, the first evaluation whose success averaged over
   the seeds is >= 0.8, each seed's own first such evaluation, the final success, the target
   and the published anchor it comes from.
3. wallclock.csv: per run, wall-clock minutes per 100k env steps (from the TensorBoard wall
   times of its evaluations, evaluations included; the sweep runs two at a time).
4. summary.md: the table of 2. as Markdown, for the README.

    .venv/bin/python benchmarks/learner_evidence.py --sweep sweeps/learner
"""

from __future__ import annotations

import argparse
import sys
from itertools import pairwise
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report, save_figure, scalar_events

from genreward.report.runs import Run, aligned, find_runs, group
from genreward.rl.run_dir import DONE_FILE

SUCCESS = 0.8
COLORS = {  # one colour per learner in every panel
    "simba": "tab:orange",
    "sac": "tab:blue",
    "simba+pink": "tab:green",
    "simba+entropy0": "tab:purple",
    "crossq": "tab:red",
    "simba+nstep3": "tab:brown",
    "tqc": "tab:cyan",
}
# Target env steps per task (the issue) and the published anchor beside it.
TARGETS = {
    "reach": (30_000, "BRO-fast 0.96 at 50k (200-step episodes); TD-MPC2 1.0 at 200k"),
    "window-open": (100_000, "SAC 0.90 at 100k (tdmpc2 results/sac)"),
    "button-press-topdown": (100_000, "SAC 0.97 at 200k, TD-MPC2 1.0 at 100k"),
    "drawer-open": (100_000, "TD-MPC2 1.0 at 100k; SAC 0.20 at 500k"),
    "button-press": (100_000, "BRO 0.92 at 100k"),
    "door-open": (200_000, "TD-MPC2 0.73 at 200k, 0.80 at 500k"),
}


def learner(run: Run) -> str:
    """The run's agent, with its exploration and TD-target settings where not the defaults."""
    name = str(run.config.get("agent", "sac"))
    exploration = run.config.get("exploration", "white")
    entropy = float(run.config.get("target_entropy", -1.0))
    n_step = int(run.config.get("n_step", 1))
    name += f"+{exploration}" if exploration != "white" else ""
    name += f"+entropy{entropy:g}" if entropy != -1.0 else ""
    return name + (f"+nstep{n_step}" if n_step != 1 else "")


def first_step(steps: np.ndarray, success: np.ndarray) -> int | None:
    """The first evaluation step with success >= 0.8, or None."""
    hits = np.flatnonzero(success >= SUCCESS - 1e-9)  # a mean of tenths: 2.4 / 3 is 0.8
    return int(steps[hits[0]]) if len(hits) else None


def steps_to_target(grouped: dict[str, dict[str, list[Run]]]) -> list[dict]:
    rows = []
    for task, series in grouped.items():
        target, anchor = TARGETS.get(task, (None, ""))
        for runs in series.values():
            steps, success = aligned(runs, "eval_success")
            mean_step = first_step(steps, success.mean(0))
            per_seed = [first_step(*run.column("eval_success")) for run in runs]
            rows.append(
                {
                    "task": task,
                    "learner": learner(runs[0]),
                    "seeds": len(runs),
                    "steps": int(steps[-1]),
                    "evaluations": len(steps),
                    "steps_to_0.8_mean": mean_step if mean_step is not None else "not reached",
                    "steps_to_0.8_per_seed": " ".join(
                        str(s) if s is not None else "-" for s in per_seed
                    ),
                    "final_success_mean": float(success[:, -1].mean()),
                    "final_success_std": float(success[:, -1].std()),
                    "target": target or "",
                    "met": bool(target and mean_step is not None and mean_step <= target),
                    "published": anchor,
                }
            )
    return rows


def wallclock(runs: list[Run], label=learner) -> list[dict]:
    """Minutes per 100k env steps of each run (one row per run; NaN with fewer than two
    evaluations): the median over its evaluation intervals of wall time per step
    (TensorBoard wall times; evaluations included; a run stopped and resumed is not charged
    for the pause). `label` names the run's series in the rows."""
    rows = []
    for run in runs:
        events = sorted(scalar_events(run.folder, ["eval_success"])["eval_success"].items())
        rates = [(t1 - t0) / (s1 - s0) for (s0, (t0, _)), (s1, (t1, _)) in pairwise(events)]
        rows.append(
            {
                "task": run.task,
                "learner": label(run),
                "seed": int(run.config["seed"]),
                "steps": events[-1][0],
                "minutes_per_100k": float(np.median(rates)) * 100_000 / 60 if rates else np.nan,
            }
        )
    return rows


def plot_curves(grouped: dict[str, dict[str, list[Run]]], path: Path) -> Path:
    tasks = list(grouped)
    fig, axes = plt.subplots(1, len(tasks), figsize=(3.6 * len(tasks), 3.2), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        for runs in grouped[task].values():
            steps, success = aligned(runs, "eval_success")
            mean, std = success.mean(0), success.std(0)
            name = learner(runs[0])
            color = COLORS.get(name, "grey")
            ax.plot(steps, mean, color=color, label=f"{name} ({len(runs)} seeds)")
            ax.fill_between(steps, mean - std, mean + std, color=color, alpha=0.2)
        ax.axhline(SUCCESS, color="grey", linestyle=":", linewidth=1)
        if task in TARGETS:
            ax.axvline(TARGETS[task][0], color="grey", linestyle="--", linewidth=1)
        ax.set(title=task, xlabel="env steps", ylim=(-0.05, 1.05))
        ax.legend(fontsize=7, loc="upper left")
    axes[0, 0].set_ylabel("success rate")
    return save_figure(fig, path)


def markdown(rows: list[dict]) -> str:
    head = "| task | learner | seeds | steps to 0.8 (mean of seeds) | per seed | steps run | "
    head += "final success | target | published |\n|---|---|---|---|---|---|---|---|---|\n"
    lines = [
        f"| {r['task']} | {r['learner']} | {r['seeds']} | {r['steps_to_0.8_mean']} | "
        f"{r['steps_to_0.8_per_seed']} | {r['steps']} | {r['final_success_mean']:.2f} ± "
        f"{r['final_success_std']:.2f} | {r['target']} | {r['published']} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=Path("sweeps/learner"))
    args = parser.parse_args()
    # Finished runs only: a run still training would cut every curve of its series short.
    runs = [run for run in find_runs([args.sweep / "runs"]) if (run.folder / DONE_FILE).is_file()]
    grouped = group(runs)
    out = RESULTS / "learner"
    out.mkdir(parents=True, exist_ok=True)
    print(f"wrote {plot_curves(grouped, out / 'success_curves.png')}")
    rows = steps_to_target(grouped)
    report("steps to success 0.8", rows, "learner/steps_to_target.csv")
    report("wall-clock per 100k env steps", wallclock(runs), "learner/wallclock.csv")
    (out / "summary.md").write_text(markdown(rows))
    print(f"wrote {out / 'summary.md'}")


if __name__ == "__main__":
    main()
