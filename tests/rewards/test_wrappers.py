import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from genreward.envs import make_env
from genreward.errors import GenRewardError
from genreward.rewards.combine import GenRewardConfig
from genreward.rewards.fb import ForwardBackward
from genreward.rewards.features import AutoencoderFeatures
from genreward.rewards.video_reward import VideoLevelReward
from genreward.rewards.wrappers import GenRewardVectorWrapper, GenRewardWrapper
from genreward.video.autoencoder import AutoencoderVideoEncoder, FrameAutoencoder

GOAL = np.random.default_rng(0).integers(0, 255, (8, 32, 32, 3), dtype=np.uint8)


class CountRenders(gym.Wrapper):
    def __init__(self, env):
        super().__init__(env)
        self.renders = 0

    def render(self):
        self.renders += 1
        return self.env.render()


@pytest.fixture(scope="module")
def parts():
    torch.manual_seed(0)
    encoder = AutoencoderVideoEncoder(FrameAutoencoder(channels=(8, 8, 8), frame_size=32))
    features = AutoencoderFeatures(encoder)
    fb = ForwardBackward(obs_dim=features.dim, hidden=32, embed=16, z_dim=8).eval()
    return encoder, features, fb


def wrapped(parts, env=None, **config):
    encoder, features, fb = parts
    cfg = GenRewardConfig(
        **{"interval": 8, "frames": 4, "alpha": 0.5, "beta": 0.1, "scale": "paper", **config}
    )
    video = VideoLevelReward(encoder, GOAL, interval=cfg.interval, frames=cfg.frames)
    return GenRewardWrapper(
        env or make_env("reach", 0, size=32),
        config=cfg,
        video_reward=video,
        fb=fb,
        features=features,
        goal_frame=GOAL[-1],
    )


def test_passes_the_gymnasium_env_checker(parts):
    with pytest.warns(UserWarning):  # Meta-World's unbounded object dimensions are reported
        check_env(wrapped(parts), skip_render_check=True)


def test_reward_is_the_weighted_sum_and_every_term_is_reported(parts):
    env = wrapped(parts)
    env.reset()
    videos = []
    for _ in range(16):
        _, reward, _, _, info = env.step(env.action_space.sample())
        assert reward == pytest.approx(info["r_env"] + 0.5 * info["r_video"] + 0.1 * info["r_fb"])
        assert info["r_total"] == reward and info["r_fb"] != 0.0
        videos.append(info["r_video"])
    assert [i for i, v in enumerate(videos) if v != 0.0] == [7, 15]  # every interval steps
    assert all(-1 <= v <= 1 for v in videos)


def test_renders_only_the_frames_a_reward_needs(parts):
    encoder, _, _ = parts
    counter = CountRenders(make_env("reach", 0, size=32))
    video = VideoLevelReward(encoder, GOAL, interval=8, frames=4)
    env = GenRewardWrapper(
        counter,
        config=GenRewardConfig(interval=8, frames=4, beta=0.0, scale="paper"),
        video_reward=video,
    )
    env.reset()
    for _ in range(16):
        env.step(env.action_space.sample())
    assert counter.renders == 8  # 4 subsampled frames per 8-step window, nothing else


@pytest.mark.parametrize("kind,expected", [("sparse", {0.0, 1.0}), ("none", {0.0})])
def test_env_reward_modes(parts, kind, expected):
    env = wrapped(parts, env_reward=kind)
    env.reset()
    seen = {env.step(env.action_space.sample())[4]["r_env"] for _ in range(5)}
    assert seen <= expected


def lockstep(steps: int, **kwargs):
    """A 2-env vector wrapper and two single wrappers (placements 0 and 1) built from the same
    reward parts, stepped with the same random actions: yields (vector step, single steps)."""
    vec = GenRewardVectorWrapper(
        gym.vector.SyncVectorEnv([lambda s=s: make_env("reach", s, size=32) for s in (0, 1)]),
        **kwargs,
    )
    singles = [GenRewardWrapper(make_env("reach", s, size=32), **kwargs) for s in (0, 1)]
    vec.reset()
    for env in singles:
        env.reset()
    actions = np.random.default_rng(0).uniform(-1, 1, (steps, 2, 4)).astype(np.float32)
    for step_actions in actions:
        single = [env.step(a) for env, a in zip(singles, step_actions, strict=True)]
        yield vec.step(step_actions), single


