"""Sharpness of the loss at the current weights: the Hessian's trace (Hutchinson) and its top eigenvalue (power
iteration), both from Hessian-vector products.

An HVP here is a central finite difference of exact gradients, Hv ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, with the
gradients from the numba kernels over the whole set in one batch (so one HVP costs two fast passes). A ReLU net's
loss is piecewise smooth, so ε is kept tiny (relative to ‖θ‖ and ‖v‖) and a crossing of a kink is rare; the tests
compare it with the full Hessian built column by column. Probes and start vectors come from the run's seed.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
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
    return finish(_trace_steps(gradient, probes, rng))


def top_eigenvalue(gradient: FlatGradient, iterations: int, rng: np.random.Generator) -> float:
    """The eigenvalue of largest magnitude by power iteration (the sharpest direction); its Rayleigh quotient."""
    return finish(_eigenvalue_steps(gradient, iterations, rng))


def _trace_steps(gradient: FlatGradient, probes: int, rng: np.random.Generator) -> Iterator[None]:
    total = 0.0
    for _ in range(probes):
        yield None                   # before each product: a stepped measurement pauses here
        v = rng.choice((-1.0, 1.0), size=gradient.theta.size)
        total += float(v @ gradient.hvp(v))
    return total / probes


def _eigenvalue_steps(gradient: FlatGradient, iterations: int, rng: np.random.Generator) -> Iterator[None]:
    v = rng.standard_normal(gradient.theta.size)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        yield None
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


def measuring(net, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, probes: int = DEFAULT_PROBES,
              iterations: int = DEFAULT_ITERATIONS) -> Iterator[None]:
    """measure() in steps: the first next() prepares, each next() after it takes one Hessian-vector product, and
    the one that takes the last returns the Sharpness (StopIteration.value). The weights are copied when it
    begins, so training may go on between steps: the window spreads a measurement over a few frames instead of
    stopping one frame for all of it."""
    gradient = FlatGradient(net, X, y)
    trace = yield from _trace_steps(gradient, probes, rng)
    top = yield from _eigenvalue_steps(gradient, iterations, rng)
    return Sharpness(trace, top, probes, iterations)


def measure(net, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, probes: int = DEFAULT_PROBES,
            iterations: int = DEFAULT_ITERATIONS) -> Sharpness:
    return finish(measuring(net, X, y, rng, probes, iterations))


class SharpnessMeter:
    """A live meter: every `every` seconds of updates, one measurement of the trainer's weights, taken
    `steps_per_update` Hessian-vector products per update (on a copy of the weights made when it began), so no
    update stalls for all of it. `value` is the latest Sharpness, None before the first."""

    def __init__(self, rng: np.random.Generator, every: float = 1.0, steps_per_update: int = 8):
        self.rng, self.every, self.steps_per_update = rng, float(every), int(steps_per_update)
        self.value: Sharpness | None = None
        self._due = 0.0
        self._steps: Iterator | None = None

    def update(self, dt: float, trainer) -> None:
        if self._steps is None:
            self._due -= dt
            if self._due > 0.0:
                return
            n = trainer.n_train
            self._steps = measuring(trainer.net, trainer.data.X_train[:n], trainer.data.y_train[:n], self.rng)
            next(self._steps)                # copies the weights; no product yet
            self._due = self.every
        for _ in range(self.steps_per_update):
            try:
                next(self._steps)
            except StopIteration as done:
                self.value, self._steps = done.value, None
                return

    def pause(self) -> None:
        """Drop a measurement under way (the noise was switched off, or training finished)."""
        self._steps = None


def finish(steps: Iterator):
    """Run a stepped measurement to its end; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
