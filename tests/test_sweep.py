"""`genreward sweep` on a local Ray: runs the grid, skips finished runs, writes the report."""

from __future__ import annotations

import contextlib
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from genreward.errors import GenRewardError
from genreward.rl.config import TrainConfig
from genreward.sweep import SweepConfig
from tests.conftest import run_cli
from tests.rl.conftest import TINY

TRAIN = [arg.replace("--", "--train.", 1) if arg.startswith("--") else arg for arg in TINY]


def sweep(out: Path, *args: str):
    return run_cli(
        "sweep", "--tasks", "drawer-open", "--rewards", "env,video", "--env-reward", "dense",
        "--seeds", "0", "--steps", "128", "--out", str(out), "--max-cpus", "2", *TRAIN, *args,
        timeout=600,
    )  # fmt: skip


def test_sweep_runs_the_grid_then_skips_it(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = sweep(out)
    assert first.returncode == 0, first.stderr
    for name in ("env_dense_seed0", "video_dense_seed0"):
        assert (out / "runs" / "drawer-open" / name / "done.json").is_file()
    # The video run trained on the sweep's shared goals.
    assert (out / "goals" / "drawer-open" / "seed_1" / "goal_frame.json").is_file()
    with (out / "report" / "results.csv").open() as handle:
        assert {r["series"] for r in csv.DictReader(handle)} == {"env (dense)", "video (dense)"}
    again = sweep(out)
    assert again.returncode == 0, again.stderr
    assert "2 finished earlier" in again.stdout


def test_sweep_refuses_settings_it_owns(tmp_path: Path) -> None:
    done = sweep(tmp_path / "s", "--train.seed", "4")
    assert done.returncode == 2 and "--train.seed is set by the sweep" in done.stderr


def test_goals_are_shared_per_task_and_goal_video_model(tmp_path: Path) -> None:
    def goals(**train) -> set:
        sweep = SweepConfig(
            tasks="door-close", rewards="env,genreward", seeds="0", out=tmp_path,
            train=TrainConfig(**train),
        )  # fmt: skip
        return {c.goal for c in sweep.grid()}

    assert goals() == {None, tmp_path / "goals" / "door-close"}
    tuned = goals(video_model=Path("models/ft_door_close"), variant="ft")
    assert tuned == {None, tmp_path / "goals" / "door-close@ft_door_close"}


def test_variants_run_the_grid_once_each_on_top_of_the_shared_settings(tmp_path: Path) -> None:
    variants = tmp_path / "variants.json"
    ft = ["--video-model", "models/ft_door_close"]
    variants.write_text(json.dumps({"": [], "alpha-x10": ["--alpha", "0.1"], "ft": ft}))
    sweep = SweepConfig(
        tasks="door-close", rewards="genreward", env_reward="dense", seeds="0,1", out=tmp_path,
        variants=variants,
        train=TrainConfig(beta=1e-4),
    )  # fmt: skip
    grid = sweep.grid()
    names = [c.run_dir.name for c in grid]
    assert names == [
        "genreward_dense_seed0", "genreward_dense_seed1", "genreward_dense_alpha-x10_seed0",
        "genreward_dense_alpha-x10_seed1", "genreward_dense_ft_seed0", "genreward_dense_ft_seed1",
    ]  # fmt: skip
    assert [c.alpha for c in grid] == [0.01, 0.01, 0.1, 0.1, 0.01, 0.01]
    assert {c.beta for c in grid} == {1e-4}
    assert grid[-1].video_model == Path("models/ft_door_close")
    assert grid[-1].goal == tmp_path / "goals" / "door-close@ft_door_close"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "expected a JSON object"),
        ("{", "not readable JSON"),
        ('{"a b": []}', "variant names are folder-name parts"),
        ('{"x": ["--alpha", "abc"]}', "bad options"),
        ('{"x": ["--nope"]}', "Unrecognized options"),
        ('{"x": ["--seed", "3"]}', "variant x sets --seed"),
    ],
)
def test_bad_variant_files_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    variants = tmp_path / "variants.json"
    variants.write_text(text)
    with pytest.raises(GenRewardError, match=message):
        SweepConfig(tasks="reach", variants=variants).grid()


def _running(processes: list[psutil.Process]) -> list[psutil.Process]:
    running = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
    return running


def test_ray_processes_end_with_a_killed_sweep(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("genreward")
    args = ["sweep", "--tasks", "reach", "--rewards", "env", "--env-reward", "dense", "--seeds",
            "0", "--steps", "100000", "--out", str(tmp_path), "--max-cpus", "1",
            "--train.eval-every", "100000", "--train.no-progress"]  # fmt: skip
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = tmp_path / "runs" / "reach" / "env_dense_seed0" / "status.json"
    deadline = time.monotonic() + 180
    while not status.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status.is_file(), "the sweep's run did not start"
    time.sleep(2)  # the watchdog looks at the sweep's processes every second
    children = psutil.Process(proc.pid).children(recursive=True)
    assert any("train" in c.name() for c in children), [c.name() for c in children]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while _running(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(children), f"{[c.name() for c in _running(children)]} outlived the sweep"
