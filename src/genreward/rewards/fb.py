"""Forward-backward (FB) representation: the frame-level reward and goal-driven actions.

F(s, a, z) and B(s') factor the successor measure, M(s, a, ds') ~ F(s, a, z)^T B(s'), of the
policy that is greedy for z. For a goal frame I*, z = B(psi(I*)) and F(s, a, z)^T z (paper
Eq. 9) measures how likely acting a in s leads to states like I*. B reads features psi(o) of
rendered frames (the frozen autoencoder's latents by default), since goals are frames. F reads
the same psi(o) (the paper's pixel agent), or the agent's state s (`state_dim`): Markov where a
frame is not, and a reward that needs no frame at each step. Architecture and
losses follow the paper's FB setting: z_dim 64, hidden 512, twin F heads, B scaled to norm
sqrt(z_dim), a Bellman residual on M with target networks, an orthonormality loss on B, soft
target updates. The greedy next action of the target is the best of `candidates` uniformly
drawn actions, the same rule `act` uses.
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from genreward.errors import GenRewardError


def _mlp(cin: int, hidden: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cin, hidden),
        nn.LayerNorm(hidden),
        nn.Tanh(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, cout),
    )


class ForwardBackward(ModelMixin, ConfigMixin):
    """F: (s, a, z) -> 2 x R^d (twin heads), s = psi(o) or the state; B: psi(o) -> R^d with
    norm sqrt(d).

    ``obs_dim``: psi's dimension; ``state_dim``: F reads the agent's state of that dimension
    instead of psi (None: F reads psi). F's input is called ``obs`` below.
    """

    @register_to_config
    def __init__(
        self,
        obs_dim: int,
        action_dim: int = 4,
        z_dim: int = 64,
        hidden: int = 512,
        embed: int = 256,
        state_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.obs_embed = nn.Sequential(
            nn.Linear(state_dim or obs_dim, embed), nn.LayerNorm(embed), nn.Tanh()
        )
        self.forward_heads = nn.ModuleList(
            [_mlp(embed + action_dim + z_dim, hidden, z_dim) for _ in range(2)]
        )
        self.backward_net = _mlp(obs_dim, hidden, z_dim)

    @property
    def forward_on_state(self) -> bool:
        """Whether F reads the agent's state (else psi, as B)."""
        return self.config.state_dim is not None

    def _check(self, x: torch.Tensor, forward: bool = False) -> None:
        on_state = forward and self.forward_on_state
        expected = self.config.state_dim if on_state else self.config.obs_dim
        if x.shape[-1] != expected:
            what, fix = ("states", "the env's states")
            if not on_state:
                what, fix = ("psi features", "the same feature encoder")
            raise GenRewardError(
                f"{what} have dimension {x.shape[-1]}, this FB model takes {expected}: use {fix}"
            )

    def forward_map(self, obs: torch.Tensor, action: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """F for both heads: ``[2, N, z_dim]``."""
        self._check(obs, forward=True)
        return self.forward_from_embedding(self.obs_embed(obs), action, z)

    def forward_from_embedding(
        self, embedding: torch.Tensor, action: torch.Tensor, z: torch.Tensor
    ) -> torch.Tensor:
        """F from ``obs_embed(obs)`` (so many actions of one observation embed it once)."""
        x = torch.cat([embedding, action, z], dim=-1)
        return torch.stack([head(x) for head in self.forward_heads])

    def backward_map(self, psi: torch.Tensor) -> torch.Tensor:
        """B, scaled to norm sqrt(z_dim): ``[N, z_dim]``."""
        self._check(psi)
        return math.sqrt(self.config.z_dim) * F.normalize(self.backward_net(psi), dim=-1)

    @torch.no_grad()
    def goal_embedding(self, goal_psi: torch.Tensor) -> torch.Tensor:
        """z = B(psi(I*)) for goal features ``[D]`` or ``[N, D]``."""
        return self.backward_map(goal_psi.reshape(-1, goal_psi.shape[-1]))

    @torch.no_grad()
    def goal_reward(
        self, obs: torch.Tensor, action: torch.Tensor, goal_psi: torch.Tensor
    ) -> torch.Tensor:
        """r_FB = F(s, a, z)^T z with z = B(psi(I*)) (mean of the twin heads): ``[N]``."""
        return self.reward_for_z(obs, action, self.goal_embedding(goal_psi))

    @torch.no_grad()
    def reward_for_z(
        self, obs: torch.Tensor, action: torch.Tensor, z: torch.Tensor
    ) -> torch.Tensor:
        """F(s, a, z)^T z for precomputed task vectors ``z [1, d]`` (one for all) or
        ``[N, d]`` (one per row): ``[N]``."""
        z = z.expand(len(obs), -1)
        return (self.forward_map(obs, action, z) * z).sum(-1).mean(0)

    @torch.no_grad()
    def act(
        self, obs: torch.Tensor, goal_psi: torch.Tensor, candidates: torch.Tensor
    ) -> torch.Tensor:
        """For each of F's observations ``obs [N, D]``, the candidate action ``[M, A]`` whose F
        aligns best with the goal's B (the paper's goal-driven action selection): ``[N, A]``."""
        z = self.goal_embedding(goal_psi)
        scores = _candidate_scores(
            self, obs, candidates.expand(len(obs), -1, -1), z.expand(len(obs), -1)
        )
        return candidates[scores.argmax(dim=1)]


def _candidate_scores(
    model: ForwardBackward, obs: torch.Tensor, candidates: torch.Tensor, z: torch.Tensor
) -> torch.Tensor:
    """min over heads of F(s, a_m, z)^T z for candidates ``[N, M, A]``: ``[N, M]``."""
    n, m, a = candidates.shape
    model._check(obs, forward=True)
    rep = lambda t: t[:, None].expand(-1, m, -1).reshape(n * m, -1)  # noqa: E731
    f = model.forward_from_embedding(
        rep(model.obs_embed(obs)), candidates.reshape(n * m, a), rep(z)
    )
    return (f * rep(z)).sum(-1).min(0).values.reshape(n, m)


class FBLearner:
    """Trains a `ForwardBackward` model on transitions (s, a, s') with psi(o') of the next
    frame (s = psi(o) where F reads psi)."""

    def __init__(
        self,
        model: ForwardBackward,
        *,
        lr: float = 1e-4,
        tau: float = 0.01,
        discount: float = 0.98,
        ortho_coef: float = 1.0,
        candidates: int = 16,
        goal_z_ratio: float = 0.5,
    ) -> None:
        self.model = model
        self.target = copy.deepcopy(model).requires_grad_(False)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        self.tau, self.discount, self.ortho_coef = tau, discount, ortho_coef
        self.candidates, self.goal_z_ratio = candidates, goal_z_ratio

    def state_dict(self) -> dict:
        """Model, target and optimiser state (for training snapshots)."""
        return {
            "model": self.model.state_dict(),
            "target": self.target.state_dict(),
            "optimizer": self.optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""
        self.model.load_state_dict(state["model"])
        self.target.load_state_dict(state["target"])
        self.optimizer.load_state_dict(state["optimizer"])

    def sample_z(self, next_psi: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Task vectors: Gaussian directions, and B of states in the batch (goal-like)."""
        n, d = len(next_psi), self.model.config.z_dim
        # Drawn on the generator's device (CPU), then moved: same numbers on CPU and CUDA.
        z = math.sqrt(d) * F.normalize(torch.randn(n, d, generator=generator), dim=-1)
        z = z.to(next_psi.device)
        goals = (torch.rand(n, generator=generator) < self.goal_z_ratio).to(next_psi.device)
        perm = torch.randperm(n, generator=generator).to(next_psi.device)
        with torch.no_grad():
            z[goals] = self.model.backward_map(next_psi[perm][goals]).to(z.dtype)
        return z

    def update(
        self,
        obs: torch.Tensor,
        action: torch.Tensor,
        next_obs: torch.Tensor,
        next_psi: torch.Tensor,
        generator: torch.Generator,
    ) -> dict[str, float]:
        """One gradient step on F's observations ``obs``, ``next_obs`` (psi or states) and
        B's ``next_psi``; returns the losses."""
        n, a = action.shape
        if n < 2:
            raise GenRewardError("FB updates need a batch of at least 2 transitions")
        device = obs.device
        z = self.sample_z(next_psi, generator)
        with torch.no_grad():
            cand = torch.rand(n, self.candidates, a, generator=generator).to(device) * 2 - 1
            best = _candidate_scores(self.target, next_obs, cand, z).argmax(dim=1)
            next_action = cand[torch.arange(n, device=device), best]
            # M per target head, then the pessimistic minimum over heads: [N, N].
            target_f = self.target.forward_map(next_obs, next_action, z)  # [2, N, d]
            target_m = (target_f @ self.target.backward_map(next_psi).T).min(0).values
        f = self.model.forward_map(obs, action, z)  # [2, N, d]
        b = self.model.backward_map(next_psi)  # [N, d]
        m = f @ b.T  # [2, N, N]
        off = ~torch.eye(n, dtype=torch.bool, device=device)
        fb_offdiag = 0.5 * (m - self.discount * target_m)[:, off].pow(2).mean()
        fb_diag = -m.diagonal(dim1=1, dim2=2).mean()
        cov = b @ b.T
        ortho = cov[off].pow(2).mean() - 2 * cov.diagonal().mean()
        loss = fb_offdiag + fb_diag + self.ortho_coef * ortho
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            for p, tp in zip(self.model.parameters(), self.target.parameters(), strict=True):
                tp.lerp_(p, self.tau)
        fb_offdiag, fb_diag, ortho, loss = (t.detach() for t in (fb_offdiag, fb_diag, ortho, loss))
        return {
            "fb_loss": float(fb_offdiag + fb_diag),
            "fb_offdiag": float(fb_offdiag),
            "fb_diag": float(fb_diag),
            "ortho_loss": float(ortho),
            "loss": float(loss),
        }
