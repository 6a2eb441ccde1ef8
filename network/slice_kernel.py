"""The loss slice's inner loop, compiled: every grid point of the plane in one call, no temporaries.

Same math as the NumPy reference in network/landscape.py (`loss_slice_reference`; tests hold the two together,
near ReLU kinks too): at grid point (α, β) the first layer is Z0 + α·ZA + β·ZB (n, H), the margin of a sample is
sign · (relu(Z1) · w(α, β) + c(α, β)), and its loss softplus(margin), computed stably. About 3x faster than the
NumPy one at 51², and one thread: the kiosk draws this plane every frame it shows the network's landscape.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _softplus(x):
    """log(1 + e^x) without overflow (equal to numpy's logaddexp(0, x) to rounding)."""
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@njit(cache=True, error_model="numpy")
def slice_losses(Z0, ZA, ZB, sign, w, c, alphas, betas, losses):
    """losses[i, j] (R, R) = mean loss at alphas[j], betas[i]. Z0, ZA, ZB (n, H); sign (n,); w (3, H); c (3,).

    A row of the grid at a time, its R points side by side in the innermost loop (independent sums, which the
    compiler vectorises); each point's margin still adds its hidden units in order, as the reference does."""
    n, hidden = Z0.shape
    count = alphas.shape[0]
    weights = np.empty((hidden, count))          # w(α, β) of every point on the row, unit by unit
    bias = np.empty(count)
    margin = np.empty(count)
    total = np.empty(count)
    for i in range(betas.shape[0]):
        beta = betas[i]
        for h in range(hidden):
            for j in range(count):
                weights[h, j] = w[0, h] + alphas[j] * w[1, h] + beta * w[2, h]
        for j in range(count):
            bias[j] = c[0] + alphas[j] * c[1] + beta * c[2]
            total[j] = 0.0
        for s in range(n):
            margin[:] = bias
            for h in range(hidden):
                along, base = ZA[s, h], Z0[s, h] + beta * ZB[s, h]
                for j in range(count):
                    margin[j] += max(alphas[j] * along + base, 0.0) * weights[h, j]     # branch-free ReLU
            for j in range(count):
                total[j] += _softplus(sign[s] * margin[j])
        for j in range(count):
            losses[i, j] = total[j] / n
    return losses
