"""The shipped pretrained FB model and the integrity checks of FB folders."""

import shutil

import numpy as np
import pytest
import torch

from genreward.data.collect import EpisodeSpec, record_episode
from genreward.envs import make_env
from genreward.envs.experts import ExpertPolicy
from genreward.errors import GenRewardError
from genreward.rewards.train_fb import SHIPPED_FB, autoencoder_fingerprint, fb_autoencoder, load_fb


def test_shipped_fb_is_small_and_tied_to_the_shipped_autoencoder():
    size = sum(f.stat().st_size for f in SHIPPED_FB.iterdir())
    assert size <= 30 * 2**20
    assert fb_autoencoder(None) == autoencoder_fingerprint(None)
    model, features = load_fb()
    assert model.config.obs_dim == features.dim


@pytest.mark.parametrize("task", ["drawer-open", "button-press-topdown"])
def test_shipped_fb_rewards_the_expert_above_random_actions(task):
    """Toward the expert's own final frame, on a placement FB never trained on (seed 2001)."""
    model, features = load_fb()
    spec = EpisodeSpec(task, 2001, max_steps=150, extra_steps=150)
    rng = np.random.default_rng(0)
    episodes = {
        "expert": record_episode(make_env(task, 2001), ExpertPolicy(task, seed=2001), spec),
        "random": record_episode(
            make_env(task, 2001), lambda _: rng.uniform(-1, 1, 4).astype(np.float32), spec
        ),
    }
    goal = features(episodes["expert"].frames[-1:])[0]

    def seen(e):  # what F reads
        return torch.as_tensor(e.states[:-1]) if model.forward_on_state else features(e.frames[:-1])

    mean = {
        kind: model.goal_reward(seen(e), torch.as_tensor(e.actions), goal).mean().item()
        for kind, e in episodes.items()
    }
    assert mean["expert"] > mean["random"]


def test_a_damaged_fb_folder_is_refused(tmp_path):
    folder = tmp_path / "fb"
    shutil.copytree(SHIPPED_FB, folder)
    load_fb(folder)
    weights = folder / "diffusion_pytorch_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(GenRewardError, match="changed since it was written"):
        load_fb(folder)
    (folder / "manifest.json").unlink()
    (folder / "features.json").write_text('{"video_model": 3, "autoencoder_sha256": "ab"}')
    with pytest.raises(GenRewardError, match="must be strings"):
        load_fb(folder)
    (folder / "manifest.json").write_text("[1, 2]")
    with pytest.raises(GenRewardError, match=r"manifest\.json: unreadable"):
        load_fb(folder)
    (folder / "features.json").unlink()
    with pytest.raises(GenRewardError, match="this is no FB model folder"):
        load_fb(folder)
