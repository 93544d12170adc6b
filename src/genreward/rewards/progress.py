"""Frame-level rewards from the goal video beyond the paper's two terms.

Both compare psi of the agent's current frame (the autoencoder's flattened latent, the same
features FB uses) with psi of goal frames; both are scale-free, so one setting serves every task:

- `GoalVideoProgress`: where along the goal video the frame lies, a soft nearest goal frame
  read as a position in [0, 1] (0: looks like the start, 1: like the end). The goal video
  shows the task being done from the agent's own first frame, so its frames order the states
  on the way to success.
- `GoalDistance`: a VIP/LIV-style baseline, minus the distance to the goal frame I* in units
  of the goal video's first frame's distance to it (about -1 at the start, 0 at the goal).
"""

from __future__ import annotations

import torch

from genreward.errors import GenRewardError


def _flat(psi: torch.Tensor) -> torch.Tensor:
    return psi.float().reshape(len(psi), -1)


class GoalVideoProgress:
    """p(o) = sum_k softmax_k(-|psi(o) - psi(g_k)|^2 / (temperature * s)) * k / (K - 1).

    ``g_k`` are the K goal-video frames; ``s`` is the mean squared distance between consecutive
    goal frames, so `temperature` is in units of one goal-video step.
    """

    def __init__(self, goal_psi: torch.Tensor, temperature: float = 1.0) -> None:
        if goal_psi.ndim < 2 or len(goal_psi) < 2:
            raise GenRewardError(
                "goal-video progress needs psi of at least 2 goal frames, got "
                f"{tuple(goal_psi.shape)}"
            )
        if not temperature > 0:
            raise GenRewardError(f"the progress temperature must be positive, got {temperature}")
        self.goal = _flat(goal_psi)
        step = (self.goal[1:] - self.goal[:-1]).pow(2).sum(-1).mean()
        self.scale = float(temperature) * max(float(step), 1e-8)
        self.positions = torch.linspace(0.0, 1.0, len(self.goal), device=self.goal.device)

    def __call__(self, psi: torch.Tensor) -> torch.Tensor:
        """Progress ``[N]`` in [0, 1] of frames with features ``psi [N, ...]``."""
        distances = torch.cdist(_flat(psi).to(self.goal.device), self.goal).pow(2)
        weights = torch.softmax(-distances / self.scale, dim=-1)
        return weights @ self.positions


class GoalDistance:
    """-|psi(o) - psi(I*)| / |psi(g_0) - psi(I*)|: 0 at the goal frame, about -1 at the start."""

    def __init__(self, goal_psi: torch.Tensor, start_psi: torch.Tensor) -> None:
        self.goal = _flat(goal_psi[None])[0]
        self.scale = max(float((_flat(start_psi[None])[0] - self.goal).norm()), 1e-8)

    def __call__(self, psi: torch.Tensor) -> torch.Tensor:
        """``[N]`` for frames with features ``psi [N, ...]``."""
        return -(_flat(psi).to(self.goal.device) - self.goal).norm(dim=-1) / self.scale
