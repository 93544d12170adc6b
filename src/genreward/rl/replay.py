"""A bounded replay buffer of transitions, with the frame features FB trains on.

Stores the env's share of the reward, the video-level reward and (once FB is frozen) the FB
reward separately, so the trainer recombines the reward an update sees at sampling time with
the run's alpha and beta: every transition, old or new, is scored by the same reward.
"""

from __future__ import annotations

import numpy as np
import torch

from genreward.errors import GenRewardError


class ReplayBuffer:
    """Ring buffer of ``capacity`` transitions; the oldest are overwritten when it is full.

    Columns: obs/next_obs ``float32 [S]`` (absent when the observation is psi itself), action
    ``float32 [A]``, r_env, r_video, mask (0 at a true terminal) ``float32``, placement ``int16``
    (which goal applies), psi/next_psi ``float16 [D]`` (absent when no reward term or
    observation uses psi), and one ``float32`` column per name in `terms`: frame-level rewards
    computed once per transition (r_fb: the frozen FB's reward, 0 before FB is frozen;
    r_progress: goal-video progress); with ``episode_ends``, end ``bool`` (the episode ended
    with this transition: terminated or cut off).
    """

    REWARDS = ("r_env", "r_video")
    """Reward columns every buffer has (`terms` adds more)."""

    def __init__(
        self,
        capacity: int,
        obs_dim: int | None,
        action_dim: int,
        psi_dim: int | None,
        terms: tuple[str, ...] = (),
        episode_ends: bool = False,
    ):
        self.capacity = capacity
        self.rewards = (*self.REWARDS, *terms)
        specs: dict[str, tuple[tuple[int, ...], type]] = {
            "action": ((action_dim,), np.float32),
            "r_env": ((), np.float32),
            "r_video": ((), np.float32),
            "mask": ((), np.float32),
            "placement": ((), np.int16),
        }
        if obs_dim is not None:
            specs |= {"obs": ((obs_dim,), np.float32), "next_obs": ((obs_dim,), np.float32)}
        if psi_dim is not None:
            specs |= {"psi": ((psi_dim,), np.float16), "next_psi": ((psi_dim,), np.float16)}
        specs |= {name: ((), np.float32) for name in terms}
        if episode_ends:
            specs["end"] = ((), np.bool_)
        self.columns = {
            k: np.zeros((capacity, *shape), dtype) for k, (shape, dtype) in specs.items()
        }
        self.size = 0
        self.ptr = 0

    def __len__(self) -> int:
        return self.size

    def add(self, **transition) -> None:
        """Append one transition (every column, by name)."""
        if transition.keys() != self.columns.keys():
            raise GenRewardError(
                f"transition has {sorted(transition)}, the buffer stores {sorted(self.columns)}"
            )
        for key, value in transition.items():
            self.columns[key][self.ptr] = value
        self.ptr = (self.ptr + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(
        self,
        rng: np.random.Generator,
        batch_size: int,
        skip: tuple[str, ...] = (),
        n_step: int = 1,
    ) -> dict[str, np.ndarray]:
        """A uniform batch (with replacement) of every column but those in `skip` (the same
        draw from `rng` whatever is skipped). With ``n_step`` > 1 (needs ``episode_ends``) also
        the steps of each transition's n-step return: ``steps`` ``bool [N, n]`` (step j is the
        j-th after it in its episode, already stored), each reward column as ``<name>_ahead``
        ``[N, n]`` (0 where not a step), and ``next_obs_ahead`` / ``next_psi_ahead`` /
        ``mask_ahead`` of its last step."""
        idx = rng.integers(0, self.size, batch_size)
        batch = {key: column[idx] for key, column in self.columns.items() if key not in skip}
        if n_step == 1:
            return batch
        if "end" not in self.columns:
            raise GenRewardError("n-step returns need a buffer made with episode_ends=True")
        offsets = np.arange(n_step)
        positions = (idx[:, None] + offsets) % self.capacity
        stored_after = (self.ptr - 1 - idx) % self.capacity  # transitions newer than idx
        ends = self.columns["end"][positions]
        ended_before = (np.cumsum(ends, axis=1) - ends) > 0
        steps = (offsets <= stored_after[:, None]) & ~ended_before
        last = positions[np.arange(batch_size), steps.sum(1) - 1]
        batch["steps"] = steps
        for name in self.rewards:
            batch[f"{name}_ahead"] = np.where(steps, self.columns[name][positions], 0.0)
        for name in ("next_obs", "next_psi", "mask"):
            if name in self.columns and name not in skip:
                batch[f"{name}_ahead"] = self.columns[name][last]
        return batch

    def state_dict(self) -> dict:
        """The stored transitions as tensors (for snapshots)."""
        return {
            "size": self.size,
            "ptr": self.ptr,
            "columns": {
                k: torch.from_numpy(v[: self.size].copy()) for k, v in self.columns.items()
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned (same columns and capacity)."""
        if state["columns"].keys() != self.columns.keys() or state["size"] > self.capacity:
            raise GenRewardError("the snapshot's replay buffer does not fit this run's settings")
        for key, value in state["columns"].items():
            self.columns[key][: state["size"]] = value.numpy()
        self.size, self.ptr = int(state["size"]), int(state["ptr"])
