"""How the reward terms are weighted: the paper's fixed weights, or automatic scaling.

``paper``: r = r_env + alpha * r_video + beta * r_FB (paper Eq. 10, alpha 0.01, beta 1e-5).
``auto``: each bonus term (r_video, r_FB, and r_progress, goal-video progress, which is not
the paper's) is standardised by running statistics of its own values (all stored
transitions, window steps without a video reward included, as they are stored) and their mean
is scaled to the env term: r = r_env + weight * s * mean_i((x_i - mu_i) / sigma_i), with s the
running standard deviation of the dense env reward, or 1 with a sparse or no env reward (the
bonus is then the main signal, at the scale of a unit reward, which SAC's automatic entropy
temperature is tuned against).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from genreward.errors import GenRewardError
from genreward.stats import merge_moments

Scale = Literal["paper", "auto"]
SCALES = ("paper", "auto")
BONUSES = ("r_video", "r_fb", "r_progress")
Values = torch.Tensor | np.ndarray


class RunningMoments:
    """Count, mean and variance of every value seen (`genreward.stats.merge_moments`)."""

    def __init__(self) -> None:
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def update(self, values: np.ndarray) -> None:
        values = np.asarray(values, np.float64).ravel()
        if len(values):
            count, mean, m2 = merge_moments(self.count, self.mean, self.m2, values)
            self.count, self.mean, self.m2 = int(count), float(mean), float(m2)

    @property
    def std(self) -> float:
        """Standard deviation (1 until two values differ, so nothing is divided by 0)."""
        std = np.sqrt(self.m2 / self.count) if self.count > 1 else 0.0
        return float(std) if std > 1e-8 else 1.0

    def state_dict(self) -> dict:
        return {"count": self.count, "mean": self.mean, "m2": self.m2}

    def load_state_dict(self, state: dict) -> None:
        self.count, self.mean, self.m2 = int(state["count"]), state["mean"], state["m2"]


class RewardScaler:
    """The bonus added to r_env from the stored terms r_video and r_FB (see the module doc)."""

    def __init__(
        self,
        scale: Scale = "paper",
        *,
        env_reward: str = "dense",
        alpha: float = 0.01,
        beta: float = 1e-5,
        weight: float = 1.0,
    ) -> None:
        if scale not in SCALES:
            raise GenRewardError(f"--reward-scale must be paper or auto, got {scale!r}")
        self.scale, self.env_reward = scale, env_reward
        self.weights = {"r_video": alpha, "r_fb": beta}
        self.weight = weight
        self.moments = {name: RunningMoments() for name in ("r_env", *BONUSES)}

    def observe(self, terms: dict[str, np.ndarray]) -> None:
        """Update the running statistics with stored transitions' terms (name: values)."""
        for name, values in terms.items():
            self.moments[name].update(values)

    def env_scale(self) -> float:
        """The env term's scale the auto bonus is matched to."""
        return self.moments["r_env"].std if self.env_reward == "dense" else 1.0

    def weighted(self, terms: dict[str, Values]) -> dict[str, Values]:
        """Each given bonus term as it is added to r_env (their sum is the bonus)."""
        present = [name for name in BONUSES if name in terms]
        if self.scale == "paper":
            if "r_progress" in present:
                raise GenRewardError("goal-video progress has no paper weight: use the auto scale")
            return {name: self.weights[name] * terms[name] for name in present}
        factor = self.weight * self.env_scale() / max(len(present), 1)
        return {
            name: factor * (terms[name] - self.moments[name].mean) / self.moments[name].std
            for name in present
        }

    def bonus(self, terms: dict[str, Values]) -> Values:
        """The bonus added to r_env for the given terms (those absent are not used)."""
        parts = self.weighted(terms)
        if not parts:
            raise GenRewardError("no bonus term to weight")
        return sum(parts.values())

    def state_dict(self) -> dict:
        return {name: m.state_dict() for name, m in self.moments.items()}

    def load_state_dict(self, state: dict) -> None:
        for name, moments in self.moments.items():
            moments.load_state_dict(state[name])


def combined_bonus(parts: dict[str, list[dict]], scale: Scale) -> list[dict]:
    """The trainer's bonus for recorded episodes (reward-quality benchmark): `parts` maps a
    term ("video_paper", "fb" or "fb_online", "progress") to per-episode dicts whose
    ``values`` are per-step values, the same episodes in the same order; the auto scale uses
    statistics of the whole set, with no env term (s = 1). Returns per-episode dicts with the
    bonus as ``values``."""
    names = {"video_paper": "r_video", "fb": "r_fb", "fb_online": "r_fb", "progress": "r_progress"}
    scaler = RewardScaler(scale, env_reward="none")
    for term, episodes in parts.items():
        scaler.observe({names[term]: np.concatenate([e["values"] for e in episodes])})
    first = next(iter(parts.values()))
    return [
        {**episode, "values": scaler.bonus({names[t]: parts[t][i]["values"] for t in parts})}
        for i, episode in enumerate(first)
    ]
