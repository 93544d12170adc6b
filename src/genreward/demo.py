"""`genreward demo`: the main job on the shipped defaults, resumable.

For one task: generate the goal videos with the shipped model, select their goal frames, train a
GenReward agent and an env-reward-only agent side by side (a two-run `genreward sweep`, one
core each), and write the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genreward.rl.config import TrainConfig
from genreward.sweep import SweepConfig


@dataclass
class DemoConfig:
    """Train GenReward and env-reward-only agents on one task and write the report."""

    task: str = "reach"
    """Meta-World task (reach: the default learner solves it within the demo's budget)."""
    steps: int = 30_720
    """Env steps per agent (120 episodes of 256 steps)."""
    seed: int = 0
    """Seed of both agents."""
    out: Path = Path("outputs/demo")
    """Output folder: goals/, runs/<task>/ (one folder per agent) and report/ (index.html)."""
    device: str = "cpu"
    """Torch device."""

    def __post_init__(self) -> None:
        from genreward.envs.tasks import resolve_task
        from genreward.validate import SEED_RANGE, check_device, check_folders, check_ranges

        check_device(self.device)
        resolve_task(self.task)
        check_folders(self, "out")
        check_ranges(self, {"steps": "[1, inf)", "seed": SEED_RANGE})


def sweep_config(demo: DemoConfig) -> SweepConfig:
    """The demo as a sweep: GenReward and the env reward alone, dense env reward, one seed."""
    return SweepConfig(
        tasks=demo.task,
        rewards="genreward,env",  # the longer run first
        env_reward="dense",
        seeds=str(demo.seed),
        steps=demo.steps,
        out=demo.out,
        train=TrainConfig(
            eval_every=max(demo.steps // 10, 1),
            checkpoint_every=max(demo.steps // 6, 1),
            device=demo.device,
        ),
    )


def run_demo(demo: DemoConfig) -> Path:
    """Train both agents (resuming or skipping finished ones) and report; returns the page."""
    from genreward.sweep import run_sweep

    return run_sweep(sweep_config(demo))
