"""Snapshots are checksummed: a changed file is refused, a kill between the manifest and the
snapshot's rename is survived."""

import json

import pytest
import torch

from genreward.errors import GenRewardError
from genreward.rl.snapshot import load_snapshot, save_snapshot


def test_snapshot_checksum(tmp_path):
    path = tmp_path / "checkpoint" / "snapshot.pt"
    save_snapshot(path, {"x": torch.arange(4)})
    save_snapshot(path, {"x": torch.arange(8)})
    assert load_snapshot(path)["x"].tolist() == list(range(8))
    manifest = tmp_path / "checkpoint" / "manifest.json"
    recorded = json.loads(manifest.read_text())
    # Killed after the manifest of a next snapshot was written, before it replaced this one.
    manifest.write_text(json.dumps({"sha256": "0" * 64, "previous": recorded["sha256"]}))
    assert load_snapshot(path)["x"].tolist() == list(range(8))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(GenRewardError, match="changed since it was written"):
        load_snapshot(path)
    manifest.write_text("{}")
    with pytest.raises(GenRewardError, match="unreadable"):
        load_snapshot(path)
