"""Exact Hessian-vector products of the mean cross-entropy: the R-operator (Pearlmutter 1994), in numba.

H·v is the directional derivative of the gradient along v, R{∇L} = d/dt ∇L(θ + t·v) at t = 0. Pushing R{·} through
the forward pass and then the backward pass gives it exactly, at the cost of one more forward and backward pass,
with no step size. For a ReLU net this is the Hessian of the linear piece the weights are on: ReLU'' is zero off
the kinks, so R{ReLU(z)} = ReLU'(z)·R{z} and R{ReLU'(z)·δ} = ReLU'(z)·R{δ}. A finite difference of gradients
instead crosses any kink within its step and stops being linear in v — which is what this replaces.

One hidden layer, per sample (x its inputs, V the direction's share of each parameter, mask m = z > 0):
    z = x·W1 + b1          Rz = x·V1 + c1
    h = m·z                Rh = m·Rz
    o = h·W2 + b2          Ro = Rh·W2 + h·V2 + c2
    p = softmax(o)         Rp = p ⊙ (Ro − p·Ro)
    d = (p − y)/n          Rd = Rp/n
    R{gW2} += Rh⊗d + h⊗Rd,  R{gb2} += Rd
    R{δz} = m ⊙ (V2·d + W2·Rd),  R{gW1} += x⊗R{δz},  R{gb1} += R{δz}
Two hidden layers repeat the middle step once more. The mask is z > 0, the gradient kernels' own (kernels.py).
Inputs arrive as kernels.Rows (each sample's nonzero pixels). Helpers live in this file: numba's cache is per file.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")


@kernel
def _zero(hW, hb):
    """Clear one layer's product buffers (a matrix and a bias) before the samples accumulate into them."""
    hW[:, :] = 0.0
    hb[:] = 0.0


@kernel
def _hidden_in(starts, columns, values, s, W, b, V, c, z, rz):
    """z (H,) = x_s·W + b and rz (H,) = x_s·V + c over sample s's nonzero inputs."""
    for j in range(W.shape[1]):
        z[j] = b[j]
        rz[j] = c[j]
    for k in range(starts[s], starts[s + 1]):
        xi = values[k]
        i = columns[k]
        for j in range(W.shape[1]):
            z[j] += xi * W[i, j]
            rz[j] += xi * V[i, j]


@kernel
def _layer(z_in, rz_in, W, b, V, c, z, rz):
    """z = ReLU(z_in)·W + b and its R: rz = ReLU'(z_in)·rz_in·W + ReLU(z_in)·V + c."""
    for k in range(W.shape[1]):
        z[k] = b[k]
        rz[k] = c[k]
    for j in range(W.shape[0]):
        if z_in[j] > 0.0:
            h = z_in[j]
            rh = rz_in[j]
            for k in range(W.shape[1]):
                z[k] += h * W[j, k]
                rz[k] += rh * W[j, k] + h * V[j, k]


@kernel
def _output_deltas(o, ro, label, inv_n, d, rd):
    """d (2,) = (softmax(o) − onehot)/n and rd (2,) = its R, from the logits o and their R ro."""
    m = max(o[0], o[1])
    e0 = math.exp(o[0] - m)
    e1 = math.exp(o[1] - m)
    p0 = e0 / (e0 + e1)
    p1 = e1 / (e0 + e1)
    mean_r = p0 * ro[0] + p1 * ro[1]
    d[0] = (p0 - (1.0 if label == 0 else 0.0)) * inv_n
    d[1] = (p1 - (1.0 if label == 1 else 0.0)) * inv_n
    rd[0] = p0 * (ro[0] - mean_r) * inv_n
    rd[1] = p1 * (ro[1] - mean_r) * inv_n


