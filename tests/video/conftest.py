"""Tiny randomly initialised goal-video models, built in the test (no trained weights needed)."""

from __future__ import annotations

import pytest
import torch

from genreward.video.autoencoder import FrameAutoencoder
from genreward.video.denoiser import GoalVideoDenoiser
from genreward.video.pipeline import GoalVideoPipeline, training_scheduler
from genreward.video.text import TextEncoder


@pytest.fixture(scope="session")
def text_encoder() -> TextEncoder:
    return TextEncoder()


def tiny_pipeline(text_encoder: TextEncoder, frames: int = 4, seed: int = 0) -> GoalVideoPipeline:
    torch.manual_seed(seed)
    autoencoder = FrameAutoencoder(channels=(8, 8, 8), frame_size=32)
    denoiser = GoalVideoDenoiser(
        channels=(8, 16, 16), text_dim=text_encoder.dim, num_frames=frames, emb_dim=16
    )
    # Zero-initialised output layers would make every sample identical: randomise them.
    torch.nn.init.normal_(denoiser.conv_out.weight, std=0.1)
    return GoalVideoPipeline(
        autoencoder, denoiser, training_scheduler(), text_encoder, num_inference_steps=3
    )


@pytest.fixture
def pipeline(text_encoder: TextEncoder) -> GoalVideoPipeline:
    return tiny_pipeline(text_encoder)
