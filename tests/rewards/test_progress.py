import numpy as np
import pytest
import torch

from genreward.errors import GenRewardError
from genreward.rewards.progress import GoalDistance, GoalVideoProgress
from genreward.rewards.quality import auroc, spearman
from genreward.rewards.scale import RewardScaler, RunningMoments, combined_bonus


def line_video(frames=8, dim=6):
    """A goal video whose latents move along a straight line from 0 to 1 in every dimension."""
    return torch.linspace(0, 1, frames)[:, None].expand(frames, dim).reshape(frames, 2, 3)


def test_progress_is_the_position_along_the_goal_video():
    goal = line_video()
    progress = GoalVideoProgress(goal, temperature=0.1)
    values = progress(goal)
    assert values[0] < 0.05 and values[-1] > 0.95
    assert torch.all(values[1:] > values[:-1])
    # A frame halfway between the start and the end of the goal video is half way.
    assert progress(torch.full((1, 2, 3), 0.5))[0] == pytest.approx(0.5, abs=1e-4)


def test_progress_rejects_bad_goals_and_temperatures():
    with pytest.raises(GenRewardError, match="at least 2"):
        GoalVideoProgress(torch.zeros(1, 4))
    with pytest.raises(GenRewardError, match="temperature"):
        GoalVideoProgress(line_video(), temperature=0.0)


def test_goal_distance_is_minus_one_at_the_start_and_zero_at_the_goal():
    goal = line_video()
    distance = GoalDistance(goal[-1], goal[0])
    values = distance(goal)
    assert values[0].item() == pytest.approx(-1.0) and values[-1].item() == pytest.approx(0.0)
    assert torch.all(values[1:] > values[:-1])


def test_running_moments_match_numpy_over_chunks():
    values = np.random.default_rng(0).normal(3.0, 2.0, 1000)
    moments = RunningMoments()
    for chunk in np.array_split(values, 7):
        moments.update(chunk)
    assert moments.count == 1000
    assert moments.mean == pytest.approx(values.mean())
    assert moments.std == pytest.approx(values.std())
    restored = RunningMoments()
    restored.load_state_dict(moments.state_dict())
    assert restored.std == moments.std
    assert RunningMoments().std == 1.0  # nothing seen: no division by zero


def test_paper_scale_is_the_papers_weighted_sum():
    scaler = RewardScaler("paper", alpha=0.01, beta=1e-5)
    terms = {"r_video": torch.tensor([0.5, 1.0]), "r_fb": torch.tensor([100.0, 0.0])}
    assert torch.allclose(scaler.bonus(terms), torch.tensor([0.006, 0.01]))


def test_auto_scale_standardises_each_term_and_matches_the_env_scale():
    rng = np.random.default_rng(0)
    env, video, fb = rng.normal(0, 4.0, 5000), rng.normal(0.9, 0.01, 5000), rng.normal(50, 20, 5000)
    dense = RewardScaler("auto", env_reward="dense", weight=1.0)
    dense.observe({"r_env": env, "r_video": video, "r_fb": fb})
    bonus = dense.bonus({"r_video": video, "r_fb": fb})
    # Two independent standardised terms averaged: std 1/sqrt(2), times the env scale 4.
    assert bonus.mean() == pytest.approx(0.0, abs=0.05)
    assert bonus.std() == pytest.approx(4.0 / np.sqrt(2), rel=0.05)
    parts = dense.weighted({"r_video": video, "r_fb": fb})
    assert parts["r_video"].std() == pytest.approx(parts["r_fb"].std(), rel=1e-3)
    sparse = RewardScaler("auto", env_reward="sparse", weight=0.5)
    sparse.observe({"r_env": env, "r_video": video})
    assert sparse.bonus({"r_video": video}).std() == pytest.approx(0.5, rel=1e-3)


def test_reward_scale_rejects_unknown_scales_and_empty_terms():
    with pytest.raises(GenRewardError, match="paper or auto"):
        RewardScaler("huge")
    with pytest.raises(GenRewardError, match="no bonus"):
        RewardScaler("auto").bonus({})


def test_combined_bonus_of_recorded_episodes():
    episodes = [{"values": np.array([0.0, 1.0]), "kind": "a"}, {"values": np.array([2.0, 3.0])}]
    fb = [{"values": np.array([10.0, 10.0])}, {"values": np.array([30.0, 30.0])}]
    paper = combined_bonus({"video_paper": episodes, "fb": fb}, "paper")
    assert np.allclose(paper[0]["values"], [0.0001, 0.0101]) and paper[0]["kind"] == "a"
    online = combined_bonus({"video_paper": episodes, "fb_online": fb}, "paper")  # FB's weight
    assert all(np.allclose(a["values"], b["values"]) for a, b in zip(online, paper, strict=True))
    auto = combined_bonus({"video_paper": episodes}, "auto")
    values = np.concatenate([e["values"] for e in auto])
    assert values.mean() == pytest.approx(0.0) and values.std() == pytest.approx(1.0)


def test_metrics():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert np.isnan(spearman([1, 1, 1, 1], [1, 2, 3, 4]))
    assert auroc(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1])) == 1.0
    assert auroc(np.array([0.5, 0.5]), np.array([0, 1])) == 0.5
    assert np.isnan(auroc(np.array([0.1, 0.2]), np.array([1, 1])))


def test_episode_terms_fill_video_windows_as_the_trainer_does():
    from genreward.rewards.fb import ForwardBackward
    from genreward.rewards.quality import GoalLatents, episode_terms
    from genreward.rewards.video_reward import VideoLevelReward
    from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder

    torch.manual_seed(0)
    encoder = AutoencoderVideoEncoder(
        FrameAutoencoder(channels=(8, 8, 8), frame_size=32), mixed_precision="no"
    )
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (21, 32, 32, 3), dtype=np.uint8)  # o_0 .. o_20
    video = rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
    reward = VideoLevelReward(encoder, video, interval=8, frames=4)
    latents = encoder.encode(frames)
    fb = ForwardBackward(obs_dim=latents[0].numel(), hidden=16, embed=8, z_dim=4).eval()
    actions = rng.uniform(-1, 1, (20, 4)).astype(np.float32)
    goal = GoalLatents(encoder.encode(video), frame_index=5)
    terms = episode_terms(latents, actions, goal, {"video": reward}, fbs={"fb": fb})
    assert set(terms) == {"video", "goal_distance", "goal_distance_decrease", "progress", "fb"}
    assert all(v.shape == (20,) for v in terms.values())
    # Windows complete after steps 8 and 16 (not at the 4 steps left); each scores o_t+1..
    assert np.flatnonzero(terms["video"]).tolist() == [7, 15]
    assert terms["video"][7] == pytest.approx(reward.score(frames[1:9]), abs=1e-5)
    assert terms["video"][15] == pytest.approx(reward.score(frames[9:17]), abs=1e-5)
    assert np.allclose(
        terms["goal_distance_decrease"].sum(),
        terms["goal_distance"][-1] - GoalDistance(goal.frame, goal.video[0])(latents[:1]).item(),
        atol=1e-5,
    )
