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
from genreward.goals.domain import SCORER_ENTRIES, SHIPPED_SCORER
from genreward.goals.select import GOAL_FRAME_FILE
from genreward.rewards.train_fb import FB_ENTRIES, SHIPPED_FB
from genreward.validate import check_output_folder
from genreward.video.pipeline import MODEL_ENTRIES, SHIPPED_MODEL

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
        ({**RUN_CONFIG, "lr": "abc"}, "lr has the wrong type ('abc')"),
        ({"reward": "env", "seed": 0}, "not a genreward run config (no task)"),
        ({**RUN_CONFIG, "size": -1}, "--size must be in [8, 2048]"),
        ({**RUN_CONFIG, "hidden": 1.5}, "hidden has the wrong type (1.5)"),
        ({**RUN_CONFIG, "goal": 3}, "goal has the wrong type (3)"),
        (
            {**RUN_CONFIG, "agent": "td3"},
            "--agent must be one of simba, sac, crossq, tqc, got 'td3'",
        ),
        ({**RUN_CONFIG, "seed": None}, "damaged run config: seed cannot be null"),
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


def test_a_config_json_of_another_kind_alone_is_refused(tmp_path, small_dataset, capsys):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "config.json").write_text('{"_class_name": "SomethingElse"}')
    args = ["train-fb", "--data", str(small_dataset), "--steps", "2", "--out", str(folder)]
    _fails(args, "not part of a FB model (config.json)", capsys)


def _fake_run(folder, metrics: str = "step,eval_success,eval_return,batch_r_fb\n128,0.5,1.0,nan\n"):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(RUN_CONFIG))
    (folder / "metrics.csv").write_text(metrics)


@pytest.mark.parametrize(
    ("shipped", "entries", "what", "config_class"),
    [
        (SHIPPED_FB, FB_ENTRIES, "FB model", "ForwardBackward"),
        (SHIPPED_SCORER, SCORER_ENTRIES, "goal scorer", None),
        (SHIPPED_MODEL, MODEL_ENTRIES, "goal-video model", None),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_models_own_folder_may_be_written_again(shipped, entries, what, config_class, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(shipped, folder)
    (folder / ".DS_Store").write_text("a system file")  # hidden: never in the way
    check_output_folder(folder, entries, what, config_class)


def test_reports_are_rewritten_and_skip_model_folders(tmp_path):
    # A tree holding a run and a model folder (whose config.json is no run's); a non-finite
    # value outside the evaluation columns (a diverged bonus) is kept.
    _fake_run(tmp_path / "runs" / "run")
    shutil.copytree(SHIPPED_FB, tmp_path / "runs" / "fb_model")
    report = ["report", str(tmp_path / "runs"), "--out", str(tmp_path / "report")]
    assert main(report) == 0
    assert main(report) == 0
    assert "reach" in (tmp_path / "report" / "results.md").read_text()


def test_a_sweep_checks_its_report_folder_before_it_trains(tmp_path, capsys):
    (tmp_path / "sweep" / "report").mkdir(parents=True)
    (tmp_path / "sweep" / "report" / "notes.txt").write_text("mine")
    args = ["sweep", "--tasks", "reach", "--rewards", "env", "--seeds", "0", "--steps", "64"]
    _fails([*args, "--out", str(tmp_path / "sweep")], "not part of a report (notes.txt)", capsys)
    assert not (tmp_path / "sweep" / "runs").exists()
