"""GenReward's combined reward: r = r_env + the weighted bonus terms (paper Eq. 10:
alpha * r_video + beta * r_FB, or automatically scaled; see `genreward.rewards.scale`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genreward.errors import GenRewardError
from genreward.rewards.scale import RewardScaler, Scale

EnvReward = Literal["dense", "sparse", "none"]
TERMS = ("r_env", "r_video", "r_fb", "r_progress", "r_video_weighted", "r_fb_weighted")
TERMS += ("r_progress_weighted", "r_total")


@dataclass
class GenRewardConfig:
    """Weights and schedule of the reward terms (defaults: the paper's, with the bonuses
    scaled automatically; `scale="paper"` for the paper's fixed weights)."""

    alpha: float = 0.01
    """Weight of the video-level reward."""
    beta: float = 1e-5
    """Weight of the forward-backward frame-level reward."""
    env_reward: EnvReward = "dense"
    """Env term: Meta-World's shaped reward ("dense"), 1 on success ("sparse"), or "none"."""
    interval: int = 128
    """Env steps between video-level rewards (each scores the last `interval` frames)."""
    frames: int = 16
    """Frames the agent window and the goal video are subsampled to."""
    video_mode: Literal["paper", "change"] = "paper"
    """Video reward form: the paper's raw cosine, or the cosine of changes from the first frame."""
    video_at_episode_end: bool = False
    """Score the whole episode once at its end instead of every `interval` steps."""
    fb_every: int = 1
    """Give the FB reward on every `fb_every`-th step (1: every step)."""
    scale: Scale = "auto"
    """Bonus weighting: "auto" (each bonus standardised by running statistics of its values,
    scaled to the env term's: `genreward.rewards.scale`), or "paper": `alpha` and `beta` (the
    bonuses then about 1e-4 of the dense env reward)."""
    auto_weight: float = 1.0
    """With scale "auto": the bonus's scale relative to the env term's (or a unit reward)."""

    def scaler(self) -> RewardScaler:
        """A fresh `RewardScaler` with this config's weighting."""
        return RewardScaler(
            self.scale,
            env_reward=self.env_reward,
            alpha=self.alpha,
            beta=self.beta,
            weight=self.auto_weight,
        )

    def video_kwargs(self) -> dict:
        """The `VideoLevelReward` settings this config implies."""
        return {
            "interval": self.interval,
            "frames": self.frames,
            "mode": self.video_mode,
            "at_episode_end": self.video_at_episode_end,
        }

    def __post_init__(self) -> None:
        if self.env_reward not in ("dense", "sparse", "none"):
            raise GenRewardError(
                f"env_reward must be dense, sparse or none, got {self.env_reward!r}"
            )
        if self.fb_every < 1 or self.interval < 1:
            raise GenRewardError("fb_every and interval must be positive")


def env_term(dense: float, success: bool, kind: EnvReward) -> float:
    """The environment's share of the reward."""
    if kind == "dense":
        return float(dense)
    if kind == "sparse":
        return float(success)
    return 0.0


def combine(
    env: float, bonuses: dict[str, float], scaler: RewardScaler
) -> tuple[float, dict[str, float]]:
    """Total reward and its components for one step; `bonuses` holds the value of each bonus
    term in use ("r_video", "r_fb", "r_progress"; 0 on steps where it is not given, as the
    trainer stores it). With the auto scale the values first join the running statistics."""
    if scaler.scale == "auto":
        scaler.observe({"r_env": [env], **{k: [v] for k, v in bonuses.items()}})
    weighted = scaler.weighted(bonuses)
    total = env + float(sum(weighted.values()))
    return total, {
        "r_env": env,
        "r_video": float(bonuses.get("r_video", 0.0)),
        "r_fb": float(bonuses.get("r_fb", 0.0)),
        "r_progress": float(bonuses.get("r_progress", 0.0)),
        "r_video_weighted": float(weighted.get("r_video", 0.0)),
        "r_fb_weighted": float(weighted.get("r_fb", 0.0)),
        "r_progress_weighted": float(weighted.get("r_progress", 0.0)),
        "r_total": total,
    }
