"""A goal frame is tied to the goal video it was selected on."""

import numpy as np
import pytest

from genreward.data.goal_video import GOAL_FILE, save_goal_video
from genreward.errors import GenRewardError
from genreward.goals.select import goal_frame_current, load_goal_frame, select_goal


class LastFrame:
    """A scorer that prefers later frames."""

    def scores(self, video, texts):
        return np.arange(len(video), dtype=float)


def test_a_goal_frame_of_another_video_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    video = rng.integers(0, 255, (4, 8, 8, 3), dtype=np.uint8)
    save_goal_video(tmp_path / GOAL_FILE, video, {"text": "open the door"})
    select_goal(tmp_path, LastFrame())
    assert goal_frame_current(tmp_path)
    assert np.array_equal(load_goal_frame(tmp_path), video[-1])
    save_goal_video(tmp_path / GOAL_FILE, video[::-1].copy(), {"text": "open the door"})
    assert not goal_frame_current(tmp_path)
    with pytest.raises(GenRewardError, match="selected on another goal video"):
        load_goal_frame(tmp_path)
