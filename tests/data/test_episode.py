import json
import shutil
import zipfile

import numpy as np
import pytest

from genreward.data import DatasetError, Episode, load_dataset, load_episode, save_episode


def make_episode(steps=5, size=16):
    rng = np.random.default_rng(0)
    return Episode(
        frames=rng.integers(0, 255, (steps + 1, size, size, 3), dtype=np.uint8),
        actions=rng.uniform(-1, 1, (steps, 4)).astype(np.float32),
        states=rng.normal(size=(steps + 1, 39)).astype(np.float32),
        rewards=rng.uniform(0, 10, steps).astype(np.float32),
        success=np.arange(steps) >= steps - 2,
        meta={
            "task": "reach-v3",
            "text": "reach the goal position",
            "seed": 0,
            "camera": "corner",
            "size": size,
            "policy": "expert",
        },
    )


def test_round_trip_is_exact(tmp_path):
    episode = make_episode()
    save_episode(tmp_path / "e.npz", episode)
    loaded = load_episode(tmp_path / "e.npz")
    for name, array in episode.arrays().items():
        np.testing.assert_array_equal(getattr(loaded, name), array)
        assert getattr(loaded, name).dtype == array.dtype
    assert loaded.meta["task"] == "reach-v3" and loaded.meta["format_version"] == 1
    assert loaded.first_success == 3
    assert not list(tmp_path.glob(".*"))  # no temporary left behind


def _rewrite(path, **changes):
    """Rewrite an episode file with some arrays replaced, bypassing validation."""
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    np.savez_compressed(path, **arrays)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "e.npz"
    save_episode(path, make_episode())
    return path


def test_truncated_file(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="truncated or corrupted") as info:
        load_episode(saved)
    assert str(saved) in str(info.value)
    assert "genreward collect" in str(info.value)


def test_corrupted_bytes(saved):
    data = bytearray(saved.read_bytes())
    data[100:400] = bytes(300)
    saved.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="truncated or corrupted"):
        load_episode(saved)


def test_wrong_shape(saved):
    _rewrite(saved, frames=np.zeros((6, 16, 8, 3), np.uint8))
    with pytest.raises(
        DatasetError, match=r"'frames' has shape \(6, 16, 8, 3\), expected \(6, 16, 16, 3\)"
    ):
        load_episode(saved)


def test_wrong_dtype(saved):
    _rewrite(saved, frames=np.zeros((6, 16, 16, 3), np.float32))
    with pytest.raises(DatasetError, match="'frames' has dtype float32, expected uint8"):
        load_episode(saved)


def test_missing_array_and_bad_metadata(saved, tmp_path):
    with np.load(saved) as data:
        arrays = {k: data[k] for k in data.files if k != "rewards"}
    np.savez_compressed(tmp_path / "missing.npz", **arrays)
    with pytest.raises(DatasetError, match="missing arrays"):
        load_episode(tmp_path / "missing.npz")
    _rewrite(saved, meta=np.array("{not json"))
    with pytest.raises(DatasetError, match="metadata is not valid JSON"):
        load_episode(saved)


def test_non_finite_values(saved):
    states = np.zeros((6, 39), np.float32)
    states[2, 5] = np.nan
    _rewrite(saved, states=states)
    with pytest.raises(DatasetError, match="'states' contains NaN"):
        load_episode(saved)


def test_saving_an_invalid_episode_is_refused_and_leaves_nothing(tmp_path):
    episode = make_episode()
    episode.actions = episode.actions.astype(np.float64)
    with pytest.raises(DatasetError, match="'actions' has dtype float64"):
        save_episode(tmp_path / "e.npz", episode)
    assert not list(tmp_path.iterdir())


def test_dataset_checks_index_and_checksums(small_dataset, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(small_dataset, root)
    assert len(load_dataset(root)) == 4
    victim = root / "reach-v3" / "seed_000001.npz"

    # A file changed behind the index's back: checksum mismatch, named.
    _rewrite(victim, rewards=np.zeros_like(load_episode(victim).rewards))
    with pytest.raises(DatasetError, match="checksum does not match") as info:
        load_dataset(root)
    assert "seed_000001.npz" in str(info.value)

    victim.unlink()
    with pytest.raises(DatasetError, match=r"listed in index\.jsonl but missing"):
        load_dataset(root)

    index = root / "index.jsonl"
    lines = index.read_text().splitlines()
    index.write_text("\n".join([lines[0], "{broken", *lines[2:]]) + "\n")
    with pytest.raises(DatasetError, match="line 2 is not a valid episode record"):
        load_dataset(root)

    with pytest.raises(DatasetError, match="dataset index not found"):
        load_dataset(tmp_path)


def test_index_record_must_match_the_file(small_dataset, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(small_dataset, root)
    index = root / "index.jsonl"
    records = [json.loads(line) for line in index.read_text().splitlines()]
    records[0]["seed"] = 99
    index.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(DatasetError, match="seed: index says 99"):
        load_dataset(root)


def test_header_check_reads_shapes_without_decompressing(saved):
    from genreward.data.episode import read_header

    shapes, dtypes, meta = read_header(saved)
    assert shapes["frames"] == (6, 16, 16, 3) and dtypes["success"] == np.bool_
    assert meta["size"] == 16
    assert zipfile.is_zipfile(saved)


def test_dataset_errors_cross_process_boundaries():
    import pickle

    err = pickle.loads(pickle.dumps(DatasetError("x.npz", "truncated", "re-collect it")))
    assert str(err) == "x.npz: truncated. re-collect it" and err.problem == "truncated"
