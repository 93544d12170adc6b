"""Training speed of `genreward train`: env steps/s with the env reward alone and with the full
GenReward (video + FB), each alone on the machine, then two env-reward runs side by side, then
an env-reward run beside a GenReward run (as sweeps run them), and where the time of each goes.

Every run: drawer-open, 256-step episodes, 2 placements, the default learner (`--agent`),
agent updates from step 512, one thread per process (the project's default). The GenReward
run uses the default FB: the shipped pretrained model, frozen from the start (before it
shipped, FB trained online for the first tenth of the steps: `--no-fb-pretrained`). Setup,
evaluation and snapshots are left out. Each run is its own process, as users run them.

    .venv/bin/python benchmarks/bench_train.py      # table + results/bench_train*.csv
    .venv/bin/python benchmarks/bench_train.py --agent sac   # results/bench_train*_sac.csv
    .venv/bin/python benchmarks/bench_train.py --action-repeat 2 --updates-per-step 2
        # each action held for 2 env steps, 2 updates per decision: results/*_repeat2_utd2.csv
    .venv/bin/python benchmarks/bench_train.py --fb-init models/fb_x   # another pretrained FB:
        # results/bench_train*_fb_x.csv
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

PHASES = ("env", "act", "render", "encode", "video_reward", "replay", "sac_update", "fb_update")
PHASES += ("fb_reward", "progress_reward")
EXCLUDED = ("eval", "snapshot")


def timed_run(reward: str, steps: int, folder: Path, settings: dict) -> dict:
    """Train one run in this process (`settings`: `TrainConfig` fields other than the
    defaults); returns its steps, seconds and phase timers."""
    from genreward.rl.config import TrainConfig
    from genreward.rl.trainer import Trainer
    from genreward.threads import set_threads

    set_threads()
    config = TrainConfig(
        task="drawer-open",
        reward=reward,
        steps=steps,
        run_dir=folder / reward,
        placements=2,
        learning_starts=512,
        eval_every=10 * steps,
        eval_episodes=1,
        gif_episodes=0,
        checkpoint_every=10 * steps,
        progress=False,
        **settings,
    )
    trainer = Trainer(config)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start - sum(trainer.timers.seconds[k] for k in EXCLUDED)
    return {"steps": trainer.step, "seconds": seconds, "timers": dict(trainer.timers.seconds)}


def in_processes(rewards: list[str], steps: int, folder: Path, options: list[str]) -> list[dict]:
    """Run one training per reward, all at once, each in its own process (`options`: this
    script's command-line settings)."""
    procs = []
    for i, reward in enumerate(rewards):
        cmd = [sys.executable, __file__, "--steps", str(steps), "--single", reward]
        cmd += ["--folder", str(folder / str(i)), *options]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a benchmark run failed (exit {proc.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4096, help="env steps per run")
    parser.add_argument("--agent", default=None, help="learner (default: train's default)")
    parser.add_argument("--action-repeat", type=int, default=1, help="env steps per action")
    parser.add_argument("--updates-per-step", type=int, default=1, help="updates per decision")
    parser.add_argument("--fb-init", default=None, help="pretrained FB folder (default: shipped)")
    parser.add_argument("--single", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    train_settings = {"agent": args.agent} if args.agent else {}
    if args.fb_init:
        train_settings["fb_init"] = Path(args.fb_init)
    for name in ("action_repeat", "updates_per_step"):
        if getattr(args, name) != 1:
            train_settings[name] = getattr(args, name)
    if args.single:  # one run of the benchmark, in a process of its own
        print(json.dumps(timed_run(args.single, args.steps, args.folder, train_settings)))
        return
    options = [f"--{k.replace('_', '-')}={v}" for k, v in train_settings.items()]
    from genreward.rl.config import TrainConfig

    TrainConfig(reward="genreward", **train_settings)  # a clear error before any run
    rewards = {"env alone": ["env"], "genreward alone": ["genreward"]}
    rewards |= {"env, 2 side by side": ["env", "env"]}
    rewards |= {"env and genreward side by side": ["env", "genreward"]}
    with tempfile.TemporaryDirectory() as tmp:
        settings = {
            setting: in_processes(runs, args.steps, Path(tmp) / str(i), options)
            for i, (setting, runs) in enumerate(rewards.items())
        }

    def rate(result: dict) -> float:
        return result["steps"] / result["seconds"]

    alone = rate(settings["env alone"][0])
    rows, breakdown = [], []
    for setting, results in settings.items():
        # A GenReward run against the env-only run beside it, else against the one alone.
        runs = rewards[setting]
        reference = rate(results[runs.index("env")]) if "env" in runs else alone
        for i, result in enumerate(results):
            speed = rate(result)
            rows.append(
                {
                    "setting": setting,
                    "run": i,
                    "reward": rewards[setting][i],
                    "steps": result["steps"],
                    "steps_per_s": speed,
                    "minutes_per_100k": 100_000 / speed / 60,
                    "time_vs_env_alone": alone / speed,
                    "genreward_vs_env_beside": reference / speed if runs[i] != "env" else "",
                }
            )
            timers, seconds = result["timers"], result["seconds"]
            other = seconds - sum(timers.get(p, 0.0) for p in PHASES)
            for phase in (*PHASES, "other"):
                spent = other if phase == "other" else timers.get(phase, 0.0)
                breakdown.append(
                    {
                        "setting": setting,
                        "run": i,
                        "phase": phase,
                        "ms_per_step": 1000 * spent / result["steps"],
                        "share": spent / seconds,
                    }
                )
    suffix = f"_{args.agent}" if args.agent else ""
    suffix += f"_repeat{args.action_repeat}" if args.action_repeat != 1 else ""
    suffix += f"_utd{args.updates_per_step}" if args.updates_per_step != 1 else ""
    suffix += f"_{Path(args.fb_init).name}" if args.fb_init else ""
    report(
        f"genreward train {' '.join(options)}: env steps/s (setup, eval, snapshots excluded)",
        rows,
        f"bench_train{suffix}.csv",
    )
    report(
        "where the time goes (per run)",
        breakdown,
        f"bench_train_phases{suffix}.csv",
    )


if __name__ == "__main__":
    main()
