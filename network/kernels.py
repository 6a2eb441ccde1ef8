"""numba-jitted training kernels: exactly the math of mlp.py (tests prove it), with no per-batch Python.

The plain names are the default 64-H-2 network; the `*_deep` ones are 64-H-H-2 (a second hidden layer).

`sgd_batch` does one minibatch (forward, mean cross-entropy, backward, SGD update) in place;
`sgd_epoch` loops it over a shuffled order, so the fused epoch and a step-by-step epoch run the very
same compiled function and give bit-identical weights. Helpers live in this file on purpose: numba's
cache is keyed by this file alone.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, fastmath=False)
def batch_gradients(X, y, order, start, stop, W1, b1, W2, b2, z1, gW1, gb1, gW2, gb2, dz1):
    """Loss of samples order[start:stop] and the mean-loss gradients, written into gW1 (64,H), gb1 (H,), gW2 (H,2), gb2 (2,).

    Buffers: z1 (B, H) pre-activations, dz1 (B, H) hidden deltas; B >= stop - start.
    """
    n_in, hidden = W1.shape
    n = stop - start
    inv_n = 1.0 / n
    gW1[:, :] = 0.0
    gb1[:] = 0.0
    gW2[:, :] = 0.0
    gb2[:] = 0.0
    loss = 0.0
    for r in range(n):
        s = order[start + r]
        # Forward: z1 = x @ W1 + b1. Inputs are mostly 0/1 pixels, so skipping zeros halves the work.
        for j in range(hidden):
            z1[r, j] = b1[j]
        for i in range(n_in):
            xi = X[s, i]
            if xi != 0.0:
                for j in range(hidden):
                    z1[r, j] += xi * W1[i, j]
        o0 = b2[0]
        o1 = b2[1]
        for j in range(hidden):
            h = z1[r, j] if z1[r, j] > 0.0 else 0.0
            o0 += h * W2[j, 0]
            o1 += h * W2[j, 1]
        # Softmax of two logits, shifted by the max as in mlp.softmax.
        m = o0 if o0 > o1 else o1
        e0 = math.exp(o0 - m)
        e1 = math.exp(o1 - m)
        total = e0 + e1
        p0 = e0 / total
        p1 = e1 / total
        label = y[s]
        picked = p0 if label == 0 else p1
        loss -= math.log(max(picked, 1e-300))
        # Backward: dz2 = (p - onehot) / n; dh1 = dz2 @ W2.T; dz1 = dh1 * ReLU'(z1).
        d0 = (p0 - (1.0 if label == 0 else 0.0)) * inv_n
        d1 = (p1 - (1.0 if label == 1 else 0.0)) * inv_n
        gb2[0] += d0
        gb2[1] += d1
        for j in range(hidden):
            if z1[r, j] > 0.0:
                h = z1[r, j]
                gW2[j, 0] += h * d0
                gW2[j, 1] += h * d1
                dz1[r, j] = d0 * W2[j, 0] + d1 * W2[j, 1]
            else:
                dz1[r, j] = 0.0
            gb1[j] += dz1[r, j]
        for i in range(n_in):
            xi = X[s, i]
            if xi != 0.0:
                for j in range(hidden):
                    gW1[i, j] += xi * dz1[r, j]
    return loss * inv_n


@njit(cache=True)
def sgd_apply(lr, W1, b1, W2, b2, gW1, gb1, gW2, gb2):
    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2


@njit(cache=True)
def sgd_batch(X, y, order, start, stop, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1):
    """One SGD step on samples order[start:stop]; returns the batch's loss before the update."""
    loss = batch_gradients(X, y, order, start, stop, W1, b1, W2, b2, z1, gW1, gb1, gW2, gb2, dz1)
    sgd_apply(lr, W1, b1, W2, b2, gW1, gb1, gW2, gb2)
    return loss


