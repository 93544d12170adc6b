"""Run folders: a finished run is recognised only by an intact done.json of this very run."""

from __future__ import annotations

import json

import pytest

from genreward.rl.config import TrainConfig
from genreward.rl.run_dir import DONE_FILE, claim_run_dir, run_finished


@pytest.mark.parametrize(
    ("done", "finished"),
    [
        ('{"step": 256}', True),
        ('{"step": 100}', False),  # stopped short of --steps
        ('{"step": "256"}', False),  # damaged: the sweep resumes the run, which rewrites it
        ("[256]", False),
        ('{"step": 25', False),
    ],
)
def test_run_finished_reads_done_json_strictly(tmp_path, done, finished):
    config = TrainConfig(task="reach", reward="env", steps=256, run_dir=tmp_path / "run")
    claim_run_dir(config.resolved())
    (tmp_path / "run" / DONE_FILE).write_text(done)
    assert run_finished(config) is finished
    other = TrainConfig(task="reach", reward="env", steps=256, seed=1, run_dir=tmp_path / "run")
    assert not run_finished(other)  # the folder holds another config's run
    assert json.loads((tmp_path / "run" / "config.json").read_text())["seed"] == 0
