"""Action repeat: each agent decision held for several env steps (TD-MPC2 holds 2 on Meta-World)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from genreward.errors import GenRewardError


class ActionRepeat(gym.Wrapper):
    """Steps the wrapped env `repeat` times with the same action, stopping early where an
    episode ends. The reward is the sum of the env steps' rewards (so an episode's return is
    the env's), ``info["success"]`` is whether any of them solved the task, and
    ``info["env_steps"]`` how many env steps the decision took; the rest of ``info`` is the
    last step's."""

    def __init__(self, env: gym.Env, repeat: int) -> None:
        if repeat < 1:
            raise GenRewardError(f"action repeat must be positive, got {repeat}")
        super().__init__(env)
        self.repeat = repeat

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        total, solved, taken = 0.0, False, 0
        while taken < self.repeat:
            obs, reward, terminated, truncated, info = self.env.step(action)
            total += float(reward)
            solved |= bool(info["success"])
            taken += 1
            if terminated or truncated:
                break
        return obs, total, terminated, truncated, {**info, "success": solved, "env_steps": taken}
