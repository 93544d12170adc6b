"""EpisodeFrames: every kept frame encoded exactly once, as it arrives or in one batch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genreward.rl.frames import EpisodeFrames


class CountingEncoder:
    """Features = the mean pixel per frame; counts the frames it encoded and the calls."""

    def __init__(self) -> None:
        self.frames = self.calls = 0

    def __call__(self, frames: np.ndarray) -> torch.Tensor:
        self.frames += len(frames)
        self.calls += 1
        return torch.as_tensor(frames.reshape(len(frames), -1).mean(1, keepdims=True))


@pytest.mark.parametrize("online", [True, False])
def test_each_kept_frame_is_encoded_once(online: bool) -> None:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (4, 4, 3), dtype=np.uint8) for _ in range(5)]
    encoder = CountingEncoder()
    frames = EpisodeFrames(encoder, online)
    for i, image in enumerate(images):
        assert frames.add(None if i == 2 else image) == i
    assert (2 in frames.features) is False
    frames.encode_all()
    frames.encode_all()  # nothing left to encode
    assert encoder.frames == 4 and encoder.calls == (4 if online else 1)
    expected = torch.tensor([[img.mean()] for i, img in enumerate(images) if i != 2])
    torch.testing.assert_close(frames.stack(np.array([0, 1, 3, 4])), expected.double())
