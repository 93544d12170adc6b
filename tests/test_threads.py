"""Thread counts: one per process by default, GENREWARD_THREADS or the user's own variables win."""

from __future__ import annotations

import os

import pytest
import torch

from genreward.errors import GenRewardError
from genreward.threads import THREAD_VARS, set_threads
from tests.conftest import run_cli


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch):
    for var in (*THREAD_VARS, "GENREWARD_THREADS"):
        monkeypatch.delenv(var, raising=False)
    threads = torch.get_num_threads()
    yield monkeypatch
    torch.set_num_threads(threads)


def test_default_is_one_thread_and_user_variables_are_kept(clean_env) -> None:
    clean_env.setenv("LP_NUM_THREADS", "4")
    assert set_threads() == 1
    assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["LP_NUM_THREADS"] == "4"
    assert torch.get_num_threads() == 1


def test_genreward_threads_overrides_the_default(clean_env) -> None:
    clean_env.setenv("GENREWARD_THREADS", "2")
    assert set_threads(None) == 2
    assert torch.get_num_threads() == 2
    assert os.environ["LP_NUM_THREADS"] == "2"  # two render threads


def test_one_thread_renders_in_the_calling_thread(clean_env) -> None:
    assert set_threads() == 1
    assert os.environ["LP_NUM_THREADS"] == "0"  # llvmpipe: no render thread of its own


def test_none_leaves_the_libraries_defaults(clean_env) -> None:
    assert set_threads(None) is None
    assert not any(var in os.environ for var in THREAD_VARS)


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_values_are_clear_errors(clean_env, value: str) -> None:
    clean_env.setenv("GENREWARD_THREADS", value)
    with pytest.raises(GenRewardError, match="GENREWARD_THREADS"):
        set_threads()


def test_cli_reports_a_bad_value(clean_env) -> None:
    clean_env.setenv("GENREWARD_THREADS", "many")
    done = run_cli("eval", "nowhere")
    assert done.returncode == 2 and "GENREWARD_THREADS='many'" in done.stderr
    assert "Traceback" not in done.stderr
