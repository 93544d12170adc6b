"""`genreward train` and `genreward eval` through the real command line, with tiny budgets."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.rl.conftest import TINY, train


def rows(run_dir: Path) -> list[dict]:
    with (run_dir / "metrics.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_env_reward_run_writes_everything(tmp_path: Path) -> None:
    run_dir = tmp_path / "env"
    done = train(run_dir, "--reward", "env", "--steps", "256", "--agent", "sac")
    assert done.returncode == 0, done.stderr
    metrics = rows(run_dir)
    assert [int(r["step"]) for r in metrics] == [128, 256]
    assert all(0.0 <= float(r["eval_success"]) <= 1.0 for r in metrics)
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "drawer-open-v3" and config["reward"] == "env"
    assert config["agent"] == "sac"
    assert (run_dir / "checkpoint" / "snapshot.pt").is_file()
    assert sorted(p.name for p in (run_dir / "eval").glob("*.gif")) == [
        "step_0000128_placement_0.gif",
        "step_0000256_placement_0.gif",
    ]
    assert list((run_dir / "logs").glob("events.out.tfevents.*"))
    assert json.loads((run_dir / "done.json").read_text())["step"] == 256

    evaluated = run_cli("eval", str(run_dir), "--episodes", "2", "--gifs", "0")
    assert evaluated.returncode == 0, evaluated.stderr
    summary = json.loads((run_dir / "eval" / "eval_step_0000256.json").read_text())
    # The deterministic policy on the same placements gives the training-time evaluation.
    assert summary["eval_return"] == float(metrics[-1]["eval_return"])


# sac: frames encoded at each episode's end; fb: as they arrive (FB acts on them); pink: the
# exploration noise drawn per episode; crossq: BatchNorm statistics and the actor's update
# schedule (every third update) carried across the kill; n-step: the episode ends in the replay;
# resets: the ones after the snapshot redone with the same initialisation.
CASES = [
    ("sac", "white", "simba", 1, 0),
    ("fb", "white", "simba", 3, 0),
    ("sac", "pink", "crossq", 1, 144),
]


@pytest.mark.parametrize(("act", "exploration", "agent", "n_step", "reset_every"), CASES)
def test_killed_run_resumes_to_the_same_metrics(
    tmp_path: Path, goals: Path, act: str, exploration: str, agent: str, n_step: int,
    reset_every: int,
) -> None:  # fmt: skip
    common = ["--reward", "genreward", "--goal", str(goals), "--steps", "384"]
    common += ["--fb-train-steps", "192", "--act", act, "--seed", "3", "--updates-per-step", "2"]
    common += ["--exploration", exploration, "--agent", agent, "--n-step", str(n_step)]
    common += ["--reset-every", str(reset_every)]
    straight = train(tmp_path / "straight", *common)
    assert straight.returncode == 0, straight.stderr

    run_dir = tmp_path / "killed"
    exe = Path(sys.executable).with_name("genreward")
    cmd = [str(exe), "train", "--task", "drawer-open", "--run-dir", str(run_dir), *TINY, *common]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    snapshot = run_dir / "checkpoint" / "snapshot.pt"
    deadline = time.monotonic() + 240
    while not snapshot.is_file() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (run_dir / "done.json").is_file(), "the run finished before it could be killed"

    resumed = train(run_dir, *common, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert rows(run_dir) == rows(tmp_path / "straight")
    assert [int(r["step"]) for r in rows(run_dir)] == [128, 256, 384]
    # Video windows of 32 steps complete in every 64-step episode and get a reward.
    assert all(0.0 < float(r["train_r_video"]) <= 1.0 for r in rows(run_dir))


def test_refuses_foreign_and_mismatched_run_dirs(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    assert train(run_dir, "--reward", "env", "--steps", "128").returncode == 0
    again = train(run_dir, "--reward", "env", "--steps", "128")
    assert again.returncode == 2 and "--resume" in again.stderr
    other = train(run_dir, "--reward", "env", "--steps", "128", "--seed", "1", "--resume")
    assert other.returncode == 2 and "another config" in other.stderr and "seed" in other.stderr
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    refused = train(foreign, "--reward", "env", "--steps", "128")
    assert refused.returncode == 2 and "not a genreward run" in refused.stderr
    assert (foreign / "notes.txt").read_text() == "mine"


def test_bad_input_gives_clear_errors(tmp_path: Path) -> None:
    unknown = train(tmp_path / "a", "--task", "open-the-fridge")
    assert unknown.returncode == 2 and "open-the-fridge" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    missing = train(tmp_path / "b", "--goal", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    nothing = train(tmp_path / "c", "--resume")
    assert nothing.returncode == 2 and "nothing to resume" in nothing.stderr
    too_long = train(tmp_path / "e", "--interval", "128")
    assert too_long.returncode == 2 and "longer than an episode" in too_long.stderr
    assert "Traceback" not in too_long.stderr

    run_dir = tmp_path / "d"
    assert train(run_dir, "--reward", "env", "--steps", "128").returncode == 0
    snapshot = run_dir / "checkpoint" / "snapshot.pt"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF  # torch.load itself would not notice
    snapshot.write_bytes(bytes(data))
    flipped = train(run_dir, "--reward", "env", "--steps", "256", "--resume")
    assert flipped.returncode == 2 and "changed since it was written" in flipped.stderr
    (run_dir / "checkpoint" / "manifest.json").unlink()  # a snapshot from before manifests
    snapshot.write_bytes(b"not a snapshot")
    corrupt = train(run_dir, "--reward", "env", "--steps", "256", "--resume")
    assert corrupt.returncode == 2 and "unreadable snapshot" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr + flipped.stderr
