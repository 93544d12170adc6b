"""The agents' networks: ensembles of MLPs evaluated as one batched matmul per layer, plain,
with SimBa/BRO-style residual LayerNorm blocks or with CrossQ's BatchNorm, and a running
observation normaliser.

An ensemble of E networks takes ``[E, N, in]`` (or ``[N, in]``, shared by all members) and
returns ``[E, N, out]``: the twin critics cost one kernel per layer instead of two, which on a
CPU, where a small update is dominated by per-kernel overhead, is most of an update's time.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from genreward.stats import merge_moments


class EnsembleLinear(nn.Module):
    """E independent linear layers ``[E, N, in] -> [E, N, out]`` (nn.Linear's initialisation).

    ``full_precision`` keeps the layer in float32 under bf16 autocast: an output layer whose
    values (Q up to hundreds) must keep more than bf16's three significant digits.
    """

    def __init__(self, ensemble: int, cin: int, cout: int, full_precision: bool = False) -> None:
        super().__init__()
        self.full_precision = full_precision
        bound = 1.0 / math.sqrt(cin)
        self.weight = nn.Parameter(torch.empty(ensemble, cin, cout).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(ensemble, 1, cout).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.expand(self.weight.shape[0], *x.shape)
        if self.full_precision:
            with torch.autocast(x.device.type, enabled=False):
                return torch.baddbmm(self.bias, x.float(), self.weight)
        return torch.baddbmm(self.bias, x, self.weight)


class ResidualBlock(nn.Module):
    """x + LN(W2 relu(LN(W1 x))): BRO's BroNet block (Nauman et al., 2024)."""

    def __init__(self, ensemble: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            EnsembleLinear(ensemble, hidden, hidden),
            nn.LayerNorm(hidden),
            nn.ReLU(),
            EnsembleLinear(ensemble, hidden, hidden),
            nn.LayerNorm(hidden),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.net(x)


class EnsembleBatchNorm(nn.Module):
    """BatchNorm over the batch of each of E networks: ``[E, N, C]`` (or ``[N, C]``, shared by
    all members) -> ``[E, N, C]``, each member with its own statistics and affine parameters.

    CrossQ's settings: running statistics with momentum 0.01 and eps 1e-3, used in eval mode.
    (CrossQ's later BatchRenorm equals BatchNorm during its first 100k warm-up steps.)
    """

    def __init__(self, ensemble: int, channels: int) -> None:
        super().__init__()
        self.ensemble = ensemble
        self.norm = nn.BatchNorm1d(ensemble * channels, eps=1e-3, momentum=0.01)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.expand(self.ensemble, *x.shape)
        e, n, c = x.shape
        y = self.norm(x.transpose(0, 1).reshape(n, e * c))
        return y.reshape(n, e, c).transpose(0, 1)


def ensemble_mlp(
    ensemble: int, cin: int, hidden: int, cout: int, blocks: int = 0, batch_norm: bool = False
) -> nn.Sequential:
    """E networks ``[E, N, cin] -> [E, N, cout]``.

    ``blocks == 0``: the plain two-hidden-layer ReLU MLP of SAC, with ``batch_norm`` a
    BatchNorm before each linear layer (CrossQ). ``blocks > 0``: a LayerNorm embedding followed
    by that many residual LayerNorm blocks (BroNet/SimBa), which keeps the critic's scale in
    check at high update rates.
    """
    if blocks > 0 and batch_norm:
        raise ValueError("residual LayerNorm blocks and BatchNorm are two different networks")
    if blocks == 0:
        widths = [cin, hidden, hidden]
        layers = []
        for a, b in itertools.pairwise(widths):
            layers += [EnsembleBatchNorm(ensemble, a)] * batch_norm
            layers += [EnsembleLinear(ensemble, a, b), nn.ReLU()]
        layers += [EnsembleBatchNorm(ensemble, hidden)] * batch_norm
        layers.append(EnsembleLinear(ensemble, hidden, cout, full_precision=True))
        return nn.Sequential(*layers)
    layers: list[nn.Module] = [
        EnsembleLinear(ensemble, cin, hidden),
        nn.LayerNorm(hidden),
        nn.ReLU(),
    ]
    layers += [ResidualBlock(ensemble, hidden) for _ in range(blocks)]
    layers.append(EnsembleLinear(ensemble, hidden, cout, full_precision=True))
    return nn.Sequential(*layers)


class RunningNorm(nn.Module):
    """Standardises observations by running mean and variance of every observation seen
    (SimBa's RSNorm); the statistics are buffers, so snapshots carry them."""

    def __init__(self, dim: int, enabled: bool = True, eps: float = 1e-4, clip: float = 10.0):
        super().__init__()
        self.enabled, self.eps, self.clip = enabled, eps, clip
        self.register_buffer("count", torch.zeros((), dtype=torch.float64))
        self.register_buffer("mean", torch.zeros(dim, dtype=torch.float64))
        self.register_buffer("m2", torch.zeros(dim, dtype=torch.float64))

    @torch.no_grad()
    def observe(self, obs: torch.Tensor) -> None:
        """Add observations ``[N, dim]`` (or one ``[dim]``) to the statistics (Chan et al.)."""
        if not self.enabled:
            return
        obs = obs.reshape(-1, self.mean.shape[0]).double()
        count, mean, m2 = merge_moments(self.count, self.mean, self.m2, obs)
        self.count.copy_(count)
        self.mean.copy_(mean)
        self.m2.copy_(m2)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        if not self.enabled or self.count < 2:
            return obs
        std = (self.m2 / self.count + self.eps).sqrt()
        normed = (obs - self.mean.to(obs.dtype)) / std.to(obs.dtype)
        return normed.clamp(-self.clip, self.clip)
