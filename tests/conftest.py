"""Shared fixtures: a small expert dataset recorded once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genreward.data.collect import collect
from genreward.threads import set_threads

# One thread per process, as every genreward command (GENREWARD_THREADS overrides): the suite
# then runs beside a training without either oversubscribing the cores.
set_threads()

SMALL = {"size": 32, "max_steps": 200, "extra_steps": 3}


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tasks x 2 expert episodes at 32x32 (read-only for tests)."""
    root = tmp_path_factory.mktemp("demos")
    collect(root, "reach,button-press", 2, workers=1, progress=False, **SMALL)
    return root


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the `genreward` console script in a subprocess, as a user would."""
    exe = Path(sys.executable).with_name("genreward")
    return subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
