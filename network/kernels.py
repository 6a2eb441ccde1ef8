"""numba-jitted training kernels: exactly the math of mlp.py (tests prove it), with no per-batch Python.

The plain names are the default 64-H-2 network; the `*_deep` ones are 64-H-H-2 (a second hidden layer).

Inputs arrive as sparse rows (`Rows`, from `sparse(X)`): each sample's nonzero inputs in column order. A shape
lights about 18 of its 64 pixels, so the passes visit only those — the very sums, in the very order, of the
dense rows with their zeros skipped, so the weights are the same to the bit, at half the cost.

`sgd_batch` does one minibatch (forward, mean cross-entropy, backward, SGD update) in place;
`sgd_epoch` loops it over a shuffled order, so the fused epoch and a step-by-step epoch run the very
same compiled function and give bit-identical weights. `report` scores the weights after an epoch in one call.
Helpers live in this file on purpose: numba's cache is keyed by this file alone.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from network.ziggurat import HEIGHT, INSIDE, LAYERS, TAIL, WORDS, X   # constants: numba bakes them in

# Cached per file; numpy's error model drops the zero checks numba puts before every division (none here can see
# a zero: a batch has >= 1 sample, and a softmax total is >= 1).
kernel = njit(cache=True, error_model="numpy")


class Rows(NamedTuple):
    """The nonzero entries of X (n, d), row by row: row s is columns[starts[s]:starts[s + 1]] with its values."""
    starts: np.ndarray    # (n + 1,) uint64
    columns: np.ndarray   # (nnz,) uint64, ascending within a row
    values: np.ndarray    # (nnz,) float64


def sparse(X: np.ndarray) -> Rows:
    return Rows(*_sparse_rows(np.ascontiguousarray(X, dtype=np.float64)))


@kernel
def _sparse_rows(X):
    n, d = X.shape
    count = 0
    for s in range(n):
        for i in range(d):
            if X[s, i] != 0.0:          # NaN is kept: it must poison the sums as it would densely
                count += 1
    # Unsigned, so numba indexes with them without its negative-index wraparound (measured ~15% faster).
    starts = np.empty(n + 1, np.uint64)
    columns = np.empty(count, np.uint64)
    values = np.empty(count)
    k = 0
    for s in range(n):
        starts[s] = k
        for i in range(d):
            if X[s, i] != 0.0:
                columns[k] = i
                values[k] = X[s, i]
                k += 1
    starts[n] = k
    return starts, columns, values


@kernel
def _into_hidden(starts, columns, values, s, W, b, z, r):
    """z[r] (H,) = x_s @ W + b over sample s's nonzero inputs only."""
    hidden = W.shape[1]
    for j in range(hidden):
        z[r, j] = b[j]
    for k in range(starts[s], starts[s + 1]):
        xi = values[k]
        i = columns[k]
        for j in range(hidden):
            z[r, j] += xi * W[i, j]


@kernel
def _logits(z, r, W, b):
    """The two logits of ReLU(z[r]) @ W (H, 2) + b."""
    o0 = b[0]
    o1 = b[1]
    for j in range(z.shape[1]):
        h = z[r, j] if z[r, j] > 0.0 else 0.0
        o0 += h * W[j, 0]
        o1 += h * W[j, 1]
    return o0, o1


@kernel
def _probabilities(o0, o1):
    """Softmax of two logits, shifted by the max as in mlp.softmax."""
    m = o0 if o0 > o1 else o1
    e0 = math.exp(o0 - m)
    e1 = math.exp(o1 - m)
    total = e0 + e1
    return e0 / total, e1 / total


@kernel
def _input_gradient(starts, columns, values, s, dz, r, gW):
    """gW (64, H) += x_s ⊗ dz[r] over sample s's nonzero inputs only."""
    for k in range(starts[s], starts[s + 1]):
        xi = values[k]
        i = columns[k]
        for j in range(dz.shape[1]):
            gW[i, j] += xi * dz[r, j]


