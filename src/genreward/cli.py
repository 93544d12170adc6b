"""The `genreward` command: one sub-command per stage; the logic lives in the modules."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import tyro

from genreward.errors import GenRewardError


@dataclass
class Collect:
    """Record scripted-expert episodes of Meta-World tasks into a dataset directory."""

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
    workers: int = 2
    """Parallel recording processes."""

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


Command = (
    Annotated[Collect, tyro.conf.subcommand("collect")]
    | Annotated[Show, tyro.conf.subcommand("show")]
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `genreward` console script."""
    command = tyro.cli(
        Command,
        args=argv,
        prog="genreward",  # type: ignore[arg-type]
        description="GenReward: goal-driven rewards from video diffusion models.",
    )
    try:
        command.run()
    except GenRewardError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted; finished work is saved, re-run the same command to resume",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
