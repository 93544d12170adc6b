"""Environment-layer speed and expert quality on this machine.

Measures state-only env steps/s, render fps at 64x64 and 128x128 (render alone, and step +
render), render fps at 64x64 with llvmpipe rasterising in the calling thread
(``LP_NUM_THREADS=0``, what a one-thread genreward process uses) and with one render thread
(``LP_NUM_THREADS=1``), `genreward collect` throughput (episodes/min, 1 and 2 worker
processes), and the success rate of the scripted experts on the tasks the paper's experiment
uses.

    .venv/bin/python benchmarks/bench_env.py            # table + benchmarks/results/bench_env.csv
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, steps_per_second

from genreward.data.collect import collect
from genreward.envs import make_env
from genreward.envs.experts import ExpertPolicy

EXPERIMENT_TASKS = (
    "pick-place",
    "pick-out-of-hole",
    "bin-picking",
    "shelf-place",
    "door-open",
    "drawer-open",
    "button-press",
    "window-open",
)


def task_steps_per_second(task: str, steps: int, render_size: int | None) -> float:
    env = make_env(task, 0, size=render_size or 64)
    actions = np.random.default_rng(0).uniform(-1, 1, (steps, 4)).astype(np.float32)
    return steps_per_second(env, actions, render=render_size is not None)


def render_fps(size: int, frames: int) -> float:
    env = make_env("door-open", 0, size=size)
    env.reset()
    env.render()
    start = time.perf_counter()
    for _ in range(frames):
        env.render()
    return frames / (time.perf_counter() - start)


def render_fps_llvmpipe(threads: int, frames: int) -> tuple[float, str]:
    """`render_fps` at 64x64 in a fresh process with ``LP_NUM_THREADS=threads`` (Mesa reads it
    once, when the process's first context starts), and a hash of a door-open frame there."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
    code += f"import hashlib, bench_env; fps = bench_env.render_fps(64, {frames}); "
    code += "env = bench_env.make_env('door-open', 0, size=64); env.reset(); "
    code += "print(fps, hashlib.sha256(env.render().tobytes()).hexdigest())"
    env = {**os.environ, "LP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"render benchmark with LP_NUM_THREADS={threads} failed: {done.stderr}")
    fps, digest = done.stdout.split()[-2:]
    return float(fps), digest


def collection_rate(episodes: int, workers: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as root:
        summary = collect(root, "door-open", episodes, size=64, workers=workers, progress=False)
    return summary.seconds, episodes / summary.seconds * 60


def expert_success(task: str, episodes: int) -> tuple[float, float]:
    env = make_env(task, 0, max_episode_steps=500)
    solved, lengths = 0, []
    for seed in range(episodes):
        obs, _ = env.reset(seed=seed)
        policy = ExpertPolicy(task, seed=seed)
        for step in range(500):
            obs, _, _, truncated, info = env.step(policy(obs))
            if info["success"]:
                solved += 1
                lengths.append(step + 1)
                break
            if truncated:
                break
    return solved / episodes, float(np.mean(lengths)) if lengths else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    n = 300 if args.quick else 2000
    episodes = 3 if args.quick else 20

    rows = []

    def row(metric: str, value: float, unit: str, task: str = "door-open") -> None:
        rows.append({"metric": metric, "task": task, "value": value, "unit": unit})

    for task in ("door-open", "pick-place", "reach"):
        row("state-only steps/s", task_steps_per_second(task, n, None), "steps/s", task)
    for size in (64, 128):
        row(f"render fps {size}x{size}", render_fps(size, n // 4), "frames/s")
        stepped = task_steps_per_second("door-open", n // 4, size)
        row(f"step+render {size}x{size}", stepped, "steps/s")
    digests = set()
    for threads in (0, 1):
        fps, digest = render_fps_llvmpipe(threads, n // 4)
        row(f"render fps 64x64, LP_NUM_THREADS={threads}", fps, "frames/s")
        digests.add(digest)
    row("same frame with LP_NUM_THREADS 0 and 1", float(len(digests) == 1), "1 = yes")
    for workers in (1, 2):
        seconds, per_minute = collection_rate(10, workers)
        row(f"collect 10 episodes, {workers} worker(s)", seconds, "s")
        row(f"collect throughput, {workers} worker(s)", per_minute, "episodes/min")
    report("Environment layer", rows, "bench_env.csv")

    experts = []
    for task in EXPERIMENT_TASKS:
        rate, mean_steps = expert_success(task, episodes)
        experts.append(
            {
                "task": task,
                "episodes": episodes,
                "success rate": rate,
                "mean steps to success": mean_steps,
            }
        )
    report("Scripted experts (env seeds 0..N-1)", experts, "bench_experts.csv")


if __name__ == "__main__":
    main()
