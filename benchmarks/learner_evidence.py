"""How fast the learners learn Meta-World from states on a CPU: the evidence of a learner sweep.

Reads the finished runs of the sweep `benchmarks/learner.sh` writes (env reward only), adds
them to the curves recorded in benchmarks/results/learner/curves.csv (a run of the sweep
replaces its recorded curve; the record outlives the sweep's run folders) and writes there,
from every recorded curve:
0. curves.csv: each run's evaluations (task, learner, seed, step, success, wall time).
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
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report, save_figure, scalar_events

from genreward.data.atomic import atomic_write_text
from genreward.report.runs import Run, find_runs
from genreward.rl.run_dir import DONE_FILE

SUCCESS = 0.8
CURVES_FILE = "curves.csv"
COLORS = {  # one colour per learner in every panel
    "simba": "tab:orange",
    "sac": "tab:blue",
    "simba+pink": "tab:green",
    "simba+entropy0": "tab:purple",
    "crossq": "tab:red",
    "simba+nstep3": "tab:brown",
    "tqc": "tab:cyan",
    "simba+repeat2": "tab:olive",
    "simba+repeat2+utd2": "tab:pink",
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
    """The run's agent, with its exploration, TD-target, action-repeat, replay-ratio and reset
    settings where not the defaults."""
    config = run.config
    name = str(config.get("agent", "sac"))
    exploration = config.get("exploration", "white")
    entropy = float(config.get("target_entropy", -1.0))
    n_step, repeat = int(config.get("n_step", 1)), int(config.get("action_repeat", 1))
    updates = int(config.get("updates_per_step", 1))
    name += f"+{exploration}" if exploration != "white" else ""
    name += f"+entropy{entropy:g}" if entropy != -1.0 else ""
    name += f"+nstep{n_step}" if n_step != 1 else ""
    name += f"+repeat{repeat}" if repeat != 1 else ""
    name += f"+utd{updates}" if updates != 1 else ""
    reset_every = int(config.get("reset_every", 0))
    return name + (f"+reset{reset_every // 1000}k" if reset_every else "")


@dataclass
class Curve:
    """One run's evaluations: success at each evaluation step and the TensorBoard wall time
    (seconds) it was logged at."""

    task: str
    learner: str
    seed: int
    steps: np.ndarray
    success: np.ndarray
    wall: np.ndarray

    @property
    def key(self) -> tuple[str, str, int]:
        return self.task, self.learner, self.seed


def curve(run: Run) -> Curve:
    """A finished run's curve (its metrics and TensorBoard wall times)."""
    steps, success = run.column("eval_success")
    events = scalar_events(run.folder, ["eval_success"])["eval_success"]
    wall = np.array([events[int(s)][0] if int(s) in events else np.nan for s in steps])
    return Curve(run.task, learner(run), int(run.config["seed"]), steps, success, wall)


