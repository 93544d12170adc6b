"""Soft actor-critic (Haarnoja et al., 2018): tanh-Gaussian actor, twin critics with target
networks, learned temperature. Observations are vectors (states or frozen-encoder latents).

Four settings (see `AGENTS`): the plain 2-hidden-layer MLPs of the original SAC;
SimBa/BRO-style networks (residual LayerNorm blocks over running-normalised observations) that
stay stable at a higher replay ratio (Lee et al., 2024; Nauman et al., 2024); CrossQ
(Bhatt et al., 2024): BatchNorm in actor and critics, no target critics, the actor and
temperature updated every third step; and TQC (Kuznetsov et al., 2020) on SimBa's networks:
critics that predict quantiles of the return, trained toward the pooled target quantiles
without the highest ones.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genreward.rl.agents import AGENTS, AgentSpec
from genreward.rl.networks import RunningNorm, ensemble_mlp

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


def n_step_return(
    rewards: torch.Tensor, steps: torch.Tensor, discount: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The discounted sum of each row of ``rewards`` ``[N, n]`` over its ``steps`` ``[N, n]``
    (a prefix of each row), and the extra discount of its bootstrap ``[N]`` relative to a
    one-step target: ``discount ** (steps - 1)``."""
    steps = steps.to(rewards.dtype)
    powers = discount ** torch.arange(rewards.shape[1], device=rewards.device, dtype=rewards.dtype)
    return (rewards * steps * powers).sum(-1), discount ** (steps.sum(-1) - 1)


class Actor(nn.Module):
    """pi(a | s): a tanh-squashed Gaussian over actions in [-1, 1]."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: int, spec: AgentSpec) -> None:
        super().__init__()
        self.net = ensemble_mlp(1, obs_dim, hidden, 2 * action_dim, spec.blocks, spec.batch_norm)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_std = self.net(obs)[0].chunk(2, dim=-1)
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (torch.tanh(log_std) + 1)
        return mean, log_std

    def sample(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A reparameterised action ``[N, A]`` and its log-probability ``[N]``."""
        mean, log_std = self(obs)
        std = log_std.exp()
        u = mean + std * torch.randn_like(mean)
        action = torch.tanh(u)
        log_prob = (-0.5 * ((u - mean) / std).pow(2) - log_std - 0.5 * np.log(2 * np.pi)).sum(-1)
        log_prob = log_prob - (2 * (np.log(2) - u - F.softplus(-2 * u))).sum(-1)
        return action, log_prob


def truncated_atoms(next_q: torch.Tensor, drop: int) -> torch.Tensor:
    """TQC's target atoms ``[N, E*Q - E*drop]``: the quantiles ``[E, N, Q]`` of all critics
    pooled and sorted, the ``drop`` highest per critic removed."""
    ensemble, n, quantiles = next_q.shape
    pooled = next_q.permute(1, 0, 2).reshape(n, ensemble * quantiles)
    return pooled.sort(dim=-1).values[:, : ensemble * (quantiles - drop)]


def quantile_huber_loss(q: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Quantile regression (Huber, kappa 1) of each critic's quantiles ``[E, N, Q]`` (at the
    midpoints (i + 0.5) / Q) toward target atoms ``[N, K]``: mean over all pairs."""
    quantiles = q.shape[-1]
    tau = (torch.arange(quantiles, device=q.device, dtype=q.dtype) + 0.5) / quantiles
    delta = target[None, :, None, :] - q[..., None]  # [E, N, Q, K]
    huber = F.huber_loss(delta, torch.zeros_like(delta), reduction="none", delta=1.0)
    return ((tau[:, None] - (delta < 0).to(q.dtype)).abs() * huber).mean()


class Critic(nn.Module):
    """Twin Q(s, a) heads, one batched ensemble: ``[2, N]``, or ``[2, N, Q]`` quantiles of
    the return (TQC)."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: int, spec: AgentSpec) -> None:
        super().__init__()
        out = max(spec.quantiles, 1)
        self.heads = ensemble_mlp(
            2, obs_dim + action_dim, hidden, out, spec.blocks, spec.batch_norm
        )
        self.quantiles = spec.quantiles

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        out = self.heads(torch.cat([obs, action], dim=-1))
        return out if self.quantiles else out.squeeze(-1)


