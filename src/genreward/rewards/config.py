"""Configuration of `genreward train-fb` (kept free of heavy imports for the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass
class TrainFBConfig:
    """Train the forward-backward model offline on episodes (expert demos + random rollouts)."""

    data: list[Path] = field(default_factory=lambda: [Path("data/demos")])
    """Dataset directories written by `genreward collect` (any policy)."""
    out: Path = Path("models/fb")
    """Output folder: the FB model (config.json + safetensors) and features.json."""
    video_model: Path | None = None
    """Goal-video model whose autoencoder gives psi(o) (default: the shipped model)."""
    tasks: str | None = None
    """Comma-separated tasks to train on (default: every task in the data)."""
    steps: int = 3000
    """Gradient steps."""
    batch_size: int = 256
    """Transitions per step."""
    z_dim: int = 64
    """Dimension of z, F and B."""
    hidden: int = 512
    """Hidden width of the F and B networks."""
    lr: float = 1e-4
    """Adam learning rate."""
    discount: float = 0.98
    """Discount of the successor measure."""
    forward_input: Literal["state", "psi"] = "state"
    """What F reads: the agent's state (the episodes' states; B reads psi of frames, so a
    reward needs a frame only for the goal), or psi like B (the paper's pixel agent)."""
    seed: int = 0
    """Seed of initialisation and batches."""
    progress: bool = True
    """Show a progress bar."""

    def __post_init__(self) -> None:
        from genreward.validate import SEED_RANGE, check_folders, check_inputs, check_ranges

        check_folders(self, "out")
        check_inputs(self, "video_model")
        check_ranges(
            self,
            {
                "steps": "[1, inf)",
                "seed": SEED_RANGE,
                "batch_size": "[2, inf)",
                "z_dim": "[1, inf)",
                "hidden": "[1, inf)",
                "lr": "(0, inf)",
                "discount": "(0, 1)",
            },
        )
