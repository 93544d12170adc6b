"""Evaluation episodes: success rate, env return, and rollout videos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

# policy(state float32 [S], frame uint8 [H, W, 3] or None) -> action float32 [A]
Policy = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


@dataclass
class EvalResult:
    """Per-episode outcomes; success means the task was solved at some step of the episode."""

    successes: list[bool] = field(default_factory=list)
    final_successes: list[bool] = field(default_factory=list)
    returns: list[float] = field(default_factory=list)
    videos: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "eval_success": float(np.mean(self.successes)),
            "eval_final_success": float(np.mean(self.final_successes)),
            "eval_return": float(np.mean(self.returns)),
            "eval_return_std": float(np.std(self.returns)),
        }


def evaluate(
    env: gym.Env,
    policy: Policy,
    placements: list[int],
    episodes: int,
    *,
    record: int = 0,
    policy_sees_frames: bool = False,
) -> EvalResult:
    """Run `episodes` episodes, cycling over `placements`; the first `record` are kept as
    videos ``uint8 [T+1, H, W, 3]``. Returns are Meta-World's dense reward, whatever reward
    the agent trained on, so runs with different rewards compare."""
    result = EvalResult()
    for i in range(episodes):
        placement = placements[i % len(placements)]
        keep = i < record
        render = keep or policy_sees_frames
        state, _ = env.reset(seed=placement)
        frame = env.render() if render else None
        frames = [frame] if keep else []
        total, solved, success = 0.0, False, False
        while True:
            state, reward, terminated, truncated, info = env.step(policy(state, frame))
            frame = env.render() if render else None
            if keep:
                frames.append(frame)
            total += reward
            success = bool(info["success"])
            solved |= success
            if terminated or truncated:
                break
        result.successes.append(solved)
        result.final_successes.append(success)
        result.returns.append(total)
        if keep:
            result.videos.append((placement, np.stack(frames)))
    return result
