"""Record expert episodes into a dataset directory: parallel, atomic, resumable."""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from genreward import __version__
from genreward.children import die_with_parent
from genreward.data.atomic import remove_stale_temporaries
from genreward.data.dataset import (
    INDEX_NAME,
    EpisodeRecord,
    index_record,
    read_index,
    write_index,
)
from genreward.data.episode import DatasetError, Episode, read_header, save_episode
from genreward.envs import MetaWorldEnv, make_env, resolve_tasks
from genreward.envs.experts import ExpertPolicy
from genreward.errors import GenRewardError


@dataclass(frozen=True)
class EpisodeSpec:
    """Everything that determines one recorded episode."""

    task: str
    seed: int
    size: int = 64
    camera: str = "corner"
    max_steps: int = 500
    extra_steps: int = 10
    action_noise: float = 0.0
    policy: str = "expert"
    expert_fraction: float = 1.0
    """With the expert policy: the share of the noise-free expert's steps to success after
    which actions turn uniformly random (1: expert throughout)."""

    @property
    def file(self) -> str:
        """Path of the episode file relative to the dataset directory."""
        return f"{self.task}/seed_{self.seed:06d}.npz"


# Settings that must agree between an existing episode file and the spec that would rewrite it.
_SETTINGS = ("size", "camera", "max_steps", "extra_steps", "action_noise", "policy")
_SETTINGS += ("expert_fraction",)
_DEFAULTS = {"expert_fraction": 1.0}  # settings older episode files do not record
POLICIES = ("expert", "random")


def record_episode(
    env: MetaWorldEnv, policy: Callable[[np.ndarray], np.ndarray], spec: EpisodeSpec
) -> Episode:
    """Roll `policy` from the placement of ``spec.seed`` until `spec.extra_steps` after the first
    success or `spec.max_steps`, rendering every frame."""
    obs, _ = env.reset(seed=spec.seed)
    frames, states = [env.render()], [obs]
    actions, rewards, success = [], [], []
    steps_left = spec.max_steps
    for _ in range(spec.max_steps):
        action = policy(obs)
        obs, reward, terminated, truncated, info = env.step(action)
        frames.append(env.render())
        states.append(obs)
        actions.append(action)
        rewards.append(reward)
        success.append(info["success"])
        if info["success"] and steps_left > spec.extra_steps:
            steps_left = spec.extra_steps + 1
        steps_left -= 1
        if terminated or truncated or steps_left <= 0:
            break
    meta = {
        **asdict(spec),
        "text": env.text,
        "genreward_version": __version__,
    }
    return Episode(
        frames=np.stack(frames),
        actions=np.stack(actions).astype(np.float32),
        states=np.stack(states).astype(np.float32),
        rewards=np.asarray(rewards, dtype=np.float32),
        success=np.asarray(success, dtype=bool),
        meta=meta,
    )


# One env per worker process, rebuilt only when the task or render settings change.
_cached_env: tuple[tuple, MetaWorldEnv] | None = None


def _env_for(spec: EpisodeSpec) -> MetaWorldEnv:
    global _cached_env
    key = (spec.task, spec.size, spec.camera, spec.max_steps)
    if _cached_env is None or _cached_env[0] != key:
        if _cached_env is not None:
            _cached_env[1].close()
        env = make_env(
            spec.task,
            spec.seed,
            camera=spec.camera,
            size=spec.size,
            max_episode_steps=spec.max_steps,
        )
        _cached_env = (key, env)
    return _cached_env[1]


def close_cached_env() -> None:
    """Free this process's cached env (its simulation and OpenGL context)."""
    global _cached_env
    if _cached_env is not None:
        _cached_env[1].close()
        _cached_env = None


def steps_to_success(env: MetaWorldEnv, task: str, seed: int, max_steps: int) -> int:
    """Steps the noise-free expert takes to its first success from placement `seed`
    (`max_steps` if it never succeeds); nothing is rendered."""
    expert = ExpertPolicy(task)
    obs, _ = env.reset(seed=seed)
    for step in range(1, max_steps + 1):
        obs, _, terminated, truncated, info = env.step(expert(obs))
        if info["success"] or terminated or truncated:
            return step
    return max_steps


def _policy(spec: EpisodeSpec, env: MetaWorldEnv) -> Callable[[np.ndarray], np.ndarray]:
    """The actions of `spec`: the (noisy) expert, uniform random, or the expert for
    `expert_fraction` of its steps to success and uniform random after."""
    rng = np.random.default_rng(spec.seed)
    random = lambda obs: rng.uniform(-1, 1, 4).astype(np.float32)  # noqa: E731
    if spec.policy != "expert":
        return random
    expert = ExpertPolicy(spec.task, spec.action_noise, seed=spec.seed)
    if spec.expert_fraction >= 1.0:
        return expert
    length = steps_to_success(env, spec.task, spec.seed, spec.max_steps)
    switch = round(spec.expert_fraction * length)
    steps = iter(range(spec.max_steps + 1))
    return lambda obs: expert(obs) if next(steps) < switch else random(obs)


def collect_one(spec: EpisodeSpec, root: str) -> EpisodeRecord:
    """Record one episode and save it under `root`; returns its index record."""
    env = _env_for(spec)
    policy = _policy(spec, env)
    episode = record_episode(env, policy, spec)
    path = Path(root) / spec.file
    save_episode(path, episode)
    return index_record(root, path)


