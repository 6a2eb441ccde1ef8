"""The multilayer perceptron, from scratch in NumPy: the reference implementation. One or two hidden layers:

    64-H-2     x (n, 64) ─W1 (64, H), b1─▶ z1 ─ReLU─▶ h1 (n, H) ─W2 (H, 2), b2─▶ logits (n, 2) ─softmax─▶ probs
    64-H-H-2   x ─W1, b1─▶ z1 ─ReLU─▶ h1 ─W2 (H, H), b2─▶ z2 ─ReLU─▶ h2 (n, H) ─W3 (H, 2), b3─▶ logits ─softmax─▶ probs

64-16-2 (1,074 parameters) is the default; 64-16-16-2 (1,346) is the original page's network. Initialisation is
He-style uniform: W ~ U(±sqrt(2 / fan_in)) — variance 2/(3·fan_in), a third of He-normal's, which keeps the first
ReLU layer from saturating on binary inputs; biases start at 0. Loss is the mean cross-entropy over the batch.
The numba kernels in kernels.py do exactly this math, faster.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data.seeding import rng_for

N_INPUTS = 64
N_OUTPUTS = 2
MAX_HIDDEN_LAYERS = 2
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")          # one hidden layer (the default network)


def parameter_names(hidden_layers: int) -> tuple[str, ...]:
    """W1, b1, W2, b2 for one hidden layer; W1, b1, W2, b2, W3, b3 for two."""
    return tuple(f"{kind}{k}" for k in range(1, hidden_layers + 2) for kind in ("W", "b"))


@dataclass(frozen=True)
class ForwardTrace:
    """Everything the forward pass computed for a batch (n samples)."""
    x: np.ndarray                # (n, 64) inputs
    z1: np.ndarray               # (n, H) first hidden layer's pre-activations
    h1: np.ndarray               # (n, H) its activations, ReLU(z1)
    logits: np.ndarray           # (n, 2) output logits
    probs: np.ndarray            # (n, 2) softmax probabilities
    z2: np.ndarray | None = None  # (n, H) second hidden layer's pre-activations (None with one hidden layer)
    h2: np.ndarray | None = None  # (n, H) its activations

    @property
    def hidden(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """((z, h) per hidden layer, first to last)."""
        return ((self.z1, self.h1),) if self.z2 is None else ((self.z1, self.h1), (self.z2, self.h2))


def softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)  # subtract the max: exp never overflows
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean of -log p[label]; p is floored at 1e-300 so a confident mistake is large, not inf."""
    picked = probs[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, 1e-300))))


class MLP:
    """Parameters as public float64 arrays W1, b1, W2, b2 (and W3, b3 with a second hidden layer)."""

    def __init__(self, *arrays: np.ndarray):
        if len(arrays) not in (4, 6):
            raise ValueError(f"an MLP takes W1, b1, W2, b2 (and W3, b3 for two hidden layers), got {len(arrays)} arrays")
        self.hidden_layers = len(arrays) // 2 - 1
        self.names = parameter_names(self.hidden_layers)
        for name, array in zip(self.names, arrays):
            setattr(self, name, np.ascontiguousarray(array, dtype=np.float64))
        hidden = self.W1.shape[1] if self.W1.ndim == 2 else -1
        expected = {"W1": (N_INPUTS, hidden), "b1": (hidden,)}
        for k in range(2, self.hidden_layers + 1):
            expected.update({f"W{k}": (hidden, hidden), f"b{k}": (hidden,)})
        last = self.hidden_layers + 1
        expected.update({f"W{last}": (hidden, N_OUTPUTS), f"b{last}": (N_OUTPUTS,)})
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {getattr(self, name).shape}")

    @classmethod
    def create(cls, seed: int = 42, hidden: int = 16, hidden_layers: int = 1) -> "MLP":
        """Weights drawn row-major, layer after layer, from the run's "init" stream; biases 0."""
        if hidden_layers not in range(1, MAX_HIDDEN_LAYERS + 1):
            raise ValueError(f"hidden_layers must be 1 or 2, got {hidden_layers}")
        rng = rng_for(seed, "init")
        sizes = (N_INPUTS, *([hidden] * hidden_layers), N_OUTPUTS)
        arrays = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = np.sqrt(2.0 / fan_in)
            arrays += [rng.uniform(-bound, bound, size=(fan_in, fan_out)), np.zeros(fan_out)]
        return cls(*arrays)

    @property
    def hidden(self) -> int:
        return self.W1.shape[1]

    @property
    def output_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) of the output layer: W2, b2 with one hidden layer, W3, b3 with two."""
        last = self.hidden_layers + 1
        return getattr(self, f"W{last}"), getattr(self, f"b{last}")

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.parameters().values())

    def parameters(self) -> dict[str, np.ndarray]:
        """The live arrays (not copies), keyed W1, b1, W2, b2 (, W3, b3)."""
        return {name: getattr(self, name) for name in self.names}

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W, b), …] from the inputs to the outputs."""
        p = self.parameters()
        return [(p[f"W{k}"], p[f"b{k}"]) for k in range(1, self.hidden_layers + 2)]

    def copy(self) -> "MLP":
        return MLP(*(p.copy() for p in self.parameters().values()))

    def forward(self, X: np.ndarray) -> ForwardTrace:
        x = np.atleast_2d(np.asarray(X, dtype=np.float64))
        a, hidden = x, []
        for W, b in self.layers()[:-1]:
            z = a @ W + b
            a = np.maximum(z, 0.0)
            hidden.append((z, a))
        W, b = self.output_weights
        logits = a @ W + b
        (z1, h1), *second = hidden
        z2, h2 = second[0] if second else (None, None)
        return ForwardTrace(x, z1, h1, logits, softmax(logits), z2, h2)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).probs

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        return cross_entropy(self.forward(X).probs, np.asarray(y))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.forward(X).probs.argmax(axis=1) == np.asarray(y)))

    def backward(self, trace: ForwardTrace, y: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, list]:
        """Gradients of the mean cross-entropy, plus the per-sample deltas for display: dlogits (n, 2) and
        [dz1, (dz2)] (n, H) per hidden layer. Every delta uses the pre-update weights."""
        n = len(y)
        dlogits = trace.probs.copy()
        dlogits[np.arange(n), y] -= 1.0        # d(loss_i)/d(logits_i) = p - onehot(y)
        dlogits /= n                           # the mean over the batch
        layers = self.layers()
        inputs = [trace.x, *(h for _, h in trace.hidden)]      # what each layer multiplies
        grads, deltas = {}, []
        delta = dlogits
        for k in range(len(layers), 0, -1):    # output layer first, then back through the hidden layers
            W, _ = layers[k - 1]
            grads[f"W{k}"] = inputs[k - 1].T @ delta          # (fan_in, n) @ (n, fan_out)
            grads[f"b{k}"] = delta.sum(axis=0)
            if k > 1:
                z = trace.hidden[k - 2][0]
                delta = (delta @ W.T) * (z > 0.0)              # chain rule, then ReLU'(z) = 1 where z > 0
                deltas.insert(0, delta)
        return {name: grads[name] for name in self.names}, dlogits, deltas

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        y = np.asarray(y)
        trace = self.forward(X)
        grads, _, _ = self.backward(trace, y)
        return cross_entropy(trace.probs, y), grads

    def is_finite(self) -> bool:
        # One sum per array: any inf or nan makes its sum non-finite, and this is far cheaper than isfinite().all().
        return all(math.isfinite(float(p.sum())) for p in self.parameters().values())
