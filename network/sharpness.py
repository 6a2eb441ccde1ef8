"""Sharpness of the loss at the current weights: the Hessian's trace (Hutchinson) and its top eigenvalue (power
iteration), both from Hessian-vector products.

An HVP here is a central finite difference of exact gradients, Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, with the
gradients from the numba kernels over the whole set in one batch (so one HVP costs two fast passes). A ReLU net's
loss is piecewise smooth, so ε is kept tiny (relative to ‖θ‖ and ‖v‖) and a crossing of a kink is rare; the tests
compare it with the full Hessian built column by column. Probes and start vectors come from the run's seed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from network import kernels

DEFAULT_PROBES = 20
DEFAULT_ITERATIONS = 20


class FlatGradient:
    """∇L(θ) for a flat parameter vector θ (W1, b1, W2, b2 (, W3, b3) raveled), on all of X at once."""

    def __init__(self, net, X: np.ndarray, y: np.ndarray):
        self.shapes = [p.shape for p in net.parameters().values()]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.theta = np.concatenate([p.ravel() for p in net.parameters().values()])
        self.rows, self.y = kernels.sparse(X), np.ascontiguousarray(y, dtype=np.int64)
        self.order = np.arange(len(self.y), dtype=np.int64)
        self.deep = net.hidden_layers == 2
        self._ws = kernels.Workspace(net.hidden, max(len(self.y), 1), hidden_layers=net.hidden_layers)
        self._point = np.empty_like(self.theta)
        self._out = np.empty_like(self.theta)
        self._params = self._views(self._point)
        grads = self._ws.grads()
        self._grad_views = self._views(self._out)
        for view, buffer in zip(self._grad_views, grads.values()):   # the kernel writes into the flat vector
            setattr(self._ws, "g" + next(k for k, v in grads.items() if v is buffer), view)

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        views, at = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            views.append(flat[at:at + size].reshape(shape))
            at += size
        return views

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        self._point[:] = theta
        gradients = kernels.batch_gradients_deep if self.deep else kernels.batch_gradients
        gradients(*self.rows, self.y, self.order, 0, len(self.y), *self._params, *self._ws.buffers())
        return self._out.copy()

    def hvp(self, v: np.ndarray) -> np.ndarray:
        """H(θ)·v by a central difference of gradients."""
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            return np.zeros_like(v)
        eps = 1e-5 * (1.0 + float(np.linalg.norm(self.theta))) / norm
        return (self(self.theta + eps * v) - self(self.theta - eps * v)) / (2.0 * eps)


def hutchinson_trace(gradient: FlatGradient, probes: int, rng: np.random.Generator) -> float:
    """tr(H) ≈ mean of vᵀHv over Rademacher vectors v (unbiased; its spread shrinks as 1/√probes)."""
    total = 0.0
    for _ in range(probes):
        v = rng.choice((-1.0, 1.0), size=gradient.theta.size)
        total += float(v @ gradient.hvp(v))
    return total / probes


def top_eigenvalue(gradient: FlatGradient, iterations: int, rng: np.random.Generator) -> float:
    """The eigenvalue of largest magnitude by power iteration (the sharpest direction); its Rayleigh quotient."""
    v = rng.standard_normal(gradient.theta.size)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        w = gradient.hvp(v)
        value = float(v @ w)
        norm = float(np.linalg.norm(w))
        if norm == 0.0 or not math.isfinite(norm):
            break
        v = w / norm
    return value


@dataclass(frozen=True)
class Sharpness:
    hessian_trace: float
    hessian_top_eigenvalue: float
    probes: int
    iterations: int


def measure(net, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, probes: int = DEFAULT_PROBES,
            iterations: int = DEFAULT_ITERATIONS) -> Sharpness:
    gradient = FlatGradient(net, X, y)
    return Sharpness(hutchinson_trace(gradient, probes, rng), top_eigenvalue(gradient, iterations, rng),
                     probes, iterations)
