"""Child processes that end with their parent, even when the parent is killed (kill -9).

Two mechanisms: `die_with_parent` for workers this project starts itself (the kernel signals
them when their parent exits), and `ProcessGuard` for processes another library starts (Ray's
raylet, workers and agents), which a separate watchdog process ends when this one dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from types import TracebackType

import psutil

PR_SET_PDEATHSIG = 1  # linux/prctl.h
GRACE_SECONDS = 3.0  # between the watchdog's SIGTERM and its SIGKILL


def die_with_parent() -> None:
    """Ask the kernel to send this process SIGTERM when its parent exits (Linux; elsewhere a
    no-op), then leave at once if the parent is already gone. Used as the initializer of
    worker processes."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class ProcessGuard:
    """Ends this process's descendants when it dies, however it dies.

    A watchdog (``python -m genreward.children``) reads from a pipe that only this process
    holds open; `track` sends it this process's descendants (pid and start time, so a reused
    pid is never hit). When the pipe closes, because the ``with`` block ended or this process
    was killed, the watchdog sends SIGTERM to those of them still alive, then SIGKILL.
    """

    def __init__(self) -> None:
        self._watchdog: subprocess.Popen | None = None
        self._sent: set[tuple[int, float]] = set()

    def __enter__(self) -> ProcessGuard:
        self._watchdog = subprocess.Popen(
            [sys.executable, "-m", "genreward.children"], stdin=subprocess.PIPE, text=True
        )
        return self

    def track(self) -> None:
        """Tell the watchdog about descendants started since the last call."""
        assert self._watchdog is not None and self._watchdog.stdin is not None
        found = set()
        for child in psutil.Process().children(recursive=True):
            if child.pid == self._watchdog.pid:
                continue
            with contextlib.suppress(psutil.NoSuchProcess):
                found.add((child.pid, child.create_time()))
        new = found - self._sent
        if new:
            self._watchdog.stdin.write("".join(f"{pid} {t!r}\n" for pid, t in sorted(new)))
            self._watchdog.stdin.flush()
            self._sent |= new

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._watchdog is not None and self._watchdog.stdin is not None
        self._watchdog.stdin.close()
        self._watchdog.wait()


def _end(processes: list[psutil.Process]) -> None:
    """SIGTERM, then SIGKILL for those still alive after the grace period."""
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=GRACE_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def _watch() -> None:
    """The watchdog: collect pids from stdin until it closes, then end the live ones."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the guarded process
    tracked = []
    for line in sys.stdin:
        pid, started = line.split()
        tracked.append((int(pid), float(started)))
    live = []
    for pid, started in tracked:
        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(pid)
            if process.create_time() == started:
                live.append(process)
    _end(live)


if __name__ == "__main__":
    _watch()