@njit(cache=True)
def sgd_epoch(X, y, order, batch_size, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1):
    """ceil(n / batch_size) SGD steps over X[order]; returns the sample-weighted mean pre-update loss."""
    n = order.shape[0]
    total = 0.0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += sgd_batch(X, y, order, start, stop, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1) * (stop - start)
    return total / n


class Workspace:
    """Preallocated buffers for one network shape and batch size, so the hot loop never allocates."""

    def __init__(self, hidden: int, batch_size: int, n_inputs: int = 64, hidden_layers: int = 1):
        self.deep = hidden_layers == 2
        self.z1 = np.zeros((batch_size, hidden))
        self.dz1 = np.zeros((batch_size, hidden))
        self.gW1 = np.zeros((n_inputs, hidden))
        self.gb1 = np.zeros(hidden)
        if self.deep:
            self.z2 = np.zeros((batch_size, hidden))
            self.dz2 = np.zeros((batch_size, hidden))
            self.gW2 = np.zeros((hidden, hidden))
            self.gb2 = np.zeros(hidden)
            self.gW3 = np.zeros((hidden, 2))
            self.gb3 = np.zeros(2)
        else:
            self.gW2 = np.zeros((hidden, 2))
            self.gb2 = np.zeros(2)
        self.row = np.zeros(hidden)   # scratch for evaluate()
        self.row2 = np.zeros(hidden)

    def buffers(self):
        """The kernels' trailing arguments: activations, gradients, deltas."""
        if self.deep:
            return self.z1, self.z2, self.gW1, self.gb1, self.gW2, self.gb2, self.gW3, self.gb3, self.dz1, self.dz2
        return self.z1, self.gW1, self.gb1, self.gW2, self.gb2, self.dz1

    def gradient_buffers(self):
        return tuple(self.grads().values())

    def grads(self) -> dict[str, np.ndarray]:
        names = ("W1", "b1", "W2", "b2", "W3", "b3") if self.deep else ("W1", "b1", "W2", "b2")
        return {name: getattr(self, "g" + name) for name in names}


@njit(cache=True)
def evaluate(X, y, W1, b1, W2, b2, z1_row):
    """(accuracy, mean cross-entropy) of the whole set X (n, 64); z1_row is a (H,) scratch buffer."""
    n_samples, n_in = X.shape
    hidden = W1.shape[1]
    correct = 0
    loss = 0.0
    for s in range(n_samples):
        for j in range(hidden):
            z1_row[j] = b1[j]
        for i in range(n_in):
            xi = X[s, i]
            if xi != 0.0:
                for j in range(hidden):
                    z1_row[j] += xi * W1[i, j]
        o0 = b2[0]
        o1 = b2[1]
        for j in range(hidden):
            if z1_row[j] > 0.0:
                o0 += z1_row[j] * W2[j, 0]
                o1 += z1_row[j] * W2[j, 1]
        m = o0 if o0 > o1 else o1
        e0 = math.exp(o0 - m)
        e1 = math.exp(o1 - m)
        picked = (e0 if y[s] == 0 else e1) / (e0 + e1)
        loss -= math.log(max(picked, 1e-300))
        predicted = 1 if o1 > o0 else 0  # argmax; a tie goes to class 0, as numpy's argmax does
        if predicted == y[s]:
            correct += 1
    return correct / n_samples, loss / n_samples


# -- 64-H-H-2: a second hidden layer ------------------------------------------------------------------------------

@njit(cache=True, fastmath=False)
def _forward_deep(X, s, W1, b1, W2, b2, W3, b3, z1, z2, r):
    """One sample's forward pass into rows r of z1, z2 (both (B, H)); returns the two logits."""
    n_in, hidden = W1.shape
    for j in range(hidden):
        z1[r, j] = b1[j]
    for i in range(n_in):
        xi = X[s, i]
        if xi != 0.0:
            for j in range(hidden):
                z1[r, j] += xi * W1[i, j]
    for k in range(hidden):
        z2[r, k] = b2[k]
    for j in range(hidden):
        h = z1[r, j]
        if h > 0.0:
            for k in range(hidden):
                z2[r, k] += h * W2[j, k]
    o0 = b3[0]
    o1 = b3[1]
    for k in range(hidden):
        h = z2[r, k]
        if h > 0.0:
            o0 += h * W3[k, 0]
            o1 += h * W3[k, 1]
    return o0, o1


