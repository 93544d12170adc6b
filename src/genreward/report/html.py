"""The HTML report: learning curves, the table, and per task the goal video beside evaluation
rollouts of each reward type. Media are copied next to the page, so the folder is portable."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from genreward.data.atomic import atomic_write_text
from genreward.report.runs import Run
from genreward.report.tables import return_text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f3f3f3; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; text-align: center; font-size: 13px; }
figure img { width: 192px; height: 192px; image-rendering: pixelated; border: 1px solid #ddd; }
img.curves { max-width: 100%; }
"""


def _copy(source: Path, media: Path, name: str) -> str:
    """Copy a media file next to the page; returns its relative path."""
    target = media / name
    shutil.copyfile(source, target)
    return f"{media.name}/{name}"


def _figure(src: str, caption: str) -> str:
    src, caption = html.escape(src), html.escape(caption)
    return f'<figure><img src="{src}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'


def _latest_rollout(run: Run) -> Path | None:
    gifs = sorted((run.folder / "eval").glob("step_*_placement_*.gif"))
    if not gifs:
        return None
    last_step = gifs[-1].name.split("_placement_")[0]
    return sorted(g for g in gifs if g.name.startswith(last_step))[0]


def _goal_media(runs: list[Run]) -> tuple[Path, Path | None] | None:
    for run in runs:
        folder = run.folder / "goals" / "seed_0"
        if (folder / "goal_video.gif").is_file():
            frame = folder / "goal_frame.png"
            return folder / "goal_video.gif", frame if frame.is_file() else None
    return None


def _table(rows: list[dict]) -> str:
    names = ("task", "reward (env reward)", "seeds", "steps", "success rate", "return")
    head = "<tr>" + "".join(f"<th>{name}</th>" for name in names) + "</tr>"
    body = "".join(
        f"<tr><td>{html.escape(r['task'])}</td><td>{html.escape(r['series'])}</td><td>{r['seeds']}</td>"
        f"<td>{r['steps']}</td><td>{r['success_mean']:.2f} ± {r['success_std']:.2f}</td>"
        f"<td>{return_text(r)}</td></tr>"
        for r in rows
    )
    return f"<table>{head}{body}</table>"


def write_html(
    grouped: dict[str, dict[str, list[Run]]], rows: list[dict], plots: list[Path], out: Path
) -> Path:
    """Write ``out/index.html`` (and ``out/media``); returns the page."""
    media = out / "media"
    media.mkdir(parents=True, exist_ok=True)
    sections = []
    for task, series in grouped.items():
        runs = [run for group in series.values() for run in group]
        figures = []
        goal = _goal_media(runs)
        if goal is not None:
            figures.append(
                _figure(_copy(goal[0], media, f"{task}_goal_video.gif"), "goal video (generated)")
            )
            if goal[1] is not None:
                figures.append(
                    _figure(_copy(goal[1], media, f"{task}_goal_frame.png"), "goal frame I*")
                )
        for index, (label, group) in enumerate(series.items()):
            rollout = _latest_rollout(group[0])
            if rollout is not None:
                name = f"{task}_{index}_{rollout.name}"
                step = int(rollout.name.split("_")[1])
                caption = f"{label}, seed {group[0].config.get('seed')}, step {step}"
                figures.append(_figure(_copy(rollout, media, name), caption))
        sections.append(f"<h2>{html.escape(task)}</h2><div class='row'>{''.join(figures)}</div>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>GenReward report</title>
<style>{STYLE}</style></head><body>
<h1>GenReward report</h1>
<p>Evaluation: success rate (task solved at some step) and Meta-World's dense episode return,
whatever reward the agent trained on; mean ± std over seeds at each run's last evaluation.</p>
{"".join(f'<img class="curves" src="{_copy(p, media, p.name)}" alt="{p.stem}">' for p in plots)}
{_table(rows)}
<p>Goal video beside the last evaluation rollout of each series (placement 0).</p>
{"".join(sections)}
</body></html>
"""
    atomic_write_text(out / "index.html", page)
    return out / "index.html"
