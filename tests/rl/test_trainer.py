"""The training loop in process: FB's schedule against SAC's, the replay ratio."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from genreward.errors import GenRewardError
from genreward.rewards.train_fb import load_fb
from genreward.rl.config import TrainConfig
from genreward.rl.trainer import Trainer


@pytest.mark.parametrize("fb_forward", ["psi", "state"])
def test_fb_trains_on_random_action_data_before_sac_starts(
    tmp_path: Path, goals: Path, fb_forward: str
) -> None:
    config = TrainConfig(
        task="drawer-open", reward="fb", goal=goals, steps=192, episode_steps=64, placements=2,
        batch_size=32, learning_starts=1000, fb_train_steps=96, eval_episodes=1, gif_episodes=0,
        run_dir=tmp_path / "run", progress=False, fb_pretrained=False, fb_forward=fb_forward,
    )  # fmt: skip
    trainer = Trainer(config)
    assert trainer.fb.forward_on_state == (fb_forward == "state")
    before = [p.detach().clone() for p in trainer.fb.parameters()]
    sac_before = [p.detach().clone() for p in trainer.agent.actor.parameters()]
    trainer.train()
    changed = [not torch.equal(a, b) for a, b in zip(before, trainer.fb.parameters(), strict=True)]
    assert all(changed), "FB must train during its phase even before SAC's first update"
    assert all(
        torch.equal(a, b) for a, b in zip(sac_before, trainer.agent.actor.parameters(), strict=True)
    )
    assert trainer.fb_frozen and trainer.timers.seconds["fb_update"] > 0
    # The frozen FB's reward is cached per transition, equal to computing it afresh from what
    # F reads.
    columns, size = trainer.replay.columns, len(trainer.replay)
    z = trainer.goal_z()[torch.as_tensor(columns["placement"][:size]).long()]
    seen = torch.as_tensor(columns["obs" if fb_forward == "state" else "psi"][:size]).float()
    fresh = trainer.fb.reward_for_z(seen, torch.as_tensor(columns["action"][:size]), z)
    torch.testing.assert_close(torch.as_tensor(columns["r_fb"][:size]), fresh)
    assert fresh.abs().min() > 0
    # F reading the state: frames rendered and encoded only while FB trains (the episodes that
    # start before step 96), psi stored as zero after.
    encoded = columns["psi"][:size].any(axis=1)
    assert encoded.tolist() == [True] * 128 + [fb_forward == "psi"] * 64


def test_what_f_reads_must_fit_the_fb_and_the_observations(tmp_path: Path, goals: Path) -> None:
    shipped_reads = "state" if load_fb()[0].forward_on_state else "psi"
    other = {"state": "psi", "psi": "state"}[shipped_reads]
    base = {"task": "drawer-open", "reward": "fb", "goal": goals, "placements": 2}
    base |= {"run_dir": tmp_path / "run"}
    with pytest.raises(GenRewardError, match=f"reads the {shipped_reads} in F"):
        Trainer(TrainConfig(**base, fb_forward=other))
    with pytest.raises(GenRewardError, match="--fb-forward state needs --obs state"):
        TrainConfig(**base, fb_pretrained=False, fb_forward="state", obs="latent")
    assert not (tmp_path / "run").exists()


def test_a_run_with_the_shipped_fb_keeps_psi_only_where_f_reads_it(
    tmp_path: Path, goals: Path
) -> None:
    config = TrainConfig(
        task="drawer-open", reward="genreward", goal=goals, placements=2,
        run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    reads_psi = not trainer.fb.forward_on_state
    assert trainer.needs_psi == reads_psi  # else frames only for the video windows
    assert ("psi" in trainer.replay.columns) == reads_psi


def small_reach_run(tmp_path: Path, **settings) -> TrainConfig:
    """Two 64-step episodes of reach, env reward, updates from step 32."""
    return TrainConfig(
        task="reach", reward="env", steps=128, episode_steps=64, placements=1, batch_size=16,
        learning_starts=32, eval_episodes=1, gif_episodes=0, hidden=16,
        run_dir=tmp_path / "run", progress=False, **settings,
    )  # fmt: skip


def test_updates_per_step_sets_the_replay_ratio(tmp_path: Path) -> None:
    trainer = Trainer(small_reach_run(tmp_path, updates_per_step=3))
    trainer.train()
    assert trainer.agent.critic_opt.state_dict()["state"][0]["step"] == 3 * (128 - 32)
    assert trainer.agent.obs_norm.count == 128  # every stored observation, once


def test_resets_come_at_every_multiple_of_reset_every(tmp_path: Path) -> None:
    trainer = Trainer(small_reach_run(tmp_path, reset_every=48))
    trainer.train()
    assert trainer.train_scalars["resets"] == 2  # at steps 48 and 96
    # The optimisers started afresh at the last reset: the updates of steps 96-127 since.
    assert trainer.agent.critic_opt.state_dict()["state"][0]["step"] == 128 - 96
    assert trainer.agent.updates == 128 - 32


def test_no_reset_comes_less_than_half_an_interval_before_the_end(tmp_path: Path) -> None:
    trainer = Trainer(small_reach_run(tmp_path, reset_every=56))
    trainer.train()
    assert trainer.train_scalars["resets"] == 1  # at step 56; 112 is 16 steps from the end
    assert trainer.agent.critic_opt.state_dict()["state"][0]["step"] == 128 - 56


def test_n_step_runs_mark_where_each_episode_ends(tmp_path: Path) -> None:
    config = small_reach_run(tmp_path, n_step=3)
    trainer = Trainer(config)
    trainer.train()
    assert np.flatnonzero(trainer.replay.columns["end"][:128]).tolist() == [63, 127]
    assert trainer.agent.updates == 128 - 32
    with pytest.raises(GenRewardError, match="longer than an episode"):
        replace(config, n_step=65)


def test_updates_wait_for_the_first_episode_that_joins_the_replay_at_its_end(
    tmp_path: Path, goals: Path
) -> None:
    # psi (here for goal-video progress) is encoded at each episode's end: the replay is empty
    # through the first one.
    config = TrainConfig(
        task="drawer-open", reward="progress", goal=goals, steps=64, episode_steps=32, placements=2,
        batch_size=16, learning_starts=8, eval_episodes=1, gif_episodes=0, hidden=16,
        run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    trainer.train()
    assert trainer.agent.updates == 64 - 32


def test_pink_exploration_noise_is_correlated_along_the_episode(tmp_path: Path) -> None:
    config = TrainConfig(
        task="reach", reward="env", episode_steps=256, placements=1, hidden=16, progress=False,
        exploration="pink", run_dir=tmp_path / "run",
    )  # fmt: skip
    noise = Trainer(config)._episode_noise()
    assert noise.shape == (256, 4)
    lag1 = [np.corrcoef(noise[:-1, i], noise[1:, i])[0, 1] for i in range(4)]
    assert min(lag1) > 0.5  # white noise: about 0
    assert 0.5 < noise.std() < 1.5
    white = Trainer(replace(config, exploration="white", run_dir=tmp_path / "white"))
    assert white._episode_noise() is None


def test_shipped_fb_is_frozen_at_once_and_auto_scale_tracks_the_stored_terms(
    tmp_path: Path, goals: Path
) -> None:
    config = TrainConfig(
        task="drawer-open", reward="genreward", goal=goals, steps=256, episode_steps=128,
        placements=2, batch_size=32, learning_starts=128, eval_episodes=1, gif_episodes=0,
        hidden=16, reward_scale="auto", goal_progress=True, run_dir=tmp_path / "run",
        progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    assert trainer.cfg.fb_train_steps == 0 and trainer.fb_frozen  # the shipped, pretrained FB
    trainer.train()
    assert "fb_update" not in trainer.timers.seconds
    columns, size = trainer.replay.columns, len(trainer.replay)
    moments = trainer.scaler.moments
    assert 0 <= columns["r_progress"][:size].min() < columns["r_progress"][:size].max() <= 1
    for name in ("r_env", "r_video", "r_fb", "r_progress"):
        assert moments[name].count == size == 256
        assert moments[name].mean == pytest.approx(float(columns[name][:size].mean()), rel=1e-4)
    # The bonus SAC trains on: each term standardised, scaled to the env reward's spread.
    batch = {k: torch.as_tensor(columns[k][:size]) for k in ("r_video", "r_fb", "r_progress")}
    bonus = trainer.scaler.bonus(batch)
    assert float(bonus.mean()) == pytest.approx(0.0, abs=1e-3)
    assert 0.3 < float(bonus.std()) / float(columns["r_env"][:size].std()) <= 1.0
    resumed = Trainer(replace(config, resume=True, steps=256), claim=False)
    resumed.load_snapshot()
    assert resumed.scaler.state_dict() == trainer.scaler.state_dict()


def test_a_run_saved_before_the_reward_scale_fields_resumes(tmp_path: Path) -> None:
    """A run folder and snapshot (format 3) written before the reward-scale and pretrained-FB
    fields existed resume: the fields they lack take their defaults."""
    import json

    from genreward.rl.snapshot import snapshot_path

    config = TrainConfig(
        task="reach", reward="env", steps=128, episode_steps=64, placements=1, batch_size=16,
        learning_starts=32, eval_episodes=1, gif_episodes=0, hidden=16,
        run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    Trainer(config).train()
    new_fields = ("reward_scale", "auto_weight", "goal_progress", "fb_pretrained")
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    old = {k: v for k, v in saved.items() if k not in new_fields}
    (tmp_path / "run" / "config.json").write_text(json.dumps(old))
    state = torch.load(snapshot_path(tmp_path / "run"), weights_only=True)
    state |= {"format": 3, "identity": old}
    state.pop("reward_scale")
    state["reward_sums"].pop("r_progress_weighted")
    torch.save(state, snapshot_path(tmp_path / "run"))
    (tmp_path / "run" / "checkpoint" / "manifest.json").unlink()  # old snapshots had none
    resumed = Trainer(replace(config, steps=256, resume=True))
    resumed.train()
    assert resumed.step == 256
    with pytest.raises(GenRewardError, match="another config"):
        Trainer(replace(config, steps=256, resume=True, hidden=32))


def test_action_repeat_counts_env_steps_and_stores_one_transition_per_decision(
    tmp_path: Path,
) -> None:
    # 64-step episodes of 3-step decisions: 21 full ones, then one of a single step.
    config = small_reach_run(tmp_path, action_repeat=3, n_step=3, log_every=50)
    trainer = Trainer(config)
    logged = []
    trainer._log_progress = lambda: logged.append(trainer.step)
    trainer.train()
    assert config.decisions == 22 and trainer.step == 128 and len(trainer.replay) == 44
    assert np.flatnonzero(trainer.replay.columns["end"][:44]).tolist() == [21, 43]
    # One update per decision that starts at env step 32 or later: 11 in the first episode.
    assert trainer.agent.updates == 11 + 22
    assert trainer.last_eval["step"] == 128
    assert logged == [51, 100]  # each --log-every crossed once: 50 falls inside a decision


def test_video_windows_count_env_steps_under_action_repeat(tmp_path: Path, goals: Path) -> None:
    config = TrainConfig(
        task="drawer-open", reward="video", goal=goals, steps=64, episode_steps=64, placements=1,
        batch_size=16, learning_starts=8, eval_episodes=1, gif_episodes=0, hidden=16,
        interval=32, frames=8, action_repeat=2, run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    assert trainer.video_rewards[0].interval == 16  # decisions in 32 env steps
    trainer.train()
    scored = np.flatnonzero(trainer.replay.columns["r_video"][:32])
    assert scored.tolist() == [15, 31]  # the decisions that end each 32-step window
    with pytest.raises(GenRewardError, match="multiple of --action-repeat"):
        replace(config, interval=31)
    with pytest.raises(GenRewardError, match="at least --frames"):
        replace(config, frames=17)


def test_pink_noise_needs_two_decisions_per_episode() -> None:
    with pytest.raises(GenRewardError, match="at least 2 decisions"):
        TrainConfig(exploration="pink", episode_steps=4, action_repeat=4)
