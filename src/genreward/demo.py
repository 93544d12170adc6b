"""`genreward demo`: the main job on the shipped defaults, resumable.

For one task: generate the goal videos with the shipped model, select their goal frames, train a
GenReward agent and an env-reward-only agent for a short budget, and write the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genreward.rl.config import TrainConfig


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
    """Output folder: runs/ (one folder per agent) and report/ (index.html)."""
    device: str = "cpu"
    """Torch device."""


def run_config(demo: DemoConfig, reward: str) -> TrainConfig:
    """The training config of one of the demo's agents."""
    return TrainConfig(
        task=demo.task,
        reward=reward,  # type: ignore[arg-type]
        steps=demo.steps,
        seed=demo.seed,
        run_dir=demo.out / "runs" / f"{demo.task}_{reward}_seed{demo.seed}",
        eval_every=max(demo.steps // 10, 1),
        checkpoint_every=max(demo.steps // 6, 1),
        device=demo.device,
    )


def run_demo(demo: DemoConfig) -> Path:
    """Train both agents (resuming or skipping finished ones) and report; returns the page."""
    from genreward.report.make import make_report
    from genreward.rl.run_dir import run_finished
    from genreward.rl.trainer import continue_run

    for reward in ("genreward", "env"):
        config = run_config(demo, reward)
        folder = Path(config.run_dir)
        if run_finished(config):
            print(f"{reward}: finished earlier in {folder}")
            continue
        print(f"{reward}: training {demo.steps} steps on {demo.task} -> {folder}")
        continue_run(config)
    runs = [Path(run_config(demo, reward).run_dir) for reward in ("genreward", "env")]
    return make_report(runs, demo.out / "report")
