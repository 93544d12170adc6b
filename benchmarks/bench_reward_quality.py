"""Do the reward terms know task progress? VOC, within-episode correlation and success AUROC.

On the graded trajectory sets of `benchmarks/reward_quality_data.sh` (data/quality/<kind>:
expert, noisy expert, expert then random, random; 256 steps; placements no shipped model
trained on), every reward term is computed from each episode's frames as training computes it,
against goals from several sources:

- generated: the shipped goal-video model, from the episode's first frame and the task text;
- retrieval: the real expert episode (data/fb/expert, training placements) whose first frame
  is nearest, of the same task where there is one;
- oracle: the real expert episode of the same placement;
- finetuned (with --finetuned DIR): goal-video models finetuned on one task each, DIR/<task>
  (`benchmarks/reward_quality_finetune.sh`), for the tasks that have one.

The goal frame I* is the shipped scorer's choice in each goal video. Terms: the paper's
video-level reward (raw and change forms), FB toward I* (the shipped FB, or --fb), FB as
trained online in a run (with --fb-runs: `fb_online`, the final FB of the task's finished run
whose FB trained on its own replay), the goal-frame distance (VIP/LIV-style) and its decrease,
goal-video progress, and the combined bonus as the trainer adds it (`--reward genreward` with
the paper's weights, with the auto scale, with the auto scale and --goal-progress, and with
the auto scale and the online FB). Output: bench_reward_quality.csv
(per source, term and task), bench_reward_quality_summary.csv (means over held-in and
held-out tasks), bench_reward_quality.png (VOC heatmaps).

    .venv/bin/python benchmarks/bench_reward_quality.py [--fb-runs sweeps/fb_online]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report, save_figure

from genreward.data import Episode, load_dataset
from genreward.data.atomic import atomic_write
from genreward.data.manifest import MANIFEST_FILE
from genreward.envs import HELD_OUT_TASKS, resolve_task, resolve_tasks
from genreward.goals.select import make_scorer
from genreward.goals.selector import GoalFrameSelector
from genreward.report.runs import find_runs
from genreward.rewards.fb import ForwardBackward
from genreward.rewards.quality import GoalLatents, auroc, episode_terms, spearman
from genreward.rewards.scale import combined_bonus
from genreward.rewards.train_fb import autoencoder_fingerprint, fb_autoencoder, load_fb
from genreward.rewards.video_reward import VideoLevelReward, subsample
from genreward.rl.run_dir import DONE_FILE
from genreward.rl.trainer import open_run
from genreward.video.pipeline import GoalVideoPipeline

SOURCES = ("generated", "retrieval", "oracle")  # the default sources; "finetuned" on request
WINDOW_TERMS = ("video_paper", "video_change")  # one value per window: no within-episode rho
NOISY = ("expert", "noise0.3", "noise0.6", "noise1.0")  # the within-episode episodes
# The trainer's bonus (`genreward train` settings: its scale and terms).
COMBINED = {
    "genreward paper": ("paper", ("video_paper", "fb")),
    "genreward auto": ("auto", ("video_paper", "fb")),
    "genreward auto + progress": ("auto", ("video_paper", "fb", "progress")),
    "genreward auto, online FB": ("auto", ("video_paper", "fb_online")),
}


def success_clip(episode: Episode, frames: int = 16) -> np.ndarray:
    """A real expert episode as a goal video: first frame to the frame after its first success,
    subsampled to `frames` (as the goal-video model's training clips)."""
    hits = np.flatnonzero(episode.success)
    end = int(hits[0]) + 2 if len(hits) else len(episode.frames)
    return episode.frames[subsample(end, frames)]


def load_sets(
    root: Path, tasks: list[str] | None, encode
) -> tuple[dict[tuple[str, int], list[tuple]], dict[tuple[str, int], dict]]:
    """Episodes by (task, seed): ``[(kind, episode), ...]``, each dataset's checksums verified,
    and the latents of their frames by (task, seed) and kind, kept in ``root/latents.npz``
    under each episode file's sha256 (encoded once; the file changes, its latents too)."""
    cache_file = root / "latents.npz"
    cache = dict(np.load(cache_file)) if cache_file.is_file() else {}
    by_placement, latents, new = defaultdict(list), defaultdict(dict), False
    for folder in sorted(p for p in root.iterdir() if (p / "index.jsonl").is_file()):
        dataset = load_dataset(folder).subset(tasks=tasks)
        for record, episode in zip(dataset.records, dataset, strict=True):
            key = (episode.meta["task"], int(episode.meta["seed"]))
            by_placement[key].append((folder.name, episode))
            if record.sha256 not in cache:
                cache[record.sha256] = encode(episode.frames).half().numpy()
                new = True
            latents[key][folder.name] = torch.as_tensor(cache[record.sha256]).float()
    if not by_placement:
        raise SystemExit(f"no datasets under {root}: run benchmarks/reward_quality_data.sh")
    if new:
        with atomic_write(cache_file) as f:
            np.savez(f, **cache)
    return dict(sorted(by_placement.items())), latents


def cached_generated(
    path: Path, placements: dict, pipe: GoalVideoPipeline
) -> dict[tuple[str, int], np.ndarray]:
    """Generated goal videos per placement, made once and kept in `path` (an .npz)."""
    videos = {}
    if path.is_file():
        with np.load(path) as stored:
            videos = {(k.split("@")[0], int(k.split("@")[1])): stored[k] for k in stored.files}
    missing = [key for key in placements if key not in videos]
    videos |= generate(pipe, placements, missing)
    if missing:
        with atomic_write(path) as f:
            np.savez(f, **{f"{t}@{s}": v for (t, s), v in videos.items()})
    return videos


def generate(pipe: GoalVideoPipeline, placements: dict, keys: list) -> dict:
    """A goal video per (task, seed) in `keys`, from its expert episode's first frame and text,
    sampled with the placement's seed."""
    videos = {}
    for task, seed in keys:
        expert = dict(placements[(task, seed)])["expert"]
        videos[(task, seed)] = pipe(expert.frames[0], expert.meta["text"], seed=seed)
    return videos


def retrieve(pool: list[Episode], pool_first: torch.Tensor, task: str, first: torch.Tensor):
    """The pool episode whose first frame's latent is nearest, of `task` where there is one."""
    same = [i for i, e in enumerate(pool) if e.meta["task"] == task]
    candidates = same or list(range(len(pool)))
    distance = (pool_first[candidates] - first.flatten()).norm(dim=-1)
    return pool[candidates[int(distance.argmin())]]


def goal_videos(args, placements, encode) -> dict[str, dict[tuple[str, int], np.ndarray]]:
    """Goal video of each placement per source."""
    goals: dict[str, dict] = {}
    if "oracle" in args.sources:
        goals["oracle"] = {k: success_clip(dict(eps)["expert"]) for k, eps in placements.items()}
    if "retrieval" in args.sources:
        pool = list(load_dataset(args.pool).subset(success_only=True))
        pool_first = encode(np.stack([e.frames[0] for e in pool])).flatten(1)
        goals["retrieval"] = {}
        for (task, seed), eps in placements.items():
            first = encode(dict(eps)["expert"].frames[:1])[0]
            match = retrieve(pool, pool_first, task, first)
            goals["retrieval"][(task, seed)] = success_clip(match)
    if "generated" in args.sources:
        pipe = GoalVideoPipeline.from_pretrained()
        goals["generated"] = cached_generated(args.data / "generated_goals.npz", placements, pipe)
    if "finetuned" in args.sources:
        goals["finetuned"] = finetuned_goals(args.finetuned, placements)
    return goals


def finetuned_goals(root: Path | None, placements: dict) -> dict[tuple[str, int], np.ndarray]:
    """Goal videos of the tasks with a finished model in ``root/<task>``, each from its own
    model, made as the shipped model's are (same first frame, text and seed; not cached: a few
    videos per task)."""
    if root is None:
        raise SystemExit("--sources finetuned needs --finetuned DIR (one model folder per task)")
    videos = {}
    for task in sorted({task for task, _ in placements}):
        folder = root / task.removesuffix("-v3")
        if not (folder / MANIFEST_FILE).is_file():  # no model, or one still training
            continue
        pipe = GoalVideoPipeline.from_pretrained(folder)
        videos |= generate(pipe, placements, sorted(k for k in placements if k[0] == task))
    if not videos:
        raise SystemExit(f"no model folder under {root} for any of the chosen tasks")
    return videos


def online_fbs(
    paths: list[Path], fingerprint: str, tasks: list[str] | None
) -> dict[str, ForwardBackward]:
    """FB as trained online, per task (of `tasks`, default all): the final FB of the finished
    run (lowest seed) under `paths` whose FB started from a random initialisation and trained
    on its own replay; its psi must come from the autoencoder with SHA-256 `fingerprint` (the
    benchmark's)."""
    runs = [
        run
        for run in find_runs(paths)
        if (run.folder / DONE_FILE).is_file()
        and run.config["reward"] in ("genreward", "fb")
        and not run.config.get("fb_pretrained", False)  # runs before it trained FB online
        and int(run.config.get("fb_train_steps") or 0) > 0
    ]
    models: dict[str, ForwardBackward] = {}
    for run in sorted(runs, key=lambda r: int(r.config["seed"])):
        task = resolve_task(run.task)
        if task in models or (tasks is not None and task not in tasks):
            continue
        if autoencoder_fingerprint(run.config.get("video_model")) != fingerprint:
            raise SystemExit(
                f"{run.folder}: its FB sees psi from another autoencoder than this benchmark's "
                "(--fb); train the run with the same goal-video model"
            )
        models[task] = open_run(run.folder).fb.eval()
    if not models:
        raise SystemExit(
            f"no finished run with FB trained online under {', '.join(map(str, paths))}"
        )
    return models


def mean_of_defined(values: list[float]) -> float:
    """Mean of the values that are not NaN (NaN when none is: a window term's within-rho)."""
    values = np.asarray(values, dtype=float)
    return float(values[~np.isnan(values)].mean()) if not np.isnan(values).all() else np.nan


def min_of_defined(values: list[float]) -> float:
    """Least of the values that are not NaN (NaN when none is)."""
    defined = [v for v in values if not np.isnan(v)]
    return float(min(defined)) if defined else np.nan


def metrics(episodes: list[dict]) -> dict[str, float]:
    """VOC, within-episode rho (expert and noisy expert episodes; expert alone) and success
    AUROC of one term."""
    sums = np.array([e["values"].sum() for e in episodes])
    returns = np.array([e["dense"].sum() for e in episodes])

    def within(kinds: tuple[str, ...]) -> float:
        rhos = [spearman(e["values"], e["dense"]) for e in episodes if e["kind"] in kinds]
        return mean_of_defined(rhos)

    return {
        "voc": spearman(sums, returns),
        "within": within(NOISY),
        "within expert": within(("expert",)),
        "auroc": auroc(sums, np.array([e["success"] for e in episodes])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/quality"))
    parser.add_argument("--pool", type=Path, default=Path("data/fb/expert"))
    parser.add_argument("--fb", default="shipped", help="FB folder, 'shipped' or 'none'")
    parser.add_argument(
        "--fb-runs", type=Path, nargs="+", default=[],
        help="run folders or sweeps with FB trained online (--no-fb-pretrained)",
    )  # fmt: skip
    parser.add_argument("--sources", default=",".join(SOURCES), help="also: finetuned")
    parser.add_argument("--finetuned", type=Path, help="folder of finetuned models, one per task")
    parser.add_argument("--tasks", default=None, help="comma-separated (default: all)")
    parser.add_argument("--temperature", type=float, default=1.0, help="progress temperature")
    parser.add_argument("--tag", default="", help="suffix of the output files")
    args = parser.parse_args()
    args.sources = args.sources.split(",")
    unknown = sorted(set(args.sources) - {*SOURCES, "finetuned"})
    if unknown:
        parser.error(f"unknown --sources {', '.join(unknown)}: choose from {SOURCES}, finetuned")
    torch.set_grad_enabled(False)
    started = time.perf_counter()
    fb = None
    fb_model = None if args.fb == "shipped" else args.fb
    if args.fb != "none":
        fb, features = load_fb(fb_model)
        encoder, fingerprint = features.encoder, fb_autoencoder(fb_model)
    else:
        encoder = GoalVideoPipeline.from_pretrained().encoder
        fingerprint = autoencoder_fingerprint()
    encode = encoder.encode
    tasks = resolve_tasks(args.tasks) if args.tasks else None
    online = online_fbs(args.fb_runs, fingerprint, tasks) if args.fb_runs else {}
    placements, all_latents = load_sets(args.data, tasks, encode)
    goals = goal_videos(args, placements, encode)
    scorer = GoalFrameSelector(make_scorer("domain"))
    print(f"goals ready in {time.perf_counter() - started:.0f} s")

    values = defaultdict(list)  # (source, term, task) -> episodes
    for (task, seed), episodes in placements.items():
        latents = all_latents[(task, seed)]
        for source, videos in goals.items():
            if (task, seed) not in videos:  # a finetuned model for another task
                continue
            video = videos[(task, seed)]
            text = dict(episodes)["expert"].meta["text"]
            goal = GoalLatents(encode(video), scorer.select(video, text).index)
            rewards = {
                f"video_{mode}": VideoLevelReward(encoder, video, mode=mode)
                for mode in ("paper", "change")
            }
            fbs = {"fb": fb} if fb is not None else {}
            if task in online:
                fbs["fb_online"] = online[task]
            per_episode = []
            for kind, episode in episodes:
                terms = episode_terms(
                    latents[kind],
                    episode.actions,
                    goal,
                    rewards,
                    fbs=fbs,
                    states=episode.states,
                    temperature=args.temperature,
                )
                per_episode.append((kind, episode, terms))
            for kind, episode, terms in per_episode:
                for name, series in terms.items():
                    values[(source, name, task)].append(
                        {
                            "kind": kind,
                            "values": series,
                            "dense": episode.rewards,
                            "success": bool(episode.success.any()),
                        }
                    )
    for source in goals:  # the bonus as the trainer adds it (scale statistics of the whole set)
        for task in sorted({k[2] for k in values}):
            for name, (scale, terms) in COMBINED.items():
                if all((source, n, task) in values for n in terms):
                    parts = {n: values[(source, n, task)] for n in terms}
                    values[(source, name, task)] = combined_bonus(parts, scale)
    rows = []
    for (source, term, task), episodes in sorted(values.items()):
        row = {"source": source, "term": term, "task": task.removesuffix("-v3")}
        row |= {"held out": task in HELD_OUT_TASKS, "episodes": len(episodes)}
        row |= metrics(episodes)
        if term in WINDOW_TERMS or term in COMBINED:
            row["within"] = row["within expert"] = float("nan")
        rows.append(row)
    tag = f"_{args.tag}" if args.tag else ""
    report("Reward quality per source, term and task", rows, f"bench_reward_quality{tag}.csv")
    summary = []
    for source in goals:
        for term in sorted({r["term"] for r in rows if r["source"] == source}):
            for held_out in (False, True):
                chosen = [
                    r
                    for r in rows
                    if (r["source"], r["term"], r["held out"]) == (source, term, held_out)
                ]
                if not chosen:
                    continue
                summary.append(
                    {
                        "source": source,
                        "term": term,
                        "tasks": "held-out" if held_out else "held-in",
                        "n": len(chosen),
                        **{
                            m: mean_of_defined([r[m] for r in chosen])
                            for m in ("voc", "within", "within expert", "auroc")
                        },
                        "min voc": min_of_defined([r["voc"] for r in chosen]),
                    }
                )
    report("Means over tasks", summary, f"bench_reward_quality{tag}_summary.csv")
    heatmap(rows, list(goals), RESULTS / f"bench_reward_quality{tag}.png")
    print(f"done in {time.perf_counter() - started:.0f} s")


def heatmap(rows: list[dict], sources: list[str], path: Path) -> None:
    """VOC per term (rows) and task (columns), one panel per goal source."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = sorted({r["task"] for r in rows}, key=lambda t: (f"{t}-v3" in HELD_OUT_TASKS, t))
    terms = sorted({r["term"] for r in rows})
    fig, axes = plt.subplots(len(sources), 1, figsize=(1.0 + 0.6 * len(tasks), 2.6 * len(sources)))
    for ax, source in zip(np.atleast_1d(axes), sources, strict=True):
        grid = np.full((len(terms), len(tasks)), np.nan)
        for r in rows:
            if r["source"] == source:
                grid[terms.index(r["term"]), tasks.index(r["task"])] = r["voc"]
        image = ax.imshow(grid, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, "" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=6)
        ax.set_yticks(range(len(terms)), terms, fontsize=7)
        ax.set_xticks(range(len(tasks)), tasks, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"VOC, goal videos: {source} (right of the line: held-out tasks)", fontsize=8)
        held_in = sum(f"{t}-v3" not in HELD_OUT_TASKS for t in tasks)
        ax.axvline(held_in - 0.5, color="k", lw=1)
        fig.colorbar(image, ax=ax, fraction=0.02)
    save_figure(fig, path)


if __name__ == "__main__":
    main()