def _existing_record(root: Path, spec: EpisodeSpec) -> EpisodeRecord | None:
    """The record of a finished episode file for `spec`, None if it must be (re)recorded."""
    path = root / spec.file
    if not path.exists():
        return None
    try:
        _, _, meta = read_header(path)
    except DatasetError as err:
        tqdm.write(f"re-recording {path}: {err.problem}")
        return None
    recorded = {k: meta.get(k, _DEFAULTS.get(k)) for k in _SETTINGS}
    clash = {
        k: (recorded[k], getattr(spec, k)) for k in _SETTINGS if recorded[k] != getattr(spec, k)
    }
    if clash:
        detail = ", ".join(f"{k}={old!r} (asked {new!r})" for k, (old, new) in clash.items())
        raise GenRewardError(
            f"{path} was collected with other settings: {detail}. Use another --out directory, "
            "or the same settings to resume."
        )
    return index_record(root, path)


@dataclass
class CollectionSummary:
    """What a `collect` call did."""

    root: Path
    records: list[EpisodeRecord]
    recorded: int
    resumed: int
    seconds: float

    def success_rates(self) -> dict[str, tuple[int, int]]:
        """Per task: (successful episodes, episodes)."""
        rates: dict[str, tuple[int, int]] = {}
        for r in self.records:
            ok, n = rates.get(r.task, (0, 0))
            rates[r.task] = (ok + int(r.success), n + 1)
        return dict(sorted(rates.items()))


def _previous_records(root: Path) -> dict[str, EpisodeRecord]:
    """Records of an earlier index in `root` whose files still exist (other tasks, say); an
    index.jsonl that is not a genreward dataset index is refused, never replaced."""
    if not (root / INDEX_NAME).exists():
        return {}
    try:
        return {r.file: r for r in read_index(root) if (root / r.file).is_file()}
    except DatasetError as err:
        raise GenRewardError(
            f"{root / INDEX_NAME} is not a genreward dataset index ({err.problem}); it is left "
            "as it is: collect into another --out folder (or, if it is a damaged index of this "
            "dataset, delete it: collect rebuilds it and keeps the finished episodes)"
        ) from err


def collect(
    root: str | os.PathLike,
    tasks: str | Iterable[str],
    episodes: int,
    *,
    seed_start: int = 0,
    size: int = 64,
    camera: str = "corner",
    max_steps: int = 500,
    extra_steps: int = 10,
    action_noise: float = 0.0,
    policy: str = "expert",
    expert_fraction: float = 1.0,
    workers: int = 1,
    progress: bool = True,
) -> CollectionSummary:
    """Record `episodes` episodes of `policy` ("expert" or "random") per task (env seeds
    ``seed_start ...``) under `root`.

    Every file is written atomically and the index is rewritten atomically as episodes finish;
    running the same call again after a kill keeps finished episodes and records the rest.
    `workers` > 1 records in that many processes (each with its own renderer).
    """
    if episodes < 1:
        raise GenRewardError(f"--episodes must be at least 1, got {episodes}")
    if workers < 1:
        raise GenRewardError(f"--workers must be at least 1, got {workers}")
    if policy not in POLICIES:
        raise GenRewardError(f"--policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    if not 0.0 <= expert_fraction <= 1.0:
        raise GenRewardError(f"--expert-fraction must be in [0, 1], got {expert_fraction}")
    names = resolve_tasks(tasks if isinstance(tasks, str) else ",".join(tasks))
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(root)
    started = time.perf_counter()

    specs = [
        EpisodeSpec(
            task,
            seed_start + i,
            size,
            camera,
            max_steps,
            extra_steps,
            action_noise,
            policy,
            expert_fraction,
        )
        for task in names
        for i in range(episodes)
    ]
    by_file = _previous_records(root)
    todo = []
    for spec in specs:
        record = _existing_record(root, spec)
        if record is None:
            todo.append(spec)
        else:
            by_file[record.file] = record
    resumed = len(specs) - len(todo)
    write_index(root, list(by_file.values()))

    bar = tqdm(
        total=len(specs),
        initial=resumed,
        unit="episode",
        desc="collect",
        disable=not progress,
        dynamic_ncols=True,
    )
    last_write = time.monotonic()

    def finished(record: EpisodeRecord) -> None:
        nonlocal last_write
        by_file[record.file] = record
        bar.update(1)
        bar.set_postfix_str(f"{record.task} ok={record.success}")
        if time.monotonic() - last_write > 2.0:
            write_index(root, list(by_file.values()))
            last_write = time.monotonic()

    try:
        if workers == 1 or len(todo) <= 1:
            for spec in todo:
                finished(collect_one(spec, str(root)))
        else:
            context = multiprocessing.get_context("spawn")  # forked EGL contexts hang
            with futures.ProcessPoolExecutor(
                min(workers, len(todo)), mp_context=context, initializer=die_with_parent
            ) as pool:
                jobs = [pool.submit(collect_one, spec, str(root)) for spec in todo]
                for job in futures.as_completed(jobs):
                    finished(job.result())
    finally:
        write_index(root, list(by_file.values()))
        bar.close()
        close_cached_env()
    planned = {spec.file for spec in specs}
    return CollectionSummary(
        root=root,
        records=[r for f, r in sorted(by_file.items()) if f in planned],
        recorded=len(todo),
        resumed=resumed,
        seconds=time.perf_counter() - started,
    )
