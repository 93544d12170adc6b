import numpy as np

from genreward.data.collect import EpisodeSpec, record_episode
from genreward.envs import make_env
from genreward.envs.experts import ExpertPolicy


def test_expert_solves_its_task_on_several_seeds():
    env = make_env("button-press", 0, size=24)
    spec = EpisodeSpec("button-press-v3", 0, size=24, max_steps=200, extra_steps=0)
    for seed in range(3):
        episode = record_episode(
            env,
            ExpertPolicy("button-press", seed=seed),
            EpisodeSpec(**{**spec.__dict__, "seed": seed}),
        )
        assert episode.first_success is not None
        assert episode.length == episode.first_success + 1  # stops right after success


def test_action_noise_is_seeded_and_bounded():
    obs = make_env("reach", 0).reset()[0]
    noisy = ExpertPolicy("reach", 0.5, seed=1)
    a = [noisy(obs), noisy(obs)]
    b = ExpertPolicy("reach", 0.5, seed=1)(obs)
    clean = ExpertPolicy("reach")(obs)
    np.testing.assert_array_equal(a[0], b)
    assert not np.array_equal(a[0], a[1])
    assert not np.array_equal(a[0], clean)
    assert np.all(np.abs(a[0]) <= 1) and a[0].dtype == np.float32
