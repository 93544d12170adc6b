"""Bad input on the command line: every case exits with code 2 and a one-line error naming
what was wrong, never a traceback, and changes no file."""

from __future__ import annotations

import pytest

from genreward.cli import main

FILE = "a_file"  # an existing file where a folder is expected (made in each test's folder)

CASES = {
    "train": [
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
        (["--reward", "progress"], "add --reward-scale auto"),
        (["--goal-progress"], "add --reward-scale auto"),
        (["--fb-init", "x", "--no-fb-pretrained"], "drop --no-fb-pretrained"),
        (["--act", "fb", "--reward", "env"], "--act fb needs an FB model"),
        (["--interval", "512"], "longer than an episode"),
        (["--run-dir", FILE], f"--run-dir {FILE} is a file"),
        (["--task", "no-such-task"], "unknown Meta-World task"),
        (["--run-dir", "nothing_here", "--resume"], "nothing to resume"),
    ],
    "collect": [
        (["--episodes", "0"], "--episodes must be in [1, inf)"),
        (["--workers", "0"], "--workers must be in [1, inf)"),
        (["--size", "4"], "--size must be in [8, 2048]"),
        (["--max-steps", "0"], "--max-steps must be in [1, inf)"),
        (["--extra-steps", "-1"], "--extra-steps must be in [0, inf)"),
        (["--action-noise", "-0.1"], "--action-noise must be in [0, inf)"),
        (["--action-noise", "nan"], "--action-noise must be a finite number"),
        (["--expert-fraction", "1.5"], "--expert-fraction must be in [0, 1]"),
        (["--seed-start", "-1"], "--seed-start must be in [0, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--out", f"{FILE}/sub"], "is a file, not a folder"),
        (["--tasks", "no-such-task", "--out", "d"], "unknown Meta-World task"),
        (["--policy", "bogus", "--out", "d"], "--policy must be one of"),
    ],
    "generate": [
        (["--guidance-scale", "nan"], "--guidance-scale must be a finite number"),
        (["--guidance-scale", "-1"], "--guidance-scale must be in [0, inf)"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--device", "cuda"], "torch sees no CUDA GPU"),
        (["--out", FILE], f"--out {FILE} is a file"),
    ],
    "train-video": [
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
    ],
    "train-fb": [
        (["--lr", "-1"], "--lr must be in (0, inf)"),
        (["--discount", "1"], "--discount must be in (0, 1)"),
        (["--discount", "inf"], "--discount must be a finite number"),
        (["--batch-size", "1"], "--batch-size must be in [2, inf)"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--z-dim", "0"], "--z-dim must be in [1, inf)"),
        (["--hidden", "0"], "--hidden must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
    ],
    "sweep": [
        (["--cpus-per-run", "0"], "--cpus-per-run must be in (0, inf)"),
        (["--cpus-per-run", "nan"], "--cpus-per-run must be a finite number"),
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--max-cpus", "0"], "--max-cpus must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
        (["--train.discount", "1.5"], "--discount must be in (0, 1]"),
        (["--train.alpha", "nan"], "--alpha must be a finite number"),
    ],
    "demo": [
        (["--steps", "0"], "--steps must be in [1, inf)"),
        (["--out", FILE], f"--out {FILE} is a file"),
    ],
    "show": [
        (["episode.npz", "--fps", "0"], "--fps must be in [1, inf)"),
        (["episode.npz", "--count", "0"], "--count must be in [1, inf)"),
    ],
    "eval": [
        (["run", "--episodes", "0"], "--episodes must be in [1, inf)"),
        (["run", "--gifs", "-1"], "--gifs must be in [0, inf)"),
        (["run", "--device", "cuda"], "torch sees no CUDA GPU"),
        (["no_such_run"], "not a genreward run folder"),
    ],
    "report": [
        (["runs", "--out", FILE], f"--out {FILE} is a file"),
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
