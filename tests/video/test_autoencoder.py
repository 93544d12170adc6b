import numpy as np
import pytest
import torch

from genreward.errors import GenRewardError
from genreward.video.autoencoder import (
    AutoencoderVideoEncoder,
    FrameAutoencoder,
    frames_to_tensor,
    tensor_to_frames,
)


def test_encode_shapes_batching_and_determinism():
    torch.manual_seed(0)
    encoder = AutoencoderVideoEncoder(
        FrameAutoencoder(channels=(8, 8, 8), frame_size=32), batch_size=3
    )
    video = np.random.default_rng(0).integers(0, 255, (2, 5, 32, 32, 3), dtype=np.uint8)
    latents = encoder.encode(video)
    assert latents.shape == (2, 5, 4, 8, 8) and latents.dtype == torch.float32
    torch.testing.assert_close(latents, encoder.encode(video))
    torch.testing.assert_close(latents[1], encoder.encode(video[1]))  # batching is invisible
    assert encoder.decode(latents).shape == video.shape


def test_pixel_conversion_round_trip():
    frames = np.random.default_rng(1).integers(0, 255, (3, 8, 8, 3), dtype=np.uint8)
    x = frames_to_tensor(frames)
    assert x.shape == (3, 3, 8, 8) and x.min() >= -1 and x.max() <= 1
    np.testing.assert_array_equal(tensor_to_frames(x), frames)


def test_bad_frames_are_rejected():
    encoder = AutoencoderVideoEncoder(FrameAutoencoder(channels=(8, 8, 8), frame_size=32))
    with pytest.raises(GenRewardError, match="expected 32x32 frames, got 64x64"):
        encoder.encode(np.zeros((2, 64, 64, 3), np.uint8))
    with pytest.raises(GenRewardError, match="uint8"):
        encoder.encode(np.zeros((2, 32, 32, 3), np.float32))
    with pytest.raises(GenRewardError, match="uint8"):
        encoder.encode(np.zeros((2, 32, 32, 4), np.uint8))