@njit(cache=True, fastmath=False)
def batch_gradients_deep(X, y, order, start, stop, W1, b1, W2, b2, W3, b3,
                         z1, z2, gW1, gb1, gW2, gb2, gW3, gb3, dz1, dz2):
    """As batch_gradients, for 64-H-H-2: the mean-loss gradients into gW1 (64,H) … gb3 (2,); returns the loss."""
    n_in, hidden = W1.shape
    n = stop - start
    inv_n = 1.0 / n
    gW1[:, :] = 0.0
    gb1[:] = 0.0
    gW2[:, :] = 0.0
    gb2[:] = 0.0
    gW3[:, :] = 0.0
    gb3[:] = 0.0
    loss = 0.0
    for r in range(n):
        s = order[start + r]
        o0, o1 = _forward_deep(X, s, W1, b1, W2, b2, W3, b3, z1, z2, r)
        m = o0 if o0 > o1 else o1
        e0 = math.exp(o0 - m)
        e1 = math.exp(o1 - m)
        total = e0 + e1
        p0 = e0 / total
        p1 = e1 / total
        label = y[s]
        picked = p0 if label == 0 else p1
        loss -= math.log(max(picked, 1e-300))
        d0 = (p0 - (1.0 if label == 0 else 0.0)) * inv_n
        d1 = (p1 - (1.0 if label == 1 else 0.0)) * inv_n
        gb3[0] += d0
        gb3[1] += d1
        # Output layer, then hidden 2: dz2 = (dlogits @ W3.T) * ReLU'(z2).
        for k in range(hidden):
            if z2[r, k] > 0.0:
                h = z2[r, k]
                gW3[k, 0] += h * d0
                gW3[k, 1] += h * d1
                dz2[r, k] = d0 * W3[k, 0] + d1 * W3[k, 1]
            else:
                dz2[r, k] = 0.0
            gb2[k] += dz2[r, k]
        # Hidden 1: dz1 = (dz2 @ W2.T) * ReLU'(z1); gW2 += h1 ⊗ dz2.
        for j in range(hidden):
            if z1[r, j] > 0.0:
                h = z1[r, j]
                total_back = 0.0
                for k in range(hidden):
                    gW2[j, k] += h * dz2[r, k]
                    total_back += dz2[r, k] * W2[j, k]
                dz1[r, j] = total_back
            else:
                dz1[r, j] = 0.0
            gb1[j] += dz1[r, j]
        for i in range(n_in):
            xi = X[s, i]
            if xi != 0.0:
                for j in range(hidden):
                    gW1[i, j] += xi * dz1[r, j]
    return loss * inv_n


@njit(cache=True)
def sgd_apply_deep(lr, W1, b1, W2, b2, W3, b3, gW1, gb1, gW2, gb2, gW3, gb3):
    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2
    W3 -= lr * gW3
    b3 -= lr * gb3


@njit(cache=True)
def sgd_epoch_deep(X, y, order, batch_size, W1, b1, W2, b2, W3, b3, lr, z1, z2, gW1, gb1, gW2, gb2, gW3, gb3,
                   dz1, dz2):
    """ceil(n / batch_size) SGD steps over X[order] (the same step as the trainer's); the mean pre-update loss."""
    n = order.shape[0]
    total = 0.0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        loss = batch_gradients_deep(X, y, order, start, stop, W1, b1, W2, b2, W3, b3,
                                    z1, z2, gW1, gb1, gW2, gb2, gW3, gb3, dz1, dz2)
        sgd_apply_deep(lr, W1, b1, W2, b2, W3, b3, gW1, gb1, gW2, gb2, gW3, gb3)
        total += loss * (stop - start)
    return total / n


