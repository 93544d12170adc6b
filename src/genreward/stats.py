"""Running statistics shared by observation normalisation and reward scaling."""

from __future__ import annotations


def merge_moments(count, mean, m2, batch):
    """Count, mean and sum of squared deviations after adding `batch` (rows along axis 0) to
    statistics of `count` earlier values (Chan et al.'s parallel update; numpy or torch)."""
    n = batch.shape[0]
    batch_mean = batch.mean(0)
    delta = batch_mean - mean
    total = count + n
    m2 = m2 + ((batch - batch_mean) ** 2).sum(0) + delta**2 * count * n / total
    return total, mean + delta * n / total, m2
