import pytest

from genreward.envs import HELD_OUT_TASKS, TASK_TEXTS, TASKS, UnknownTaskError, resolve_task
from genreward.envs.tasks import resolve_tasks, task_text
from genreward.errors import GenRewardError


def test_all_fifty_metaworld_tasks_have_distinct_texts():
    from metaworld.env_dict import ALL_V3_ENVIRONMENTS

    assert set(TASKS) == set(ALL_V3_ENVIRONMENTS)
    assert len(TASKS) == 50
    texts = list(TASK_TEXTS.values())
    assert all(t.strip() for t in texts)
    assert len(set(texts)) == 50
    assert set(HELD_OUT_TASKS) <= set(TASKS)


def test_short_and_full_names_resolve_to_the_same_task():
    assert resolve_task("door-open") == resolve_task("door-open-v3") == "door-open-v3"
    assert resolve_task(" Door-Open ") == "door-open-v3"
    assert task_text("door-open") == "open the door"


def test_unknown_task_is_rejected_with_the_valid_names():
    with pytest.raises(UnknownTaskError) as info:
        resolve_task("door-opne")
    message = str(info.value)
    assert "door-opne" in message
    assert "door-open" in message and "window-close" in message


def test_task_lists():
    assert resolve_tasks("door-open, drawer-open,door-open") == ["door-open-v3", "drawer-open-v3"]
    assert len(resolve_tasks("all")) == 50
    with pytest.raises(UnknownTaskError, match="no task given"):
        resolve_tasks(" ")
    with pytest.raises(GenRewardError, match="has an empty entry"):
        resolve_tasks("door-open,,drawer-open")
