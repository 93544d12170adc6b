"""Does a reward term know task progress? The reward-quality benchmark's terms and metrics.

Every term is computed from per-frame latents of a recorded episode (frames ``o_0 .. o_T``,
actions ``a_0 .. a_T-1``) exactly as training computes it, as a per-step array ``[T]`` (step t's
reward, after action a_t). Metrics compare terms with Meta-World's dense reward and success:

- VOC (value-order correlation): Spearman between a term's episode sum and the episode's dense
  return, over a set of episodes of graded quality;
- within-episode: Spearman between the per-step term and the per-step dense reward;
- success AUROC: how well the episode sum separates successful from failed episodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import rankdata, spearmanr

from genreward.rewards.fb import ForwardBackward
from genreward.rewards.progress import GoalDistance, GoalVideoProgress
from genreward.rewards.video_reward import VideoLevelReward


@dataclass
class GoalLatents:
    """A goal as latents: the goal video ``[K, C, h, w]`` and the index of I* in it."""

    video: torch.Tensor
    frame_index: int

    @property
    def frame(self) -> torch.Tensor:
        return self.video[self.frame_index]


def window_rewards(latents: torch.Tensor, reward: VideoLevelReward) -> np.ndarray:
    """`reward` at each step where a video window completes (0 elsewhere), the windows filled
    as the trainer fills them, from the latents ``[T+1, C, h, w]`` of frames o_0 .. o_T."""
    steps = len(latents) - 1
    out = np.zeros(steps, np.float32)
    window, ends, clips = reward.window(), [], []
    window.reset(0)
    for t in range(steps):
        clip = window.push(t + 1 if window.needs_frame() else None, done=t == steps - 1)
        if clip is not None:
            ends.append(t)
            clips.append(latents[torch.as_tensor(clip)])
    if clips:
        out[ends] = reward.score_latents(torch.stack(clips))
    return out


def episode_terms(
    latents: torch.Tensor,
    actions: np.ndarray,
    goal: GoalLatents,
    video_rewards: dict[str, VideoLevelReward],
    *,
    fbs: dict[str, ForwardBackward] | None = None,
    states: np.ndarray | None = None,
    temperature: float = 1.0,
) -> dict[str, np.ndarray]:
    """Per-step values ``[T]`` of every term for one episode, from latents ``[T+1, C, h, w]``
    of its frames and its actions ``[T, A]``: the video-level rewards of `video_rewards`
    (name: reward), the goal-frame distance and its decrease, goal-video progress, and the
    reward toward I* of each FB model in `fbs` (name: model; an FB whose F reads the state
    reads the episode's ``states [T+1, S]``)."""
    psi = latents.float().flatten(1)
    after = psi[1:]  # the frame each step's reward sees
    progress = GoalVideoProgress(goal.video, temperature)
    distance = GoalDistance(goal.frame, goal.video[0])
    d = distance(psi).numpy()
    terms = {name: window_rewards(latents, r) for name, r in video_rewards.items()}
    terms |= {
        "goal_distance": d[1:],
        "goal_distance_decrease": d[1:] - d[:-1],
        "progress": progress(after).numpy(),
    }
    for name, fb in (fbs or {}).items():
        with torch.no_grad():
            z = fb.goal_embedding(goal.frame.flatten()[None])
            seen = torch.as_tensor(states, dtype=torch.float32) if fb.forward_on_state else psi
            terms[name] = fb.reward_for_z(seen[:-1], torch.as_tensor(actions), z).numpy()
    return terms


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho; NaN where either side is constant."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve of `scores` for boolean `labels` (ties count half); NaN when
    only one class is present."""
    labels = np.asarray(labels, bool)
    positives, negatives = labels.sum(), (~labels).sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))
