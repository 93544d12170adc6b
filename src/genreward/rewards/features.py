"""psi(o): frame features for the forward-backward model.

Default: the frozen autoencoder's latents of the goal-video model, flattened. Alternative:
DINOv2 (or DINOv3) image features through transformers ``AutoModel`` (the paper uses DINOv3
ViT-S/16+), from a local folder or a hub id.
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from genreward.errors import GenRewardError
from genreward.video.autoencoder import AutoencoderVideoEncoder

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class AutoencoderFeatures:
    """psi(o) = flattened autoencoder latent of the frame: ``float32 [N, C*h*w]``."""

    def __init__(self, encoder: AutoencoderVideoEncoder) -> None:
        self.encoder = encoder
        self.dim = int(np.prod(encoder.autoencoder.latent_shape))

    def __call__(self, frames: np.ndarray) -> torch.Tensor:
        """``uint8 [N, H, W, 3]`` frames to features ``[N, dim]`` on the encoder's device."""
        return self.encoder.encode(frames).flatten(1)


class DinoFeatures:
    """psi(o) = the [CLS] embedding of a DINOv2/DINOv3 backbone: ``float32 [N, hidden]``."""

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        image_size: int = 224,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        device: str | torch.device = "cpu",
    ) -> None:
        self.model = model.to(device).eval()
        self.device = torch.device(device)
        self.image_size = image_size
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)
        self.dim = int(model.config.hidden_size)

    @classmethod
    def from_pretrained(
        cls, model: str | os.PathLike, device: str | torch.device = "cpu", image_size: int = 224
    ) -> DinoFeatures:
        """Load a DINO backbone (folder or hub id, e.g. facebook/dinov2-small)."""
        from transformers import AutoModel

        try:
            network = AutoModel.from_pretrained(model)
        except OSError as exc:
            raise GenRewardError(f"cannot load the DINO model {model!s}: {exc}") from exc
        return cls(network, image_size=image_size, device=device)

    @torch.no_grad()
    def __call__(self, frames: np.ndarray) -> torch.Tensor:
        """``uint8 [N, H, W, 3]`` frames to features ``[N, hidden]`` on the model's device."""
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
            raise GenRewardError(
                f"expected frames uint8 [N, H, W, 3], got {frames.dtype} {frames.shape}"
            )
        x = torch.as_tensor(frames).permute(0, 3, 1, 2).float() / 255.0
        x = F.interpolate(
            x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False
        )
        x = ((x - self.mean) / self.std).to(self.device)
        return self.model(pixel_values=x).last_hidden_state[:, 0].float()
