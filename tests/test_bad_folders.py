"""Bad folders and files given to the CLI: a clear error (exit 2), no traceback, nothing of the
user's overwritten, and no half-made output folder."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from genreward.cli import main
from genreward.data.atomic import sha256_file
from genreward.data.goal_video import GOAL_FILE, save_goal_video
from genreward.goals.select import GOAL_FRAME_FILE
from genreward.rewards.train_fb import SHIPPED_FB

RUN_CONFIG = {"task": "reach-v3", "reward": "env", "seed": 0}


def _fails(args: list[str], message: str, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err, err


def _snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def victim(tmp_path):
    """A folder of someone else's files, where a command is told to write its output."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "config.json").write_text('{"mine": 1}')
    (folder / "metrics.csv").write_text("step\n1\n")
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["train-fb", "--data", "{data}", "--steps", "2"],
        ["train-selector", "--data", "{data}", "--steps", "2"],
        ["train-video", "--data", "{data}", "--steps", "1"],
        ["report", "{data}"],
    ],
    ids=lambda c: c[0],
)
def test_outputs_never_replace_other_folders(command, victim, small_dataset, capsys):
    before = _snapshot(victim)
    args = [a.replace("{data}", str(small_dataset)) for a in command]
    _fails([*args, "--out", str(victim)], "holds files that are not part of a", capsys)
    assert _snapshot(victim) == before


def test_an_empty_out_is_the_current_folder_and_is_checked(
    victim, small_dataset, monkeypatch, capsys
):
    monkeypatch.chdir(victim)
    before = _snapshot(victim)
    _fails(["train-fb", "--data", str(small_dataset), "--out", ""], "not part of a FB", capsys)
    _fails(["report", str(small_dataset), "--out", ""], "not part of a report", capsys)
    assert _snapshot(victim) == before


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**RUN_CONFIG, "task": 5}, "damaged run config: task has the wrong type (5)"),
        ({**RUN_CONFIG, "size": "64"}, "damaged run config: size has the wrong type ('64')"),
        ({**RUN_CONFIG, "goal_progress": 1}, "goal_progress has the wrong type (1)"),
        ({"reward": "env", "seed": 0}, "not a genreward run config (no task)"),
        ({**RUN_CONFIG, "size": -1}, "--size must be in [8, 2048]"),
    ],
)
def test_damaged_run_configs_are_named(config, message, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(config))
    _fails(["eval", str(run)], f"{run / 'config.json'}", capsys)
    _fails(["eval", str(run)], message, capsys)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ("step,episodes,eval_success,eval_return\n128,2,0.5,1.0\n256,3\n", "line 3: no"),
        ("step,episodes,eval_success,eval_return\n128,2,nan,inf\n", "line 2: eval_success"),
        ("step,eval_success,eval_return\n128,0.5,1.0,7\n", "unreadable"),
    ],
)
def test_damaged_metrics_are_named_by_line(metrics, message, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(RUN_CONFIG))
    (run / "metrics.csv").write_text(metrics)
    _fails(["report", str(run), "--out", str(tmp_path / "report")], message, capsys)
    assert not (tmp_path / "report").exists()


def _train(tmp_path, *args: str) -> list[str]:
    return [
        "train",
        "--task",
        "reach",
        "--placements",
        "1",
        "--run-dir",
        str(tmp_path / "run"),
        *args,
    ]


def test_models_are_checked_before_the_run_folder_is_made(tmp_path, capsys):
    fb = tmp_path / "fb"
    shutil.copytree(SHIPPED_FB, fb)
    (fb / "manifest.json").unlink()  # edited by hand: no manifest to catch it
    config = json.loads((fb / "config.json").read_text())
    (fb / "config.json").write_text(json.dumps({**config, "z_dim": "big"}))
    _fails(_train(tmp_path, "--reward", "fb", "--fb-init", str(fb)), "cannot load the FB", capsys)
    not_fb = tmp_path / "not_fb"
    not_fb.mkdir()
    _fails(_train(tmp_path, "--reward", "fb", "--fb-init", str(not_fb)), "no features.json", capsys)
    args = _train(tmp_path, "--reward", "video", "--video-model", str(SHIPPED_FB))
    _fails(args, "no pipeline.json; this is no goal-video model folder", capsys)
    assert not (tmp_path / "run").exists()


def test_a_bad_goal_frame_is_named_where_the_user_keeps_it(tmp_path, capsys):
    goal = tmp_path / "goals" / "seed_0"
    goal.mkdir(parents=True)
    meta = {"task": "reach-v3", "seed": 0}
    save_goal_video(goal / GOAL_FILE, np.zeros((4, 64, 64, 3), np.uint8), meta)
    spec = {"index": 99, "video_sha256": sha256_file(goal / GOAL_FILE)}
    (goal / GOAL_FRAME_FILE).write_text(json.dumps(spec))
    args = _train(tmp_path, "--reward", "video", "--goal", str(tmp_path / "goals"))
    _fails(args, f"{goal / GOAL_FRAME_FILE}: goal frame index 99 is outside the video", capsys)
    assert not (tmp_path / "run").exists()


def test_train_video_checks_its_init_model_before_writing(tmp_path, small_dataset, capsys):
    args = ["train-video", "--data", str(small_dataset), "--init", str(SHIPPED_FB)]
    _fails([*args, "--out", str(tmp_path / "video")], "no pipeline.json", capsys)
    assert not (tmp_path / "video").exists()
