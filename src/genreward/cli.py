"""The `genreward` command: one sub-command per stage; the logic lives in the modules."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import tyro

from genreward.demo import DemoConfig
from genreward.errors import GenRewardError, usage_error_line
from genreward.rewards.config import TrainFBConfig
from genreward.rl.config import TrainConfig
from genreward.sweep import SweepConfig
from genreward.threads import set_threads
from genreward.validate import (
    SEED_RANGE,
    check_device,
    check_folders,
    check_inputs,
    check_ranges,
    split_list,
)
from genreward.video.config import TrainVideoConfig


@dataclass
class Collect:
    """Record episodes (scripted experts or random actions) of Meta-World tasks into a dataset."""

    tasks: str = "door-open"
    """Comma-separated task names (short "door-open" or full "door-open-v3"), or "all"."""
    episodes: int = 20
    """Episodes per task; episode i uses env seed seed-start + i."""
    out: Path = Path("data/demos")
    """Dataset directory (created; re-running resumes an interrupted collection)."""
    size: int = 64
    """Frame height and width in pixels."""
    camera: str = "corner"
    """Meta-World camera name."""
    seed_start: int = 0
    """Env seed of the first episode of each task."""
    max_steps: int = 500
    """Longest episode, in env steps (Meta-World's limit is 500)."""
    extra_steps: int = 10
    """Steps recorded after the first success, so the finished state is visible."""
    action_noise: float = 0.0
    """Std of Gaussian noise added to the expert's actions."""
    policy: str = "expert"
    """"expert" (Meta-World's scripted policy) or "random" (uniform actions)."""
    expert_fraction: float = 1.0
    """With --policy expert: share of the noise-free expert's steps to success after which
    actions turn uniformly random (graded partial successes; 1: expert throughout)."""
    workers: int = 2
    """Parallel recording processes."""

    def __post_init__(self) -> None:
        from genreward.envs.tasks import check_camera, resolve_tasks

        check_camera(self.camera)
        resolve_tasks(self.tasks)
        check_folders(self, "out")
        check_ranges(
            self,
            {
                "episodes": "[1, inf)",
                "size": "[8, 2048]",
                "seed_start": SEED_RANGE,
                "max_steps": "[1, inf)",
                "extra_steps": "[0, inf)",
                "action_noise": "[0, inf)",
                "expert_fraction": "[0, 1]",
                "workers": "[1, inf)",
            },
        )

    def run(self) -> None:
        from genreward.data.collect import collect

        summary = collect(
            self.out,
            self.tasks,
            self.episodes,
            seed_start=self.seed_start,
            size=self.size,
            camera=self.camera,
            max_steps=self.max_steps,
            extra_steps=self.extra_steps,
            action_noise=self.action_noise,
            policy=self.policy,
            expert_fraction=self.expert_fraction,
            workers=self.workers,
        )
        for task, (ok, n) in summary.success_rates().items():
            print(f"{task}: {ok}/{n} successful episodes")
        print(
            f"recorded {summary.recorded}, kept {summary.resumed} from before, "
            f"in {summary.seconds:.1f} s -> {summary.root / 'index.jsonl'}"
        )


@dataclass
class Show:
    """Turn an episode file into a GIF, an MP4 or a filmstrip PNG."""

    file: tyro.conf.Positional[Path]
    """Episode file (.npz) written by `genreward collect`."""
    out: Path = Path("episode.gif")
    """Output file: .gif, .mp4 or .png (filmstrip)."""
    fps: int = 20
    """Frames per second of a GIF or MP4."""
    scale: int | None = None
    """Integer upscaling factor; default: frames at least 256 pixels tall."""
    count: int = 8
    """Frames in a filmstrip PNG."""

    def __post_init__(self) -> None:
        check_ranges(
            self,
            {
                "fps": "[1, inf)",
                "scale": "[1, 32]",
                "count": "[1, inf)",
            },
        )

    def run(self) -> None:
        from genreward.data.episode import load_episode
        from genreward.data.media import save_media

        episode = load_episode(self.file)
        path = save_media(
            episode.frames, self.out, fps=self.fps, scale=self.scale, count=self.count
        )
        print(
            f"{episode.meta['task']} seed {episode.meta['seed']}: {episode.length} steps, "
            f"success at step {episode.first_success} -> {path}"
        )


@dataclass
class TrainVideo(TrainVideoConfig):
    """Train the goal-video model from scratch, or finetune one (--init), in full or LoRA."""

    def run(self) -> None:
        from genreward.video.train import train_video

        print(f"goal-video model saved to {train_video(self)}")


@dataclass
class Generate:
    """Render an env seed's first frame and generate the goal video of the task from it."""

    task: str = "door-open"
    """Meta-World task (short or full name); its text conditions the video."""
    seed: str = "0"
    """Env seed, or comma-separated seeds generated as one batch (e.g. "0,1,2")."""
    out: Path = Path("goals/door-open")
    """Output folder: goal_video.npz + .gif + filmstrip .png (per seed_N/ for several seeds)."""
    model: Path | None = None
    """Goal-video model folder (default: the model shipped with genreward)."""
    camera: str = "corner"
    """Meta-World camera of the first frame."""
    guidance_scale: float | None = None
    """Classifier-free guidance scale (default: the model's)."""
    steps: int | None = None
    """DDIM sampling steps (default: the model's)."""
    device: str = "cpu"
    """Torch device."""

    def __post_init__(self) -> None:
        from genreward.envs.tasks import check_camera, resolve_task

        check_camera(self.camera)
        resolve_task(self.task)
        check_inputs(self, "model")
        check_folders(self, "out")
        check_device(self.device)
        check_ranges(
            self,
            {
                "guidance_scale": "[0, inf)",
                "steps": "[1, inf)",
            },
        )

    def run(self) -> None:
        from genreward.video.generate import generate_goals
        from genreward.video.pipeline import GoalVideoPipeline

        try:
            seeds = [int(s) for s in split_list(self.seed, "--seed")]
            if not seeds or min(seeds) < 0 or max(seeds) >= 2**32:
                raise ValueError
        except ValueError as exc:
            raise GenRewardError(
                f"--seed must be integers in {SEED_RANGE} separated by commas, got {self.seed!r}"
            ) from exc
        pipe = GoalVideoPipeline.from_pretrained(self.model, device=self.device)
        folders = generate_goals(
            pipe,
            self.task,
            seeds,
            self.out,
            camera=self.camera,
            guidance_scale=self.guidance_scale,
            num_inference_steps=self.steps,
            model_name=str(self.model or "shipped default"),
        )
        for folder in folders:
            print(f"goal video -> {folder}/goal_video.npz (.gif, .png)")


@dataclass
class SelectGoal:
    """Pick the goal frame I* of a goal video (the frame most similar to the task text)."""

    goal: tyro.conf.Positional[Path]
    """Goal folder written by `genreward generate` (holds goal_video.npz)."""
    backend: str = "domain"
    """"domain" (the shipped offline scorer) or "transformers" (CLIP/SigLIP)."""
    model: str | None = None
    """Scorer folder (domain) or CLIP/SigLIP folder or hub id (transformers)."""
    text: str | None = None
    """Task text (default: the goal video's)."""
    prompts: tuple[str, ...] = ("{}",)
    """Prompt templates averaged as an ensemble, "{}" standing for the text."""

    def __post_init__(self) -> None:
        from genreward.data.goal_video import load_goal_video
        from genreward.goals.selector import check_prompts

        if self.backend not in ("domain", "transformers"):
            raise GenRewardError(
                f"unknown scorer backend {self.backend!r}; use domain or transformers"
            )
        check_prompts(self.prompts)
        if self.text is not None and not self.text.strip():
            raise GenRewardError("--text is empty; give the task text, or leave it out")
        load_goal_video(self.goal)  # a clear error before the scorer loads

    def run(self) -> None:
        from genreward.goals.select import make_scorer, select_goal

        goal = select_goal(
            self.goal, make_scorer(self.backend, self.model), self.text, self.prompts
        )
        print(
            f"goal frame {goal.index} of {len(goal.scores)} -> {self.goal}/goal_frame.json, "
            "goal_frame.png"
        )


@dataclass
class TrainSelector:
    """Train the offline goal-frame scorer on expert episodes (frozen MiniLM + autoencoder)."""

    data: list[Path] = field(default_factory=lambda: [Path("data/demos")])
    """Dataset directories written by `genreward collect`."""
    out: Path = Path("models/goal_scorer")
    """Output scorer folder."""
    video_model: Path | None = None
    """Goal-video model whose autoencoder the scorer reads (default: the shipped model)."""
    steps: int = 2000
    """Gradient steps."""
    seed: int = 0
    """Seed of initialisation and batches."""

    def __post_init__(self) -> None:
        check_folders(self, "out")
        check_inputs(self, "video_model")
        check_ranges(self, {"steps": "[1, inf)", "seed": SEED_RANGE})

    def run(self) -> None:
        from genreward.goals.domain import SCORER_ENTRIES, train_domain_scorer
        from genreward.rewards.train_fb import autoencoder_features
        from genreward.validate import check_output_folder
        from genreward.video.clips import open_datasets

        check_output_folder(self.out, SCORER_ENTRIES, "goal scorer")
        autoencoder = autoencoder_features(self.video_model).encoder.autoencoder
        scorer = train_domain_scorer(
            open_datasets(self.data), autoencoder, steps=self.steps, seed=self.seed
        )
        print(f"goal scorer saved to {scorer.save_pretrained(self.out)}")


@dataclass
class TrainFB(TrainFBConfig):
    """Train the forward-backward model offline (expert demos + random rollouts)."""

    def run(self) -> None:
        from genreward.rewards.train_fb import train_fb

        print(f"FB model saved to {train_fb(self)}")


@dataclass
class Train(TrainConfig):
    """Train a SAC agent on a Meta-World task with GenReward (or an ablation of it)."""

    def run(self) -> None:
        from genreward.rl.trainer import train

        folder = train(self)
        print(f"run finished -> {folder} (metrics.csv, eval/*.gif, logs/ for TensorBoard)")


@dataclass
class Eval:
    """Evaluate the latest snapshot of a run: success rate, return and rollout GIFs."""

    run_dir: tyro.conf.Positional[Path]
    """Run folder written by `genreward train`."""
    episodes: int = 10
    """Evaluation episodes (cycling over the run's placements)."""
    gifs: int = 2
    """Episodes saved as GIFs in <run>/eval."""
    device: str = "cpu"
    """Torch device."""

    def __post_init__(self) -> None:
        check_device(self.device)
        check_ranges(
            self,
            {
                "episodes": "[1, inf)",
                "gifs": "[0, inf)",
            },
        )

    def run(self) -> None:
        from genreward.rl.trainer import evaluate_run

        if self.episodes < 1 or self.gifs < 0:
            raise GenRewardError("--episodes must be positive and --gifs non-negative")
        s = evaluate_run(self.run_dir, self.episodes, self.gifs, self.device)
        print(
            f"step {s['step']}: success {s['eval_success']:.2f}, return "
            f"{s['eval_return']:.1f} ± {s['eval_return_std']:.1f} over {self.episodes} episodes"
        )


@dataclass
class Report:
    """Learning curves, a results table and an HTML page for a set of runs."""

    runs: tyro.conf.Positional[list[Path]]
    """Run folders, or folders holding run folders (a sweep)."""
    out: Path = Path("outputs/report")
    """Output folder: index.html, learning_curves.png, results.csv, results.md."""

    def __post_init__(self) -> None:
        check_folders(self, "out")

    def run(self) -> None:
        from genreward.report.make import make_report

        print(f"report -> {make_report(self.runs, self.out)}")


@dataclass
class Demo(DemoConfig):
    """The main job: goal video, goal frame, GenReward and env-only agents, report."""

    def run(self) -> None:
        from genreward.demo import run_demo

        page = run_demo(self)
        print(f"demo finished; open the report: {page}")


@dataclass
class Sweep(SweepConfig):
    """Run a grid of trainings (tasks x rewards x env rewards x seeds) on Ray, then report."""

    def run(self) -> None:
        from genreward.sweep import run_sweep

        print(f"sweep finished; report: {run_sweep(self)}")


Command = (
    Annotated[Collect, tyro.conf.subcommand("collect")]
    | Annotated[Show, tyro.conf.subcommand("show")]
    | Annotated[TrainVideo, tyro.conf.subcommand("train-video")]
    | Annotated[Generate, tyro.conf.subcommand("generate")]
    | Annotated[SelectGoal, tyro.conf.subcommand("select-goal")]
    | Annotated[TrainSelector, tyro.conf.subcommand("train-selector")]
    | Annotated[TrainFB, tyro.conf.subcommand("train-fb")]
    | Annotated[Train, tyro.conf.subcommand("train")]
    | Annotated[Eval, tyro.conf.subcommand("eval")]
    | Annotated[Report, tyro.conf.subcommand("report")]
    | Annotated[Demo, tyro.conf.subcommand("demo")]
    | Annotated[Sweep, tyro.conf.subcommand("sweep")]
)


# Commands that usually run alone and gain from every core (see genreward.threads).
ALL_CORES = (TrainVideo, Generate)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `genreward` console script."""
    try:
        # Inside the try: configs check their values as tyro builds them.
        with contextlib.redirect_stderr(io.StringIO()) as parse_errors:
            try:
                command = tyro.cli(
                    Command,  # type: ignore[arg-type]
                    args=argv,
                    prog="genreward",
                    description="GenReward: goal-driven rewards from video diffusion models.",
                )
            except SystemExit as exc:
                if exc.code in (0, None):  # --help
                    raise
                raise GenRewardError(usage_error_line(parse_errors.getvalue())) from exc
        set_threads(None if isinstance(command, ALL_CORES) else 1)
        command.run()
    except GenRewardError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (MemoryError, RuntimeError) as err:
        # torch's OutOfMemoryError is a RuntimeError; other RuntimeErrors are bugs: raise them
        if not isinstance(err, MemoryError) and type(err).__name__ != "OutOfMemoryError":
            raise
        why = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"error: not enough memory ({why}); lower the sizes asked for", file=sys.stderr)
        return 1
    except OSError as err:  # the file system refused (permissions, full disk, odd paths)
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted; finished work is saved, re-run the same command to resume",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