class SAC:
    """The agent: acting, one update from a batch, and its full state for snapshots."""

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        *,
        spec: AgentSpec = AGENTS["sac"],
        hidden: int | None = None,
        lr: float | None = None,
        discount: float = 0.99,
        tau: float = 0.005,
        init_temperature: float = 0.1,
        target_entropy: float = -1.0,
        bf16: bool = False,
        device: str | torch.device = "cpu",
    ) -> None:
        self.device = torch.device(device)
        # Hidden layers in bfloat16 (4x the matmul rate on CPUs with AMX), outputs in float32.
        self.autocast = torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16)
        self.spec = spec
        self.obs_norm = RunningNorm(obs_dim, enabled=spec.normalize_obs).to(self.device)
        self.updates = 0
        self.actor_stats: dict[str, float] = {}
        self.target_entropy = target_entropy * action_dim
        self.discount, self.tau = discount, tau
        self._shape = (obs_dim, action_dim, hidden or spec.hidden)
        self._lr, self._init_temperature = lr or spec.lr, init_temperature
        self._build()

    def _build(self) -> None:
        """Fresh networks, temperature and optimisers (from torch's global RNG)."""
        obs_dim, action_dim, hidden = self._shape
        spec, lr = self.spec, self._lr
        # Eval mode except inside an update: BatchNorm (CrossQ) acts on running statistics.
        self.actor = Actor(obs_dim, action_dim, hidden, spec).to(self.device).eval()
        self.critic = Critic(obs_dim, action_dim, hidden, spec).to(self.device).eval()
        self.critic_target = None
        if not spec.batch_norm:
            self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.log_alpha = torch.tensor(float(np.log(self._init_temperature)), device=self.device)
        self.log_alpha.requires_grad_(True)
        # foreach: one kernel per step for all parameters (CPU defaults to a loop over them).
        betas = (spec.adam_beta1, 0.999)  # actor and critics; the temperature's stay Adam's
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr, betas, foreach=True)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr, betas, foreach=True)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=lr)

    def reset(self, seed: int) -> None:
        """Start actor, critics, temperature and optimisers afresh, initialised from ``seed``
        (torch's global RNG untouched); the observation statistics and update count stay.
        Periodic resets against the primacy bias (Nikishin et al., 2022; as in BRO)."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self._build()

    @torch.no_grad()
    def act(
        self, obs: np.ndarray, deterministic: bool = False, noise: np.ndarray | None = None
    ) -> np.ndarray:
        """Action ``float32 [A]`` for one observation: the mean when deterministic, else a
        sample, from ``noise`` ``[A]`` (standard normal marginals) where given."""
        x = self.obs_norm(torch.as_tensor(obs, dtype=torch.float32, device=self.device)[None])
        with self.autocast:
            if deterministic:
                action = torch.tanh(self.actor(x)[0])
            elif noise is not None:
                mean, log_std = self.actor(x)
                if np.shape(noise) != mean.shape[1:]:
                    raise ValueError(f"noise of shape {np.shape(noise)}, need {mean.shape[1:]}")
                eps = torch.as_tensor(noise, dtype=mean.dtype, device=self.device)
                action = torch.tanh(mean + log_std.exp() * eps)
            else:
                action = self.actor.sample(x)[0]
        return action[0].float().cpu().numpy()

    def observe(self, obs: np.ndarray) -> None:
        """Add an env observation ``[S]`` to the normalisation statistics (if the agent has
        them): call once per stored transition."""
        self.obs_norm.observe(torch.as_tensor(obs, device=self.device))

    def update(
        self,
        obs: torch.Tensor,
        action: torch.Tensor,
        reward: torch.Tensor,
        next_obs: torch.Tensor,
        mask: torch.Tensor,
    ) -> dict[str, float]:
        """One critic, actor and temperature step on a batch; returns the losses. ``mask``
        weighs the discounted bootstrap: 0 at a terminal, ``discount ** (n - 1)`` for an
        n-step ``reward`` (`n_step_return`)."""
        with self.autocast:
            return self._update(self.obs_norm(obs), action, reward, self.obs_norm(next_obs), mask)

    def _update(self, obs, action, reward, next_obs, mask) -> dict[str, float]:
        alpha = self.log_alpha.exp().detach()
        with torch.no_grad():
            next_action, next_log_prob = self.actor.sample(next_obs)
        q, next_q = self._q_and_next_q(obs, action, next_obs, next_action)
        if self.spec.quantiles:
            atoms = truncated_atoms(next_q, self.spec.drop_quantiles)
            soft = atoms - (alpha * next_log_prob)[:, None]
            critic_loss = quantile_huber_loss(
                q, reward[:, None] + (mask * self.discount)[:, None] * soft
            )
        else:
            target = reward + mask * self.discount * (next_q.min(0).values - alpha * next_log_prob)
            critic_loss = F.mse_loss(q, target.expand_as(q))
        self.critic_opt.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_opt.step()
        self.updates += 1
        if self.updates % self.spec.policy_delay == 0:
            self.actor_stats = self._update_actor_and_temperature(obs, alpha)

        if self.critic_target is not None:
            with torch.no_grad():
                online = list(self.critic.parameters())
                torch._foreach_lerp_(list(self.critic_target.parameters()), online, self.tau)
        return {"critic_loss": critic_loss.item(), "q": q.mean().item(), **self.actor_stats}

    def _q_and_next_q(self, obs, action, next_obs, next_action) -> tuple[torch.Tensor, ...]:
        """Q(s, a) ``[2, N]`` with gradient, and the bootstrap Q(s', a') ``[2, N]`` without:
        from the target critics, or (CrossQ) from one training-mode pass of the critics over
        both batches."""
        if self.critic_target is not None:
            with torch.no_grad():
                next_q = self.critic_target(next_obs, next_action)
            return self.critic(obs, action), next_q
        self.critic.train()
        both = self.critic(torch.cat([obs, next_obs]), torch.cat([action, next_action]))
        self.critic.eval()
        q, next_q = both.split(len(obs), dim=1)
        return q, next_q.detach()

    def _update_actor_and_temperature(self, obs: torch.Tensor, alpha: torch.Tensor) -> dict:
        self.actor.train()  # BatchNorm (CrossQ) on this batch; next actions came from eval mode
        new_action, log_prob = self.actor.sample(obs)
        self.actor.eval()
        q = self.critic(obs, new_action)
        # TQC: the mean of every quantile of both critics; SAC: the lower of the twin Qs.
        actor_q = q.mean((0, 2)) if self.spec.quantiles else q.min(0).values
        actor_loss = (alpha * log_prob - actor_q).mean()
        self.actor_opt.zero_grad(set_to_none=True)
        actor_loss.backward()
        self.actor_opt.step()

        alpha_loss = (self.log_alpha.exp() * (-log_prob.detach() - self.target_entropy)).mean()
        self.alpha_opt.zero_grad(set_to_none=True)
        alpha_loss.backward()
        self.alpha_opt.step()
        return {
            "actor_loss": actor_loss.item(),
            "alpha": alpha.item(),
            "entropy": -log_prob.mean().item(),
        }

    def state_dict(self) -> dict:
        """Networks, optimisers, temperature and update count (for snapshots)."""
        state = {
            "obs_norm": self.obs_norm.state_dict(),
            "actor": self.actor.state_dict(),
            "critic": self.critic.state_dict(),
            "log_alpha": self.log_alpha.detach().clone(),
            "actor_opt": self.actor_opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "alpha_opt": self.alpha_opt.state_dict(),
            "updates": self.updates,
            "actor_stats": dict(self.actor_stats),
        }
        if self.critic_target is not None:
            state["critic_target"] = self.critic_target.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""
        self.obs_norm.load_state_dict(state["obs_norm"])
        self.actor.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        if self.critic_target is not None:
            self.critic_target.load_state_dict(state["critic_target"])
        with torch.no_grad():
            self.log_alpha.copy_(state["log_alpha"])
        self.actor_opt.load_state_dict(state["actor_opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        self.alpha_opt.load_state_dict(state["alpha_opt"])
        # Snapshots from before the update count: every update also updated the actor.
        self.updates = state.get("updates", 0)
        self.actor_stats = state.get("actor_stats", {})
