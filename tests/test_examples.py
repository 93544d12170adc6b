"""The stable-baselines3 example runs end to end (`GenRewardWrapper.from_pretrained` with an
FB from train-fb whose F reads the state, auto scale, SAC)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("stable_baselines3")
ROOT = Path(__file__).resolve().parent.parent


def test_sb3_example_trains_and_saves(tmp_path):
    fb = tmp_path / "fb"
    # psi comes from the shipped 64x64 autoencoder: give it 64x64 episodes.
    from genreward.data.collect import collect
    from genreward.rewards.config import TrainFBConfig
    from genreward.rewards.train_fb import train_fb

    collect(tmp_path / "demos", "reach", 2, size=64, max_steps=120, workers=1, progress=False)
    train_fb(
        TrainFBConfig(
            data=[tmp_path / "demos"],
            out=fb,
            steps=5,
            batch_size=16,
            hidden=32,
            forward_input="state",
            progress=False,
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "train_sb3.py"),
            "--task",
            "reach",
            "--steps",
            "150",
            "--episode-steps",
            "64",
            "--fb",
            str(fb),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "sac.zip").is_file()
    assert "agent saved" in result.stdout
