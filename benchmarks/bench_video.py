"""Goal-video quality against the real expert episode from the same env seed, and speed.

For each evaluation episode (same first frame as the generated video), both subsampled to K
frames from the first frame to success, it reports per-frame PSNR and SSIM (frames 1..K-1;
frame 0 is given), the final frame's PSNR/SSIM, and the cosine of the final frames' latents,
for: the model; "repeat first" (the first frame K times); "retrieval" (the training clip whose
first-frame latent is nearest, passed through the same autoencoder); and the autoencoder
ceiling (the real clip through the autoencoder). It also times one 16-frame generation.

    .venv/bin/python benchmarks/bench_video.py --eval data/eval_heldin data/eval_heldout \
        --train data/pretrain
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import torch
from skimage.metrics import structural_similarity

matplotlib.use("Agg")
import matplotlib.pyplot as plt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, report, save_figure

from genreward.data import load_dataset
from genreward.envs import HELD_OUT_TASKS
from genreward.video.clips import clip_indices, load_clips
from genreward.video.pipeline import GoalVideoPipeline


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(a, b, channel_axis=-1, data_range=255))


def clip_metrics(pred: np.ndarray, real: np.ndarray, pipe: GoalVideoPipeline) -> dict[str, float]:
    latents = pipe.encoder.encode(np.stack([pred[-1], real[-1]])).flatten(1)
    cos = torch.nn.functional.cosine_similarity(latents[0], latents[1], dim=0)
    return {
        "psnr": float(np.mean([psnr(p, r) for p, r in zip(pred[1:], real[1:], strict=True)])),
        "ssim": float(np.mean([ssim(p, r) for p, r in zip(pred[1:], real[1:], strict=True)])),
        "final psnr": psnr(pred[-1], real[-1]),
        "final ssim": ssim(pred[-1], real[-1]),
        "final latent cos": float(cos),
    }


def evaluate(
    pipe: GoalVideoPipeline,
    label: str,
    eval_dirs: list[str],
    train_frames,
    train_keys,
    per_task: int,
    rows: list[dict],
    examples: dict,
) -> None:
    k = pipe.num_frames
    for directory in eval_dirs:
        dataset = load_dataset(directory).subset(success_only=True)
        for task in dataset.tasks:
            episodes = [ep for ep in dataset.subset(tasks=[task])][:per_task]
            firsts = np.stack([ep.frames[0] for ep in episodes])
            seeds = [int(ep.meta["seed"]) for ep in episodes]
            videos = pipe(firsts, episodes[0].meta["text"], seeds)
            for ep, video in zip(episodes, videos, strict=True):
                real = ep.frames[clip_indices(ep, k)]
                first_key = pipe.encoder.encode(ep.frames[:1]).flatten(1)
                nearest = int(torch.cdist(first_key, train_keys).argmin())
                candidates = {
                    "model": video,
                    "repeat first": np.repeat(ep.frames[:1], k, axis=0),
                    "retrieval": pipe.encoder.decode(pipe.encoder.encode(train_frames[nearest])),
                    "autoencoder ceiling": pipe.encoder.decode(pipe.encoder.encode(real)),
                }
                group = "held-out" if task in HELD_OUT_TASKS else "held-in"
                for method, pred in candidates.items():
                    rows.append(
                        {
                            "model": label,
                            "group": group,
                            "task": task,
                            "seed": int(ep.meta["seed"]),
                            "method": method,
                            **clip_metrics(pred, real, pipe),
                        }
                    )
                examples.setdefault((label, task), (video, real))


def summarise(rows: list[dict]) -> list[dict]:
    keys = sorted(
        {(r["model"], r["group"], r["method"]) for r in rows},
        key=lambda x: (
            x[0],
            x[1],
            ["model", "retrieval", "repeat first", "autoencoder ceiling"].index(x[2]),
        ),
    )
    out = []
    for model, group, method in keys:
        sel = [r for r in rows if (r["model"], r["group"], r["method"]) == (model, group, method)]
        model_rows = [
            r for r in rows if (r["model"], r["group"], r["method"]) == (model, group, "model")
        ]
        summary = {"model": model, "group": group, "method": method, "videos": len(sel)}
        for metric in ("psnr", "ssim", "final psnr", "final ssim", "final latent cos"):
            summary[metric] = float(np.mean([r[metric] for r in sel]))
        if method != "model":
            wins = [m["final psnr"] > r["final psnr"] for m, r in zip(model_rows, sel, strict=True)]
            summary["model wins (final psnr)"] = f"{sum(wins)}/{len(wins)}"
        else:
            summary["model wins (final psnr)"] = "-"
        out.append(summary)
    return out


def per_task(rows: list[dict]) -> list[dict]:
    out = []
    for model, task in sorted({(r["model"], r["task"]) for r in rows}):
        entry = {"model": model, "task": task}
        for method in ("model", "repeat first", "retrieval"):
            sel = [
                r["final psnr"]
                for r in rows
                if (r["model"], r["task"], r["method"]) == (model, task, method)
            ]
            entry[f"final psnr {method}"] = float(np.mean(sel))
        out.append(entry)
    return out


def timing(pipe: GoalVideoPipeline, first: np.ndarray, text: str, repeats: int = 3) -> list[dict]:
    parts: dict[str, list[float]] = {
        k: []
        for k in ("text encoder", "encode first frame", "denoising loop", "decode frames", "total")
    }
    for i in range(repeats):
        pipe.text_encoder._cache.clear()
        t0 = time.perf_counter()
        emb = pipe.text_encoder.encode([text])
        t1 = time.perf_counter()
        with torch.no_grad():
            first_latent = pipe.encoder.encode(first[None])
        t2 = time.perf_counter()
        latents = pipe.sample_latents(first_latent, emb, [i])
        t3 = time.perf_counter()
        pipe.encoder.decode(latents.transpose(1, 2))
        t4 = time.perf_counter()
        for name, value in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            parts[name].append(value)
    steps = pipe.num_inference_steps
    return [
        {
            "stage": name,
            "median seconds": float(np.median(v)),
            "note": f"{steps} DDIM steps x 2 (guidance)" if name == "denoising loop" else "",
        }
        for name, v in parts.items()
    ]


def filmstrip_figure(examples: dict, path: Path, tasks: int = 4) -> None:
    chosen = list(examples.items())[:: max(1, len(examples) // tasks)][:tasks]
    fig, axes = plt.subplots(2 * len(chosen), 1, figsize=(16, 2.1 * len(chosen) * 2))
    for i, ((label, task), (video, real)) in enumerate(chosen):
        for j, (frames, kind) in enumerate(((video, f"generated ({label})"), (real, "real"))):
            ax = axes[2 * i + j]
            ax.imshow(np.concatenate(list(frames), axis=1))
            ax.set_title(f"{task}: {kind}", fontsize=9, loc="left")
            ax.axis("off")
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=[None], help="model folders (default: shipped)"
    )
    parser.add_argument(
        "--labels", nargs="+", default=None, help="names of the models in the table"
    )
    parser.add_argument("--eval", nargs="+", required=True, help="evaluation dataset folders")
    parser.add_argument("--train", nargs="+", required=True, help="training data (retrieval)")
    parser.add_argument("--per-task", type=int, default=4, help="episodes per task")
    parser.add_argument("--name", default="bench_video", help="prefix of the output files")
    args = parser.parse_args()
    labels = args.labels or [str(m or "shipped") for m in args.models]

    rows: list[dict] = []
    examples: dict = {}
    pipes = [GoalVideoPipeline.from_pretrained(m) for m in args.models]
    train = load_clips(
        [load_dataset(d).subset(success_only=True) for d in args.train], pipes[0].num_frames
    )
    for pipe, label in zip(pipes, labels, strict=True):
        keys = pipe.encoder.encode(train.frames[:, 0]).flatten(1)
        evaluate(pipe, label, args.eval, train.frames, keys, args.per_task, rows, examples)
    report(
        "Goal videos vs the real same-seed episode (mean over videos)",
        summarise(rows),
        f"{args.name}.csv",
    )
    report("Final-frame PSNR per task", per_task(rows), f"{args.name}_tasks.csv")
    filmstrip_figure(examples, RESULTS / f"{args.name}.png")
    first = load_dataset(args.eval[0])[0].frames[0]
    report(
        f"One {pipes[0].num_frames}-frame generation on this machine",
        timing(pipes[0], first, "open the door"),
        f"{args.name}_timing.csv",
    )


if __name__ == "__main__":
    main()