@kernel
def _descend(lr, param, grad):
    """param -= lr · grad, element by element (no temporary array)."""
    flat = param.reshape(param.size)
    step = grad.reshape(grad.size)
    for k in range(flat.size):
        flat[k] -= lr * step[k]


@kernel
def _finite(param):
    flat = param.reshape(param.size)
    for k in range(flat.size):
        if not math.isfinite(flat[k]):
            return False
    return True


@kernel
def batch_gradients(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, z1, gW1, gb1, gW2, gb2, dz1):
    """Loss of samples order[start:stop] and the mean-loss gradients, written into gW1 (64,H), gb1 (H,), gW2 (H,2), gb2 (2,).

    Buffers: z1 (B, H) pre-activations, dz1 (B, H) hidden deltas; B >= stop - start.
    """
    n = stop - start
    inv_n = 1.0 / n
    _clear(gW1, gb1, gW2, gb2)
    loss = 0.0
    for r in range(n):
        s = order[start + r]
        _into_hidden(starts, columns, values, s, W1, b1, z1, r)
        # Backward: dz2 = (p - onehot) / n; dh1 = dz2 @ W2.T; dz1 = dh1 * ReLU'(z1).
        cross_entropy, d0, d1 = _output_error(*_probabilities(*_logits(z1, r, W2, b2)), y[s], inv_n)
        loss += cross_entropy
        _last_hidden_backward(z1, r, W2, d0, d1, gW2, gb2, gb1, dz1)
        _input_gradient(starts, columns, values, s, dz1, r, gW1)
    return loss * inv_n


@kernel
def _clear(gW, gb, gW_next, gb_next):
    """Zero two layers' gradient buffers (a matrix and a bias each) before a batch accumulates into them."""
    gW[:, :] = 0.0
    gb[:] = 0.0
    gW_next[:, :] = 0.0
    gb_next[:] = 0.0


@kernel
def _output_error(p0, p1, label, inv_n):
    """(the sample's cross-entropy, ∂L/∂logit 0 and 1 of the batch-mean loss) from its probabilities."""
    d0 = (p0 - (1.0 if label == 0 else 0.0)) * inv_n
    d1 = (p1 - (1.0 if label == 1 else 0.0)) * inv_n
    return -math.log(max(p0 if label == 0 else p1, 1e-300)), d0, d1


@kernel
def _last_hidden_backward(z, r, W, d0, d1, gW, gb_out, gb, dz):
    """The output layer's gradients gW (H, 2), gb_out (2,), and the last hidden layer's deltas dz[r] (its gb too),
    from the logits' deltas d0, d1. Branch-free on purpose: a silent unit adds h = 0 exactly, and the units'
    on/off pattern is unpredictable."""
    gb_out[0] += d0
    gb_out[1] += d1
    for j in range(z.shape[1]):
        on = z[r, j] > 0.0
        h = z[r, j] if on else 0.0
        gW[j, 0] += h * d0
        gW[j, 1] += h * d1
        dz[r, j] = d0 * W[j, 0] + d1 * W[j, 1] if on else 0.0
        gb[j] += dz[r, j]


@kernel
def sgd_apply(lr, W1, b1, W2, b2, gW1, gb1, gW2, gb2):
    _descend(lr, W1, gW1)
    _descend(lr, b1, gb1)
    _descend(lr, W2, gW2)
    _descend(lr, b2, gb2)


@kernel
def sgd_batch(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1):
    """One SGD step on samples order[start:stop]; returns the batch's loss before the update."""
    loss = batch_gradients(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, z1, gW1, gb1, gW2, gb2,
                           dz1)
    sgd_apply(lr, W1, b1, W2, b2, gW1, gb1, gW2, gb2)
    return loss


@kernel
def sgd_epoch(starts, columns, values, y, order, batch_size, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1):
    """ceil(n / batch_size) SGD steps over the rows in `order`; returns the sample-weighted mean pre-update loss."""
    n = order.shape[0]
    total = 0.0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += sgd_batch(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, lr,
                           z1, gW1, gb1, gW2, gb2, dz1) * (stop - start)
    return total / n


