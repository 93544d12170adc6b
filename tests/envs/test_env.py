import os
import subprocess
import sys

import mujoco
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from genreward.envs import gl, make_env
from genreward.errors import GenRewardError


def rollout(env, actions):
    frames = [env.render()]
    states = [env.reset()[0]]
    for action in actions:
        states.append(env.step(action)[0])
        frames.append(env.render())
    return np.stack(states), np.stack(frames)


def test_same_seed_same_episode_other_seed_other_placement():
    actions = np.random.default_rng(0).uniform(-1, 1, size=(15, 4)).astype(np.float32)
    s1, f1 = rollout(make_env("pick-place", 7, size=32), actions)
    s2, f2 = rollout(make_env("pick-place-v3", 7, size=32), actions)
    s3, f3 = rollout(make_env("pick-place", 8, size=32), actions)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(f1, f2)
    assert not np.allclose(s1[0], s3[0])  # object/goal placement differs
    assert not np.array_equal(f1[0], f3[0])


def test_reset_keeps_the_placement_and_reset_seed_switches_it():
    env = make_env("reach", 3, size=32)
    first, _ = env.reset()
    again, _ = env.reset()
    np.testing.assert_array_equal(first, again)
    switched, info = env.reset(seed=11)
    assert info["placement_seed"] == 11
    np.testing.assert_array_equal(switched, make_env("reach", 11).reset()[0])
    np.testing.assert_array_equal(env.reset()[0], switched)
    assert not np.allclose(first, switched)


@pytest.mark.parametrize("size", [24, 64, 100])
def test_frames_are_uint8_rgb_of_any_size(size):
    frame = make_env("door-open", 0, size=size).render()
    assert frame.shape == (size, size, 3)
    assert frame.dtype == np.uint8
    assert frame.flags.c_contiguous


def _red_rows(frame):
    """Mean image row of the (red) robot arm's pixels."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    rows, _ = np.nonzero((r > 100) & (g < 60) & (b < 60))
    return rows.mean()


@pytest.mark.parametrize("task", ["pick-place", "window-close"])
def test_rendering_leaves_the_episode_as_it_is(task):
    actions = np.random.default_rng(0).uniform(-1, 1, size=(20, 4)).astype(np.float32)
    unseen, seen = make_env(task, 3, size=32), make_env(task, 3, size=32)
    for env in (unseen, seen):
        env.reset(seed=5)
    states, frames = rollout(seen, actions)  # renders at every step
    assert len({f.tobytes() for f in frames}) > 1  # the arm moved: the frames differ
    unseen_states = [unseen.reset()[0]] + [unseen.step(a)[0] for a in actions]
    np.testing.assert_array_equal(states, np.stack(unseen_states))


def test_the_reset_frame_shows_the_pose_the_episode_starts_from():
    # Meta-World's reset leaves window-close's derived positions from before its last change
    # (the window where the previous placement had it): recomputing them must not move a pixel.
    env = make_env("window-close", 3, size=32)
    env.reset(seed=5)
    env.reset(seed=3)
    frame = env.render()
    mujoco.mj_forward(env.sim.model, env.sim.data)
    np.testing.assert_array_equal(frame, env.render())


def test_frames_are_upright_raising_the_arm_moves_it_up_the_image():
    env = make_env("reach", 0, size=96)
    env.reset()
    for _ in range(40):
        env.step(np.array([0, 0, -1, 0], dtype=np.float32))
    low = env.render()
    hand_low = env.sim.tcp_center[2]
    for _ in range(60):
        env.step(np.array([0, 0, 1, 0], dtype=np.float32))
    high = env.render()
    assert env.sim.tcp_center[2] > hand_low + 0.1  # the hand really went up
    # Image rows grow downward: an upright camera shows the raised arm higher (smaller row).
    assert _red_rows(high) < _red_rows(low) - 2


def test_several_envs_render_independently_in_one_process():
    a, b = make_env("door-open", 0, size=48), make_env("drawer-open", 1, size=48)
    a.reset(), b.reset()
    interleaved = [a.render(), b.render(), a.render(), b.render()]
    alone_a, alone_b = make_env("door-open", 0, size=48), make_env("drawer-open", 1, size=48)
    alone_a.reset(), alone_b.reset()
    np.testing.assert_array_equal(interleaved[0], alone_a.render())
    np.testing.assert_array_equal(interleaved[1], alone_b.render())
    np.testing.assert_array_equal(interleaved[2], interleaved[0])
    np.testing.assert_array_equal(interleaved[3], interleaved[1])
    assert not np.array_equal(interleaved[0], interleaved[1])


def test_step_api_and_episode_limit():
    env = make_env("reach", 0, max_episode_steps=5)
    env.reset()
    for step in range(5):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert obs.dtype == np.float32 and obs.shape == (39,)
        assert isinstance(reward, float) and isinstance(info["success"], bool)
        assert truncated == (step == 4) and not terminated


def test_passes_gymnasium_env_checker():
    with pytest.warns(UserWarning):  # Meta-World's unbounded object dimensions are reported
        check_env(make_env("reach", 0, size=32), skip_render_check=False)


def test_bad_camera_and_size_are_rejected():
    with pytest.raises(GenRewardError, match="unknown camera"):
        make_env("reach", 0, camera="nope")
    with pytest.raises(GenRewardError, match="frame size"):
        make_env("reach", 0, size=0)


def test_mujoco_gl_is_chosen_automatically_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if k not in ("MUJOCO_GL", "PYOPENGL_PLATFORM")}
    code = "import os, genreward.envs; print(os.environ['MUJOCO_GL'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("egl", "osmesa")


def test_missing_rendering_names_the_debian_packages(monkeypatch):
    monkeypatch.delenv("MUJOCO_GL", raising=False)
    monkeypatch.setitem(sys.modules, "mujoco", sys.modules["mujoco"])
    monkeypatch.setattr(gl, "_backend_works", lambda backend: False)
    monkeypatch.setattr(gl, "_problem", None)
    assert gl.configure_mujoco_gl() is None  # mujoco already imported: too late to choose
    monkeypatch.delitem(sys.modules, "mujoco")
    assert gl.configure_mujoco_gl() is None
    with pytest.raises(gl.RenderingUnavailableError, match="libosmesa6"):
        gl.require_rendering()