@kernel
def _layer_back(z_in, rz_in, W, V, d, rd, hW, hb, dz, rdz):
    """Through the layer z_out = ReLU(z_in)·W + b, given the output deltas d and their R rd: adds R{gW}, R{gb} into
    hW, hb, and writes the input side's deltas dz = m ⊙ (W·d) and their R rdz = m ⊙ (V·d + W·rd)."""
    for k in range(W.shape[1]):
        hb[k] += rd[k]
    for j in range(W.shape[0]):
        if z_in[j] > 0.0:
            h = z_in[j]
            rh = rz_in[j]
            back = 0.0
            r_back = 0.0
            for k in range(W.shape[1]):
                hW[j, k] += rh * d[k] + h * rd[k]
                back += W[j, k] * d[k]
                r_back += V[j, k] * d[k] + W[j, k] * rd[k]
            dz[j] = back
            rdz[j] = r_back
        else:
            dz[j] = 0.0
            rdz[j] = 0.0


@kernel
def _input_back(starts, columns, values, s, rdz, hW, hb):
    """R{gW1} += x_s ⊗ rdz and R{gb1} += rdz (x is data: it has no R)."""
    for j in range(rdz.shape[0]):
        hb[j] += rdz[j]
    for k in range(starts[s], starts[s + 1]):
        xi = values[k]
        i = columns[k]
        for j in range(rdz.shape[0]):
            hW[i, j] += xi * rdz[j]


@kernel
def hessian_vector(starts, columns, values, y, W1, b1, W2, b2, V1, c1, V2, c2, hW1, hb1, hW2, hb2):
    """H·v of the mean loss over all rows, v = (V1, c1, V2, c2), written into (hW1, hb1, hW2, hb2) (zeroed here)."""
    n = y.shape[0]
    inv_n = 1.0 / n
    hidden = W1.shape[1]
    _zero(hW1, hb1)
    _zero(hW2, hb2)
    z, rz = np.empty(hidden), np.empty(hidden)
    dz, rdz = np.empty(hidden), np.empty(hidden)
    o, ro, d, rd = np.empty(2), np.empty(2), np.empty(2), np.empty(2)
    for s in range(n):
        _hidden_in(starts, columns, values, s, W1, b1, V1, c1, z, rz)
        _layer(z, rz, W2, b2, V2, c2, o, ro)
        _output_deltas(o, ro, y[s], inv_n, d, rd)
        _layer_back(z, rz, W2, V2, d, rd, hW2, hb2, dz, rdz)
        _input_back(starts, columns, values, s, rdz, hW1, hb1)


@kernel
def hessian_vector_deep(starts, columns, values, y, W1, b1, W2, b2, W3, b3, V1, c1, V2, c2, V3, c3,
                        hW1, hb1, hW2, hb2, hW3, hb3):
    """hessian_vector for 64-H-H-2."""
    n = y.shape[0]
    inv_n = 1.0 / n
    hidden = W1.shape[1]
    _zero(hW1, hb1)
    _zero(hW2, hb2)
    _zero(hW3, hb3)
    z1, rz1, z2, rz2 = np.empty(hidden), np.empty(hidden), np.empty(hidden), np.empty(hidden)
    dz2, rdz2, dz1, rdz1 = np.empty(hidden), np.empty(hidden), np.empty(hidden), np.empty(hidden)
    o, ro, d, rd = np.empty(2), np.empty(2), np.empty(2), np.empty(2)
    for s in range(n):
        _hidden_in(starts, columns, values, s, W1, b1, V1, c1, z1, rz1)
        _layer(z1, rz1, W2, b2, V2, c2, z2, rz2)
        _layer(z2, rz2, W3, b3, V3, c3, o, ro)
        _output_deltas(o, ro, y[s], inv_n, d, rd)
        _layer_back(z2, rz2, W3, V3, d, rd, hW3, hb3, dz2, rdz2)
        _layer_back(z1, rz1, W2, V2, dz2, rdz2, hW2, hb2, dz1, rdz1)
        _input_back(starts, columns, values, s, rdz1, hW1, hb1)
