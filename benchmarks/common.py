"""Shared output of the benchmarks: a printed table and a CSV under benchmarks/results/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"


def report(title: str, rows: list[dict], csv_name: str) -> Path:
    """Print `rows` (dicts with the same keys) as a table and write them to results/csv_name."""
    table = Table(title=title)
    columns = list(rows[0])
    for column in columns:
        table.add_column(column, justify="left" if column in ("metric", "task") else "right")
    for row in rows:
        table.add_row(*(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()))
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
