"""The replay buffer: bounded ring, uniform batches, exact snapshot round trip."""

from __future__ import annotations

import numpy as np
import pytest

from genreward.errors import GenRewardError
from genreward.rl.replay import ReplayBuffer


def transition(i: int) -> dict:
    return {
        "action": np.full(2, i, np.float32),
        "r_env": float(i),
        "r_video": 0.5,
        "mask": 1.0,
        "placement": i % 3,
        "obs": np.full(3, i, np.float32),
        "next_obs": np.full(3, i + 1, np.float32),
    }


def test_oldest_transitions_are_overwritten_when_full() -> None:
    buffer = ReplayBuffer(4, obs_dim=3, action_dim=2, psi_dim=None)
    for i in range(6):
        buffer.add(**transition(i))
    assert len(buffer) == 4
    assert sorted(buffer.columns["r_env"].tolist()) == [2.0, 3.0, 4.0, 5.0]
    batch = buffer.sample(np.random.default_rng(0), 64)
    assert set(batch["r_env"].tolist()) <= {2.0, 3.0, 4.0, 5.0}
    assert np.array_equal(batch["next_obs"][:, 0], batch["obs"][:, 0] + 1)


def test_state_dict_round_trip_gives_the_same_batches() -> None:
    buffer = ReplayBuffer(8, obs_dim=3, action_dim=2, psi_dim=None)
    for i in range(11):
        buffer.add(**transition(i))
    copy = ReplayBuffer(8, obs_dim=3, action_dim=2, psi_dim=None)
    copy.load_state_dict(buffer.state_dict())
    a = buffer.sample(np.random.default_rng(1), 16)
    b = copy.sample(np.random.default_rng(1), 16)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    copy.add(**transition(11))
    buffer.add(**transition(11))
    assert np.array_equal(copy.columns["r_env"], buffer.columns["r_env"])


def test_wrong_columns_are_refused() -> None:
    buffer = ReplayBuffer(4, obs_dim=None, action_dim=2, psi_dim=5)
    with pytest.raises(GenRewardError, match="stores"):
        buffer.add(**transition(0))
    with pytest.raises(GenRewardError, match="does not fit"):
        buffer.load_state_dict(ReplayBuffer(4, 3, 2, None).state_dict())


def test_n_step_batches_stop_at_episode_ends_and_the_newest_transition() -> None:
    # Episodes of 3 and 4 steps, then 2 steps of one still running, in a ring of 8 (wrapped).
    buffer = ReplayBuffer(8, obs_dim=3, action_dim=2, psi_dim=None, episode_ends=True)
    ends = [False, False, True, False, False, False, True, False, False]
    for i, end in enumerate(ends):
        buffer.add(**transition(i) | {"mask": 0.0 if i == 2 else 1.0}, end=end)  # 2: terminal
    batch = buffer.sample(np.random.default_rng(0), 64, n_step=3)
    expected_steps = {1: 2, 2: 1, 3: 3, 4: 3, 5: 2, 6: 1, 7: 2, 8: 1}  # by first r_env
    for row in range(64):
        first = int(batch["r_env"][row])
        steps = int(batch["steps"][row].sum())
        assert steps == expected_steps[first]
        assert batch["steps"][row, :steps].all()
        ahead = np.arange(first, first + 3, dtype=np.float32) * (np.arange(3) < steps)
        assert np.array_equal(batch["r_env_ahead"][row], ahead)
        assert batch["next_obs_ahead"][row, 0] == first + steps
        assert batch["mask_ahead"][row] == (0.0 if first + steps - 1 == 2 else 1.0)
    assert set(batch["r_env"].tolist()) == set(expected_steps)


def test_n_step_batches_need_episode_ends() -> None:
    buffer = ReplayBuffer(4, obs_dim=3, action_dim=2, psi_dim=None)
    buffer.add(**transition(0))
    with pytest.raises(GenRewardError, match="episode_ends"):
        buffer.sample(np.random.default_rng(0), 4, n_step=2)
