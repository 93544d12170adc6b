"""`train_fb`: an FB model whose F reads psi or the state, saved and loaded with its psi."""

from pathlib import Path

import numpy as np
import pytest
import torch

from genreward.data import load_dataset
from genreward.data.collect import collect
from genreward.rewards.config import TrainFBConfig
from genreward.rewards.train_fb import load_fb, train_fb


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One reach episode at 64x64, the shipped autoencoder's frame size."""
    root = tmp_path_factory.mktemp("demos64")
    collect(root, "reach", 1, size=64, max_steps=40, workers=1, progress=False)
    return root


@pytest.mark.parametrize("forward_input", ["psi", "state"])
def test_the_saved_fb_reads_what_it_was_trained_on(
    tmp_path: Path, demos: Path, forward_input: str
) -> None:
    config = TrainFBConfig(
        data=[demos], out=tmp_path / "fb", steps=3, batch_size=8, hidden=16,
        forward_input=forward_input, progress=False,
    )  # fmt: skip
    model, features = load_fb(train_fb(config))
    on_state = forward_input == "state"
    assert model.forward_on_state == on_state
    assert model.config.state_dim == (39 if on_state else None)
    episode = next(iter(load_dataset(demos)))
    psi = features(episode.frames)
    seen = torch.as_tensor(episode.states) if on_state else psi
    reward = model.goal_reward(seen[:-1], torch.as_tensor(episode.actions), psi[-1])
    assert reward.shape == (len(episode.actions),) and np.isfinite(reward.numpy()).all()
