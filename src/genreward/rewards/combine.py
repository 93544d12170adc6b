"""GenReward's combined reward (paper Eq. 10): r = r_env + alpha * r_video + beta * r_FB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genreward.errors import GenRewardError

EnvReward = Literal["dense", "sparse", "none"]


@dataclass
class GenRewardConfig:
    """Weights and schedule of the reward terms (defaults: the paper's)."""

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
    env: float, video: float | None, fb: float | None, config: GenRewardConfig
) -> tuple[float, dict[str, float]]:
    """Total reward and its components (absent terms count as 0 and are reported as 0)."""
    r_video = 0.0 if video is None else float(video)
    r_fb = 0.0 if fb is None else float(fb)
    total = env + config.alpha * r_video + config.beta * r_fb
    return total, {
        "r_env": env,
        "r_video": r_video,
        "r_fb": r_fb,
        "r_video_weighted": config.alpha * r_video,
        "r_fb_weighted": config.beta * r_fb,
        "r_total": total,
    }
