"""`genreward sweep` on a local Ray: runs the grid, skips finished runs, writes the report."""

from __future__ import annotations

import csv
from pathlib import Path

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