# -- other optimizers, fused: optim.py's step() element for element ------------------------------------------------
# An epoch with momentum or Adam(W) updates in numba too. The optimizer's buffers arrive flat, `state` (2, P) over
# W1, b1, W2, b2 raveled (momentum: row 0 is v; Adam: rows m, v), and go back to it after the epoch.
MOMENTUM, ADAM = 1, 2
RULES = {"momentum": MOMENTUM, "adam": ADAM}


@kernel
def _rule_step(rule, lr, param, grad, state, at, beta1, beta2, eps, c1, c2, decay):
    """One optimizer update of one array (raveled), its buffers at state[:, at:at + size]."""
    flat = param.reshape(param.size)
    g = grad.reshape(grad.size)
    if rule == MOMENTUM:        # v ← βv + g; w ← w − lr·v
        for k in range(flat.size):
            state[0, at + k] = state[0, at + k] * beta1 + g[k]
            flat[k] -= lr * state[0, at + k]
        return
    for k in range(flat.size):  # Adam: moments, the decoupled decay (weights only), the bias-corrected step
        state[0, at + k] = state[0, at + k] * beta1 + (1.0 - beta1) * g[k]
        state[1, at + k] = state[1, at + k] * beta2 + (1.0 - beta2) * g[k] * g[k]
        if decay != 0.0:
            flat[k] -= lr * decay * flat[k]
        flat[k] -= lr * (state[0, at + k] / c1) / (math.sqrt(state[1, at + k] / c2) + eps)


@kernel
def rule_epoch(starts, columns, values, y, order, batch_size, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1,
               rule, state, beta1, beta2, eps, c1s, c2s, decay):
    """sgd_epoch with momentum or Adam(W) (rule) as the update; c1s, c2s: Adam's bias corrections, one per step
    (computed by the optimizer, as its own step() would). Returns the mean pre-update loss."""
    n = order.shape[0]
    total = 0.0
    s = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += batch_gradients(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, z1,
                                 gW1, gb1, gW2, gb2, dz1) * (stop - start)
        at = 0
        _rule_step(rule, lr, W1, gW1, state, at, beta1, beta2, eps, c1s[s], c2s[s], decay)
        at += W1.size
        _rule_step(rule, lr, b1, gb1, state, at, beta1, beta2, eps, c1s[s], c2s[s], 0.0)
        at += b1.size
        _rule_step(rule, lr, W2, gW2, state, at, beta1, beta2, eps, c1s[s], c2s[s], decay)
        at += W2.size
        _rule_step(rule, lr, b2, gb2, state, at, beta1, beta2, eps, c1s[s], c2s[s], 0.0)
        s += 1
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
        self.scores = np.zeros((3, 2))   # report(): (accuracy, loss) of each part

    def buffers(self):
        """The kernels' trailing arguments: activations, gradients, deltas."""
        if self.deep:
            return self.z1, self.z2, self.gW1, self.gb1, self.gW2, self.gb2, self.gW3, self.gb3, self.dz1, self.dz2
        return self.z1, self.gW1, self.gb1, self.gW2, self.gb2, self.dz1

    def activations(self):
        """report()'s scratch rows."""
        return (self.z1, self.z2) if self.deep else (self.z1,)

    def gradient_buffers(self):
        return tuple(self.grads().values())

    def grads(self) -> dict[str, np.ndarray]:
        names = ("W1", "b1", "W2", "b2", "W3", "b3") if self.deep else ("W1", "b1", "W2", "b2")
        return {name: getattr(self, "g" + name) for name in names}


@kernel
def _score(o0, o1, label, part, out, with_loss):
    """Adds one sample's (correct?, cross-entropy) to out[part]; the loss only if asked (an exp and a log)."""
    if with_loss:
        p0, p1 = _probabilities(o0, o1)
        out[part, 1] -= math.log(max(p0 if label == 0 else p1, 1e-300))
    # argmax (a tie goes to class 0, as numpy's argmax does), counted without a branch
    out[part, 0] += 1.0 if (1 if o1 > o0 else 0) == label else 0.0


