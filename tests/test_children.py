"""`genreward.children.ProcessGuard`: a killed process's descendants end with it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil

PARENT = """
import subprocess, sys, time
from genreward.children import ProcessGuard
with ProcessGuard() as guard:
    subprocess.Popen(["sleep", "600"], start_new_session=True)  # survives its parent alone
    guard.track()
    print("ready", flush=True)
    time.sleep(600)
"""


def test_guarded_children_end_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
    children = psutil.Process(parent.pid).children(recursive=True)
    sleeper = next(c for c in children if c.name() == "sleep")
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while sleeper.is_running() and sleeper.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the guarded child outlived its killed parent"
        time.sleep(0.05)
