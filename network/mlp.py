"""The 64-16-2 multilayer perceptron, from scratch in NumPy: the reference implementation.

    x (n, 64) ─W1 (64, H), b1 (H,)─▶ z1 (n, H) ─ReLU─▶ h1 (n, H) ─W2 (H, 2), b2 (2,)─▶ z2 (n, 2) ─softmax─▶ probs

Initialisation is He-style uniform: W ~ U(±sqrt(2 / fan_in)) — variance 2/(3·fan_in), a third of He-normal's,
which keeps the first ReLU layer from saturating on binary inputs; biases start at 0. Loss is the mean
cross-entropy over the batch. The numba kernels in kernels.py do exactly this math, faster.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data.seeding import rng_for

N_INPUTS = 64
N_OUTPUTS = 2
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class ForwardTrace:
    """Everything the forward pass computed for a batch (n samples)."""
    x: np.ndarray      # (n, 64) inputs
    z1: np.ndarray     # (n, H) hidden pre-activations
    h1: np.ndarray     # (n, H) hidden activations, ReLU(z1)
    z2: np.ndarray     # (n, 2) output logits
    probs: np.ndarray  # (n, 2) softmax probabilities


def softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)  # subtract the max: exp never overflows
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean of -log p[label]; p is floored at 1e-300 so a confident mistake is large, not inf."""
    picked = probs[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, 1e-300))))


class MLP:
    """Parameters as public float64 arrays W1 (64, H), b1 (H,), W2 (H, 2), b2 (2,)."""

    def __init__(self, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray):
        self.W1 = np.ascontiguousarray(W1, dtype=np.float64)
        self.b1 = np.ascontiguousarray(b1, dtype=np.float64)
        self.W2 = np.ascontiguousarray(W2, dtype=np.float64)
        self.b2 = np.ascontiguousarray(b2, dtype=np.float64)
        hidden = self.W1.shape[1]
        expected = {"W1": (N_INPUTS, hidden), "b1": (hidden,), "W2": (hidden, N_OUTPUTS), "b2": (N_OUTPUTS,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {getattr(self, name).shape}")

    @classmethod
    def create(cls, seed: int = 42, hidden: int = 16) -> "MLP":
        rng = rng_for(seed, "init")
        bound1, bound2 = np.sqrt(2.0 / N_INPUTS), np.sqrt(2.0 / hidden)
        W1 = rng.uniform(-bound1, bound1, size=(N_INPUTS, hidden))
        W2 = rng.uniform(-bound2, bound2, size=(hidden, N_OUTPUTS))
        return cls(W1, np.zeros(hidden), W2, np.zeros(N_OUTPUTS))

    @property
    def hidden(self) -> int:
        return self.W1.shape[1]

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.parameters().values())

    def parameters(self) -> dict[str, np.ndarray]:
        """The live arrays (not copies), keyed W1, b1, W2, b2."""
        return {name: getattr(self, name) for name in PARAMETER_NAMES}

    def copy(self) -> "MLP":
        return MLP(*(p.copy() for p in self.parameters().values()))

    def forward(self, X: np.ndarray) -> ForwardTrace:
        x = np.atleast_2d(np.asarray(X, dtype=np.float64))
        z1 = x @ self.W1 + self.b1
        h1 = np.maximum(z1, 0.0)
        z2 = h1 @ self.W2 + self.b2
        return ForwardTrace(x, z1, h1, z2, softmax(z2))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).probs

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        return cross_entropy(self.forward(X).probs, np.asarray(y))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.forward(X).probs.argmax(axis=1) == np.asarray(y)))

    def backward(self, trace: ForwardTrace, y: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Gradients of the mean cross-entropy, plus the per-sample deltas (dz2 (n, 2), dz1 (n, H)) for display."""
        n = len(y)
        dz2 = trace.probs.copy()
        dz2[np.arange(n), y] -= 1.0           # d(loss_i)/d(z2_i) = p - onehot(y)
        dz2 /= n                               # the mean over the batch
        dh1 = dz2 @ self.W2.T                  # chain rule through W2 (the pre-update weights)
        dz1 = dh1 * (trace.z1 > 0.0)           # ReLU'(z) = 1 where z > 0
        grads = {
            "W1": trace.x.T @ dz1,             # (64, n) @ (n, H)
            "b1": dz1.sum(axis=0),
            "W2": trace.h1.T @ dz2,            # (H, n) @ (n, 2)
            "b2": dz2.sum(axis=0),
        }
        return grads, dz2, dz1

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        y = np.asarray(y)
        trace = self.forward(X)
        grads, _, _ = self.backward(trace, y)
        return cross_entropy(trace.probs, y), grads

    def is_finite(self) -> bool:
        # One sum per array: any inf or nan makes its sum non-finite, and this is far cheaper than isfinite().all().
        return all(math.isfinite(float(p.sum())) for p in self.parameters().values())
