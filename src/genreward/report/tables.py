"""The results table: final success rate and return per task and reward, mean ± std over seeds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from genreward.data.atomic import atomic_write_text
from genreward.report.runs import Run

COLUMNS = ("task", "series", "seeds", "steps", "success_mean", "success_std")
COLUMNS += ("return_mean", "return_std")


def summary_rows(grouped: dict[str, dict[str, list[Run]]]) -> list[dict]:
    """One row per task and series, from each run's last evaluation."""
    rows = []
    for task, series in grouped.items():
        for label, runs in series.items():
            success = np.array([r.final["eval_success"] for r in runs])
            returns = np.array([r.final["eval_return"] for r in runs])
            rows.append(
                {
                    "task": task,
                    "series": label,
                    "seeds": len(runs),
                    "steps": int(min(r.final["step"] for r in runs)),
                    "success_mean": round(float(success.mean()), 4),
                    "success_std": round(float(success.std()), 4),
                    "return_mean": round(float(returns.mean()), 2),
                    "return_std": round(float(returns.std()), 2),
                }
            )
    return rows


def write_csv(rows: list[dict], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
    return path


def number_text(value: float, reference: float | None = None) -> str:
    """`value` with one decimal when `reference` (default: the value) is below 100 in size, none
    from 100 on (returns near zero stay readable)."""
    digits = 0 if abs(value if reference is None else reference) >= 100 else 1
    return f"{value:.{digits}f}"


def return_text(row: dict) -> str:
    """Return mean ± std, digits as number_text gives the mean."""
    mean = row["return_mean"]
    return f"{number_text(mean)} ± {number_text(row['return_std'], reference=mean)}"


def markdown(rows: list[dict]) -> str:
    """The table in markdown: success and return as mean ± std."""
    lines = [
        "| task | reward (env reward) | seeds | steps | success rate | return |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['series']} | {r['seeds']} | {r['steps']} | "
            f"{r['success_mean']:.2f} ± {r['success_std']:.2f} | {return_text(r)} |"
        )
    return "\n".join(lines) + "\n"
