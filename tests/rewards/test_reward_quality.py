"""Real behaviour of the shipped models on real Meta-World episodes (64x64, corner camera)."""

import numpy as np
import pytest

from genreward.data.collect import EpisodeSpec, record_episode
from genreward.envs import make_env
from genreward.envs.experts import ExpertPolicy
from genreward.goals.domain import DomainScorer
from genreward.goals.selector import GoalFrameSelector
from genreward.rewards.video_reward import VideoLevelReward
from genreward.video.pipeline import GoalVideoPipeline

SEEDS = (2001, 2002, 2003)


def episode_frames(task, seed, policy="expert", steps=None):
    env = make_env(task, seed)
    spec = EpisodeSpec(env.task, seed, max_steps=steps or 300, extra_steps=5)
    if policy == "expert":
        act = ExpertPolicy(task, seed=seed)
    else:
        rng = np.random.default_rng(seed)
        act = lambda obs: rng.uniform(-1, 1, 4).astype(np.float32)  # noqa: E731
    return record_episode(env, act, spec).frames


TASKS = (
    ("drawer-open", "open the drawer"),
    ("button-press", "press the button"),
    ("window-open", "slide the window open"),
)


@pytest.fixture(scope="module")
def scores():
    """Video rewards of expert, random-action and other-task episodes, both forms, against the
    goal video the shipped model generates from each episode's first frame."""
    pipe = GoalVideoPipeline.from_pretrained()
    out = {
        (mode, kind): [] for mode in ("paper", "change") for kind in ("expert", "random", "other")
    }
    for t, (task, text) in enumerate(TASKS):
        for seed in SEEDS[:2]:
            frames = episode_frames(task, seed)
            clips = {
                "expert": frames,
                "random": episode_frames(task, seed, "random", len(frames) - 1),
                "other": episode_frames(TASKS[(t + 1) % len(TASKS)][0], seed),
            }
            goal = pipe(frames[0], text, seed=seed)
            for mode in ("paper", "change"):
                reward = VideoLevelReward(pipe.encoder, goal, mode=mode)
                for kind, clip in clips.items():
                    out[(mode, kind)].append(reward.score(clip))
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("mode", ["paper", "change"])
def test_video_reward_ranks_the_expert_above_random_and_other_task(scores, mode):
    expert, random, other = (scores[(mode, k)] for k in ("expert", "random", "other"))
    assert expert.mean() > random.mean()
    assert expert.mean() > other.mean()
    assert np.mean(expert > random) >= 0.5 and np.mean(expert > other) >= 0.5


def test_change_form_separates_expert_from_random_more_than_the_paper_form(scores):
    def margin(mode):
        gap = scores[(mode, "expert")] - scores[(mode, "random")]
        spread = np.sqrt((scores[(mode, "expert")].var() + scores[(mode, "random")].var()) / 2)
        return gap.mean() / spread

    assert margin("change") > margin("paper")
    assert np.mean(scores[("change", "expert")] > scores[("change", "random")]) >= 0.8


def test_shipped_scorer_picks_a_completed_frame_of_real_episodes():
    selector = GoalFrameSelector(DomainScorer.from_pretrained())
    hits = []
    for task, text in (("drawer-open", "open the drawer"), ("button-press", "press the button")):
        for seed in SEEDS[:2]:
            frames = episode_frames(task, seed)
            hits.append(selector.select(frames, text).index >= 0.8 * (len(frames) - 1))
    assert np.mean(hits) >= 0.75
