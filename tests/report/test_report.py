"""Reports from run folders: table figures, curves, and an HTML page a real browser renders."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genreward.data.media import save_media
from genreward.report.make import make_report
from genreward.report.tables import return_text
from tests.conftest import run_cli


def fake_run(root: Path, reward: str, seed: int, success: list[float], returns: list[float]):
    """A run folder as `genreward train` writes it, with given evaluation figures."""
    folder = root / f"{reward}_seed{seed}"
    (folder / "eval").mkdir(parents=True)
    config = {"task": "drawer-open-v3", "reward": reward, "env_reward": "dense", "seed": seed}
    (folder / "config.json").write_text(json.dumps(config))
    with (folder / "metrics.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "eval_success", "eval_return"])
        for i, (s, r) in enumerate(zip(success, returns, strict=True)):
            writer.writerow([(i + 1) * 100, s, r])
    frames = np.zeros((4, 16, 16, 3), np.uint8)
    frames[:, :, :8] = 200 if reward == "env" else 90
    save_media(frames, folder / "eval" / "step_0000200_placement_0.gif", fps=4)
    if reward == "genreward":
        goal = folder / "goals" / "seed_0"
        goal.mkdir(parents=True)
        save_media(frames, goal / "goal_video.gif", fps=4)
        save_media(frames[:1], goal / "goal_frame.png", count=1)
    return folder


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    fake_run(root, "env", 0, [0.0, 0.2], [100.0, 200.0])
    fake_run(root, "env", 1, [0.0, 0.4], [120.0, 400.0])
    fake_run(root, "genreward", 0, [0.1, 0.6], [150.0, 500.0])
    return root


def test_table_is_mean_and_std_of_the_last_evaluation(runs: Path, tmp_path: Path) -> None:
    page = make_report([runs], tmp_path / "report")
    with (tmp_path / "report" / "results.csv").open() as handle:
        table = {r["series"]: r for r in csv.DictReader(handle)}
    assert float(table["env (dense)"]["success_mean"]) == pytest.approx(0.3)
    assert float(table["env (dense)"]["success_std"]) == pytest.approx(0.1)
    assert float(table["env (dense)"]["return_mean"]) == pytest.approx(300.0)
    assert int(table["env (dense)"]["seeds"]) == 2
    assert float(table["genreward (dense)"]["success_mean"]) == pytest.approx(0.6)
    markdown = (tmp_path / "report" / "results.md").read_text()
    assert "| drawer-open | env (dense) | 2 | 200 | 0.30 ± 0.10 | 300 ± 100 |" in markdown
    html = page.read_text()
    assert "media/drawer-open_goal_video.gif" in html
    media = ("learning_curves.png", "final_returns.png", "drawer-open_goal_video.gif")
    for src in (*media, "drawer-open_goal_frame.png"):
        assert (tmp_path / "report" / "media" / src).is_file()
    for plot in ("learning_curves.png", "final_returns.png"):
        assert Image.open(tmp_path / "report" / plot).size[0] > 300
        assert f'src="media/{plot}"' in html


def test_report_cli_refuses_folders_without_runs(tmp_path: Path) -> None:
    done = run_cli("report", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "no evaluated runs" in done.stderr


def test_page_renders_in_headless_chromium(runs: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is missing: scripts/setup.sh installs it"
    page = make_report([runs], tmp_path / "report")
    shot = tmp_path / "page.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={shot}", "--window-size=1200,1400", page.resolve().as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    image = np.asarray(Image.open(shot).convert("RGB")).astype(float)
    assert image.shape[:2] == (1400, 1200)
    # The curves (coloured lines) and the GIF squares (grey 90 and 200) must be drawn.
    coloured = (image.max(-1) - image.min(-1)) > 60
    assert coloured.mean() > 0.002
    assert (np.abs(image - 90).max(-1) < 3).sum() > 500


def test_small_returns_keep_a_decimal() -> None:
    assert return_text({"return_mean": 6.26, "return_std": 0.71}) == "6.3 ± 0.7"
    assert return_text({"return_mean": 586.7, "return_std": 12.3}) == "587 ± 12"
