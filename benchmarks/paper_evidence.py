"""Why GenReward does or does not beat the env reward in a sweep: reward scales, FB, goal videos.

Reads a `genreward sweep` folder and writes under benchmarks/results/<name>/:
1. reward_scales.csv: per task and series, the mean reward terms in the batches SAC trained on
   during the last evaluation interval (r_env, alpha * r_video, beta * r_FB; mean over seeds),
   the bonuses' share of the env term, the mean raw r_video of training episodes, and SAC's
   entropy bonus per step (temperature x entropy; the sparse env reward leaves only it and
   the bonuses in the critic's targets).
2. fb_online.csv: for each finished run with an FB term, r_FB of its final FB model toward the
   last frame along expert episodes of its task (the eval datasets); the Spearman correlation
   with time says whether r_FB grows as the expert nears that frame (1: it always does).
3. compute.csv: measured training minutes per series (timed phases of each finished run).
4. reference_returns.csv: dense return and success of random actions and of the scripted expert
   on each task's evaluation placements (the scale of the agents' returns).
5. goal_videos.png: each task's goal video of placement 0 (every other frame; the selected
   goal frame boxed in red when shown).
6. summary.md: one row per task, one column per series without ablation variants, between
   the random-action and the expert return: the final return, mean ± std over seeds, with the
   success rate where it is above 0.

    .venv/bin/python benchmarks/paper_evidence.py --sweep sweeps/paper_cpu \
        --eval data/eval_heldin data/eval_heldout
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report, save_figure, scalar_events

from genreward.data import load_dataset
from genreward.data.goal_video import GOAL_FILE, load_goal_video
from genreward.envs import make_env, resolve_task
from genreward.envs.experts import ExpertPolicy
from genreward.goals.select import GOAL_FRAME_FILE
from genreward.report.runs import Run, find_runs, group
from genreward.report.tables import number_text, return_text, summary_rows
from genreward.rl.run_dir import DONE_FILE
from genreward.rl.trainer import open_run

TERMS = {"r_env": "batch_r_env", "alpha*r_video": "batch_r_video_weighted"}
TERMS["beta*r_FB"] = "batch_r_fb_weighted"


def entropy_bonus(run: Run) -> float:
    """SAC's entropy bonus per step (temperature x policy entropy, from the run's TensorBoard
    scalars) averaged over the last evaluation interval, like the batch_r_* columns."""
    since = run.rows[-2]["step"] if len(run.rows) > 1 else 0
    alpha, entropy = scalar_events(run.folder, ["train/alpha", "train/entropy"]).values()
    steps = [s for s in alpha if s > since and s in entropy]
    bonus = [alpha[s][1] * entropy[s][1] for s in steps]
    return float(np.mean(bonus)) if steps else float("nan")


def reward_scales(runs: list[Run]) -> list[dict]:
    rows = []
    for task, series in group(runs).items():
        for name, runs in series.items():
            final = [run.final for run in runs]
            means = {
                k: float(np.mean([f.get(col, 0.0) for f in final])) for k, col in TERMS.items()
            }
            bonus = abs(means["alpha*r_video"]) + abs(means["beta*r_FB"])
            raw = [f["train_r_video"] for f in final if f.get("train_r_video")]
            entropy = float(np.mean([entropy_bonus(run) for run in runs]))
            rows.append(
                {
                    "task": task,
                    "series": name,
                    "seeds": len(runs),
                    **means,
                    "bonus / r_env": bonus / abs(means["r_env"]) if means["r_env"] else np.inf,
                    "raw r_video": float(np.mean(raw)) if raw else "",
                    "SAC alpha*entropy": entropy,
                    "bonus / alpha*entropy": bonus / abs(entropy),
                }
            )
    return rows


def reference_returns(tasks: list[str], placements: int = 10, steps: int = 256) -> list[dict]:
    """Dense return and success of uniform random actions and of the scripted expert over
    placements 0..N-1 (the runs' evaluation setting): the scale the agents' returns sit on."""
    rows = []
    for task in tasks:
        env = make_env(task, 0, max_episode_steps=steps)
        uniform = functools.partial(np.random.default_rng(0).uniform, -1, 1, 4)
        policies = {"random": lambda _, act=uniform: act(), "expert": ExpertPolicy(task)}
        for name, policy in policies.items():
            returns, successes = [], []
            for seed in range(placements):
                obs, _ = env.reset(seed=seed)
                total, success, done = 0.0, False, False
                while not done:
                    obs, reward, terminated, truncated, info = env.step(policy(obs))
                    total, success = total + reward, success or info["success"]
                    done = terminated or truncated
                returns.append(total)
                successes.append(success)
            rows.append(
                {
                    "task": task.removesuffix("-v3"),
                    "policy": name,
                    "episodes": placements,
                    "success": float(np.mean(successes)),
                    "return": float(np.mean(returns)),
                    "return std": float(np.std(returns)),
                }
            )
        env.close()
    return rows


def compute(runs: list[Run]) -> list[dict]:
    """Measured training time per series (sum of the timed phases in each run's done.json)."""
    rows: dict[str, dict] = {}
    for run in runs:
        done = run.folder / DONE_FILE
        if not done.is_file():
            continue
        name = run.series
        minutes = sum(json.loads(done.read_text())["seconds"].values()) / 60
        row = rows.setdefault(name, {"series": name, "runs": 0, "minutes": 0.0})
        row["runs"] += 1
        row["minutes"] += minutes
    for row in rows.values():
        row["minutes per run"] = row["minutes"] / row["runs"]
    total = sum(r["minutes"] for r in rows.values())
    runs = sum(r["runs"] for r in rows.values())
    return [*rows.values(), {"series": "all", "runs": runs, "minutes": total}]


def summary_table(runs: list[Run], reference: list[dict]) -> str:
    """Markdown: tasks as rows, the series without variants as columns, reference returns
    on either side."""
    grouped = group(runs)
    rows = {(r["task"], r["series"]): r for r in summary_rows(grouped)}
    series = list(dict.fromkeys(n for t in grouped.values() for n, runs in t.items()
                                if not runs[0].variant))  # fmt: skip
    series.sort(key=lambda name: name.endswith("(sparse)"))  # dense first, order kept
    ref = {(r["task"], r["policy"]): r["return"] for r in reference}
    lines = [
        "| task | random actions | " + " | ".join(series) + " | scripted expert |",
        "|---" * (len(series) + 3) + "|",
    ]
    for task in grouped:
        cells = []
        for name in series:
            row = rows.get((task, name))
            cell = return_text(row) if row else "-"
            if row and row["success_mean"] > 0:
                cell += f" (success {row['success_mean']:.2f})"
            cells.append(cell)
        refs = [number_text(ref[task, policy]) for policy in ("random", "expert")]
        lines.append(f"| {task} | {refs[0]} | " + " | ".join(cells) + f" | {refs[1]} |")
    return "\n".join(lines) + "\n"


@torch.no_grad()
def fb_online(runs: list[Run], eval_dirs: list[str], per_task: int) -> list[dict]:
    datasets = [load_dataset(d).subset(success_only=True) for d in eval_dirs]
    rows = []
    for run in runs:
        if (
            run.config["reward"] not in ("genreward", "fb")
            or not (run.folder / DONE_FILE).is_file()
        ):
            continue
        task = resolve_task(run.task)
        episodes = [e for d in datasets if task in d.tasks for e in d.subset(tasks=[task])]
        if not episodes:
            continue
        trainer = open_run(run.folder)
        episodes = episodes[:per_task]
        rhos = []
        for episode in episodes:
            psi = trainer.features(episode.frames)
            actions = torch.as_tensor(episode.actions, dtype=torch.float32)
            seen = torch.as_tensor(episode.states) if trainer.f_on_state else psi
            reward = trainer.fb.goal_reward(seen[:-1], actions, psi[-1])
            rhos.append(spearmanr(np.arange(len(reward)), reward.numpy()).statistic)
        rows.append(
            {
                "task": run.task,
                "series": run.series,
                "seed": int(run.config["seed"]),
                "FB frozen at step": int(min(run.config["fb_train_steps"], trainer.step)),
                "episodes": len(rhos),
                "spearman(r_FB, t)": float(np.mean(rhos)),
                "min": float(np.min(rhos)),
            }
        )
    return rows


def goal_video_figure(sweep: Path, out: Path) -> Path:
    folders = sorted(p for p in (sweep / "goals").glob("*/seed_0") if (p / GOAL_FILE).is_file())
    fig, axes = plt.subplots(len(folders), 1, figsize=(12, 1.9 * len(folders)), squeeze=False)
    for ax, folder in zip(axes[:, 0], folders, strict=True):
        video, meta = load_goal_video(folder)
        size = video.shape[1]
        index = json.loads((folder / GOAL_FRAME_FILE).read_text())["index"]
        ax.imshow(np.concatenate(list(video[::2]), axis=1))  # every other frame
        if index % 2 == 0:
            x = index // 2 * size
            ax.add_patch(plt.Rectangle((x, 0), size - 1, size - 1, fill=False, ec="red", lw=2))
        ax.set_title(f"{folder.parent.name}: {meta['text']}", fontsize=9, loc="left")
        ax.axis("off")
    return save_figure(fig, out, dpi=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=Path("sweeps/paper_cpu"))
    parser.add_argument(
        "--eval", nargs="+", default=["data/eval_heldin", "data/eval_heldout"],
        help="datasets of expert episodes of the sweep's tasks",
    )  # fmt: skip
    parser.add_argument("--per-task", type=int, default=4)
    args = parser.parse_args()
    name = args.sweep.name
    runs = find_runs([args.sweep])
    (RESULTS / name).mkdir(parents=True, exist_ok=True)
    report(
        "Mean reward terms in SAC's batches (last evaluation interval)",
        reward_scales(runs),
        f"{name}/reward_scales.csv",
    )
    report("Training time (single-thread runs)", compute(runs), f"{name}/compute.csv")
    tasks = sorted({run.task for run in runs})
    reference = reference_returns(tasks)
    report(
        "Evaluation return of random actions and of the scripted expert",
        reference,
        f"{name}/reference_returns.csv",
    )
    summary = RESULTS / name / "summary.md"
    summary.write_text(summary_table(runs, reference))
    print(f"wrote {summary}")
    fb_rows = fb_online(runs, args.eval, args.per_task)
    if fb_rows:
        report(
            "Online FB: r_FB toward the last frame along expert episodes",
            fb_rows,
            f"{name}/fb_online.csv",
        )
    else:
        print("no finished run with an FB term has expert episodes of its task in --eval")
    goal_video_figure(args.sweep, RESULTS / name / "goal_videos.png")


if __name__ == "__main__":
    main()
