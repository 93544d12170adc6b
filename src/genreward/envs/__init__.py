"""Meta-World environments: the factory, task texts and scripted experts.

Importing this package chooses the headless OpenGL backend (see `genreward.envs.gl`), which
must happen before MuJoCo is imported.
"""

from genreward.envs.gl import configure_mujoco_gl

configure_mujoco_gl()

from genreward.envs.metaworld_env import MetaWorldEnv, make_env  # noqa: E402
from genreward.envs.tasks import (  # noqa: E402
    CAMERAS,
    HELD_OUT_TASKS,
    TASK_TEXTS,
    TASKS,
    UnknownTaskError,
    resolve_task,
    resolve_tasks,
    task_text,
)

__all__ = [
    "CAMERAS",
    "HELD_OUT_TASKS",
    "TASKS",
    "TASK_TEXTS",
    "MetaWorldEnv",
    "UnknownTaskError",
    "make_env",
    "resolve_task",
    "resolve_tasks",
    "task_text",
]
