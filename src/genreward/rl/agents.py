"""The selectable learners (`--agent`): what distinguishes them, free of heavy imports (the
CLI's configuration reads their defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgentSpec:
    """One learner: SAC's losses with a choice of networks and update schedule."""

    blocks: int
    """Residual LayerNorm blocks per network (0: plain MLP)."""
    normalize_obs: bool
    """Standardise observations by running statistics."""
    hidden: int
    """Default width of the hidden layers."""
    batch_norm: bool = False
    """CrossQ: BatchNorm before every linear layer of actor and critics, no target critics
    (Q of the next state comes from the same forward pass, so both batches share its
    statistics)."""
    policy_delay: int = 1
    """Critic updates per actor and temperature update."""
    lr: float = 3e-4
    """Default learning rate."""
    adam_beta1: float = 0.9
    """Adam's first-moment decay."""
    quantiles: int = 0
    """TQC: quantiles of the return each critic predicts (0: a scalar Q per critic, SAC's
    clipped double Q)."""
    drop_quantiles: int = 0
    """TQC: the highest quantiles per critic dropped from the pooled target distribution
    (its control of overestimation)."""


AGENTS = {
    "sac": AgentSpec(blocks=0, normalize_obs=False, hidden=256),
    # 128 wide: one residual block at 256 costs twice the update time of SAC's 2x256 on a CPU.
    "simba": AgentSpec(blocks=1, normalize_obs=True, hidden=128),
    # Bhatt et al. (2024): its networks and update schedule, 256 wide instead of 2048 (CPU
    # budget) and plain BatchNorm (its BatchRenorm equals it for the first 100k updates).
    "crossq": AgentSpec(
        blocks=0,
        normalize_obs=False,
        hidden=256,
        batch_norm=True,
        policy_delay=3,
        lr=1e-3,
        adam_beta1=0.5,
    ),
    # Kuznetsov et al. (2020): quantile critics, the target distribution of both pooled and
    # its top quantiles dropped (2 of 25 per critic, the paper's default; 2 critics instead
    # of 5 for the CPU), on simba's networks (as BRO, Nauman et al., 2024).
    "tqc": AgentSpec(blocks=1, normalize_obs=True, hidden=128, quantiles=25, drop_quantiles=2),
}
