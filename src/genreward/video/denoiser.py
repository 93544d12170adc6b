"""The goal-video denoiser: a small (2+1)D U-Net over frame latents.

It predicts v (v-parameterisation) for a noisy K-frame latent video, given the diffusion
timestep, the first frame's latent (concatenated to every frame) and a text embedding (added to
the timestep embedding; a zero text embedding is the unconditional branch used for
classifier-free guidance). Spatial layers run per frame; temporal convolutions and attention
mix frames at every resolution.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.embeddings import get_timestep_embedding
from diffusers.models.modeling_utils import ModelMixin
from torch import nn


class ResBlock(nn.Module):
    """Per-frame residual block, scaled and shifted by the conditioning embedding."""

    def __init__(self, cin: int, cout: int, emb_dim: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.film = nn.Linear(emb_dim, 2 * cout)
        self.norm2, self.conv2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        # x: [B*K, C, h, w]; emb: [B*K, E]
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(F.silu(emb))[..., None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        return self.skip(x) + self.conv2(F.silu(h))


class TemporalMix(nn.Module):
    """Mixes frames at each pixel: a temporal convolution, optionally temporal self-attention."""

    def __init__(self, channels: int, num_frames: int, attention: bool, heads: int = 4) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.conv = nn.Conv1d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)
        self.attention = attention
        if attention:
            self.frame_pos = nn.Parameter(torch.zeros(1, num_frames, channels))
            self.attn_norm = nn.LayerNorm(channels)
            self.attn = nn.MultiheadAttention(channels, heads, batch_first=True)

    def forward(self, x: torch.Tensor, frames: int) -> torch.Tensor:
        bk, c, h, w = x.shape
        b = bk // frames
        seq = x.reshape(b, frames, c, h * w).permute(0, 3, 2, 1).reshape(b * h * w, c, frames)
        seq = seq + self.conv(F.silu(self.norm(seq)))
        if self.attention:
            tokens = seq.transpose(1, 2) + self.frame_pos[:, :frames]
            q = self.attn_norm(tokens)
            seq = seq + self.attn(q, q, q, need_weights=False)[0].transpose(1, 2)
        return seq.reshape(b, h * w, c, frames).permute(0, 3, 2, 1).reshape(bk, c, h, w)


class Stage(nn.Module):
    """One U-Net resolution: residual block then temporal mixing."""

    def __init__(self, cin: int, cout: int, emb_dim: int, frames: int, attention: bool) -> None:
        super().__init__()
        self.res = ResBlock(cin, cout, emb_dim)
        self.temporal = TemporalMix(cout, frames, attention)

    def forward(self, x: torch.Tensor, emb: torch.Tensor, frames: int) -> torch.Tensor:
        return self.temporal(self.res(x, emb), frames)


class GoalVideoDenoiser(ModelMixin, ConfigMixin):
    """(2+1)D U-Net: ``sample [B, C, K, h, w]`` -> v prediction of the same shape."""

    @register_to_config
    def __init__(
        self,
        latent_channels: int = 4,
        channels: tuple[int, ...] = (64, 128, 192),
        temporal_attention: tuple[bool, ...] = (False, True, True),
        text_dim: int = 384,
        num_frames: int = 16,
        emb_dim: int = 256,
    ) -> None:
        super().__init__()
        self.time_mlp = nn.Sequential(
            nn.Linear(128, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)
        )
        self.text_mlp = nn.Sequential(
            nn.Linear(text_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)
        )
        self.conv_in = nn.Conv2d(2 * latent_channels, channels[0], 3, padding=1)
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        cin = channels[0]
        for i, (c, attn) in enumerate(zip(channels, temporal_attention, strict=True)):
            self.down.append(Stage(cin, c, emb_dim, num_frames, attn))
            last = i == len(channels) - 1
            self.downsample.append(
                nn.Identity() if last else nn.Conv2d(c, c, 3, stride=2, padding=1)
            )
            cin = c
        self.mid = Stage(cin, cin, emb_dim, num_frames, True)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(len(channels))):
            c = channels[i]
            self.up.append(Stage(cin + c, c, emb_dim, num_frames, temporal_attention[i]))
            self.upsample.append(nn.Upsample(scale_factor=2) if i > 0 else nn.Identity())
            cin = c
        self.norm_out = nn.GroupNorm(8, channels[0])
        self.conv_out = nn.Conv2d(channels[0], latent_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor,
        first_latent: torch.Tensor,
        text_embedding: torch.Tensor,
    ) -> torch.Tensor:
        """`sample` [B, C, K, h, w], `timestep` [B], `first_latent` [B, C, h, w],
        `text_embedding` [B, text_dim] (zeros for unconditional) -> [B, C, K, h, w]."""
        b, c, k, h, w = sample.shape
        cond = first_latent[:, :, None].expand(-1, -1, k, -1, -1)
        x = torch.cat([sample, cond], dim=1).transpose(1, 2).reshape(b * k, 2 * c, h, w)
        t = get_timestep_embedding(timestep.reshape(-1).expand(b), 128).to(x.dtype)
        emb = self.time_mlp(t) + self.text_mlp(text_embedding.to(x.dtype))
        emb = emb.repeat_interleave(k, dim=0)

        x = self.conv_in(x)
        skips = []
        for stage, down in zip(self.down, self.downsample, strict=True):
            x = stage(x, emb, k)
            skips.append(x)
            x = down(x)
        x = self.mid(x, emb, k)
        for stage, up in zip(self.up, self.upsample, strict=True):
            x = stage(torch.cat([x, skips.pop()], dim=1), emb, k)
            x = up(x)
        x = self.conv_out(F.silu(self.norm_out(x)))
        return x.reshape(b, k, c, h, w).transpose(1, 2)


def count_parameters(model: nn.Module) -> str:
    """Parameter count as a short string, e.g. "3.4M"."""
    n = sum(p.numel() for p in model.parameters())
    return f"{n / 1e6:.2f}M" if n >= 1e5 else f"{n / 1e3:.1f}k"
