"""A small training loop over HF accelerate: EMA, bf16 autocast, atomic checkpoints, resume.

The same loop scales to several GPUs or machines under ``accelerate launch``; here it runs on
the CPU. Batches are drawn from a generator seeded by (seed, step), so a resumed run draws the
same batches as one that was never interrupted.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from diffusers.optimization import get_scheduler
from diffusers.training_utils import EMAModel
from tqdm import tqdm

from genreward.data.atomic import atomic_write_text
from genreward.errors import GenRewardError


@dataclass
class LoopConfig:
    """Optimisation settings shared by the autoencoder and the denoiser."""

    steps: int
    batch_size: int
    lr: float
    warmup: int = 100
    ema_decay: float | None = 0.999
    checkpoint_every: int = 250
    seed: int = 0
    mixed_precision: str = "bf16"
    device: str = "cpu"


class _Counter:
    """The step counter, checkpointed with the rest of the state."""

    def __init__(self) -> None:
        self.step = 0

    def state_dict(self) -> dict:
        return {"step": self.step}

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])


LossFn = Callable[[torch.nn.Module, np.random.Generator, torch.Generator], torch.Tensor]


class Trainer:
    """Optimises `model`'s trainable parameters with AdamW + cosine schedule (+ EMA)."""

    def __init__(
        self, model: torch.nn.Module, config: LoopConfig, checkpoint_dir: Path, name: str
    ) -> None:
        self.config = config
        self.name = name
        self.checkpoint_dir = Path(checkpoint_dir)
        self.accelerator = Accelerator(
            mixed_precision=config.mixed_precision if config.mixed_precision != "no" else "no",
            cpu=config.device == "cpu",
            log_with="tensorboard",
            project_dir=str(self.checkpoint_dir.parent / "logs"),  # TensorBoard: logs/<name>
        )
        self.accelerator.init_trackers(name)
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise GenRewardError(f"{name}: the model has no trainable parameters")
        optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
        # accelerate steps a prepared scheduler once per process: stretch it to match.
        procs = self.accelerator.num_processes
        schedule = get_scheduler(
            "cosine",
            optimizer,
            num_warmup_steps=config.warmup * procs,
            num_training_steps=config.steps * procs,
        )
        self.model, self.optimizer, self.schedule = self.accelerator.prepare(
            model, optimizer, schedule
        )
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.ema = EMAModel(self.params, decay=config.ema_decay) if config.ema_decay else None
        if self.ema is not None:
            self.accelerator.register_for_checkpointing(self.ema)
        self.counter = _Counter()
        self.accelerator.register_for_checkpointing(self.counter)

    # CHECKPOINTS
    def _latest_file(self) -> Path:
        return self.checkpoint_dir / f"{self.name}-latest"

    def save_checkpoint(self) -> Path:
        """Write the full training state atomically; keep only the newest checkpoint."""
        final = self.checkpoint_dir / f"{self.name}-step-{self.counter.step:07d}"
        tmp = self.checkpoint_dir / f".{final.name}.tmp"
        main = self.accelerator.is_main_process  # only one process moves files
        self.accelerator.wait_for_everyone()
        if main:
            shutil.rmtree(tmp, ignore_errors=True)
        self.accelerator.save_state(str(tmp))
        self.accelerator.wait_for_everyone()
        if main:
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            latest = self._latest_file()
            previous = latest.read_text().strip() if latest.exists() else ""
            atomic_write_text(latest, final.name)
            if previous and previous != final.name:
                shutil.rmtree(self.checkpoint_dir / previous, ignore_errors=True)
        self.accelerator.wait_for_everyone()
        return final

    def resume(self) -> bool:
        """Load the newest checkpoint of this run, if any; True when one was loaded."""
        if not self._latest_file().exists():
            return False
        path = self.checkpoint_dir / self._latest_file().read_text().strip()
        try:
            self.accelerator.load_state(str(path))
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            raise GenRewardError(
                f"cannot resume from {path}: {exc}. Delete the checkpoint directory to start over."
            ) from exc
        return True

    # TRAINING LOOP
    def fit(self, loss_fn: LossFn, progress: bool = True) -> list[float]:
        """Run until `config.steps`; `loss_fn(model, rng, torch_rng)` returns a scalar loss."""
        cfg = self.config
        losses: list[float] = []
        bar = tqdm(
            total=cfg.steps,
            initial=self.counter.step,
            desc=self.name,
            unit="step",
            disable=not progress,
            dynamic_ncols=True,
        )
        smooth = None
        while self.counter.step < cfg.steps:
            step = self.counter.step
            # Each process draws its own batches; process 0's are those of a one-process run.
            rank = self.accelerator.process_index
            rng = np.random.default_rng([cfg.seed, step] + ([rank] if rank else []))
            torch_rng = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step + rank * 7919)
            self.model.train()
            with self.accelerator.autocast():
                loss = loss_fn(self.model, rng, torch_rng)
            self.accelerator.backward(loss)
            self.accelerator.clip_grad_norm_(self.params, 1.0)
            self.optimizer.step()
            self.schedule.step()
            self.optimizer.zero_grad(set_to_none=True)
            if self.ema is not None:
                self.ema.step(self.params)
            self.counter.step += 1
            value = float(loss.detach())
            losses.append(value)
            smooth = value if smooth is None else 0.98 * smooth + 0.02 * value
            self.accelerator.log(
                {f"{self.name}/loss": value, f"{self.name}/lr": self.schedule.get_last_lr()[0]},
                step=self.counter.step,
            )
            bar.update(1)
            bar.set_postfix(loss=f"{smooth:.4f}")
            if self.counter.step % cfg.checkpoint_every == 0 or self.counter.step == cfg.steps:
                self.save_checkpoint()
        bar.close()
        self.accelerator.end_training()
        return losses

    def final_model(self) -> torch.nn.Module:
        """The trained model, with EMA weights copied in when EMA is on."""
        model = self.accelerator.unwrap_model(self.model)
        if self.ema is not None:
            self.ema.copy_to([p for p in model.parameters() if p.requires_grad])
        return model.float().eval()
