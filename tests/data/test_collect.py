import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from genreward.data import load_dataset
from genreward.data.collect import collect
from genreward.errors import GenRewardError
from tests.conftest import SMALL


def test_collect_then_load_round_trip(small_dataset):
    dataset = load_dataset(small_dataset)
    assert dataset.tasks == ["button-press-v3", "reach-v3"]
    assert len(dataset) == 4
    for record, episode in zip(dataset.records, dataset, strict=True):
        assert episode.meta["task"] == record.task and episode.meta["seed"] == record.seed
        assert episode.frames.shape == (record.length + 1, 32, 32, 3)
        assert episode.states.shape == (record.length + 1, 39)
        assert record.success and episode.first_success == record.first_success
        assert episode.length == record.first_success + 1 + SMALL["extra_steps"]
        assert episode.meta["text"] in ("reach the goal position", "press the button")
    assert len(dataset.subset(tasks=["reach-v3"])) == 2


def test_seeds_reproduce_episodes_and_differ_across_seeds(small_dataset, tmp_path):
    collect(tmp_path, "reach", 2, workers=1, progress=False, **SMALL)
    again = load_dataset(tmp_path)
    before = load_dataset(small_dataset).subset(tasks=["reach-v3"])
    for a, b in zip(before, again, strict=True):
        for name, array in a.arrays().items():
            np.testing.assert_array_equal(array, getattr(b, name))
    seed0, seed1 = before[0], before[1]
    assert not np.allclose(seed0.states[0], seed1.states[0])


def test_parallel_workers_give_the_same_files_as_one(small_dataset, tmp_path):
    collect(tmp_path, "reach,button-press", 2, workers=2, progress=False, **SMALL)
    serial = {r.file: r.sha256 for r in load_dataset(small_dataset).records}
    parallel = {r.file: r.sha256 for r in load_dataset(tmp_path).records}
    assert serial == parallel


def test_other_settings_in_the_same_directory_are_refused(small_dataset, tmp_path):
    import shutil

    root = tmp_path / "d"
    shutil.copytree(small_dataset, root)
    with pytest.raises(GenRewardError, match="collected with other settings: size=32"):
        collect(root, "reach", 2, workers=1, progress=False, **{**SMALL, "size": 48})


def test_killed_collection_resumes_and_keeps_finished_episodes(tmp_path):
    args = [
        "--tasks",
        "reach",
        "--episodes",
        "6",
        "--size",
        "32",
        "--max-steps",
        "200",
        "--extra-steps",
        "3",
        "--workers",
        "1",
        "--out",
        str(tmp_path),
    ]
    exe = [sys.executable, "-m", "genreward.cli", "collect", *args]
    proc = subprocess.Popen(exe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("reach-v3/seed_*.npz"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = {p.name: p.read_bytes() for p in tmp_path.glob("reach-v3/seed_*.npz")}
    assert 2 <= len(done) < 6
    # A writer killed mid-file leaves only a hidden temporary, which the resume removes.
    (tmp_path / "reach-v3" / ".seed_000005.x.genreward-tmp.npz").write_bytes(b"partial")

    resumed = subprocess.run(exe, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"kept {len(done)} from before" in resumed.stdout
    dataset = load_dataset(tmp_path)
    assert [r.seed for r in dataset.records] == list(range(6))
    for name, data in done.items():
        assert (tmp_path / "reach-v3" / name).read_bytes() == data  # untouched
    assert not list(tmp_path.rglob(".*genreward-tmp*"))
    index = [json.loads(line) for line in (tmp_path / "index.jsonl").read_text().splitlines()]
    assert len(index) == 6


def test_expert_then_random_follows_the_expert_then_turns_random(tmp_path):
    from genreward.data.collect import steps_to_success
    from genreward.envs import make_env

    settings = {**SMALL, "max_steps": 120, "extra_steps": 120}
    expert = load_dataset(collect(tmp_path / "e", "reach", 1, progress=False, **settings).root)[0]
    half = collect(tmp_path / "h", "reach", 1, expert_fraction=0.5, progress=False, **settings)
    partial = load_dataset(half.root)[0]
    switch = round(0.5 * steps_to_success(make_env("reach", 0, size=32), "reach", 0, 120))
    assert 0 < switch < 120
    assert np.array_equal(partial.actions[:switch], expert.actions[:switch])
    assert not np.allclose(partial.actions[switch:], expert.actions[switch:])
    assert partial.meta["expert_fraction"] == 0.5
    with pytest.raises(GenRewardError, match="expert-fraction"):
        collect(tmp_path / "x", "reach", 1, expert_fraction=1.5, progress=False, **settings)
    with pytest.raises(GenRewardError, match="other settings"):
        collect(tmp_path / "h", "reach", 1, expert_fraction=0.25, progress=False, **settings)


def test_a_foreign_index_and_user_files_are_left_alone(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    (root / "index.jsonl").write_text('{"my": "own index"}\n')
    (root / ".notes.tmp").write_text("a user's file")  # looks like a temporary, is not ours
    with pytest.raises(GenRewardError, match="not a genreward dataset index"):
        collect(root, "reach", 1, progress=False, **SMALL)
    assert (root / "index.jsonl").read_text() == '{"my": "own index"}\n'
    (root / "index.jsonl").unlink()
    collect(root, "reach", 1, progress=False, **SMALL)
    assert (root / ".notes.tmp").read_text() == "a user's file"


def test_workers_end_with_a_killed_collection(tmp_path):
    exe = [sys.executable, "-m", "genreward.cli", "collect", "--tasks", "reach", "--episodes",
           "8", "--size", "32", "--workers", "2", "--out", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(exe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("reach-v3/seed_*.npz")) and time.monotonic() < deadline:
        time.sleep(0.05)
    children = subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
    ).stdout.split()
    assert children, "the collection runs its episodes in worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    alive = children
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]  # fmt: skip
    assert not alive, f"worker processes {alive} outlived their killed parent"
