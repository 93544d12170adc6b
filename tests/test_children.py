"""`genreward.children.ProcessGuard`: a killed process's descendants end with it, and the
processes it had before the guard are left alone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest

PARENT = """
import subprocess, sys, time
from genreward.children import ProcessGuard
# start_new_session: each sleeper would outlive its parent on its own.
older = subprocess.Popen(["sleep", "600"], start_new_session=True)
with ProcessGuard():
    newer = subprocess.Popen(["sleep", "601"], start_new_session=True)
    time.sleep(1.5)  # the watchdog has seen it
    print(older.pid, newer.pid, flush=True)
    if sys.argv[1] == "killed":
        time.sleep(600)
print("left", flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _ended(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("how", ["killed", "left"])
def test_the_guard_ends_what_its_block_started(how: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, how], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    older, newer = map(int, parent.stdout.readline().split())
    if how == "killed":
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    else:
        assert parent.stdout.readline().strip() == "left"  # the block ended normally
    try:
        assert _ended(newer, 10), "a process started in the guarded block outlived it"
        assert _running(older), "the guard ended a process that was there before it"
    finally:
        for pid in (older, parent.pid):
            if _running(pid):
                psutil.Process(pid).kill()
