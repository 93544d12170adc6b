"""`genreward report`: curves and final-return PNGs, table CSV + markdown, HTML page of runs."""

from __future__ import annotations

from pathlib import Path

from genreward.data.atomic import atomic_write_text
from genreward.report.html import write_html
from genreward.report.plots import final_returns, learning_curves
from genreward.report.runs import find_runs, group
from genreward.report.tables import markdown, summary_rows, write_csv
from genreward.validate import check_output_folder

# What a report folder holds (an earlier report in `out` is replaced).
REPORT_ENTRIES = ("index.html", "media", "learning_curves.png", "final_returns.png")
REPORT_ENTRIES += ("results.csv", "results.md")


def make_report(paths: list[Path], out: Path) -> Path:
    """Write the report of the runs under `paths` into `out`; returns ``out/index.html``."""
    check_output_folder(out, REPORT_ENTRIES, "report")
    grouped = group(find_runs(paths))
    out.mkdir(parents=True, exist_ok=True)
    figures = [
        learning_curves(grouped, out / "learning_curves.png"),
        final_returns(grouped, out / "final_returns.png"),
    ]
    rows = summary_rows(grouped)
    write_csv(rows, out / "results.csv")
    atomic_write_text(out / "results.md", markdown(rows))
    return write_html(grouped, rows, figures, out)