@kernel
def _means(bounds, losses_from, out):
    for part in range(bounds.shape[0] - 1):
        size = bounds[part + 1] - bounds[part]
        out[part, 0] = out[part, 0] / size if size > 0 else math.nan
        out[part, 1] = out[part, 1] / size if size > 0 and part >= losses_from else math.nan


@kernel
def report(starts, columns, values, y, bounds, losses_from, W1, b1, W2, b2, z1, out):
    """The weights after an epoch: (accuracy, mean cross-entropy) of each part rows[bounds[p]:bounds[p + 1]] into
    out[p] — NaN for an empty part, and for the loss of the parts before `losses_from` (not wanted, so not
    computed); returns whether every weight is finite."""
    out[:, :] = 0.0
    for part in range(bounds.shape[0] - 1):
        for s in range(bounds[part], bounds[part + 1]):
            _into_hidden(starts, columns, values, s, W1, b1, z1, 0)
            o0, o1 = _logits(z1, 0, W2, b2)
            _score(o0, o1, y[s], part, out, part >= losses_from)
    _means(bounds, losses_from, out)
    return _finite(W1) and _finite(b1) and _finite(W2) and _finite(b2)


# -- 64-H-H-2: a second hidden layer ------------------------------------------------------------------------------

@kernel
def _forward_deep(starts, columns, values, s, W1, b1, W2, b2, W3, b3, z1, z2, r):
    """One sample's forward pass into rows r of z1, z2 (both (B, H)); returns the two logits."""
    hidden = W1.shape[1]
    _into_hidden(starts, columns, values, s, W1, b1, z1, r)
    for k in range(hidden):
        z2[r, k] = b2[k]
    for j in range(hidden):
        h = z1[r, j]
        if h > 0.0:                     # a silent unit adds nothing: skip its row of W2
            for k in range(hidden):
                z2[r, k] += h * W2[j, k]
    return _logits(z2, r, W3, b3)


@kernel
def batch_gradients_deep(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, W3, b3,
                         z1, z2, gW1, gb1, gW2, gb2, gW3, gb3, dz1, dz2):
    """As batch_gradients, for 64-H-H-2: the mean-loss gradients into gW1 (64,H) … gb3 (2,); returns the loss."""
    hidden = W1.shape[1]
    n = stop - start
    inv_n = 1.0 / n
    _clear(gW1, gb1, gW2, gb2)
    gW3[:, :] = 0.0
    gb3[:] = 0.0
    loss = 0.0
    for r in range(n):
        s = order[start + r]
        probabilities = _probabilities(*_forward_deep(starts, columns, values, s, W1, b1, W2, b2, W3, b3, z1, z2, r))
        cross_entropy, d0, d1 = _output_error(*probabilities, y[s], inv_n)
        loss += cross_entropy
        # Output layer, then hidden 2: dz2 = (dlogits @ W3.T) * ReLU'(z2).
        _last_hidden_backward(z2, r, W3, d0, d1, gW3, gb3, gb2, dz2)
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
        _input_gradient(starts, columns, values, s, dz1, r, gW1)
    return loss * inv_n


@kernel
def sgd_apply_deep(lr, W1, b1, W2, b2, W3, b3, gW1, gb1, gW2, gb2, gW3, gb3):
    sgd_apply(lr, W1, b1, W2, b2, gW1, gb1, gW2, gb2)
    _descend(lr, W3, gW3)
    _descend(lr, b3, gb3)


@kernel
def sgd_epoch_deep(starts, columns, values, y, order, batch_size, W1, b1, W2, b2, W3, b3, lr,
                   z1, z2, gW1, gb1, gW2, gb2, gW3, gb3, dz1, dz2):
    """ceil(n / batch_size) SGD steps over the rows in `order` (the same step as the trainer's); the mean
    pre-update loss."""
    n = order.shape[0]
    total = 0.0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        loss = batch_gradients_deep(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, W3, b3,
                                    z1, z2, gW1, gb1, gW2, gb2, gW3, gb3, dz1, dz2)
        sgd_apply_deep(lr, W1, b1, W2, b2, W3, b3, gW1, gb1, gW2, gb2, gW3, gb3)
        total += loss * (stop - start)
    return total / n


