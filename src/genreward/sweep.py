"""`genreward sweep`: every combination of tasks, rewards, env rewards and seeds as Ray tasks.

A local Ray by default; `--address` joins an existing cluster, nothing else changes. Goals are
generated once per task (in ``<out>/goals``) and shared by all its runs, so rewards are compared
on the same goal videos. Resumable: finished runs are skipped, interrupted ones resume from their
snapshots. Ends by writing the report of all runs in ``<out>/report``.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from genreward.errors import GenRewardError
from genreward.rl.config import REWARDS, TrainConfig


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass
class SweepConfig:
    """Train every combination of tasks x rewards x env rewards x seeds, then report."""

    tasks: str = "pick-place,pick-out-of-hole,bin-picking,shelf-place"
    """Comma-separated Meta-World tasks."""
    rewards: str = "env,genreward,video,fb"
    """Comma-separated reward types (env, genreward, video, fb)."""
    env_reward: str = "dense,sparse"
    """Comma-separated env rewards (dense, sparse)."""
    seeds: str = "0,1,2"
    """Comma-separated seeds."""
    steps: int = 20_000
    """Env steps per run."""
    out: Path = Path("sweeps/default")
    """Sweep folder: goals/, runs/<task>/<run>/, report/."""
    address: str | None = None
    """Address of an existing Ray cluster (default: start a local Ray)."""
    cpus_per_run: float = 1.0
    """CPUs Ray reserves per run (torch threads follow it)."""
    max_cpus: int | None = None
    """CPUs of the local Ray (default: all of this machine's)."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """Settings shared by every run (for ablations, e.g. --train.alpha 0.1 --train.variant
    alpha-x10); task, reward, env reward, seed, steps, run dir and resume come from the sweep."""

    def grid(self) -> list[TrainConfig]:
        """The configs of every run, in a fixed order."""
        from genreward.envs.tasks import resolve_task

        rewards, env_rewards = _split(self.rewards), _split(self.env_reward)
        unknown = [r for r in rewards if r not in REWARDS] + [
            e for e in env_rewards if e not in ("dense", "sparse")
        ]
        if unknown:
            raise GenRewardError(f"unknown reward or env reward: {', '.join(unknown)}")
        try:
            seeds = [int(s) for s in _split(self.seeds)]
        except ValueError as exc:
            raise GenRewardError(f"--seeds must be integers, got {self.seeds!r}") from exc
        tasks = [resolve_task(t) for t in _split(self.tasks)]
        if not (tasks and rewards and env_rewards and seeds):
            raise GenRewardError("the sweep is empty: give tasks, rewards, env rewards and seeds")
        defaults = TrainConfig()
        owned = ("task", "reward", "env_reward", "seed", "steps", "run_dir", "resume")
        clash = [k for k in owned if getattr(self.train, k) != getattr(defaults, k)]
        if clash:
            raise GenRewardError(
                f"--train.{clash[0].replace('_', '-')} is set by the sweep; use --tasks, "
                "--rewards, --env-reward, --seeds, --steps and --out"
            )
        suffix = f"_{self.train.variant}" if self.train.variant else ""
        # Goals are shared per task and goal-video model, never across models.
        model = f"@{Path(self.train.video_model).name}" if self.train.video_model else ""
        configs = []
        for task in tasks:
            short = task.removesuffix("-v3")
            for reward in rewards:
                for env_reward in env_rewards:
                    for seed in seeds:
                        name = f"{reward}_{env_reward}{suffix}_seed{seed}"
                        goal = self.out / "goals" / f"{short}{model}" if reward != "env" else None
                        configs.append(
                            replace(
                                self.train,
                                task=task,
                                reward=reward,
                                env_reward=env_reward,
                                seed=seed,
                                steps=self.steps,
                                run_dir=self.out / "runs" / short / name,
                                goal=self.train.goal or goal,
                                progress=False,
                            )
                        )
        return configs


def _train_remote(config: dict, threads: int) -> dict:
    """One run inside a Ray worker (resumes when its folder already holds the run)."""
    import torch

    from genreward.rl.run_dir import DONE_FILE
    from genreward.rl.trainer import continue_run

    torch.set_num_threads(max(1, threads))
    folder = continue_run(TrainConfig(**config))
    return json.loads((folder / DONE_FILE).read_text())


def _prepare_goals(configs: list[TrainConfig]) -> None:
    """Generate and select each task's goals once, before the runs share them."""
    from genreward.rl.goals import prepare_goals

    done = set()
    for config in configs:
        if config.goal is None or config.goal in done:
            continue
        print(f"goals for {config.task} -> {config.goal}")
        prepare_goals(replace(config, goal=None), Path(config.goal))
        done.add(config.goal)


def run_sweep(sweep: SweepConfig) -> Path:
    """Run the grid on Ray (skipping finished runs) and write the report; returns the page."""
    import ray

    from genreward.report.make import make_report
    from genreward.rl.run_dir import run_finished

    configs = sweep.grid()
    todo = [c for c in configs if not run_finished(c)]
    print(f"sweep: {len(configs)} runs, {len(configs) - len(todo)} finished earlier")
    if sweep.train.goal is None:
        _prepare_goals(todo)
    if todo:
        ray.init(
            address=sweep.address,
            num_cpus=None if sweep.address else sweep.max_cpus,
            include_dashboard=False,
            log_to_driver=False,
        )
        remote = ray.remote(num_cpus=sweep.cpus_per_run, max_retries=0)(_train_remote)
        pending = {remote.remote(asdict(c), int(sweep.cpus_per_run)): c for c in todo}
        failures = _watch(pending, configs)
        ray.shutdown()
        if failures:
            lines = "\n".join(f"  {c.run_dir}: {err}" for c, err in failures)
            raise GenRewardError(
                f"{len(failures)} runs failed (re-run the sweep to retry them):\n{lines}"
            )
    return make_report([sweep.out / "runs"], sweep.out / "report")


def _watch(pending: dict, configs: list[TrainConfig]) -> list:
    """Wait for the runs, showing the steps done over the whole grid."""
    import ray
    from tqdm import tqdm

    from genreward.rl.run_dir import STATUS_FILE

    total = sum(c.steps for c in configs)
    bar = tqdm(total=total, unit="step", desc="sweep", dynamic_ncols=True)
    failures, finished = [], 0

    def steps_done() -> int:
        done = 0
        for c in configs:
            with contextlib.suppress(OSError, ValueError, KeyError):  # not started yet
                done += min(
                    json.loads((Path(c.run_dir) / STATUS_FILE).read_text())["step"], c.steps
                )
        return done

    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=5.0)
        for ref in ready:
            config = pending.pop(ref)
            try:
                ray.get(ref)
                finished += 1
            except Exception as exc:  # a failed run must not stop the others
                message = str(exc).strip()
                failures.append((config, message.splitlines()[-1] if message else repr(exc)))
        bar.n = steps_done()
        started = sum((Path(c.run_dir) / STATUS_FILE).is_file() for c in pending.values())
        bar.set_postfix(
            running=started, queued=len(pending) - started, finished=finished, failed=len(failures)
        )
        bar.refresh()
        time.sleep(0 if ready else 0.1)
    bar.close()
    return failures
