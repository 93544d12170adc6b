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
import threading
from types import TracebackType

import psutil

PR_SET_PDEATHSIG = 1  # linux/prctl.h
GRACE_SECONDS = 3.0  # between the watchdog's SIGTERM and its SIGKILL
POLL_SECONDS = 1.0  # between the watchdog's looks at the guarded process's descendants


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
    """Ends the processes this one starts inside the ``with`` block when it dies, however it
    dies (and when the block ends, those still running).

    A watchdog (``python -m genreward.children PARENT_PID [PID ...]``) polls this process's
    descendants every `POLL_SECONDS` and remembers them, leaving alone those that existed
    before the block (the PIDs it is given). When its stdin, a pipe only this process holds,
    closes, because the block ended or this process was killed, or when the watchdog itself is
    told to stop (SIGTERM, SIGHUP), it sends SIGTERM to the remembered processes still running,
    then SIGKILL (psutil refuses to signal a reused PID).
    """

    def __init__(self) -> None:
        self._watchdog: subprocess.Popen | None = None

    def __enter__(self) -> ProcessGuard:
        before = [str(p.pid) for p in psutil.Process().children(recursive=True)]
        command = [sys.executable, "-m", "genreward.children", str(os.getpid()), *before]
        self._watchdog = subprocess.Popen(command, stdin=subprocess.PIPE)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._watchdog is not None and self._watchdog.stdin is not None
        with contextlib.suppress(OSError):
            self._watchdog.stdin.close()
        self._watchdog.wait()


def _end(processes: list[psutil.Process]) -> None:
    """SIGTERM, then SIGKILL for those still alive after the grace period."""
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=GRACE_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()


def _watch(parent_pid: int, before: set[int]) -> None:
    """The watchdog: remember the parent's new descendants until told to stop, then end them."""
    stop = threading.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the guarded process
    for name in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(name, lambda *_: stop.set())

    def wait_for_eof() -> None:
        sys.stdin.buffer.read()
        stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    ignore = before | {os.getpid()}
    seen: dict[int, psutil.Process] = {}
    try:
        parent = psutil.Process(parent_pid)
        while not stop.is_set():
            for child in parent.children(recursive=True):
                if child.pid not in ignore:
                    seen.setdefault(child.pid, child)
            stop.wait(POLL_SECONDS)
    except psutil.NoSuchProcess:  # the parent is gone: end what it left
        pass
    _end([process for process in seen.values() if process.is_running()])


if __name__ == "__main__":
    _watch(int(sys.argv[1]), {int(pid) for pid in sys.argv[2:]})
