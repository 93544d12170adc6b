"""Learning curves: success rate and return against env steps, mean ± std over seeds."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from genreward.data.atomic import atomic_path
from genreward.report.runs import REWARD_ORDER, Run, aligned

METRICS = (("eval_success", "success rate"), ("eval_return", "episode return"))


def series_style(runs: list[Run], index: int) -> dict:
    """One colour per reward type (per series for ablation variants, from a palette apart from
    the reward types'), dashed lines and hatched bars for the sparse env reward."""
    reward = runs[0].config["reward"]
    rank = REWARD_ORDER.index(reward) if reward in REWARD_ORDER else len(REWARD_ORDER) + index
    sparse = runs[0].config["env_reward"] == "sparse"
    style = {
        "color": plt.get_cmap("tab10")(rank % 10),
        "linestyle": "--" if sparse else "-",
        "hatch": "//" if sparse else None,
    }
    if runs[0].variant:  # ablation variants of one reward type: tell them apart
        style["color"] = plt.get_cmap("tab20b")(index % 20)
    return style


def _save(fig: plt.Figure, out: Path) -> Path:
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return out


def learning_curves(grouped: dict[str, dict[str, list[Run]]], out: Path) -> Path:
    """Per task a success and a return panel (tasks wrap after four columns); writes a PNG."""
    tasks = list(grouped)
    cols = min(len(tasks), 4)
    blocks = -(-len(tasks) // cols)
    fig, axes = plt.subplots(
        len(METRICS) * blocks, cols, figsize=(4.2 * cols, 3.2 * len(METRICS) * blocks),
        squeeze=False,
    )  # fmt: skip
    for ax in axes.flat[len(tasks) * len(METRICS) :]:
        ax.axis("off")
    for number, task in enumerate(tasks):
        block, col = divmod(number, cols)
        for row, (key, name) in enumerate(METRICS):
            ax = axes[block * len(METRICS) + row][col]
            for index, (label, runs) in enumerate(grouped[task].items()):
                steps, values = aligned(runs, key)
                mean, std = values.mean(0), values.std(0)
                style = series_style(runs, index)
                ax.plot(
                    steps, mean, label=f"{label} (n={len(runs)})", color=style["color"],
                    linestyle=style["linestyle"],
                )  # fmt: skip
                ax.fill_between(steps, mean - std, mean + std, alpha=0.15, color=style["color"])
            ax.set_xlabel("env steps")
            ax.set_ylabel(name)
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(task)
                ax.set_ylim(-0.05, 1.05)
            else:
                ax.legend(fontsize=6, loc="best")
    fig.suptitle("evaluation: mean ± std over seeds")
    return _save(fig, out)


def final_returns(grouped: dict[str, dict[str, list[Run]]], out: Path) -> Path:
    """Per task, the last evaluation's return of each series as bars (mean ± std over seeds,
    seeds as dots); writes a PNG."""
    tasks = list(grouped)
    cols = min(len(tasks), 3)
    rows = -(-len(tasks) // cols)
    height = max(len(series) for series in grouped.values()) * 0.32 + 1.2
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, height * rows), squeeze=False)
    for ax in axes.flat[len(tasks) :]:
        ax.axis("off")
    for ax, task in zip(axes.flat, tasks, strict=False):
        labels = []
        for y, (label, runs) in enumerate(grouped[task].items()):
            values = [run.final["eval_return"] for run in runs]
            style = series_style(runs, y)
            ax.barh(
                y, np.mean(values), xerr=np.std(values), color=style["color"],
                hatch=style["hatch"], edgecolor="white", alpha=0.7,
            )  # fmt: skip
            ax.plot(values, [y] * len(values), "k.", markersize=4)
            labels.append(f"{label} (n={len(runs)})")
        ax.set_yticks(range(len(labels)), labels)
        ax.tick_params(axis="y", labelsize=7)
        ax.invert_yaxis()
        ax.set_title(task)
        ax.set_xlabel("episode return, last evaluation")
        ax.grid(axis="x", alpha=0.3)
    return _save(fig, out)
