"""Shared output of the benchmarks: a printed table and a CSV under benchmarks/results/."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"


def report(title: str, rows: list[dict], csv_name: str) -> Path:
    """Print `rows` (dicts with the same keys) as a table and write them to results/csv_name."""
    table = Table(title=title)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("metric", "task", "learner") else "right"
        )
    for row in rows:
        cells = (row.get(c, "") for c in columns)
        table.add_row(*(f"{v:.3g}" if isinstance(v, float) else str(v) for v in cells))
    Console(width=max(120, Console().width)).print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / csv_name
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue())
    print(f"wrote {path}")
    return path


def steps_per_second(env, actions: np.ndarray, render: bool = False) -> float:
    """Step `env` through `actions` (resetting at episode ends), rendering every frame if asked;
    returns env steps per second. The env is reset (and rendered once) before the clock starts."""
    env.reset()
    if render:
        env.render()  # create the renderer outside the timing
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if render:
            env.render()
        if terminated or truncated:
            env.reset()
    return len(actions) / (time.perf_counter() - start)


def save_figure(fig, path: Path, dpi: int = 80) -> Path:
    """Lay out, write and close a matplotlib figure."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    print(f"wrote {path}")
    return path


def scalar_events(run_dir: Path, tags: list[str]) -> dict[str, dict[int, tuple[float, float]]]:
    """A run's TensorBoard scalars: ``{tag: {step: (wall_time, value)}}`` (a resumed run's
    later event file wins)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    scalars: dict[str, dict[int, tuple[float, float]]] = {tag: {} for tag in tags}
    for events in sorted((run_dir / "logs").glob("events.out.tfevents.*")):
        accumulator = EventAccumulator(str(events))
        accumulator.Reload()
        for tag, values in scalars.items():
            if tag in accumulator.Tags()["scalars"]:
                values.update({e.step: (e.wall_time, e.value) for e in accumulator.Scalars(tag)})
    return scalars
