"""FB on a small point-mass problem: 2-D position, RBF features, actions move the point."""

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from genreward.errors import GenRewardError
from genreward.rewards.fb import FBLearner, ForwardBackward

CENTERS = torch.stack(
    torch.meshgrid(torch.linspace(-1, 1, 6), torch.linspace(-1, 1, 6), indexing="ij"), -1
).reshape(-1, 2)
GOAL = torch.tensor([[0.7, 0.7]])


def psi(points):
    return torch.exp(-((points[:, None] - CENTERS) ** 2).sum(-1) / 0.15)


def move(points, actions):
    return (points + 0.15 * actions[:, :2]).clamp(-1, 1)


def seen(model, points):
    """What the model's F reads: the raw 2-D position (the "state") or its RBF features."""
    return points if model.forward_on_state else psi(points)


@pytest.fixture(scope="module", params=["psi", "state"])
def trained(request):
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    pos = torch.rand(8000, 2, generator=g) * 2 - 1
    act = torch.rand(8000, 4, generator=g) * 2 - 1
    nxt = move(pos, act)
    state_dim = 2 if request.param == "state" else None
    model = ForwardBackward(obs_dim=36, hidden=128, embed=64, z_dim=32, state_dim=state_dim)
    learner = FBLearner(model, lr=1e-3, discount=0.9, candidates=8)
    for _ in range(1500):
        idx = torch.randint(0, len(pos), (128,), generator=g)
        i, n = pos[idx], nxt[idx]
        losses = learner.update(seen(model, i), act[idx], seen(model, n), psi(n), g)
    assert np.isfinite(losses["loss"])
    return model


def test_b_is_scaled_to_sqrt_d(trained):
    b = trained.backward_map(psi(torch.rand(5, 2)))
    torch.testing.assert_close(b.norm(dim=1), torch.full((5,), 32**0.5))


def test_goal_reward_rises_toward_the_goal(trained):
    path = torch.stack([torch.linspace(-0.8, 0.7, 12)] * 2, dim=-1)
    rewards = trained.goal_reward(seen(trained, path), torch.zeros(12, 4), psi(GOAL)[0])
    assert spearmanr(np.arange(12), rewards.numpy()).statistic > 0.5
    assert rewards[-3:].min() > rewards[:6].max()  # clearly highest near the goal


def test_act_moves_toward_the_goal_more_often_than_random(trained):
    g = torch.Generator().manual_seed(1)
    starts = torch.rand(300, 2, generator=g) * 2 - 1
    candidates = torch.rand(32, 4, generator=g) * 2 - 1
    chosen = trained.act(seen(trained, starts), psi(GOAL)[0], candidates)
    random = candidates[torch.randint(0, 32, (300,), generator=g)]
    before = (starts - GOAL).norm(dim=1)
    closer_fb = ((move(starts, chosen) - GOAL).norm(dim=1) < before).float().mean()
    closer_random = ((move(starts, random) - GOAL).norm(dim=1) < before).float().mean()
    assert closer_fb > 0.8 and closer_fb > closer_random + 0.2


def test_mismatched_feature_dimension(trained):
    with pytest.raises(GenRewardError, match="psi features have dimension 10"):
        trained.goal_embedding(torch.zeros(10))
    what = "states" if trained.forward_on_state else "psi features"
    with pytest.raises(GenRewardError, match=f"{what} have dimension 10"):
        trained.goal_reward(torch.zeros(2, 10), torch.zeros(2, 4), psi(GOAL)[0])