@njit(cache=True)
def evaluate_deep(X, y, W1, b1, W2, b2, W3, b3, z1_row, z2_row):
    """(accuracy, mean cross-entropy) of the whole set X for 64-H-H-2; z1_row, z2_row are (H,) scratch."""
    n_samples = X.shape[0]
    z1 = z1_row.reshape((1, z1_row.shape[0]))
    z2 = z2_row.reshape((1, z2_row.shape[0]))
    correct = 0
    loss = 0.0
    for s in range(n_samples):
        o0, o1 = _forward_deep(X, s, W1, b1, W2, b2, W3, b3, z1, z2, 0)
        m = o0 if o0 > o1 else o1
        e0 = math.exp(o0 - m)
        e1 = math.exp(o1 - m)
        picked = (e0 if y[s] == 0 else e1) / (e0 + e1)
        loss -= math.log(max(picked, 1e-300))
        predicted = 1 if o1 > o0 else 0
        if predicted == y[s]:
            correct += 1
    return correct / n_samples, loss / n_samples


# -- training under noise (noise.py): the same counter-based normals as NumPy draws ---------------------------

@njit(cache=True)
def _splitmix(x):
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _pair(key, p):
    """Normals number 2p and 2p + 1 of the stream `key` (noise.gaussians): Box–Muller's cos and sin outputs."""
    a = _splitmix(key + np.uint64(2) * p)
    b = _splitmix(key + np.uint64(2) * p + np.uint64(1))
    u1 = np.float64(a >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    u2 = np.float64(b >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    r = math.sqrt(-2.0 * math.log1p(-u1))
    theta = 2.0 * math.pi * u2
    return r * math.cos(theta), r * math.sin(theta)


@njit(cache=True)
def _add_noise(flat, scale, key, first):
    """flat[k] += scale · ξ[first + k] for every k, two normals per pair drawn."""
    k = 0
    while k < flat.size:
        index = first + k
        c, s = _pair(key, np.uint64(index // 2))
        if index % 2 == 0:
            flat[k] += scale * c
            if k + 1 < flat.size:
                flat[k + 1] += scale * s
            k += 2
        else:
            flat[k] += scale * s
            k += 1


@njit(cache=True)
def _kick(array, scale, key, first):
    """array (raveled, in place) += scale · ξ[first … first + size − 1]; returns the next index."""
    _add_noise(array.reshape(array.size), scale, key, first)
    return first + array.size


@njit(cache=True)
def sgd_epoch_noisy(X, y, order, batch_size, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1, key, step0, scales):
    """sgd_epoch with a per-step kick: after update s, θ += scales[s]·ξ, ξ numbered (step0 + s)·P + k over
    W1, b1, W2, b2 raveled (P parameters) — exactly NoiseInjector.perturb_parameters on the stepped path."""
    n = order.shape[0]
    total = 0.0
    n_params = W1.size + b1.size + W2.size + b2.size
    s = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += sgd_batch(X, y, order, start, stop, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1) * (stop - start)
        scale = scales[s]
        if scale != 0.0:
            first = (step0 + s) * n_params
            first = _kick(W1, scale, key, first)
            first = _kick(b1, scale, key, first)
            first = _kick(W2, scale, key, first)
            _kick(b2, scale, key, first)
        s += 1
    return total / n


@njit(cache=True)
def jittered(X, level, key, first, out):
    """out = X + level · ξ[first …] (row-major): input_jitter's epoch, without NumPy's uint64 temporaries."""
    flat = out.reshape(out.size)
    flat[:] = X.reshape(X.size)
    _add_noise(flat, level, key, first)
