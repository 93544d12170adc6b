"""Learning curves: success rate and return against env steps, mean ± std over seeds."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from genreward.data.atomic import atomic_path
from genreward.report.runs import REWARD_ORDER, Run, aligned

METRICS = (("eval_success", "success rate"), ("eval_return", "episode return"))


def series_style(runs: list[Run], index: int) -> dict:
    """One colour per reward type, dashed for the sparse env reward."""
    reward = runs[0].config["reward"]
    rank = REWARD_ORDER.index(reward) if reward in REWARD_ORDER else len(REWARD_ORDER) + index
    return {
        "color": plt.get_cmap("tab10")(rank % 10),
        "linestyle": "--" if runs[0].config["env_reward"] == "sparse" else "-",
    }


def learning_curves(grouped: dict[str, dict[str, list[Run]]], out: Path) -> Path:
    """One column per task, rows success and return; writes a PNG."""
    tasks = list(grouped)
    fig, axes = plt.subplots(
        len(METRICS), len(tasks), figsize=(4.2 * len(tasks), 6.4), squeeze=False
    )
    for col, task in enumerate(tasks):
        for row, (key, name) in enumerate(METRICS):
            ax = axes[row][col]
            for index, (label, runs) in enumerate(grouped[task].items()):
                steps, values = aligned(runs, key)
                mean, std = values.mean(0), values.std(0)
                style = series_style(runs, index)
                if runs[0].variant:  # ablation variants of one reward type: tell them apart
                    style["color"] = plt.get_cmap("tab20")(index % 20)
                ax.plot(steps, mean, label=f"{label} (n={len(runs)})", **style)
                ax.fill_between(steps, mean - std, mean + std, alpha=0.15, color=style["color"])
            ax.set_xlabel("env steps")
            ax.set_ylabel(name)
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(task)
                ax.set_ylim(-0.05, 1.05)
    axes[0][-1].legend(fontsize=7, loc="best")
    fig.suptitle("evaluation: mean ± std over seeds")
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return out
