"""The frame autoencoder: "the diffusion model's video encoder" of the CPU default.

64x64 RGB frames map to ``latent_channels x 16 x 16`` latents (4x downsampling), scaled to unit
variance by ``scaling_factor`` so the diffusion model sees well-conditioned inputs. A video is
encoded frame by frame: latents ``float32 [T, C, h, w]``.
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from genreward.errors import GenRewardError


class ResBlock(nn.Module):
    """Pre-norm residual block of two 3x3 convolutions."""

    def __init__(self, channels: int, groups: int = 8) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.GroupNorm(groups, channels),
            nn.SiLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.GroupNorm(groups, channels),
            nn.SiLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class FrameAutoencoder(ModelMixin, ConfigMixin):
    """Convolutional autoencoder with two stride-2 stages (frame size / 4 latents)."""

    @register_to_config
    def __init__(
        self,
        channels: tuple[int, int, int] = (32, 64, 128),
        latent_channels: int = 4,
        frame_size: int = 64,
        scaling_factor: float = 1.0,
    ) -> None:
        super().__init__()
        c1, c2, c3 = channels
        self.encoder = nn.Sequential(
            nn.Conv2d(3, c1, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(c1, c2, 4, stride=2, padding=1),
            ResBlock(c2),
            nn.Conv2d(c2, c3, 4, stride=2, padding=1),
            ResBlock(c3),
            nn.GroupNorm(8, c3),
            nn.SiLU(),
            nn.Conv2d(c3, latent_channels, 1),
        )
        self.decoder = nn.Sequential(
            nn.Conv2d(latent_channels, c3, 3, padding=1),
            ResBlock(c3),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(c3, c2, 3, padding=1),
            ResBlock(c2),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(c2, c1, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(c1, 3, 3, padding=1),
        )

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        """(C, h, w) of one frame's latent."""
        side = self.config.frame_size // 4
        return (self.config.latent_channels, side, side)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``[N, 3, H, W]`` in [-1, 1] to scaled latents ``[N, C, H/4, W/4]``."""
        return self.encoder(x) * self.config.scaling_factor

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled latents to images in (about) [-1, 1]."""
        return self.decoder(z / self.config.scaling_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def frames_to_tensor(frames: np.ndarray | torch.Tensor, size: int | None = None) -> torch.Tensor:
    """``uint8 [..., H, W, 3]`` frames to float ``[..., 3, H, W]`` in [-1, 1]; checks the input."""
    frames = torch.as_tensor(frames)
    if frames.dtype != torch.uint8 or frames.ndim < 3 or frames.shape[-1] != 3:
        raise GenRewardError(
            f"expected frames uint8 [..., H, W, 3], got {frames.dtype} {tuple(frames.shape)}"
        )
    if size is not None and tuple(frames.shape[-3:-1]) != (size, size):
        raise GenRewardError(
            f"expected {size}x{size} frames, got "
            f"{frames.shape[-3]}x{frames.shape[-2]}: render or resize to {size}"
        )
    return frames.movedim(-1, -3).float().div(127.5).sub(1.0)


def tensor_to_frames(images: torch.Tensor) -> np.ndarray:
    """float ``[..., 3, H, W]`` in [-1, 1] to ``uint8 [..., H, W, 3]``."""
    images = images.detach().float().clamp(-1, 1).add(1).mul(127.5).round()
    return images.to(torch.uint8).movedim(-3, -1).cpu().numpy()


class AutoencoderVideoEncoder:
    """`FrameAutoencoder` behind the video-encoder interface: uint8 videos in, latents out.

    Encodes under bf16 autocast by default (`mixed_precision="no"` for float32): on this
    project's CPU that makes encoding a frame about 1.6x faster; decoding stays float32.
    """

    def __init__(
        self, autoencoder: FrameAutoencoder, batch_size: int = 256, mixed_precision: str = "bf16"
    ) -> None:
        self.autoencoder = autoencoder.eval()
        self.batch_size = batch_size
        self.mixed_precision = mixed_precision

    def _autocast(self) -> torch.autocast:
        return torch.autocast(
            self.autoencoder.device.type,
            dtype=torch.bfloat16,
            enabled=self.mixed_precision == "bf16",
        )

    @property
    def frame_size(self) -> int:
        """Side of the square frames this encoder takes."""
        return int(self.autoencoder.config.frame_size)

    @torch.no_grad()
    def encode(self, frames: np.ndarray | torch.Tensor) -> torch.Tensor:
        """``uint8 [..., T, H, W, 3]`` to latents ``float32 [..., T, C, h, w]`` (deterministic)."""
        x = frames_to_tensor(frames, self.frame_size)
        lead = x.shape[:-3]
        flat = x.reshape(-1, *x.shape[-3:])
        device = self.autoencoder.device
        with self._autocast():
            out = [
                self.autoencoder.encode(chunk.to(device)).float()
                for chunk in flat.split(self.batch_size)
            ]
        return torch.cat(out).reshape(*lead, *self.autoencoder.latent_shape)

    @torch.no_grad()
    def decode(self, latents: torch.Tensor) -> np.ndarray:
        """Latents ``[..., C, h, w]`` back to ``uint8 [..., H, W, 3]`` frames."""
        lead = latents.shape[:-3]
        flat = latents.reshape(-1, *latents.shape[-3:]).to(self.autoencoder.device)
        images = torch.cat([self.autoencoder.decode(c) for c in flat.split(self.batch_size)])
        return tensor_to_frames(images.reshape(*lead, *images.shape[-3:]))
