import numpy as np
import pytest
import torch
from transformers import Dinov2Config, Dinov2Model

from genreward.errors import GenRewardError
from genreward.rewards.features import AutoencoderFeatures, DinoFeatures
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder

FRAMES = np.random.default_rng(0).integers(0, 255, (3, 32, 32, 3), dtype=np.uint8)


def test_autoencoder_features_are_flat_latents():
    torch.manual_seed(0)
    features = AutoencoderFeatures(
        AutoencoderVideoEncoder(FrameAutoencoder(channels=(8, 8, 8), frame_size=32))
    )
    psi = features(FRAMES)
    assert psi.shape == (3, features.dim) and features.dim == 4 * 8 * 8


def test_dinov2_from_a_tiny_random_config(tmp_path):
    torch.manual_seed(0)
    config = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
        image_size=28,
        patch_size=14,
    )
    Dinov2Model(config).save_pretrained(tmp_path)
    features = DinoFeatures.from_pretrained(tmp_path, image_size=28)
    psi = features(FRAMES)
    assert psi.shape == (3, 32) and features.dim == 32 and torch.isfinite(psi).all()
    torch.testing.assert_close(psi[1:2], features(FRAMES[1:2]))
    with pytest.raises(GenRewardError, match="uint8"):
        features(FRAMES.astype(np.float32))
    with pytest.raises(GenRewardError, match="cannot load the DINO model"):
        DinoFeatures.from_pretrained(tmp_path / "missing")
