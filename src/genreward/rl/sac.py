"""Soft actor-critic (Haarnoja et al., 2018): tanh-Gaussian actor, twin critics with target
networks, learned temperature. Observations are vectors (states or frozen-encoder latents)."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


def mlp(cin: int, hidden: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(cin, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, cout),
    )


class Actor(nn.Module):
    """pi(a | s): a tanh-squashed Gaussian over actions in [-1, 1]."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: int) -> None:
        super().__init__()
        self.net = mlp(obs_dim, hidden, 2 * action_dim)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_std = self.net(obs).chunk(2, dim=-1)
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


class Critic(nn.Module):
    """Twin Q(s, a) heads: ``[2, N]``."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: int) -> None:
        super().__init__()
        self.heads = nn.ModuleList([mlp(obs_dim + action_dim, hidden, 1) for _ in range(2)])

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        x = torch.cat([obs, action], dim=-1)
        return torch.stack([head(x).squeeze(-1) for head in self.heads])


class SAC:
    """The agent: acting, one update from a batch, and its full state for snapshots."""

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        *,
        hidden: int = 256,
        lr: float = 3e-4,
        discount: float = 0.99,
        tau: float = 0.005,
        init_temperature: float = 0.1,
        device: str | torch.device = "cpu",
    ) -> None:
        self.device = torch.device(device)
        self.actor = Actor(obs_dim, action_dim, hidden).to(self.device)
        self.critic = Critic(obs_dim, action_dim, hidden).to(self.device)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.log_alpha = torch.tensor(float(np.log(init_temperature)), device=self.device)
        self.log_alpha.requires_grad_(True)
        self.target_entropy = -float(action_dim)
        self.discount, self.tau = discount, tau
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=lr)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=lr)

    @torch.no_grad()
    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Action ``float32 [A]`` for one observation (the mean when deterministic)."""
        x = torch.as_tensor(obs, dtype=torch.float32, device=self.device)[None]
        action = torch.tanh(self.actor(x)[0]) if deterministic else self.actor.sample(x)[0]
        return action[0].cpu().numpy()

    def update(
        self,
        obs: torch.Tensor,
        action: torch.Tensor,
        reward: torch.Tensor,
        next_obs: torch.Tensor,
        mask: torch.Tensor,
    ) -> dict[str, float]:
        """One critic, actor and temperature step on a batch; returns the losses."""
        alpha = self.log_alpha.exp().detach()
        with torch.no_grad():
            next_action, next_log_prob = self.actor.sample(next_obs)
            target_q = self.critic_target(next_obs, next_action).min(0).values
            target = reward + mask * self.discount * (target_q - alpha * next_log_prob)
        q = self.critic(obs, action)
        critic_loss = F.mse_loss(q, target.expand_as(q))
        self.critic_opt.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_opt.step()

        new_action, log_prob = self.actor.sample(obs)
        actor_q = self.critic(obs, new_action).min(0).values
        actor_loss = (alpha * log_prob - actor_q).mean()
        self.actor_opt.zero_grad(set_to_none=True)
        actor_loss.backward()
        self.actor_opt.step()

        alpha_loss = (self.log_alpha.exp() * (-log_prob.detach() - self.target_entropy)).mean()
        self.alpha_opt.zero_grad(set_to_none=True)
        alpha_loss.backward()
        self.alpha_opt.step()

        with torch.no_grad():
            for p, tp in zip(
                self.critic.parameters(), self.critic_target.parameters(), strict=True
            ):
                tp.lerp_(p, self.tau)
        return {
            "critic_loss": critic_loss.item(),
            "actor_loss": actor_loss.item(),
            "alpha": alpha.item(),
            "entropy": -log_prob.mean().item(),
            "q": q.mean().item(),
        }

    def state_dict(self) -> dict:
        """Networks, optimisers and temperature (for snapshots)."""
        return {
            "actor": self.actor.state_dict(),
            "critic": self.critic.state_dict(),
            "critic_target": self.critic_target.state_dict(),
            "log_alpha": self.log_alpha.detach().clone(),
            "actor_opt": self.actor_opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "alpha_opt": self.alpha_opt.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""
        self.actor.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        self.critic_target.load_state_dict(state["critic_target"])
        with torch.no_grad():
            self.log_alpha.copy_(state["log_alpha"])
        self.actor_opt.load_state_dict(state["actor_opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        self.alpha_opt.load_state_dict(state["alpha_opt"])
