import numpy as np
import pytest
import torch

from genreward.data.episode import DatasetError
from genreward.errors import GenRewardError
from genreward.rewards.video_reward import VideoLevelReward, subsample
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return AutoencoderVideoEncoder(FrameAutoencoder(channels=(8, 8, 8), frame_size=32))


def video(seed, length=20):
    return np.random.default_rng(seed).integers(0, 255, (length, 32, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize("mode", ["paper", "change"])
def test_identical_videos_score_one(encoder, mode):
    goal = video(0)
    reward = VideoLevelReward(encoder, goal, interval=16, frames=8, mode=mode)
    assert reward.score(goal) == pytest.approx(1.0, abs=1e-5)
    assert reward.score(video(1)) < 0.999


def test_windows_use_only_the_subsampled_frames_and_fire_every_interval(encoder):
    reward = VideoLevelReward(encoder, video(0), interval=8, frames=4)
    window = reward.window()
    window.reset()
    needed, fired = [], []
    frames = video(2, 24)
    for t in range(24):
        needed.append(window.needs_frame())
        clip = window.push(frames[t] if needed[-1] else None)
        if clip is not None:
            fired.append(t)
            assert clip.shape == (4, 32, 32, 3)
    assert fired == [7, 15, 23]
    keep = set(subsample(8, 4).tolist())
    assert needed == [t % 8 in keep for t in range(24)]
    assert sum(needed) == 12  # 4 of every 8 frames are rendered
    np.testing.assert_array_equal(clip, frames[16:24][subsample(8, 4)])


def test_episode_end_mode_scores_the_whole_episode(encoder):
    reward = VideoLevelReward(encoder, video(0), interval=8, frames=4, at_episode_end=True)
    window = reward.window()
    frames = video(3, 10)
    window.reset(frames[0])
    clips = [window.push(f, done=(i == 8)) for i, f in enumerate(frames[1:])]
    assert all(c is None for c in clips[:-1])
    np.testing.assert_array_equal(clips[-1], frames)


def test_bad_goal_videos_and_windows(encoder):
    with pytest.raises(GenRewardError, match="the video encoder takes 32x32"):
        VideoLevelReward(encoder, np.zeros((8, 64, 64, 3), np.uint8))
    with pytest.raises(DatasetError, match="must be uint8"):
        VideoLevelReward(encoder, np.full((8, 32, 32, 3), np.nan, np.float32))
    with pytest.raises(DatasetError, match="shape"):
        VideoLevelReward(encoder, np.zeros((0, 32, 32, 3), np.uint8))
    with pytest.raises(GenRewardError, match="frames <= interval"):
        VideoLevelReward(encoder, video(0), interval=4, frames=8)
    reward = VideoLevelReward(encoder, video(0), interval=8, frames=4)
    with pytest.raises(GenRewardError, match="T>=2"):
        reward.score(video(1, 1))
    window = reward.window()
    with pytest.raises(GenRewardError, match="needs this step's frame"):
        window.push(None)


@pytest.mark.parametrize("mode", ["paper", "change"])
def test_cached_latents_score_as_the_frames_do(encoder, mode):
    reward = VideoLevelReward(encoder, video(0), interval=16, frames=8, mode=mode)
    clips = [video(3, 8), video(4, 8)]
    from_latents = reward.score_latents(encoder.encode(np.stack(clips)))
    assert from_latents == pytest.approx(reward.score_many(clips), abs=1e-5)
    assert reward.score_latents(torch.zeros(0, 8, 4, 8, 8)) == []