def read_curves(path: Path) -> list[Curve]:
    """Curves recorded in `path` (CSV: task, learner, seed, step, eval_success, wall_time)."""
    if not path.is_file():
        return []
    rows: dict[tuple[str, str, int], list[dict]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault((row["task"], row["learner"], int(row["seed"])), []).append(row)
    return [
        Curve(
            *key,
            np.array([float(r["step"]) for r in points]),
            np.array([float(r["eval_success"]) for r in points]),
            np.array([float(r["wall_time"]) for r in points]),
        )
        for key, points in rows.items()
    ]


def write_curves(path: Path, curves: list[Curve]) -> None:
    """Record `curves` in `path` (atomically), one row per evaluation."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["task", "learner", "seed", "step", "eval_success", "wall_time"])
    for c in sorted(curves, key=lambda c: c.key):
        writer.writerows(
            [c.task, c.learner, c.seed, int(s), repr(float(v)), repr(float(w))]
            for s, v, w in zip(c.steps, c.success, c.wall, strict=True)
        )
    atomic_write_text(path, text.getvalue())
    print(f"wrote {path} ({len(curves)} runs)")


def grouped_curves(curves: list[Curve]) -> dict[str, dict[str, list[Curve]]]:
    """curves[task][learner], tasks and learners in name order, seeds in order."""
    grouped: dict[str, dict[str, list[Curve]]] = {}
    for c in sorted(curves, key=lambda c: c.key):
        grouped.setdefault(c.task, {}).setdefault(c.learner, []).append(c)
    return grouped


def aligned_curves(curves: list[Curve]) -> tuple[np.ndarray, np.ndarray]:
    """Steps every curve evaluated at, and the success ``[curves, steps]`` there."""
    steps = np.array(sorted(set.intersection(*(set(c.steps.tolist()) for c in curves))))
    return steps, np.array([[c.success[c.steps == s][0] for s in steps] for c in curves])


def first_step(steps: np.ndarray, success: np.ndarray) -> int | None:
    """The first evaluation step with success >= 0.8, or None."""
    hits = np.flatnonzero(success >= SUCCESS - 1e-9)  # a mean of tenths: 2.4 / 3 is 0.8
    return int(steps[hits[0]]) if len(hits) else None


def steps_to_target(grouped: dict[str, dict[str, list[Curve]]]) -> list[dict]:
    rows = []
    for task, series in grouped.items():
        target, anchor = TARGETS.get(task, (None, ""))
        for name, curves in series.items():
            steps, success = aligned_curves(curves)
            mean_step = first_step(steps, success.mean(0))
            per_seed = [first_step(c.steps, c.success) for c in curves]
            rows.append(
                {
                    "task": task,
                    "learner": name,
                    "seeds": len(curves),
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


def minutes_per_100k(steps: np.ndarray, wall: np.ndarray) -> float:
    """Wall-clock minutes per 100k env steps: the median over evaluation intervals of wall
    time per step (evaluations included; a run stopped and resumed is not charged for the
    pause); NaN with fewer than two timed evaluations."""
    rates = np.diff(wall) / np.diff(steps)
    rates = rates[np.isfinite(rates)]
    return float(np.median(rates)) * 100_000 / 60 if len(rates) else float("nan")


def wallclock(curves: list[Curve]) -> list[dict]:
    """Minutes per 100k env steps of each run, one row per run."""
    return [
        {
            "task": c.task,
            "learner": c.learner,
            "seed": c.seed,
            "steps": int(c.steps[-1]),
            "minutes_per_100k": minutes_per_100k(c.steps, c.wall),
        }
        for c in curves
    ]


def plot_curves(grouped: dict[str, dict[str, list[Curve]]], path: Path) -> Path:
    tasks = list(grouped)
    fig, axes = plt.subplots(1, len(tasks), figsize=(3.6 * len(tasks), 3.2), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        for name, curves in grouped[task].items():
            steps, success = aligned_curves(curves)
            mean, std = success.mean(0), success.std(0)
            color = COLORS.get(name, "grey")
            ax.plot(steps, mean, color=color, label=f"{name} ({len(curves)} seeds)")
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
    out = RESULTS / "learner"
    out.mkdir(parents=True, exist_ok=True)
    # Finished runs only: a run still training would cut every curve of its series short.
    folder = args.sweep / "runs"
    runs = find_runs([folder]) if folder.is_dir() else []
    finished = [run for run in runs if (run.folder / DONE_FILE).is_file()]
    found = [curve(run) for run in finished]
    variants: dict[tuple, set[str]] = {}
    for run, c in zip(finished, found, strict=True):
        variants.setdefault(c.key, set()).add(run.variant)
    clash = next((key for key, names in variants.items() if len(names) > 1), None)
    if clash:  # the record is keyed by learner name: two settings must not share one
        raise SystemExit(
            f"runs of variants {sorted(variants[clash])} are the same learner {clash[1]!r} on "
            f"{clash[0]} seed {clash[2]}: give `learner` in {Path(__file__).name} the setting "
            "that tells them apart"
        )
    recorded = {c.key: c for c in read_curves(out / CURVES_FILE)}
    curves = list((recorded | {c.key: c for c in found}).values())  # the sweep's runs win
    if not curves:
        raise SystemExit(f"no finished runs under {folder} and none recorded in {out}")
    write_curves(out / CURVES_FILE, curves)
    grouped = grouped_curves(curves)
    print(f"wrote {plot_curves(grouped, out / 'success_curves.png')}")
    rows = steps_to_target(grouped)
    report("steps to success 0.8", rows, "learner/steps_to_target.csv")
    report("wall-clock per 100k env steps", wallclock(curves), "learner/wallclock.csv")
    (out / "summary.md").write_text(markdown(rows))
    print(f"wrote {out / 'summary.md'}")


if __name__ == "__main__":
    main()