def test_vector_wrapper_matches_single_envs(parts):
    encoder, features, fb = parts
    cfg = GenRewardConfig(interval=8, frames=4, alpha=0.5, beta=0.1, scale="paper")
    video = VideoLevelReward(encoder, GOAL, interval=8, frames=4)
    kwargs = {"config": cfg, "video_reward": video, "fb": fb, "features": features}
    steps = list(lockstep(16, goal_frame=GOAL[-1], **kwargs))
    for (_, rewards, *_), single in steps:
        np.testing.assert_allclose(rewards, [s[1] for s in single], rtol=1e-4, atol=1e-5)
    assert np.all(steps[-1][0][4]["r_video"] != 0)  # the last step closed a window in both


def test_fb_needs_features_and_a_goal_frame(parts):
    _, _, fb = parts
    with pytest.raises(GenRewardError, match="needs `features`"):
        GenRewardWrapper(make_env("reach", 0, size=32), fb=fb)


def test_mismatched_video_settings_and_autoreset_mode_are_refused(parts):
    encoder, _, _ = parts
    video = VideoLevelReward(encoder, GOAL, interval=8, frames=4)
    with pytest.raises(GenRewardError, match="interval: config 16, reward 8"):
        GenRewardWrapper(
            make_env("reach", 0, size=32),
            config=GenRewardConfig(interval=16, frames=4),
            video_reward=video,
        )
    same_step = gym.vector.SyncVectorEnv(
        [lambda: make_env("reach", 0, size=32)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP
    )
    with pytest.raises(GenRewardError, match="next-step autoreset"):
        GenRewardVectorWrapper(
            same_step, config=GenRewardConfig(interval=8, frames=4), video_reward=video
        )


def test_vector_wrapper_with_sparse_fb_matches_single_envs_and_renders_less(parts):
    encoder, features, fb = parts
    cfg = GenRewardConfig(interval=8, frames=4, alpha=0.5, beta=0.1, fb_every=4, scale="paper")
    video = VideoLevelReward(encoder, GOAL, **cfg.video_kwargs())
    counters = [CountRenders(make_env("reach", s, size=32)) for s in (0, 1)]
    vec = GenRewardVectorWrapper(
        gym.vector.SyncVectorEnv([lambda c=c: c for c in counters]),
        config=cfg,
        video_reward=video,
        fb=fb,
        features=features,
        goal_frame=GOAL[-1],
    )
    singles = [
        GenRewardWrapper(
            make_env("reach", s, size=32),
            config=cfg,
            video_reward=video,
            fb=fb,
            features=features,
            goal_frame=GOAL[-1],
        )
        for s in (0, 1)
    ]
    vec.reset()
    for env in singles:
        env.reset()
    actions = np.random.default_rng(1).uniform(-1, 1, (16, 2, 4)).astype(np.float32)
    for step_actions in actions:
        rewards = vec.step(step_actions)[1]
        expected = [env.step(a)[1] for env, a in zip(singles, step_actions, strict=True)]
        np.testing.assert_allclose(rewards, expected, rtol=1e-4, atol=1e-5)
    # reset + psi on steps 4, 8, 12, 16 + the video frames (4 per 8 steps, some shared)
    assert all(c.renders < 16 for c in counters)


def test_auto_scale_standardises_the_bonuses_with_the_values_seen(parts):
    env = wrapped(parts, scale="auto", auto_weight=0.5)
    env.reset()
    seen = {"r_env": [], "r_video": [], "r_fb": []}
    for _ in range(24):
        _, reward, _, _, info = env.step(env.action_space.sample())
        for key in seen:
            seen[key].append(info[key])
        assert reward == pytest.approx(
            info["r_env"] + info["r_video_weighted"] + info["r_fb_weighted"]
        )
    env_std = np.std(seen["r_env"])
    for key in ("r_video", "r_fb"):
        values = np.array(seen[key])
        expected = 0.5 * env_std / 2 * (values[-1] - values.mean()) / values.std()
        assert info[f"{key}_weighted"] == pytest.approx(expected, rel=1e-4)


def test_from_pretrained_builds_the_reward_from_the_shipped_models():
    env = GenRewardWrapper.from_pretrained(
        make_env("reach", 3), config=GenRewardConfig(), use_fb=False
    )
    video = env.terms.video_reward
    assert video.goal_latent.shape[0] > 0 and env.terms.fb is None
    env.reset()
    for _ in range(128):
        _, reward, *_, info = env.step(env.action_space.sample())
    assert np.isfinite(reward) and -1 <= info["r_video"] <= 1 and info["r_video"] != 0


def test_from_pretrained_refuses_a_bad_or_mismatched_fb_folder(tmp_path):
    env = make_env("reach", 0)
    with pytest.raises(GenRewardError, match=r"features\.json"):
        GenRewardWrapper.from_pretrained(env, fb_model=tmp_path)
    (tmp_path / "features.json").write_text('{"video_model": "shipped", "autoencoder_sha256": "0"}')
    with pytest.raises(GenRewardError, match="another autoencoder"):
        GenRewardWrapper.from_pretrained(env, fb_model=tmp_path)


def test_vector_from_pretrained_needs_one_placement():
    two = gym.vector.SyncVectorEnv([lambda s=s: make_env("reach", s) for s in (0, 1)])
    with pytest.raises(GenRewardError, match="different frames"):
        GenRewardVectorWrapper.from_pretrained(two, use_fb=False)
    same = gym.vector.SyncVectorEnv([lambda: make_env("reach", 2) for _ in range(2)])
    env = GenRewardVectorWrapper.from_pretrained(same, use_fb=False)
    env.reset()
    _, rewards, *_ = env.step(np.zeros((2, 4), np.float32))
    assert rewards.shape == (2,) and np.isfinite(rewards).all()


def test_goal_video_progress_in_the_single_and_the_vector_wrapper(parts):
    from genreward.rewards.progress import GoalVideoProgress

    encoder, features, _ = parts
    progress = GoalVideoProgress(features(GOAL))
    cfg = GenRewardConfig(interval=8, frames=4, scale="auto")
    video = VideoLevelReward(encoder, GOAL, interval=8, frames=4)
    kwargs = {"config": cfg, "video_reward": video, "features": features, "progress": progress}
    for (_, rewards, _, _, info), single in lockstep(12, **kwargs):
        expected = [s[4]["r_progress"] for s in single]
        np.testing.assert_allclose(info["r_progress"], expected, atol=1e-3)
        assert np.all((info["r_progress"] >= 0) & (info["r_progress"] <= 1))
        weighted = info["r_video_weighted"] + info["r_progress_weighted"]
        np.testing.assert_allclose(rewards, info["r_env"] + weighted, atol=1e-6)
    with pytest.raises(GenRewardError, match="auto scale"):
        GenRewardWrapper(
            make_env("reach", 0, size=32), **{**kwargs, "config": GenRewardConfig(scale="paper")}
        )


def test_an_fb_reading_the_state_scores_the_observation_and_renders_nothing(parts):
    _, features, _ = parts
    torch.manual_seed(0)
    fb = ForwardBackward(obs_dim=features.dim, hidden=32, embed=16, z_dim=8, state_dim=39)
    fb = fb.eval()
    kwargs = {"config": GenRewardConfig(beta=1.0, scale="paper"), "fb": fb}
    kwargs |= {"features": features, "goal_frame": GOAL[-1]}
    counter = CountRenders(make_env("reach", 0, size=32))
    env = GenRewardWrapper(counter, **kwargs)
    obs, _ = env.reset()
    z = fb.goal_embedding(features(GOAL[-1:])[0])
    for action in np.random.default_rng(0).uniform(-1, 1, (6, 4)).astype(np.float32):
        expected = fb.reward_for_z(torch.as_tensor(obs)[None], torch.as_tensor(action)[None], z)
        obs, _, _, _, info = env.step(action)
        assert info["r_fb"] == pytest.approx(float(expected[0]), rel=1e-5)
    assert counter.renders == 0
    for (_, rewards, *_), single in lockstep(6, **kwargs):
        np.testing.assert_allclose(rewards, [s[1] for s in single], rtol=1e-4, atol=1e-5)
