"""Reading run folders (config.json + metrics.csv) and grouping them for reports."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genreward.errors import GenRewardError
from genreward.rl.run_dir import CONFIG_FILE, METRICS_FILE, read_run_config

REWARD_ORDER = ("env", "genreward", "video", "fb", "progress")
ROW_KEYS = ("step", "eval_success", "eval_return")  # in every evaluation row


@dataclass
class Run:
    """One training run: its folder, saved config and evaluation rows."""

    folder: Path
    config: dict
    rows: list[dict[str, float]]

    @property
    def task(self) -> str:
        return str(self.config["task"]).removesuffix("-v3")

    @property
    def label(self) -> str:
        """The series this run belongs to: reward type and env reward."""
        return f"{self.config['reward']} ({self.config['env_reward']})"

    @property
    def variant(self) -> str:
        """Settings that set this run apart from the defaults of its series (for ablations)."""
        return str(self.config.get("variant", ""))

    @property
    def series(self) -> str:
        """The label, with the variant for ablations: how tables and plots name the run's group."""
        return self.label + (f" {self.variant}" if self.variant else "")

    def column(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Eval steps and the values of `key` there."""
        return (
            np.array([r["step"] for r in self.rows], dtype=float),
            np.array([r[key] for r in self.rows], dtype=float),
        )

    @property
    def final(self) -> dict[str, float]:
        return self.rows[-1]


def load_run(folder: Path) -> Run | None:
    """The run in `folder`, or None when it has no evaluation yet."""
    config, metrics_file = read_run_config(folder), folder / METRICS_FILE
    if not metrics_file.is_file():
        return None
    try:
        with metrics_file.open(newline="") as handle:
            rows = [
                {k: float(v) for k, v in row.items() if v not in ("", None)}
                for row in csv.DictReader(handle)
            ]
    except (OSError, ValueError, TypeError, csv.Error) as exc:
        raise GenRewardError(f"{metrics_file}: unreadable ({exc})") from exc
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        missing = [key for key in ROW_KEYS if key not in row]
        bad = [key for key in ROW_KEYS if key in row and not np.isfinite(row[key])]
        if missing or bad:
            what = f"no {', '.join(missing)}" if missing else f"{', '.join(bad)} not finite"
            raise GenRewardError(f"{metrics_file}, line {number}: {what}; the file is damaged")
    return Run(folder, config, rows) if rows else None


def find_runs(paths: list[Path]) -> list[Run]:
    """Runs in the given folders: each a run folder, or a folder of run folders (a sweep)."""
    folders: list[Path] = []
    for path in paths:
        if (path / CONFIG_FILE).is_file():
            folders.append(path)
        elif path.is_dir():
            # Runs with evaluations; model folders (their own config.json) have no metrics.
            folders += sorted(
                p.parent
                for p in path.glob(f"**/{CONFIG_FILE}")
                if (p.parent / METRICS_FILE).is_file()
            )
        else:
            raise GenRewardError(f"{path}: no such run folder")
    runs = [run for run in map(load_run, folders) if run is not None]
    if not runs:
        raise GenRewardError(f"no evaluated runs under {', '.join(map(str, paths))}")
    return runs


def group(runs: list[Run]) -> dict[str, dict[str, list[Run]]]:
    """runs[task][series label] in a stable order (env reward first)."""

    def order(run: Run) -> tuple:
        reward = run.config["reward"]
        rank = REWARD_ORDER.index(reward) if reward in REWARD_ORDER else len(REWARD_ORDER)
        return (run.task, rank, run.label, run.variant, int(run.config.get("seed", 0)))

    grouped: dict[str, dict[str, list[Run]]] = {}
    for run in sorted(runs, key=order):
        grouped.setdefault(run.task, {}).setdefault(run.series, []).append(run)
    return grouped


def aligned(runs: list[Run], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps every run evaluated at, and the values ``[runs, steps]`` there."""
    common = set.intersection(*(set(run.column(key)[0].tolist()) for run in runs))
    steps = np.array(sorted(common))
    values = []
    for run in runs:
        x, y = run.column(key)
        values.append([y[x == s][0] for s in steps])
    return steps, np.array(values)
