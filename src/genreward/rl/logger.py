"""Run logs: evaluation rows in ``metrics.csv`` and TensorBoard scalars, and phase timers."""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from genreward.data.atomic import atomic_write_text
from genreward.rl.run_dir import METRICS_FILE


class Logger:
    """``metrics.csv`` (one row per evaluation, rewritten atomically) and TensorBoard."""

    def __init__(self, run_dir: Path, rows: list[dict], purge_step: int | None = None) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.path = run_dir / METRICS_FILE
        self.rows = list(rows)
        # purge_step drops TensorBoard events a killed run logged after its last snapshot.
        self.writer = SummaryWriter(str(run_dir / "logs"), purge_step=purge_step)
        self._write_csv()

    def _write_csv(self) -> None:
        if not self.rows:
            self.path.unlink(missing_ok=True)
            return
        buffer = io.StringIO()
        columns = list(dict.fromkeys(key for row in self.rows for key in row))
        writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        atomic_write_text(self.path, buffer.getvalue())

    def log_eval(self, row: dict) -> None:
        """Append an evaluation row to the CSV and TensorBoard."""
        self.rows.append(row)
        self._write_csv()
        self.scalars(row, int(row["step"]), prefix="")

    def scalars(self, values: dict, step: int, prefix: str = "train/") -> None:
        for key, value in values.items():
            if key != "step":
                self.writer.add_scalar(prefix + key, float(value), step)

    def close(self) -> None:
        self.writer.close()


class Timers:
    """Wall time spent per phase of the loop (env, render, encode, sac_update, ...)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, phase: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - start
