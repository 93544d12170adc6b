"""Meta-World's scripted expert policies, with optional Gaussian action noise."""

from __future__ import annotations

import warnings

import numpy as np
from metaworld.policies import ENV_POLICY_MAP

from genreward.envs.tasks import resolve_task


class ExpertPolicy:
    """The scripted policy of `task`; `action_noise` is the std of Gaussian noise on actions.

    Noise is drawn from a generator seeded by `seed`, so a (task, env seed, noise seed) triple
    always gives the same episode.
    """

    def __init__(self, task: str, action_noise: float = 0.0, seed: int = 0) -> None:
        if action_noise < 0:
            raise ValueError(f"action_noise must be non-negative, got {action_noise}")
        self.task = resolve_task(task)
        self.action_noise = action_noise
        self._policy = ENV_POLICY_MAP[self.task]()
        self._rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        """Action ``float32 [4]`` in [-1, 1] for a state observation ``[39]``."""
        # Some scripted policies edit the observation in place: hand them a float64 copy.
        with warnings.catch_warnings():
            # Their gains exceed 1 by design and the action is clipped below; the warning is noise.
            warnings.filterwarnings("ignore", message="Constant.*may be too high")
            action = np.asarray(self._policy.get_action(np.array(obs, dtype=np.float64)))
        if self.action_noise > 0:
            action = action + self._rng.normal(0.0, self.action_noise, size=action.shape)
        return np.clip(action, -1.0, 1.0).astype(np.float32)
