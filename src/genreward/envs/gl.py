"""Choose a headless OpenGL backend for MuJoCo before MuJoCo is imported.

MuJoCo reads ``MUJOCO_GL`` once, at import time, so this runs when `genreward.envs` is imported.
A user's own ``MUJOCO_GL`` is respected. Otherwise EGL is tried, then OSMesa, each in a short
subprocess so that a broken backend cannot take this process down; the choice is exported so
worker processes inherit it without probing again.
"""

from __future__ import annotations

import os
import subprocess
import sys

from genreward.errors import GenRewardError

BACKENDS = ("egl", "osmesa")
DEBIAN_PACKAGES = {"egl": "libegl1 libegl-mesa0 libgl1-mesa-dri", "osmesa": "libosmesa6"}

_PROBE = "import mujoco; c = mujoco.GLContext(8, 8); c.make_current(); c.free()"


class RenderingUnavailableError(GenRewardError):
    """No headless OpenGL backend works on this machine."""


def _backend_works(backend: str) -> bool:
    env = {**os.environ, "MUJOCO_GL": backend, "PYOPENGL_PLATFORM": backend}
    try:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


_IMPORTED_TOO_EARLY = (
    "MuJoCo was imported before genreward.envs without MUJOCO_GL set, so it could not be "
    "pointed at a headless backend: import genreward.envs first, or set MUJOCO_GL=egl (or osmesa)"
)
_problem: str | None = None


def configure_mujoco_gl() -> str | None:
    """Set ``MUJOCO_GL`` (and ``PYOPENGL_PLATFORM``) to a working backend and return its name.

    Returns None when no backend can be set; state-only use still works then, and
    `require_rendering` raises a clear error when a frame is asked for.
    """
    global _problem
    chosen = os.environ.get("MUJOCO_GL")
    if chosen:
        return chosen
    if "mujoco" in sys.modules:
        _problem = _IMPORTED_TOO_EARLY
        return None
    for backend in BACKENDS:
        if _backend_works(backend):
            os.environ["MUJOCO_GL"] = backend
            os.environ.setdefault("PYOPENGL_PLATFORM", backend)
            return backend
    packages = " ".join(DEBIAN_PACKAGES.values())
    _problem = (
        "headless rendering is unavailable: neither EGL nor OSMesa could create an OpenGL "
        f"context. Install the Debian packages with `apt-get install {packages}` "
        "(scripts/setup.sh does this), or set MUJOCO_GL to a backend that works here"
    )
    return None


def require_rendering() -> None:
    """Raise `RenderingUnavailableError` saying what to do if no headless backend was set."""
    if _problem is not None and not os.environ.get("MUJOCO_GL"):
        raise RenderingUnavailableError(_problem)
