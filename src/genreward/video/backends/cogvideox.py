"""CogVideoX backend: diffusers' image-to-video pipeline and 3D causal VAE for the goal-video stage.

`CogVideoXGoalVideoGenerator` has the call contract of `GoalVideoPipeline.__call__` and
`CogVideoXVideoEncoder` that of `AutoencoderVideoEncoder.encode`, so a pretrained (optionally
LoRA-finetuned) CogVideoX model, e.g. ``THUDM/CogVideoX-5b-I2V``, can stand in for the small CPU
model. The real weights need a GPU (run them in bfloat16).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import AutoencoderKLCogVideoX, CogVideoXImageToVideoPipeline

from genreward.errors import GenRewardError
from genreward.video.autoencoder import frames_to_tensor
from genreward.video.pipeline import batch_inputs

LORA_ADAPTER = "goal_video"
_LOAD_ERRORS = (OSError, ValueError, RuntimeError, TypeError, KeyError, ImportError)


def _source(model: str | os.PathLike) -> str:
    """`model` as an existing local path, or as a hub id when it cannot be a local path."""
    path = Path(model).expanduser()
    if path.exists():
        return str(path)
    text = str(model)
    # Only "org/name" can be a hub id; anything else is a mistyped path, and sending it to the
    # hub would just wait on the network before failing.
    if path.is_absolute() or text.startswith((".", "~")) or text.count("/") != 1:
        raise GenRewardError(
            f"{model}: no such file or folder; pass a local diffusers CogVideoX folder or a hub "
            "id such as THUDM/CogVideoX-5b-I2V"
        )
    return text


def _load(loader: Any, source: str, what: str, **kwargs: Any) -> Any:
    try:
        return loader(source, **kwargs)
    except _LOAD_ERRORS as exc:
        raise GenRewardError(
            f"{source}: cannot load {what} ({type(exc).__name__}: {exc}); check that the path or "
            "hub id is right, the files are complete, and (for a hub id) the hub is reachable"
        ) from exc


def _resize(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """float ``[N, 3, H, W]`` to ``[N, 3, *size]`` (bilinear, antialiased when shrinking)."""
    if tuple(images.shape[-2:]) == tuple(size):
        return images
    return F.interpolate(images, size=size, mode="bilinear", antialias=True, align_corners=False)


class CogVideoXGoalVideoGenerator:
    """Goal videos ``uint8 [K, H, W, 3]`` from a first frame and a task text, with CogVideoX I2V.

    Frames are generated at ``height x width`` (default: the transformer's training resolution)
    and resized from and back to the size of the given first frame.
    """

    def __init__(
        self,
        pipe: CogVideoXImageToVideoPipeline,
        *,
        num_frames: int = 49,
        num_inference_steps: int = 50,
        guidance_scale: float = 6.0,
        height: int | None = None,
        width: int | None = None,
    ) -> None:
        config = pipe.transformer.config
        if config.in_channels != 2 * pipe.vae.config.latent_channels:
            raise GenRewardError(
                "not an image-to-video CogVideoX model (its transformer does not take the first "
                "frame's latents); use an I2V checkpoint such as THUDM/CogVideoX-5b-I2V"
            )
        for module in pipe.components.values():
            if isinstance(module, torch.nn.Module):
                module.eval()  # freshly built models are in train mode: dropout breaks seeding
        self.pipe = pipe
        pipe.set_progress_bar_config(disable=True)
        self.height = height or config.sample_height * pipe.vae_scale_factor_spatial
        self.width = width or config.sample_width * pipe.vae_scale_factor_spatial
        if self.height % 8 or self.width % 8:
            raise GenRewardError(
                f"CogVideoX generates at multiples of 8 pixels, got {self.height}x{self.width}"
            )
        self._check_num_frames(num_frames)
        self._num_frames = num_frames
        self.num_inference_steps = num_inference_steps
        self.guidance_scale = guidance_scale

    @classmethod
    def from_pretrained(
        cls,
        model: str | os.PathLike,
        *,
        lora: str | os.PathLike | None = None,
        lora_scale: float = 1.0,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        num_frames: int = 49,
        num_inference_steps: int = 50,
        guidance_scale: float = 6.0,
        height: int | None = None,
        width: int | None = None,
    ) -> CogVideoXGoalVideoGenerator:
        """Load a diffusers CogVideoX I2V pipeline folder or hub id, plus an optional LoRA
        (a folder or ``.safetensors`` file saved by ``save_lora_weights``) at `lora_scale`."""
        source = _source(model)
        if Path(source).exists() and not (Path(source) / "model_index.json").is_file():
            raise GenRewardError(
                f"{source}: no model_index.json; not a diffusers pipeline folder (save one with "
                "CogVideoXImageToVideoPipeline.save_pretrained or download e.g. "
                "THUDM/CogVideoX-5b-I2V)"
            )
        pipe = _load(
            CogVideoXImageToVideoPipeline.from_pretrained,
            source,
            "a CogVideoX pipeline",
            dtype=dtype,
        )
        if lora is not None:
            lora_source = Path(_source(lora))
            kwargs = {"weight_name": lora_source.name} if lora_source.is_file() else {}
            where = str(lora_source.parent if lora_source.is_file() else lora_source)
            _load(pipe.load_lora_weights, where, "the LoRA", adapter_name=LORA_ADAPTER, **kwargs)
            pipe.set_adapters(LORA_ADAPTER, lora_scale)
        return cls(
            pipe.to(device),
            num_frames=num_frames,
            num_inference_steps=num_inference_steps,
            guidance_scale=guidance_scale,
            height=height,
            width=width,
        )

    @property
    def num_frames(self) -> int:
        """K, the frames of a generated video."""
        return self._num_frames

    @property
    def frame_size(self) -> int | None:
        """Side of the square frames generated without resizing; None if not square."""
        return self.height if self.height == self.width else None

    def _check_num_frames(self, num_frames: int) -> None:
        # The VAE decodes latents in chunks of 2 and only a chunk with the causal first frame
        # keeps it un-upsampled, so only 1 + 8k frames (9, 17, ..., 49) come out as many as asked.
        step = self.pipe.vae_scale_factor_temporal * self.pipe.vae.num_latent_frames_batch_size
        if num_frames < 1 or (num_frames - 1) % step:
            raise GenRewardError(
                f"CogVideoX makes 1 + a multiple of {step} frames (e.g. {1 + 6 * step}), "
                f"got num_frames={num_frames}"
            )

    @torch.no_grad()
    def __call__(
        self,
        first_frame: np.ndarray,
        text: str | list[str],
        seed: int | list[int] = 0,
        *,
        num_frames: int | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
    ) -> np.ndarray:
        """Goal video(s) for ``first_frame uint8 [H, W, 3]`` (or a batch ``[B, H, W, 3]``).

        Returns ``uint8 [K, H, W, 3]`` (or ``[B, K, H, W, 3]``); frame 0 is the given frame.
        `text` and `seed` may be one value or one per batch element; each seed has its own
        generator, so a sample depends only on its own frame, text and seed.
        """
        frames, texts, seeds, single = batch_inputs(first_frame, text, seed)
        batch = len(frames)
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise GenRewardError(f"every task text must be a non-empty string, got {texts!r}")
        num_frames = num_frames or self.num_frames
        self._check_num_frames(num_frames)
        # diffusers takes tensor images in [0, 1]
        image = frames_to_tensor(frames).add(1).div(2)
        video = self.pipe(
            image=_resize(image, (self.height, self.width)),
            prompt=texts,
            height=self.height,
            width=self.width,
            num_frames=num_frames,
            num_inference_steps=num_inference_steps or self.num_inference_steps,
            guidance_scale=self.guidance_scale if guidance_scale is None else guidance_scale,
            generator=[torch.Generator().manual_seed(int(s)) for s in seeds],
            max_sequence_length=self.pipe.transformer.config.max_text_seq_length,
            output_type="pt",
        ).frames  # [B, K, 3, h, w] in [0, 1]
        video = _resize(video.flatten(0, 1).float(), frames.shape[1:3])
        video = video.unflatten(0, (batch, num_frames)).clamp(0, 1).mul(255).round()
        out = video.to(torch.uint8).movedim(-3, -1).cpu().numpy()
        out[:, 0] = frames
        return out[0] if single else out


class CogVideoXVideoEncoder:
    """CogVideoX's 3D causal VAE behind the video-encoder interface: uint8 videos in, latents out.

    The VAE keeps the first frame and compresses the rest 4x in time, so T frames give
    ``T' = (T - 1) // 4 + 1`` latent frames; space shrinks 8x for the released models.
    """

    def __init__(self, vae: AutoencoderKLCogVideoX, frame_size: int | None = None) -> None:
        self.vae = vae.eval()
        self._frame_size = frame_size

    @classmethod
    def from_pretrained(
        cls,
        model: str | os.PathLike,
        *,
        subfolder: str | None = None,
        frame_size: int | None = None,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> CogVideoXVideoEncoder:
        """Load the VAE from a VAE folder, a full pipeline folder (its ``vae/``) or a hub id.

        `subfolder` None means: the folder itself if it holds ``config.json``, else ``vae``.
        """
        source = _source(model)
        path = Path(source)
        if subfolder is None and not (path / "config.json").is_file():
            subfolder = "vae"
        if path.exists() and not (path / (subfolder or "") / "config.json").is_file():
            raise GenRewardError(
                f"{source}: no {Path(subfolder or '', 'config.json')}; not a CogVideoX VAE "
                "folder nor a pipeline folder with a vae/ subfolder"
            )
        vae = _load(
            AutoencoderKLCogVideoX.from_pretrained,
            source,
            "a CogVideoX VAE",
            subfolder=subfolder,
            dtype=dtype,
        )
        return cls(vae.to(device), frame_size)

    @property
    def frame_size(self) -> int | None:
        """Side of the square frames this encoder insists on; None takes any size."""
        return self._frame_size

    @torch.no_grad()
    def encode(self, frames: np.ndarray | torch.Tensor) -> torch.Tensor:
        """``uint8 [T, H, W, 3]`` (or ``[B, T, H, W, 3]``) to ``float32 [T', C, h, w]``
        (or ``[B, T', C, h, w]``) latents on the VAE's device.

        Deterministic (the posterior's mode) and scaled like the pipeline's image latents, i.e.
        as the CogVideoX transformer sees them.
        """
        x = frames_to_tensor(frames, self.frame_size)
        if x.ndim not in (4, 5) or 0 in x.shape[:-3]:
            raise GenRewardError(
                "expected a non-empty video uint8 [T, H, W, 3] or a batch [B, T, H, W, 3], "
                f"got shape {tuple(x.movedim(-3, -1).shape)}"
            )
        single = x.ndim == 4
        videos = x[None] if single else x
        latents = []
        for video in videos:  # one at a time: 3D VAE activations are large
            v = video.transpose(0, 1)[None].to(self.vae.device, self.vae.dtype)  # [1, 3, T, H, W]
            latents.append(self.vae.encode(v).latent_dist.mode()[0].transpose(0, 1).float())
        z = torch.stack(latents)
        scale = self.vae.config.scaling_factor
        # Some checkpoints were trained with inverted scaling; match the pipeline's convention.
        z = z / scale if self.vae.config.invert_scale_latents else z * scale
        if not torch.isfinite(z).all():
            raise GenRewardError(
                "the VAE produced NaN/inf latents; run it in float32 or bfloat16, not float16"
            )
        return z[0] if single else z
