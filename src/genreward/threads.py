"""How many threads each genreward process computes with.

On a small machine, several trainings (a sweep, a test run, the demo) share the cores; torch's
intra-op threads and Mesa llvmpipe's render threads then oversubscribe them, and each process
runs at a fraction of its solo speed. So every process computes with one thread unless told
otherwise: ``GENREWARD_THREADS=N`` sets N for all of them, and a thread variable the user set
(``OMP_NUM_THREADS``, ``LP_NUM_THREADS``, ...) is kept as it is. Commands that run alone and
gain from more cores (video training, generation) default to every core.
"""

from __future__ import annotations

import os
import sys

from genreward.errors import GenRewardError

ENV_VAR = "GENREWARD_THREADS"
# torch/OpenMP and BLAS, Mesa llvmpipe (rendering).
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "LP_NUM_THREADS")


def _count(var: str, threads: int) -> str:
    """The variable's value for `threads` threads: llvmpipe counts the render threads beside
    the caller's, so one thread is 0: rasterise in the calling thread, without a hand-off to
    a render thread at every frame (same pixels, faster; `benchmarks/bench_env.py`)."""
    return str(0 if var == "LP_NUM_THREADS" and threads == 1 else threads)


def set_threads(default: int | None = 1) -> int | None:
    """Set this process's (and its children's) thread counts before torch or MuJoCo start.

    ``default``: the count when ``GENREWARD_THREADS`` is unset (None: leave the libraries'
    own defaults). Returns the count in force, or None. Call it before importing torch;
    if torch is already imported its intra-op pool is resized too.
    """
    value = os.environ.get(ENV_VAR)
    if value is not None:
        try:
            default = int(value)
        except ValueError:
            default = 0
        if default < 1:
            raise GenRewardError(f"{ENV_VAR}={value!r}: must be a positive whole number")
    if default is None:
        return None
    for var in THREAD_VARS:
        os.environ.setdefault(var, _count(var, default))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    return default
