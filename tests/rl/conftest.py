"""Tiny training budgets for the `genreward train` tests, and goals generated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

# A few hundred steps, 64-step episodes, 2 placements: each run takes seconds.
TINY = [
    "--episode-steps", "64", "--placements", "2", "--learning-starts", "64",
    "--batch-size", "32", "--eval-every", "128", "--eval-episodes", "2", "--gif-episodes", "1",
    "--checkpoint-every", "128", "--log-every", "64", "--interval", "32", "--frames", "8",
    "--no-progress",
]  # fmt: skip


@pytest.fixture(scope="session")
def goals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Goal videos of drawer-open placements 0 and 1 from the shipped model."""
    out = tmp_path_factory.mktemp("goals") / "drawer-open"
    done = run_cli("generate", "--task", "drawer-open", "--seed", "0,1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def train(run_dir: Path, *args: str, timeout: float = 300):
    """`genreward train` on drawer-open with the tiny budget."""
    return run_cli(
        "train", "--task", "drawer-open", "--run-dir", str(run_dir), *TINY, *args, timeout=timeout
    )
