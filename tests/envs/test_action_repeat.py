"""Action repeat: one decision, several env steps of the same action."""

import numpy as np
import pytest

from genreward.envs import make_env
from genreward.envs.action_repeat import ActionRepeat
from genreward.errors import GenRewardError


def test_a_decision_is_the_env_steps_of_its_action_with_their_rewards_summed() -> None:
    actions = np.random.default_rng(0).uniform(-1, 1, size=(3, 4)).astype(np.float32)
    plain, held = (
        make_env("reach", 2, max_episode_steps=5),
        ActionRepeat(make_env("reach", 2, max_episode_steps=5), 2),
    )
    plain.reset(), held.reset()
    taken = []
    for action in actions:  # 2 + 2 + 1 env steps: the episode ends inside the last decision
        rewards = []
        for _ in range(2):
            state, reward, _, truncated, _ = plain.step(action)
            rewards.append(reward)
            if truncated:
                break
        held_state, held_reward, _, held_truncated, info = held.step(action)
        np.testing.assert_array_equal(held_state, state)
        assert held_reward == pytest.approx(sum(rewards)) and held_truncated == truncated
        taken.append(info["env_steps"])
    assert taken == [2, 2, 1] and held_truncated


class _Scripted:
    """A stand-in env: reward 1 per step, success on its first step only, terminated at
    step `end`."""

    def __init__(self, end: int) -> None:
        self.steps, self.end = 0, end

    def step(self, action):
        self.steps += 1
        return np.zeros(1), 1.0, self.steps == self.end, False, {"success": self.steps == 1}


def test_success_at_any_env_step_of_a_decision_counts() -> None:
    wrapped = ActionRepeat(make_env("reach", 0), 3)
    wrapped.env = _Scripted(end=10)
    _, reward, terminated, _, info = wrapped.step(np.zeros(4))
    assert info["success"] and info["env_steps"] == 3 and reward == 3.0 and not terminated


def test_a_decision_stops_where_the_episode_terminates() -> None:
    wrapped = ActionRepeat(make_env("reach", 0), 3)
    wrapped.env = _Scripted(end=2)
    _, reward, terminated, _, info = wrapped.step(np.zeros(4))
    assert terminated and info["env_steps"] == 2 and reward == 2.0


def test_repeat_must_be_positive() -> None:
    with pytest.raises(GenRewardError, match="action repeat must be positive"):
        ActionRepeat(make_env("reach", 0), 0)
