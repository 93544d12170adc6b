import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genreward.errors import GenRewardError
from genreward.rewards.config import TrainFBConfig
from genreward.rl.config import TrainConfig
from genreward.validate import check_device, option
from genreward.video.config import TrainVideoConfig


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_train_discount_outside_0_1_or_not_finite_is_refused_by_name(value):
    if math.isfinite(value) and 0 < value <= 1:
        assert TrainConfig(discount=value).discount == value
    else:
        with pytest.raises(GenRewardError, match="--discount"):
            TrainConfig(discount=value)


@given(
    st.sampled_from(["alpha", "beta", "lr", "auto_weight", "fb_act_prob"]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)
def test_non_finite_floats_are_refused(name, value):
    with pytest.raises(GenRewardError, match=f"--{name.replace('_', '-')}"):
        TrainConfig(**{name: value})


@given(st.floats(max_value=0, allow_nan=False, allow_infinity=False))
def test_learning_rates_must_be_positive(value):
    with pytest.raises(GenRewardError, match="--lr must be in"):
        TrainConfig(lr=value)
    with pytest.raises(GenRewardError, match="--lr must be in"):
        TrainFBConfig(lr=value)


@pytest.mark.parametrize(
    ("config", "name", "value"),
    [
        (TrainConfig, "obs", "pixels"),
        (TrainConfig, "agent", "td3"),
        (TrainVideoConfig, "mixed_precision", "fp16"),
    ],
)
def test_choices_outside_a_literal_are_refused_in_python_too(config, name, value):
    # The command line's parser refuses them; a config built in Python or from a file did not.
    with pytest.raises(GenRewardError, match=f"{option(name)} must be one of .*got '{value}'"):
        config(**{name: value})


def test_batch_larger_than_the_buffer_is_refused():
    with pytest.raises(GenRewardError, match="--batch-size 512 is larger than --buffer-size"):
        TrainConfig(batch_size=512, buffer_size=256)


def test_devices_that_do_not_exist_are_refused():
    check_device("cpu")
    with pytest.raises(GenRewardError, match="not a torch device"):
        check_device("gpu0")
    with pytest.raises(GenRewardError, match="use cpu"):
        check_device("xla")
