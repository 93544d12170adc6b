"""Training snapshots: one atomic ``torch.save`` of tensors and plain values, loaded with
``weights_only=True`` (no pickled objects), plus the random states a resumed run needs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

from genreward.data.atomic import atomic_path, atomic_write_text, sha256_file
from genreward.errors import GenRewardError

SNAPSHOT_FILE = "snapshot.pt"
MANIFEST = "manifest.json"
FORMAT = 4  # 3: batched twin critics and observation statistics; 4: reward-term statistics
READABLE = (3, 4)  # format 3 lacks the reward-term statistics (runs on the paper's weights)


def _manifest(path: Path) -> Path:
    return path.with_name(MANIFEST)


def _recorded(path: Path) -> list[str]:
    """The sha256 the manifest beside `path` accepts: the snapshot's, and the one before it
    (a kill between writing the manifest and renaming the snapshot leaves the older one)."""
    try:
        manifest = json.loads(_manifest(path).read_text())
        return [str(manifest["sha256"]), str(manifest.get("previous"))]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise GenRewardError(
            f"{_manifest(path)}: unreadable ({exc}); delete {path.parent} to restart the run "
            "from scratch"
        ) from exc


def save_snapshot(path: Path, state: dict) -> None:
    """Write `state` to `path` atomically (a killed write leaves the previous snapshot), and
    its sha256 to the manifest beside it, checked on load."""
    with atomic_path(path) as tmp:
        torch.save({"format": FORMAT, **state}, tmp)
        previous = _recorded(path)[0] if _manifest(path).is_file() else None
        manifest = {"sha256": sha256_file(tmp), "previous": previous}
        atomic_write_text(_manifest(path), json.dumps(manifest, indent=2))


def load_snapshot(path: Path) -> dict:
    """Read a snapshot, refusing changed or unreadable files and other formats with a clear
    error (snapshots written before manifests existed are not checksummed)."""
    if _manifest(path).is_file() and sha256_file(path) not in _recorded(path):
        raise GenRewardError(
            f"{path}: changed since it was written (sha256 differs from {MANIFEST}); delete "
            f"{path.parent} to restart the run from scratch"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load raises many types on damaged files
        raise GenRewardError(
            f"{path}: unreadable snapshot ({exc}); delete it to restart the run from scratch"
        ) from exc
    if not isinstance(state, dict) or state.get("format") not in READABLE:
        raise GenRewardError(
            f"{path}: not a genreward training snapshot of format {FORMAT}; use another --run-dir"
        )
    return state


def random_states(
    rng: np.random.Generator, generator: torch.Generator, device: torch.device
) -> dict:
    """The numpy, torch (and the run's CUDA device) and FB-batch random states."""
    states = {
        "numpy": rng.bit_generator.state,
        "torch": torch.get_rng_state(),
        "generator": generator.get_state(),
    }
    if device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(device)
    return states


def restore_random_states(
    states: dict, rng: np.random.Generator, generator: torch.Generator, device: torch.device
) -> None:
    """Put back what `random_states` captured."""
    rng.bit_generator.state = states["numpy"]
    torch.set_rng_state(states["torch"])
    generator.set_state(states["generator"])
    if device.type == "cuda" and "cuda" in states:
        torch.cuda.set_rng_state(states["cuda"], device)


def snapshot_path(run_dir: str | os.PathLike) -> Path:
    return Path(run_dir) / "checkpoint" / SNAPSHOT_FILE
