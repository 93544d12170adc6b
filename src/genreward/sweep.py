"""`genreward sweep`: every combination of tasks, rewards, env rewards and seeds as Ray tasks.

A local Ray by default; `--address` joins an existing cluster, nothing else changes. Goals are
generated once per task (in ``<out>/goals``) and shared by all its runs, so rewards are compared
on the same goal videos. Resumable: finished runs are skipped, interrupted ones resume from their
snapshots. Ends by writing the report of all runs in ``<out>/report``.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from genreward.children import ProcessGuard
from genreward.errors import GenRewardError, usage_error_line
from genreward.rl.config import REWARDS, TrainConfig
from genreward.validate import check_output_folder, split_list


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
    variants: Path | None = None
    """JSON file {name: [train options]}: the grid runs once per variant (ablations in one
    sweep), e.g. {"": [], "alpha-x10": ["--alpha", "0.1"], "goal-last": ["--goal-frame",
    "last"]}; the name "" is the default settings."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """Settings shared by every run (for ablations, e.g. --train.alpha 0.1 --train.variant
    alpha-x10); task, reward, env reward, seed, steps, run dir and resume come from the sweep."""

    def __post_init__(self) -> None:
        from genreward.validate import check_folders, check_ranges

        check_folders(self, "out")
        check_ranges(
            self, {"steps": "[1, inf)", "cpus_per_run": "(0, inf)", "max_cpus": "[1, inf)"}
        )

    def grid(self) -> list[TrainConfig]:
        """The configs of every run, in a fixed order."""
        from genreward.envs.tasks import resolve_task

        rewards = split_list(self.rewards, "--rewards")
        env_rewards = split_list(self.env_reward, "--env-reward")
        unknown = [r for r in rewards if r not in REWARDS] + [
            e for e in env_rewards if e not in ("dense", "sparse")
        ]
        if unknown:
            raise GenRewardError(f"unknown reward or env reward: {', '.join(unknown)}")
        try:
            seeds = [int(s) for s in split_list(self.seeds, "--seeds")]
        except ValueError as exc:
            raise GenRewardError(f"--seeds must be integers, got {self.seeds!r}") from exc
        tasks = [resolve_task(t) for t in split_list(self.tasks, "--tasks")]
        if not (tasks and rewards and env_rewards and seeds):
            raise GenRewardError("the sweep is empty: give tasks, rewards, env rewards and seeds")
        configs = []
        for base in self._variants():
            suffix = f"_{base.variant}" if base.variant else ""
            # Goals are shared per task and goal-video model, never across models.
            model = f"@{Path(base.video_model).name}" if base.video_model else ""
            for task in tasks:
                short = task.removesuffix("-v3")
                for reward, env_reward, seed in itertools.product(rewards, env_rewards, seeds):
                    goal = self.out / "goals" / f"{short}{model}" if reward != "env" else None
                    name = f"{reward}_{env_reward}{suffix}_seed{seed}"
                    configs.append(
                        replace(
                            base,
                            task=task,
                            reward=reward,
                            env_reward=env_reward,
                            seed=seed,
                            steps=self.steps,
                            run_dir=self.out / "runs" / short / name,
                            goal=base.goal or goal,
                            progress=False,
                        )
                    )
        return configs

    def _variants(self) -> list[TrainConfig]:
        """The shared settings, or one per variant of --variants (each on top of --train.*)."""
        if self.variants is None:
            variants = [self.train]
        else:
            if self.train.variant:
                raise GenRewardError("give either --train.variant or --variants, not both")
            variants = []
            for name, args in _read_variants(self.variants).items():
                try:
                    parsed = _parse_train_args(args, self.train, self.variants)
                    variants.append(replace(parsed, variant=name))
                except GenRewardError as exc:
                    if str(exc).startswith("--variants"):
                        raise
                    raise GenRewardError(
                        f"--variants {self.variants}: variant {name}: {exc}"
                    ) from exc
        defaults = TrainConfig()
        for config in variants:
            clash = [
                k.replace("_", "-") for k in OWNED if getattr(config, k) != getattr(defaults, k)
            ]
            if clash and self.variants is None:
                raise GenRewardError(
                    f"--train.{clash[0]} is set by the sweep; use --tasks, --rewards, "
                    "--env-reward, --seeds, --steps and --out"
                )
            if clash:
                raise GenRewardError(
                    f"--variants {self.variants}: variant {config.variant} sets --{clash[0]}, "
                    "which the sweep sets (--tasks, --rewards, --env-reward, --seeds, --steps)"
                )
        return variants


OWNED = ("task", "reward", "env_reward", "seed", "steps", "run_dir", "resume")


def _read_variants(path: Path) -> dict[str, list[str]]:
    """{name: [train options]} from a JSON file, checked."""
    try:
        variants = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise GenRewardError(f"--variants {path}: not readable JSON ({exc})") from exc
    example = '{"alpha-x10": ["--alpha", "0.1"], "goal-last": ["--goal-frame", "last"]}'
    if not (
        isinstance(variants, dict)
        and variants
        and all(
            isinstance(args, list) and all(isinstance(a, str) for a in args)
            for args in variants.values()
        )
    ):
        raise GenRewardError(f"--variants {path}: expected a JSON object like {example}")
    bad = [name for name in variants if not re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9.+-]*)?", name)]
    if bad:
        raise GenRewardError(
            f"--variants {path}: variant names are folder-name parts (letters, digits, '.', "
            f"'+', '-'), got {bad[0]!r}"
        )
    return variants


def _parse_train_args(args: list[str], base: TrainConfig, path: Path) -> TrainConfig:
    """`genreward train` options on top of `base`, parsed as the train command parses them."""
    import tyro

    try:
        with contextlib.redirect_stderr(io.StringIO()) as errors:
            return tyro.cli(TrainConfig, args=args, default=base)
    except SystemExit as exc:
        why = usage_error_line(errors.getvalue())
        raise GenRewardError(f"--variants {path}: bad options {args}: {why}") from exc


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

    from genreward.report.make import REPORT_ENTRIES, make_report
    from genreward.rl.run_dir import run_finished
    from genreward.rl.trainer import check_models

    configs = sweep.grid()
    todo = [c for c in configs if not run_finished(c)]
    check_output_folder(sweep.out / "report", REPORT_ENTRIES, "report")
    checked = set()
    for config in todo:  # bad models fail here, not in Ray's workers; once per setting, not seed
        setting = json.dumps({**config.identity(), "seed": None}, sort_keys=True, default=str)
        if setting not in checked:
            check_models(config if sweep.train.goal else replace(config, goal=None))
            checked.add(setting)
    print(f"sweep: {len(configs)} runs, {len(configs) - len(todo)} finished earlier")
    if sweep.train.goal is None:
        _prepare_goals(todo)
    if todo:
        with ProcessGuard():  # Ray's processes end with this one, even on kill -9
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

    # Runs not pending finished earlier; a pending run is done when its task returns (its last
    # status may lie a few steps before the end).
    done_runs = {c.run_dir for c in configs} - {c.run_dir for c in pending.values()}

    def steps_done() -> int:
        done = 0
        for c in configs:
            if c.run_dir in done_runs:
                done += c.steps
                continue
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):  # not started
                done += min(
                    json.loads((Path(c.run_dir) / STATUS_FILE).read_text())["step"], c.steps
                )
        return done

    total = sum(c.steps for c in configs)
    # Steps of resumed runs count as the start, not in the rate.
    bar = tqdm(total=total, initial=steps_done(), unit="step", desc="sweep", dynamic_ncols=True)
    failures, finished = [], 0
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=5.0)
        for ref in ready:
            config = pending.pop(ref)
            try:
                ray.get(ref)
                finished += 1
                done_runs.add(config.run_dir)
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
