"""Configuration of `genreward train-video` (kept free of heavy imports for the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from genreward.errors import GenRewardError


@dataclass
class TrainVideoConfig:
    """Train a goal-video model from scratch, or finetune one (--init) on a domain dataset."""

    data: list[Path] = field(default_factory=lambda: [Path("data/demos")])
    """Dataset directories written by `genreward collect`."""
    out: Path = Path("models/goal_video")
    """Output model folder (a GoalVideoPipeline)."""
    init: Path | None = None
    """Finetune this trained model folder instead of training from scratch."""
    tasks: str | None = None
    """Comma-separated tasks to train on (default: every task in the data)."""
    lora_rank: int = 0
    """With --init: LoRA rank of the adapter to train (0: finetune all denoiser weights)."""
    num_frames: int = 16
    """K, frames per generated video."""
    autoencoder_steps: int = 1500
    """Autoencoder training steps (from scratch only)."""
    autoencoder_batch: int = 32
    """Autoencoder batch size (frames)."""
    steps: int = 3000
    """Denoiser training steps."""
    batch_size: int = 8
    """Denoiser batch size (clips)."""
    lr: float = 3e-4
    """Peak learning rate of the denoiser (cosine schedule with warmup)."""
    channels: tuple[int, int, int] = (48, 96, 144)
    """Denoiser U-Net widths (from scratch only)."""
    text_dropout: float = 0.1
    """Probability of training a clip without its text (enables classifier-free guidance)."""
    checkpoint_every: int = 250
    """Steps between training checkpoints."""
    resume: bool = False
    """Continue an interrupted run in --out from its last checkpoint."""
    seed: int = 0
    """Seed of initialisation, batches and noise."""
    mixed_precision: Literal["bf16", "no"] = "bf16"
    """"bf16" autocast or "no"."""
    device: str = "cpu"
    """Torch device."""
    progress: bool = True
    """Show progress bars."""

    def __post_init__(self) -> None:
        from genreward.validate import SEED_RANGE, check_device, check_folders, check_ranges

        check_device(self.device)
        check_folders(self, "out")
        if any(c < 8 or c % 8 for c in self.channels):  # GroupNorm(8) and 4 attention heads
            widths = " ".join(map(str, self.channels))
            raise GenRewardError(f"--channels must be positive multiples of 8, got {widths}")
        check_ranges(
            self,
            {
                "seed": SEED_RANGE,
                "lora_rank": "[0, inf)",
                "num_frames": "[2, inf)",
                "autoencoder_steps": "[0, inf)",
                "autoencoder_batch": "[1, inf)",
                "steps": "[1, inf)",
                "batch_size": "[1, inf)",
                "lr": "(0, inf)",
                "text_dropout": "[0, 1]",
                "checkpoint_every": "[1, inf)",
            },
        )