@kernel
def report_deep(starts, columns, values, y, bounds, losses_from, W1, b1, W2, b2, W3, b3, z1, z2, out):
    """report() for 64-H-H-2."""
    out[:, :] = 0.0
    for part in range(bounds.shape[0] - 1):
        for s in range(bounds[part], bounds[part + 1]):
            o0, o1 = _forward_deep(starts, columns, values, s, W1, b1, W2, b2, W3, b3, z1, z2, 0)
            _score(o0, o1, y[s], part, out, part >= losses_from)
    _means(bounds, losses_from, out)
    return _finite(W1) and _finite(b1) and _finite(W2) and _finite(b2) and _finite(W3) and _finite(b3)


# -- training under noise (noise.py): the same counter-based normals as NumPy draws (ziggurat.py) ---------------------------

@kernel
def _splitmix(x):
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@kernel
def _unit(word):
    return np.float64(word >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def _normal(key, n):
    """Normal number n of the stream `key`: ziggurat.gaussians, one number at a time (see ziggurat.py)."""
    words, one = np.uint64(WORDS), np.uint64(1)
    base = key + n * words
    used = np.uint64(0)
    z = 0.0
    while used < words:
        w = _splitmix(base + used)
        used += one
        layer = w & np.uint64(LAYERS - 1)
        u = _unit(w)
        sign = 1.0 - 2.0 * np.float64((w >> np.uint64(8)) & one)    # ±1 without a (coin-flip) branch
        z = sign * (u * X[layer])
        if u < INSIDE[layer]:
            return z
        if layer == 0:                  # Marsaglia's tail beyond TAIL
            while used + one < words:
                a = -math.log1p(-_unit(_splitmix(base + used))) / TAIL
                b = -math.log1p(-_unit(_splitmix(base + used + one)))
                used += one + one
                if 2.0 * b > a * a:
                    return sign * (TAIL + a)
            return z
        if used >= words:
            return z
        height = HEIGHT[layer] + _unit(_splitmix(base + used)) * (HEIGHT[layer + one] - HEIGHT[layer])
        used += one
        if height < math.exp(-0.5 * z * z):
            return z
    return z


@kernel
def _add_noise(flat, scale, key, first):
    """flat[k] += scale · ξ[first + k] for every k."""
    for k in range(flat.size):
        flat[k] += scale * _normal(key, np.uint64(first + k))


@kernel
def _kick(array, scale, key, first):
    """array (raveled, in place) += scale · ξ[first … first + size − 1]; returns the next index."""
    _add_noise(array.reshape(array.size), scale, key, first)
    return first + array.size


@kernel
def sgd_epoch_noisy(starts, columns, values, y, order, batch_size, W1, b1, W2, b2, lr, z1, gW1, gb1, gW2, gb2, dz1,
                    key, step0, scales):
    """sgd_epoch with a per-step kick: after update s, θ += scales[s]·ξ, ξ numbered (step0 + s)·P + k over
    W1, b1, W2, b2 raveled (P parameters) — exactly NoiseInjector.perturb_parameters on the stepped path."""
    n = order.shape[0]
    total = 0.0
    n_params = W1.size + b1.size + W2.size + b2.size
    s = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        total += sgd_batch(starts, columns, values, y, order, start, stop, W1, b1, W2, b2, lr,
                           z1, gW1, gb1, gW2, gb2, dz1) * (stop - start)
        scale = scales[s]
        if scale != 0.0:
            first = (step0 + s) * n_params
            first = _kick(W1, scale, key, first)
            first = _kick(b1, scale, key, first)
            first = _kick(W2, scale, key, first)
            _kick(b2, scale, key, first)
        s += 1
    return total / n


@kernel
def jittered(X, level, key, first, out):
    """out = X + level · ξ[first …] (row-major): input_jitter's epoch, without NumPy's uint64 temporaries."""
    flat = out.reshape(out.size)
    flat[:] = X.reshape(X.size)
    _add_noise(flat, level, key, first)
