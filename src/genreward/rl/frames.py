"""The frames of one training episode, each rendered once and encoded once.

psi (FB's features) and the video-level reward's window latents come from the same frame
autoencoder, so a frame's latent serves both. When the agent acts on psi (latent observations,
FB action selection) a frame is encoded as it arrives; otherwise all of the episode's frames
are encoded in one batch at its end, about 8x cheaper per frame on a CPU than one at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


class EpisodeFrames:
    """Frames by index (0: the reset frame, t + 1: the frame after step t; None where nothing
    needed it) and their features ``[D]`` (CPU), computed by `encode` (``uint8 [N, H, W, 3]``
    to ``[N, D]``) now (`online`) or in `encode_all`."""

    def __init__(self, encode: Callable[[np.ndarray], torch.Tensor], online: bool) -> None:
        self.encode, self.online = encode, online
        self.frames: list[np.ndarray | None] = []
        self.features: dict[int, torch.Tensor] = {}

    def add(self, frame: np.ndarray | None) -> int:
        """Keep the next frame (None: not rendered); returns its index."""
        self.frames.append(frame)
        index = len(self.frames) - 1
        if self.online and frame is not None:
            self.features[index] = self.encode(frame[None])[0].cpu()
        return index

    def encode_all(self) -> None:
        """Encode every kept frame that has no features yet, in one batch."""
        todo = [i for i, f in enumerate(self.frames) if f is not None and i not in self.features]
        if todo:
            encoded = self.encode(np.stack([self.frames[i] for i in todo])).cpu()
            self.features.update(zip(todo, encoded, strict=True))

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.features[index]

    def stack(self, indices: np.ndarray) -> torch.Tensor:
        """Features of several frames ``[len(indices), D]``."""
        return torch.stack([self.features[int(i)] for i in indices])
