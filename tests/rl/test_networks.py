"""The agents' networks: batched ensembles (linear and BatchNorm layers), float32 outputs under
bf16, running normalisation."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from genreward.rl.networks import EnsembleBatchNorm, EnsembleLinear, RunningNorm, ensemble_mlp


def test_ensemble_linear_is_independent_linear_layers() -> None:
    torch.manual_seed(0)
    layer = EnsembleLinear(3, 5, 4)
    x = torch.randn(3, 7, 5)
    out = layer(x)
    for e in range(3):
        expected = F.linear(x[e], layer.weight[e].T, layer.bias[e, 0])
        torch.testing.assert_close(out[e], expected)
    shared = torch.randn(7, 5)  # one input for every member
    torch.testing.assert_close(layer(shared), layer(shared.expand(3, 7, 5)))


def test_ensemble_batch_norm_is_independent_batch_norms() -> None:
    torch.manual_seed(0)
    norm = EnsembleBatchNorm(2, 3)
    with torch.no_grad():
        norm.norm.weight.uniform_(0.5, 2.0)
        norm.norm.bias.normal_()
    singles = [torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.01) for _ in range(2)]
    for e, single in enumerate(singles):
        single.load_state_dict(
            {k: v[e * 3 : e * 3 + 3] if v.dim() else v for k, v in norm.norm.state_dict().items()}
        )
    x = torch.randn(2, 16, 3) * torch.tensor([1.0, 5.0, 0.1]) + 2.0
    shared = torch.randn(16, 3)  # one input for every member, normalised by each on its own
    for batch in (x, shared):
        out = norm(batch)
        for e, single in enumerate(singles):
            torch.testing.assert_close(out[e], single(batch if batch.dim() == 2 else batch[e]))
    for e, single in enumerate(singles):  # running statistics per member
        torch.testing.assert_close(norm.norm.running_mean[e * 3 : e * 3 + 3], single.running_mean)
    norm.eval()
    for single in singles:
        single.eval()
    out = norm(x)
    for e, single in enumerate(singles):
        torch.testing.assert_close(out[e], single(x[e]))


def test_outputs_stay_float32_under_bf16_autocast() -> None:
    torch.manual_seed(0)
    net = ensemble_mlp(2, 6, 16, 1, blocks=1)
    x = torch.randn(8, 6)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        hidden = net[0](x)
        out = net(x)
    assert hidden.dtype == torch.bfloat16 and out.dtype == torch.float32
    torch.testing.assert_close(out, net(x), atol=0.05, rtol=0.05)


def test_running_norm_matches_the_statistics_of_everything_observed() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal([1.0, -3.0, 0.0], [2.0, 0.5, 0.0], size=(500, 3)).astype(np.float32)
    norm = RunningNorm(3)
    assert torch.equal(norm(torch.ones(3)), torch.ones(3))  # nothing seen yet: identity
    for chunk in (data[:1], data[1:100], data[100:]):
        norm.observe(torch.as_tensor(chunk))
    out = norm(torch.as_tensor(data)).numpy()
    np.testing.assert_allclose(out[:, :2].mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(out[:, :2].std(0), 1.0, atol=1e-3)
    assert np.abs(out[:, 2]).max() < 1e-3  # a constant dimension stays finite and near 0
    assert norm(torch.full((3,), 1e6)).max() == norm.clip
    off = RunningNorm(3, enabled=False)
    off.observe(torch.as_tensor(data))
    assert off.count == 0 and torch.equal(off(torch.ones(3)), torch.ones(3))
