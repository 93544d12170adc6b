"""The training loop in process: FB's schedule against SAC's, the replay ratio."""

from __future__ import annotations

from pathlib import Path

import torch

from genreward.rl.config import TrainConfig
from genreward.rl.trainer import Trainer


def test_fb_trains_on_random_action_data_before_sac_starts(tmp_path: Path, goals: Path) -> None:
    config = TrainConfig(
        task="drawer-open", reward="fb", goal=goals, steps=128, episode_steps=64, placements=2,
        batch_size=32, learning_starts=1000, fb_train_steps=96, eval_episodes=1, gif_episodes=0,
        run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    before = [p.detach().clone() for p in trainer.fb.parameters()]
    sac_before = [p.detach().clone() for p in trainer.agent.actor.parameters()]
    trainer.train()
    changed = [not torch.equal(a, b) for a, b in zip(before, trainer.fb.parameters(), strict=True)]
    assert all(changed), "FB must train during its phase even before SAC's first update"
    assert all(
        torch.equal(a, b) for a, b in zip(sac_before, trainer.agent.actor.parameters(), strict=True)
    )
    assert trainer.fb_frozen and trainer.timers.seconds["fb_update"] > 0
    # The frozen FB's reward is cached per transition, equal to computing it afresh.
    columns, size = trainer.replay.columns, len(trainer.replay)
    z = trainer.goal_z()[torch.as_tensor(columns["placement"][:size]).long()]
    fresh = trainer.fb.reward_for_z(
        torch.as_tensor(columns["psi"][:size]).float(), torch.as_tensor(columns["action"][:size]), z
    )
    torch.testing.assert_close(torch.as_tensor(columns["r_fb"][:size]), fresh)
    assert fresh.abs().min() > 0


def test_updates_per_step_sets_the_replay_ratio(tmp_path: Path) -> None:
    config = TrainConfig(
        task="reach", reward="env", steps=128, episode_steps=64, placements=1, batch_size=16,
        learning_starts=32, updates_per_step=3, eval_episodes=1, gif_episodes=0, hidden=16,
        run_dir=tmp_path / "run", progress=False,
    )  # fmt: skip
    trainer = Trainer(config)
    trainer.train()
    assert trainer.agent.critic_opt.state_dict()["state"][0]["step"] == 3 * (128 - 32)
    assert trainer.agent.obs_norm.count == 128  # every stored observation, once
