"""Run folders: a finished run is recognised only by an intact done.json of this very run;
fields a saved config predates read as its run computed."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from genreward.errors import GenRewardError
from genreward.rl.config import TrainConfig
from genreward.rl.run_dir import (
    CONFIG_FILE,
    DONE_FILE,
    METRICS_FILE,
    PREDATED,
    claim_run_dir,
    differences,
    read_run_config,
    run_finished,
)


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


def test_a_saved_config_reads_the_fields_it_predates_as_its_run_computed(tmp_path):
    # A GenReward run saved before --agent, --fb-pretrained, --reward-scale and --reset-every
    # existed ran the original SAC, trained FB online, used the paper's weights and never
    # reset, whatever today's defaults.
    config = TrainConfig(task="reach", reward="genreward", steps=256, run_dir=tmp_path / "run")
    claim_run_dir(config.resolved())
    path = tmp_path / "run" / CONFIG_FILE
    saved = json.loads(path.read_text())
    assert saved["reward_scale"] == "auto" and saved["agent"] == "simba"  # today's defaults
    assert saved["reset_every"] == 35_000
    for key in PREDATED:
        saved.pop(key)
    path.write_text(json.dumps(saved))
    (tmp_path / "run" / METRICS_FILE).write_text("step\n")  # it trained: not taken over
    assert {k: read_run_config(tmp_path / "run")[k] for k in PREDATED} == {
        "agent": "sac", "fb_pretrained": False, "reward_scale": "paper", "reset_every": 0,
    }  # fmt: skip
    differs = r"another config \(differs in agent, fb_pretrained, reset_every, reward_scale\)"
    with pytest.raises(GenRewardError, match=differs):
        claim_run_dir(replace(config, resume=True).resolved())


def test_env_only_runs_are_the_same_run_whatever_the_bonus_settings(tmp_path):
    config = TrainConfig(task="reach", reward="env", steps=256, run_dir=tmp_path / "run")
    claim_run_dir(config.resolved())
    (tmp_path / "run" / DONE_FILE).write_text('{"step": 256}')
    paper = replace(config, reward_scale="paper", auto_weight=2.0, fb_pretrained=False)
    assert run_finished(paper)
    assert differences({"reward": "env", "reward_scale": "paper", "seed": 0}, {
        "reward": "env", "reward_scale": "auto", "seed": 1,
    }) == ["seed"]  # fmt: skip
    assert differences({"reward": "video", "reward_scale": "paper"}, {
        "reward": "video", "reward_scale": "auto",
    }) == ["reward_scale"]  # fmt: skip
