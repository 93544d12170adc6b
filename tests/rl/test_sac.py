"""SAC with each network setting: bounded actions, learning a one-step problem, exact state
round trip (observation and BatchNorm statistics, update count included), resets."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from genreward.rl.sac import (
    AGENTS,
    SAC,
    n_step_return,
    quantile_huber_loss,
    truncated_atoms,
)

each_agent = pytest.mark.parametrize("name", sorted(AGENTS))


@each_agent
def test_actions_are_bounded_and_deterministic_mode_is_repeatable(name: str) -> None:
    torch.manual_seed(0)
    agent = SAC(5, 3, spec=AGENTS[name], hidden=32)
    obs = np.ones(5, np.float32)
    sampled = np.stack([agent.act(obs) for _ in range(50)])
    assert sampled.shape == (50, 3) and np.abs(sampled).max() <= 1.0
    assert sampled.std(0).min() > 0
    assert np.array_equal(agent.act(obs, deterministic=True), agent.act(obs, deterministic=True))


@each_agent
def test_given_noise_drives_the_sampled_action(name: str) -> None:
    torch.manual_seed(0)
    agent = SAC(5, 3, spec=AGENTS[name], hidden=32)
    obs = np.ones(5, np.float32)
    zero = agent.act(obs, noise=np.zeros(3))
    np.testing.assert_allclose(zero, agent.act(obs, deterministic=True), rtol=1e-6)
    up, down = agent.act(obs, noise=np.full(3, 2.0)), agent.act(obs, noise=np.full(3, -2.0))
    assert (up > zero).all() and (down < zero).all()
    with pytest.raises(ValueError, match="noise of shape"):
        agent.act(obs, noise=np.zeros((4, 3)))  # a whole episode's noise, not one step's


@each_agent
@pytest.mark.parametrize("bf16", [False, True])
def test_learns_to_pick_the_rewarded_action(name: str, bf16: bool) -> None:
    # One-step task (mask 0): reward = -(a - 0.5)^2 on every dimension, whatever the
    # observation (varied, as BatchNorm needs: a constant batch has no variance to normalise).
    torch.manual_seed(0)
    agent = SAC(2, 2, spec=AGENTS[name], hidden=64, lr=3e-3, bf16=bf16)
    for _ in range(300 * AGENTS[name].policy_delay):  # 300 actor updates
        obs, action = torch.randn(128, 2), torch.rand(128, 2) * 2 - 1
        reward = -(action - 0.5).pow(2).sum(-1)
        agent.update(obs, action, reward, obs, torch.zeros(128))
    observations = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    actions = np.stack([agent.act(obs, deterministic=True) for obs in observations])
    assert np.abs(actions - 0.5).max() < 0.15


def test_a_higher_target_entropy_keeps_a_noisier_policy() -> None:
    # The same one-step task; the temperature drives the policy's entropy toward its target.
    entropies = {}
    for target in (-1.0, 0.5):
        torch.manual_seed(0)
        agent = SAC(2, 2, spec=AGENTS["simba"], hidden=64, lr=3e-3, target_entropy=target)
        obs = torch.zeros(128, 2)
        for _ in range(400):
            action = torch.rand(128, 2) * 2 - 1
            stats = agent.update(obs, action, -(action - 0.5).pow(2).sum(-1), obs, torch.zeros(128))
        entropies[target] = stats["entropy"]
    assert entropies[-1.0] < -0.5 < 0.0 < entropies[0.5]


def trained_pair(name: str, updates: int) -> tuple[SAC, SAC, tuple]:
    """Two small agents, the first fed a batch's observations and trained ``updates`` times on
    it; and the batch."""
    torch.manual_seed(0)
    agent, other = SAC(4, 2, spec=AGENTS[name], hidden=16), SAC(4, 2, spec=AGENTS[name], hidden=16)
    batch = (torch.randn(8, 4), torch.rand(8, 2), torch.randn(8), torch.randn(8, 4), torch.ones(8))
    for obs in batch[0]:
        agent.observe(obs.numpy())
    for _ in range(updates):
        agent.update(*batch)
    return agent, other, batch


@each_agent
def test_state_dict_restores_the_agent_exactly(name: str) -> None:
    # Saved between two actor updates of CrossQ (every third).
    agent, copy, batch = trained_pair(name, updates=2)
    saved = io.BytesIO()
    torch.save(agent.state_dict(), saved)  # as a snapshot does (no tensors shared)
    saved.seek(0)
    copy.load_state_dict(torch.load(saved, weights_only=True))
    torch.manual_seed(1)
    a = [agent.update(*batch) for _ in range(4)]
    torch.manual_seed(1)
    b = [copy.update(*batch) for _ in range(4)]
    assert a == b
    obs = np.ones(4, np.float32)
    assert np.array_equal(agent.act(obs, deterministic=True), copy.act(obs, deterministic=True))


@each_agent
def test_reset_starts_the_agent_afresh_from_its_seed(name: str) -> None:
    agent, other, batch = trained_pair(name, updates=3)
    trained = [p.detach().clone() for p in agent.critic.parameters()]
    norm = {k: v.clone() for k, v in agent.obs_norm.state_dict().items()}
    rng = torch.get_rng_state()
    agent.reset(7)
    other.reset(7)
    assert torch.equal(torch.get_rng_state(), rng)  # the run's own random stream goes on
    assert all(
        torch.equal(a, b)
        for a, b in zip(agent.critic.parameters(), other.critic.parameters(), strict=True)
    )
    assert not any(
        torch.equal(a, b) for a, b in zip(trained, agent.critic.parameters(), strict=True)
    )
    if agent.critic_target is not None:
        assert agent.critic_target.state_dict().keys() == agent.critic.state_dict().keys()
        assert all(
            torch.equal(a, b)
            for a, b in zip(
                agent.critic_target.parameters(), agent.critic.parameters(), strict=True
            )
        )
    assert agent.log_alpha.item() == pytest.approx(np.log(0.1))
    assert agent.critic_opt.state_dict()["state"] == {}
    assert agent.updates == 3
    state = agent.obs_norm.state_dict()
    assert all(torch.equal(state[k], v) for k, v in norm.items())
    agent.update(*batch)  # the new optimisers drive the new networks
    assert not any(
        torch.equal(a, b)
        for a, b in zip(other.critic.parameters(), agent.critic.parameters(), strict=True)
    )


def test_crossq_has_no_target_critics_and_updates_the_actor_every_third_step() -> None:
    torch.manual_seed(0)
    agent = SAC(4, 2, spec=AGENTS["crossq"], hidden=16)
    assert agent.critic_target is None
    batch = (torch.randn(8, 4), torch.rand(8, 2), torch.randn(8), torch.randn(8, 4), torch.ones(8))
    actor_changed, critic_changed = [], []
    for _ in range(6):
        actor = [p.detach().clone() for p in agent.actor.parameters()]
        critic = [p.detach().clone() for p in agent.critic.parameters()]
        agent.update(*batch)
        actor_changed.append(not all(map(torch.equal, actor, agent.actor.parameters())))
        critic_changed.append(not all(map(torch.equal, critic, agent.critic.parameters())))
    assert actor_changed == [False, False, True] * 2 and all(critic_changed)
    # Acting uses BatchNorm's running statistics: one observation gives a repeatable action.
    obs = np.ones(4, np.float32)
    assert np.array_equal(agent.act(obs, deterministic=True), agent.act(obs, deterministic=True))


def test_n_step_return_discounts_each_row_over_its_own_steps() -> None:
    rewards = torch.tensor([[1.0, 2.0, 4.0], [1.0, 2.0, 4.0], [3.0, 0.0, 0.0]])
    steps = torch.tensor([[True, True, True], [True, True, False], [True, False, False]])
    reward, bootstrap = n_step_return(rewards, steps, 0.5)
    torch.testing.assert_close(reward, torch.tensor([1 + 1 + 1.0, 1 + 1.0, 3.0]))
    torch.testing.assert_close(bootstrap, torch.tensor([0.25, 0.5, 1.0]))


def test_tqc_pools_both_critics_quantiles_and_drops_the_highest() -> None:
    # [2 critics, N=2, 3 quantiles]: each row pools its own quantiles of both critics.
    next_q = torch.tensor([[[1.0, 5.0, 3.0], [10.0, 50.0, 30.0]], [[2.0, 6.0, 4.0], [0, 0, 0]]])
    torch.testing.assert_close(
        truncated_atoms(next_q, 1), torch.tensor([[1.0, 2, 3, 4], [0, 0, 0, 10]])
    )
    torch.testing.assert_close(truncated_atoms(next_q, 0)[0], torch.tensor([1.0, 2, 3, 4, 5, 6]))
    agent = SAC(4, 2, spec=AGENTS["tqc"], hidden=16)
    assert agent.critic(torch.zeros(8, 4), torch.zeros(8, 2)).shape == (2, 8, 25)


def test_quantile_huber_loss_fits_the_quantiles_of_the_targets() -> None:
    # Targets spread over 0..100 in row 0 and 200..300 in row 1 (mostly beyond the Huber
    # threshold of 1): the minimiser is each row's quantiles at the midpoints 1/8 .. 7/8.
    target = torch.stack([torch.linspace(0, 100, 401), torch.linspace(200, 300, 401)])
    q = torch.zeros(2, 2, 4, requires_grad=True)
    optimizer = torch.optim.Adam([q], lr=2.0)
    for _ in range(2000):
        optimizer.zero_grad()
        quantile_huber_loss(q, target).backward()
        optimizer.step()
    expected = torch.tensor([[12.5, 37.5, 62.5, 87.5], [212.5, 237.5, 262.5, 287.5]])
    assert (q.detach() - expected).abs().max() < 1.5


def test_tqc_critics_learn_the_discounted_return() -> None:
    # A state that returns to itself with reward 1 (mask 1, discount 0.5) and a temperature
    # near 0: every quantile of the return tends to 1 / (1 - 0.5) = 2 (without the bootstrap
    # it would be 1; without the discount it would grow without bound).
    torch.manual_seed(0)
    spec = AGENTS["tqc"]
    agent = SAC(2, 2, spec=spec, hidden=32, lr=3e-3, tau=0.05, discount=0.5, init_temperature=1e-6)
    obs = torch.zeros(64, 2)
    for _ in range(300):
        stats = agent.update(obs, torch.rand(64, 2) * 2 - 1, torch.ones(64), obs, torch.ones(64))
    assert abs(stats["q"] - 2.0) < 0.1
