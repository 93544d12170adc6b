"""Meta-World v3 tasks as gymnasium environments with seeded placements and fast upright frames."""

from __future__ import annotations

import atexit
import weakref
from typing import Any, ClassVar

import gymnasium as gym
import mujoco
import numpy as np
from gymnasium import spaces
from metaworld.env_dict import ALL_V3_ENVIRONMENTS

from genreward.envs.gl import require_rendering
from genreward.envs.tasks import check_camera, resolve_task, task_text
from genreward.errors import GenRewardError

# Renderers must be freed before MuJoCo's exit handler terminates the EGL display, or garbage
# collection at exit raises EGL errors. MuJoCo registers that handler when it creates its first
# context, so ours is registered right after the first renderer exists and runs before it.
_LIVE_ENVS: weakref.WeakSet[MetaWorldEnv] = weakref.WeakSet()
_exit_handler_registered = False
# The state `render` copies: everything MuJoCo integrates from, mocap bodies (the gripper) included.
_STATE = mujoco.mjtState.mjSTATE_INTEGRATION


def _close_all_renderers() -> None:
    for env in list(_LIVE_ENVS):
        env.close_renderer()


class MetaWorldEnv(gym.Env):
    """One Meta-World v3 task whose object/goal placement is fixed by a seed.

    Meta-World ignores ``reset(seed=...)``; here the seed given to the constructor, or to a later
    ``reset(seed=...)``, draws the placement from Meta-World's own randomisation, and every
    ``reset()`` without a seed returns to that placement. The goal position is part of the
    observation (Meta-World's "goal observable" setting). ``render()`` returns an upright RGB
    frame ``uint8 [size, size, 3]`` from this env's own MuJoCo renderer, with shadows,
    reflections and multisampling off for speed; each env owns its OpenGL context, so several
    envs can render in one process.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(
        self,
        task: str,
        seed: int = 0,
        *,
        camera: str = "corner",
        size: int = 64,
        max_episode_steps: int = 500,
        render_mode: str | None = "rgb_array",
    ) -> None:
        check_camera(camera)
        if not 8 <= size <= 2048:
            raise GenRewardError(f"frame size must be between 8 and 2048 pixels, got {size}")
        if max_episode_steps < 1:
            raise GenRewardError(f"max_episode_steps must be positive, got {max_episode_steps}")
        self.task = resolve_task(task)
        self.text = task_text(self.task)
        self.camera = camera
        self.size = size
        self.render_mode = render_mode
        self.max_episode_steps = max_episode_steps

        self._sim = ALL_V3_ENVIRONMENTS[self.task]()
        self._sim._partially_observable = False  # the goal position is observed
        del self._sim.sawyer_observation_space  # cached property: recomputed for the new setting
        self._sim._set_task_called = True
        self._sim.seeded_rand_vec = True
        self._sim.max_path_length = max_episode_steps

        sim_space = self._sim.sawyer_observation_space
        self.observation_space = spaces.Box(
            sim_space.low.astype(np.float32), sim_space.high.astype(np.float32), dtype=np.float32
        )
        self.action_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self._renderer: mujoco.Renderer | None = None
        # Where `render` poses a copy of the simulation (made with the renderer).
        self._pose: mujoco.MjData | None = None
        self._state = np.empty(0)
        self.placement_seed = seed
        self._place(seed)

    def _place(self, seed: int) -> None:
        """Draw the object/goal placement for `seed` and freeze it for later resets."""
        self._sim.seed(int(seed))
        self._sim._freeze_rand_vec = False
        self._sim.reset()
        self._sim._freeze_rand_vec = True
        self.placement_seed = int(seed)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset to this env's placement, or to the placement of `seed` when one is given."""
        super().reset(seed=seed)
        if seed is not None:
            self._place(seed)
        obs, _ = self._sim.reset()
        return self._observation(obs), {"placement_seed": self.placement_seed}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Meta-World's step; ``info["success"]`` is a bool, truncation at `max_episode_steps`."""
        obs, reward, terminated, truncated, info = self._sim.step(
            np.asarray(action, dtype=np.float32)
        )
        info = {**info, "success": bool(info["success"])}
        return self._observation(obs), float(reward), bool(terminated), bool(truncated), info

    def _observation(self, obs: np.ndarray) -> np.ndarray:
        """float32 copy inside the observation space (Meta-World clips steps but not resets)."""
        space = self.observation_space
        return np.clip(obs.astype(np.float32), space.low, space.high)

    def render(self) -> np.ndarray:
        """The current frame, upright: ``uint8 [size, size, 3]``.

        Drawn from a copy of the simulation's state with every position recomputed from it:
        Meta-World's reset leaves some of them stale in 7 of the 50 tasks (window-close's
        window where the previous placement had it, the arm a little off in drawer-open,
        window-open and others), so the reset frame would show a pose the episode does not
        start from. The live simulation is left as it is (recomputing its positions there
        changes the episode's later steps in their last digits).
        """
        model = self._sim.model
        if self._renderer is None:
            self._renderer = self._make_renderer()
            self._pose = mujoco.MjData(model)
            self._state = np.empty(mujoco.mj_stateSize(model, _STATE))
        pose = self._pose
        mujoco.mj_getState(model, self._sim.data, self._state, _STATE)
        mujoco.mj_setState(model, pose, self._state, _STATE)
        mujoco.mj_forward(model, pose)
        self._renderer.update_scene(pose, camera=self.camera)
        # MuJoCo's Meta-World cameras are mounted upside down; flip rows to the usual view.
        return np.ascontiguousarray(self._renderer.render()[::-1])

    def _make_renderer(self) -> mujoco.Renderer:
        require_rendering()
        model = self._sim.model
        model.vis.quality.offsamples = 0  # no multisampling
        model.vis.quality.shadowsize = 1  # no shadow map worth the name: saves memory and time
        model.vis.global_.offwidth = max(model.vis.global_.offwidth, self.size)
        model.vis.global_.offheight = max(model.vis.global_.offheight, self.size)
        try:
            renderer = mujoco.Renderer(model, height=self.size, width=self.size)
        except Exception as exc:  # MuJoCo raises plain Exceptions for GL failures
            raise GenRewardError(
                f"could not create a MuJoCo renderer ({exc}); check MUJOCO_GL and the Debian "
                "packages for headless rendering (scripts/setup.sh installs them)"
            ) from exc
        renderer.scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = 0
        renderer.scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = 0
        global _exit_handler_registered
        if not _exit_handler_registered:
            atexit.register(_close_all_renderers)
            _exit_handler_registered = True
        _LIVE_ENVS.add(self)
        return renderer

    @property
    def sim(self) -> Any:
        """The underlying Meta-World environment (for scripted experts and state inspection)."""
        return self._sim

    def close_renderer(self) -> None:
        """Free this env's OpenGL context; the next `render` makes a new one."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def close(self) -> None:
        """Free the renderer's OpenGL context and the simulation."""
        self.close_renderer()
        self._sim.close()


def make_env(
    task: str,
    seed: int = 0,
    *,
    camera: str = "corner",
    size: int = 64,
    max_episode_steps: int = 500,
) -> MetaWorldEnv:
    """Build a Meta-World v3 task (short or full name) with the placement of `seed`.

    Frames (``env.render()``) are upright ``uint8 [size, size, 3]`` from `camera`; episodes
    are truncated after `max_episode_steps` (Meta-World's own limit is 500, the paper uses 256).
    """
    return MetaWorldEnv(task, seed, camera=camera, size=size, max_episode_steps=max_episode_steps)
