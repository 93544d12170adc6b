"""Bad input on the command line: every case exits with code 2 and a one-line error naming
what was wrong, never a traceback, and changes no file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genreward.cli import main
from genreward.data.goal_video import GOAL_FILE, save_goal_video

FILE = "a_file"  # an existing file where a folder is expected (made in each test's folder)

CASES = {
    "train": [
        (["--goal-frame", "bogus"], "invalid choice 'bogus' for argument '--goal-frame'"),
        (["--precision", "bogus"], "invalid choice 'bogus' for argument '--precision'"),
        (["--seed", "-1"], "--seed must be in [0, 4294967295]"),
        (["--seed", "99999999999999999999"], "--seed must be in [0, 4294967295]"),
        (["--buffer-size", "100000000000000000000"], "--buffer-size must be in [1, 1e9]"),
        (["--alpha", "nan"], "--alpha must be a finite number"),
        (["--alpha", "inf"], "--alpha must be a finite number"),
        (["--beta", "-inf"], "--beta must be a finite number"),
        (["--discount", "0"], "--discount must be in (0, 1]"),
        (["--discount", "1.5"], "--discount must be in (0, 1]"),
        (["--discount", "nan"], "--discount must be a finite number"),
        (["--lr", "0"], "--lr must be in (0, inf)"),
        (["--lr", "-1"], "--lr must be in (0, inf)"),
        (["--auto-weight", "-1"], "--auto-weight must be in [0, inf)"),
        (["--fb-act-prob", "2"], "--fb-act-prob must be in [0, 1]"),
        (["--steps", "0"], "must be positive: --steps"),
        (["--batch-size", "1"], "--batch-size must be at least 2"),
        (["--batch-size", "300000"], "larger than --buffer-size"),
        (["--placements", "0"], "must be positive: --placements"),
        (["--episode-steps", "0"], "must be positive: --episode-steps"),
        (["--eval-every", "0"], "must be positive: --eval-every"),
        (["--interval", "0"], "--interval must be in [1, inf)"),
        (["--frames", "1"], "--frames must be in [2, inf)"),
        (["--size", "4"], "--size must be in [8, 2048]"),
        (["--fb-candidates", "0"], "--fb-candidates must be in [1, inf)"),
        (["--device", "cuda", "--steps", "10"], "torch sees no CUDA GPU"),
        (["--device", "tpu0"], "not a torch device"),
        (["--updates-per-step", "0"], "must be positive: --updates-per-step"),
        (["--hidden", "0"], "--hidden must be positive"),
        (["--learning-starts", "-1"], "--learning-starts and --fb-train-steps must be >= 0"),
        (["--reward", "progress", "--reward-scale", "paper"], "add --reward-scale auto"),
        (["--goal-progress", "--reward-scale", "paper"], "add --reward-scale auto"),
        (["--fb-init", ".", "--no-fb-pretrained"], "drop --no-fb-pretrained"),
        (["--act", "fb", "--reward", "env"], "--act fb needs an FB model"),
        (["--interval", "512"], "longer than an episode"),
        (["--run-dir", FILE], f"--run-dir {FILE} is a file"),
        (["--task", "no-such-task"], "unknown Meta-World task"),
        (["--run-dir", "nothing_here", "--resume"], "nothing to resume"),
        (["--goal", "no_such_goals"], "--goal no_such_goals: no such folder"),
        (["--video-model", "no_such_model"], "--video-model no_such_model: no such folder"),
        (["--fb-init", "no_such_fb"], "--fb-init no_such_fb: no such folder"),
        (["--fb-init", FILE], f"--fb-init {FILE}: no such folder"),
        (["--steps", "-5"], "must be positive: --steps"),
        (["--eval-episodes", "0"], "must be positive: --eval-episodes"),
        (["--checkpoint-every", "0"], "must be positive: --checkpoint-every"),
        (["--log-every", "0"], "must be positive: --log-every"),
        (["--buffer-size", "0"], "must be positive: --buffer-size"),
        (["--fb-train-steps", "-1"], "--learning-starts and --fb-train-steps must be >= 0"),
        (["--auto-weight", "nan"], "--auto-weight must be a finite number"),
        (["--lr", "inf"], "--lr must be a finite number"),
        (["--discount", "-0.5"], "--discount must be in (0, 1]"),
        (["--fb-act-prob", "-0.1"], "--fb-act-prob must be in [0, 1]"),
        (["--fb-act-prob", "nan"], "--fb-act-prob must be a finite number"),
        (["--target-entropy", "0.7"], "--target-entropy must be in [-10, 0.5]"),
        (["--exploration", "brown"], "invalid choice 'brown' for argument '--exploration'"),
        (["--exploration", "pink", "--episode-steps", "1"], "at least 2 decisions"),
        (["--beta", "nan"], "--beta must be a finite number"),
        (["--size", "4096"], "--size must be in [8, 2048]"),
        (["--frames", "0"], "must be positive: --frames"),
    ],
    "collect": [
        (["--tasks", "reach,,reach"], "has an empty entry"),
        (["--episodes", "0"], "--episodes must be in [1, inf)"),
        (["--workers", "0"], "--workers must be in [1, inf)"),
        (["--size", "4"], "--size must be in [8, 2048]"),
        (["--max-steps", "0"], "--max-steps must be in [1, inf)"),
        (["--extra-steps", "-1"], "--extra-steps must be in [0, inf)"),
        (["--action-noise", "-0.1"], "--action-noise must be in [0, inf)"),
        (["--action-noise", "nan"], "--action-noise must be a finite number"),
        (["--expert-fraction", "1.5"], "--expert-fraction must be in [0, 1]"),
        (["--seed-start", "-1"], "--seed-start must be in [0, 4294967295]"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--out", f"{FILE}/sub"], "is a file, not a folder"),
        (["--tasks", "no-such-task", "--out", "d"], "unknown Meta-World task"),
        (["--policy", "bogus", "--out", "d"], "--policy must be one of"),
        (["--size", "0"], "--size must be in [8, 2048]"),
        (["--size", "99999"], "--size must be in [8, 2048]"),
        (["--episodes", "-3"], "--episodes must be in [1, inf)"),
        (["--action-noise", "inf"], "--action-noise must be a finite number"),
        (["--expert-fraction", "-0.5"], "--expert-fraction must be in [0, 1]"),
        (["--expert-fraction", "nan"], "--expert-fraction must be a finite number"),
        (["--camera", "nowhere", "--out", "d"], "unknown camera"),
        (["--tasks", "", "--out", "d"], "no task given"),
    ],
    "generate": [
        (["--seed", "99999999999999999999"], "--seed must be integers in [0, 4294967295]"),
        (["--seed", "0,,1"], "--seed '0,,1' has an empty entry"),
        (["--guidance-scale", "nan"], "--guidance-scale must be a finite number"),
        (["--guidance-scale", "-1"], "--guidance-scale must be in [0, inf)"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--device", "cuda"], "torch sees no CUDA GPU"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--task", "no-such-task", "--out", "g"], "unknown Meta-World task"),
        (["--seed", "a,b", "--out", "g"], "--seed must be integers in [0, 4294967295]"),
        (["--seed", "-1", "--out", "g"], "--seed must be integers in [0, 4294967295]"),
        (["--seed", "", "--out", "g"], "--seed must be integers in [0, 4294967295]"),
        (["--model", "no_such_model", "--out", "g"], "--model no_such_model: no such folder"),
        (["--steps", "-2"], "--steps must be in [1, inf)"),
        (["--guidance-scale", "inf"], "--guidance-scale must be a finite number"),
    ],
    "train-video": [
        (["--channels", "0", "0", "0"], "--channels must be positive multiples of 8"),
        (["--channels", "30", "30", "30"], "--channels must be positive multiples of 8"),
        (["--mixed-precision", "bogus"], "invalid choice 'bogus' for argument '--mixed-precision'"),
        (["--seed", "-3"], "--seed must be in [0, 4294967295]"),
        (["--batch-size", "0"], "--batch-size must be in [1, inf)"),
        (["--lr", "nan"], "--lr must be a finite number"),
        (["--text-dropout", "1.5"], "--text-dropout must be in [0, 1]"),
        (["--num-frames", "1"], "--num-frames must be in [2, inf)"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--lora-rank", "-1"], "--lora-rank must be in [0, inf)"),
        (["--checkpoint-every", "0"], "--checkpoint-every must be in [1, inf)"),
        (["--device", "cuda"], "torch sees no CUDA GPU"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--data", "no_such_data"], "dataset directory not found"),
        (["--lr", "0"], "--lr must be in (0, inf)"),
        (["--text-dropout", "-0.1"], "--text-dropout must be in [0, 1]"),
        (["--text-dropout", "nan"], "--text-dropout must be a finite number"),
        (["--autoencoder-batch", "0"], "--autoencoder-batch must be in [1, inf)"),
        (["--autoencoder-steps", "-1"], "--autoencoder-steps must be in [0, inf)"),
        (["--num-frames", "0"], "--num-frames must be in [2, inf)"),
        (["--device", "tpu0"], "not a torch device"),
    ],
    "train-fb": [
        (["--seed", "-1"], "--seed must be in [0, 4294967295]"),
        (["--lr", "-1"], "--lr must be in (0, inf)"),
        (["--discount", "1"], "--discount must be in (0, 1)"),
        (["--discount", "inf"], "--discount must be a finite number"),
        (["--batch-size", "1"], "--batch-size must be in [2, inf)"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--z-dim", "0"], "--z-dim must be in [1, inf)"),
        (["--hidden", "0"], "--hidden must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--data", "no_such_data"], "dataset directory not found"),
        (["--lr", "nan"], "--lr must be a finite number"),
        (["--discount", "0"], "--discount must be in (0, 1)"),
        (["--batch-size", "0"], "--batch-size must be in [2, inf)"),
        (["--tasks", "no-such-task"], "unknown Meta-World task"),
        (["--video-model", "no_such_model"], "--video-model no_such_model: no such folder"),
    ],
    "sweep": [
        (["--seeds", "0,,1"], "--seeds '0,,1' has an empty entry"),
        (["--rewards", "env,"], "--rewards 'env,' has an empty entry"),
        (["--train.fb-init", "nowhere", "--rewards", "fb"], "--fb-init nowhere: no such folder"),
        (["--cpus-per-run", "0"], "--cpus-per-run must be in (0, inf)"),
        (["--cpus-per-run", "nan"], "--cpus-per-run must be a finite number"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--max-cpus", "0"], "--max-cpus must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--train.discount", "1.5"], "--discount must be in (0, 1]"),
        (["--train.alpha", "nan"], "--alpha must be a finite number"),
        (["--seeds", "a,b"], "--seeds must be integers"),
        (["--rewards", "bogus"], "unknown reward or env reward: bogus"),
        (["--env-reward", "bogus"], "unknown reward or env reward: bogus"),
        (["--tasks", "no-such-task"], "unknown Meta-World task"),
        (["--seeds", ""], "the sweep is empty"),
        (["--variants", "no_such.json"], "not readable JSON"),
        (["--variants", FILE], "not readable JSON"),
        (["--train.task", "reach"], "--train.task is set by the sweep"),
        (["--train.seed", "3"], "--train.seed is set by the sweep"),
        (["--steps", "-1"], "--steps must be in [1, inf)"),
        (["--cpus-per-run", "-1"], "--cpus-per-run must be in (0, inf)"),
    ],
    "demo": [
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--task", "no-such-task"], "unknown Meta-World task"),
        (["--device", "cuda"], "torch sees no CUDA GPU"),
    ],
    "show": [
        (["episode.npz", "--scale", "100000"], "--scale must be in [1, 32]"),
        (["episode.npz", "--fps", "0"], "--fps must be in [1, inf)"),
        (["episode.npz", "--count", "0"], "--count must be in [1, inf)"),
        (["episode.npz", "--scale", "0"], "--scale must be in [1, 32]"),
        (["no_such_episode.npz"], "no_such_episode.npz"),
        ([FILE], FILE),
    ],
    "select-goal": [
        (["goal", "--text", ""], "--text is empty"),
        (["goal", "--text", "   "], "--text is empty"),
        (["no_such_goal"], "no_such_goal: goal video not found"),
        ([FILE], f"{FILE}: unreadable goal video"),
        (["goal", "--backend", "bogus"], "unknown scorer backend"),
        (["goal", "--prompts", "no placeholder"], "has no '{}'"),
    ],
    "train-selector": [
        (["--data", "no_such_data"], "dataset directory not found"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
    ],
    "eval": [
        (["run", "--episodes", "abc"], "Error parsing --episodes"),
        (["run", "--episodes", "0"], "--episodes must be in [1, inf)"),
        (["run", "--gifs", "-1"], "--gifs must be in [0, inf)"),
        (["run", "--device", "cuda"], "torch sees no CUDA GPU"),
        (["no_such_run"], "not a genreward run folder"),
        ([FILE], f"{FILE}/config.json: unreadable"),
        (["run", "--episodes", "-1"], "--episodes must be in [1, inf)"),
    ],
    "report": [
        (["runs", "--out", FILE], f"--out {FILE} is a file"),
        (["no_such_runs"], "no_such_runs"),
        ([FILE], FILE),
    ],
}


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [(command, args, message) for command, cases in CASES.items() for args, message in cases],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value)[:24],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    command, args, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / FILE).write_text("a user's file")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main([command, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err
    assert "Traceback" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / FILE).read_text() == "a user's file"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"text": 5}, "bad metadata: text has the wrong type (5)"),
        ({"text": "open the door", "seed": "zero"}, "seed has the wrong type ('zero')"),
        ({"text": "open the door", "seed": True}, "seed has the wrong type (True)"),
        ({"text": "open the door", "guidance_scale": float("nan")}, "must be finite"),
        (["open the door"], "expected a JSON object, got list"),
    ],
)
def test_goal_video_metadata_of_the_wrong_type_is_refused(meta, message, tmp_path, capsys):
    goal = tmp_path / "goal"
    goal.mkdir()
    video = np.zeros((4, 8, 8, 3), np.uint8)
    with (goal / GOAL_FILE).open("wb") as handle:  # as another program might write it
        np.savez_compressed(handle, frames=video, meta=np.array(json.dumps(meta)))
    before = sorted(goal.iterdir())
    assert main(["select-goal", str(goal)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err, err
    assert sorted(goal.iterdir()) == before


def test_a_single_goal_video_without_a_placement_is_refused(tmp_path, capsys):
    goal = tmp_path / "goal"
    goal.mkdir()
    save_goal_video(goal / GOAL_FILE, np.zeros((4, 64, 64, 3), np.uint8), {"task": "reach"})
    args = ["train", "--task", "reach", "--goal", str(goal), "--run-dir", str(tmp_path / "run")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "names no placement (seed)" in err and "Traceback" not in err, err
    assert not (tmp_path / "run").exists()
