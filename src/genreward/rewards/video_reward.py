"""The video-level reward (paper Eq. 5): cosine similarity between the video encoder's latents
of the agent's recent frames and of the goal video.

Two forms: ``"paper"`` compares the flattened latents as they are; ``"change"`` first subtracts
each clip's own first-frame latent, so the static scene, which dominates the raw cosine, cancels
and what is compared is how the scene changed (see DESIGN.md, "Known scientific risks").
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np
import torch

from genreward.data.goal_video import check_goal_frames
from genreward.errors import GenRewardError

Mode = Literal["paper", "change"]


class VideoEncoder(Protocol):
    """What the reward needs from a video encoder (our autoencoder, CogVideoX's VAE)."""

    @property
    def frame_size(self) -> int | None: ...

    def encode(self, frames: np.ndarray) -> torch.Tensor: ...


def subsample(length: int, count: int) -> np.ndarray:
    """`count` indices evenly spaced over ``range(length)``, first and last included."""
    return np.linspace(0, length - 1, count).round().astype(int)


class VideoLevelReward:
    """r_video = cos(E(agent window), E(goal video)) (paper Eq. 5).

    The goal video is subsampled to `frames` and encoded once; an agent window (its last
    `interval` frames, or a whole episode with `at_episode_end`) is subsampled the same way.
    Per-episode bookkeeping lives in `VideoWindow`, so one reward serves many envs and their
    windows are encoded in one batch (`score_many`).
    """

    def __init__(
        self,
        encoder: VideoEncoder,
        goal_video: np.ndarray,
        *,
        interval: int = 128,
        frames: int = 16,
        mode: Mode = "paper",
        at_episode_end: bool = False,
    ) -> None:
        check_goal_frames(goal_video)
        if mode not in ("paper", "change"):
            raise GenRewardError(f"video reward mode must be 'paper' or 'change', got {mode!r}")
        if frames < 2 or interval < frames:
            raise GenRewardError(
                f"need 2 <= frames <= interval, got frames={frames}, interval={interval}"
            )
        size = encoder.frame_size
        if size is not None and goal_video.shape[1:3] != (size, size):
            raise GenRewardError(
                f"goal video frames are {goal_video.shape[1]}x"
                f"{goal_video.shape[2]}, the video encoder takes {size}x{size}"
            )
        self.encoder = encoder
        self.interval, self.frames, self.mode = interval, frames, mode
        self.at_episode_end = at_episode_end
        self.goal_latent = self.embed_many([goal_video])[0]

    def embed_many(self, videos: list[np.ndarray]) -> torch.Tensor:
        """Flattened latents ``[len(videos), D]`` of videos ``uint8 [T, H, W, 3]``, each
        subsampled to `frames`, encoded in one batch."""
        clips = []
        for video in videos:
            if video.ndim != 4 or len(video) < 2:
                raise GenRewardError(f"expected a video uint8 [T>=2, H, W, 3], got {video.shape}")
            clips.append(video[subsample(len(video), self.frames)])
        return self.embed_latents(self.encoder.encode(np.stack(clips)))

    def embed_latents(self, latents: torch.Tensor) -> torch.Tensor:
        """What the cosine compares, from the encoder's latents ``[B, frames, C, h, w]`` of
        already subsampled clips: ``[B, D]``."""
        latents = latents.float()
        if self.mode == "change":
            latents = latents - latents[:, :1]
        return latents.flatten(1)

    def score_many(self, videos: list[np.ndarray]) -> list[float]:
        """The reward of each agent video against the goal."""
        if not videos:
            return []
        return self._cosine(self.embed_many(videos))

    def score_latents(self, latents: torch.Tensor) -> list[float]:
        """The reward of each window from its frames' cached latents ``[B, frames, C, h, w]``
        (frames encoded once, for psi and this reward alike)."""
        return self._cosine(self.embed_latents(latents)) if len(latents) else []

    def _cosine(self, embedded: torch.Tensor) -> list[float]:
        goal = self.goal_latent[None].to(embedded.device)
        return torch.nn.functional.cosine_similarity(embedded, goal, dim=1).tolist()

    def score(self, video: np.ndarray) -> float:
        """The reward of one agent video ``uint8 [T, H, W, 3]``."""
        return self.score_many([video])[0]

    def window(self) -> VideoWindow:
        """Fresh per-episode state for one env."""
        return VideoWindow(self.interval, self.frames, self.at_episode_end)


class VideoWindow:
    """One env's frames for the video reward; keeps only the frames a window will use.

    A "frame" is whatever the caller pushes for a step: the image itself, or its index in a
    cache of the episode's frames (the trainer's, so each frame is encoded once).
    """

    def __init__(self, interval: int, frames: int, at_episode_end: bool) -> None:
        self.interval, self.at_episode_end = interval, at_episode_end
        self._keep = set(subsample(interval, frames).tolist())
        self.reset()

    def reset(self, first_frame: np.ndarray | None = None) -> None:
        """Start an episode; in episode-end mode the reset frame opens the window."""
        self._step = 0
        self._frames: list[np.ndarray] = []
        if self.at_episode_end and first_frame is not None:
            self._frames.append(first_frame)

    def needs_frame(self) -> bool:
        """Whether the frame after the next env step is used (render only then)."""
        return self.at_episode_end or (self._step % self.interval) in self._keep

    def push(self, frame: np.ndarray | None, done: bool = False) -> np.ndarray | None:
        """Record the frame after an env step (None when `needs_frame()` was False). Returns the
        window ``uint8 [frames, H, W, 3]`` when one completes (every `interval` steps, or at the
        episode's end in episode-end mode), else None."""
        if self.needs_frame():
            if frame is None:
                raise GenRewardError("the video reward needs this step's frame; render it")
            self._frames.append(frame)
        self._step += 1
        complete = (
            (done and len(self._frames) >= 2)
            if self.at_episode_end
            else (self._step % self.interval == 0)
        )
        if not complete:
            return None
        window, self._frames = np.stack(self._frames), []
        return window
