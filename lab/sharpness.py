"""Sharpness of the loss at the current weights: the Hessian's trace (Hutchinson), and its largest and smallest
eigenvalues (Lanczos), all from exact Hessian-vector products.

An HVP is the R-operator of lab/hvp.py over the whole set in one call: exact for the linear piece of the ReLU
net the weights are on, with no step size to cross a kink. The tests compare it with full Hessians built
independently. Probes and start vectors come from the run's seed.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lab import hvp
from network import kernels

DEFAULT_PROBES = 20
DEFAULT_ITERATIONS = 30


class FlatGradient:
    """∇L(θ) and H(θ)·v for a flat parameter vector θ (W1, b1, W2, b2 (, W3, b3) raveled), on all of X at once."""

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
        # The HVP's fixed point (a copy of θ), its direction and its result, each a flat vector with per-array views.
        self._at = self.theta.copy()
        self._direction = np.empty_like(self.theta)
        self._product = np.empty_like(self.theta)
        self._hvp_args = (*self._views(self._at), *self._views(self._direction), *self._views(self._product))

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
        """H(θ)·v, exact (the R-operator): linear in v to rounding, whatever the pre-activations."""
        self._direction[:] = v
        product = hvp.hessian_vector_deep if self.deep else hvp.hessian_vector
        product(*self.rows, self.y, *self._hvp_args)
        return self._product.copy()


def hutchinson_trace(gradient: FlatGradient, probes: int, rng: np.random.Generator) -> float:
    """tr(H) ≈ mean of vᵀHv over Rademacher vectors v (unbiased; its spread shrinks as 1/√probes)."""
    return finish(_trace_steps(gradient, probes, rng))[0]


def extreme_eigenvalues(gradient: FlatGradient, iterations: int, rng: np.random.Generator) -> tuple[float, float]:
    """(largest, smallest) algebraic eigenvalue of H, as Lanczos's extreme Ritz values."""
    return finish(_lanczos_steps(gradient, iterations, rng))


def _trace_steps(gradient: FlatGradient, probes: int, rng: np.random.Generator) -> Iterator[None]:
    """Yields before each product; returns (the trace estimate, its standard error over the probes)."""
    samples = np.empty(probes)
    for k in range(probes):
        yield None                   # before each product: a stepped measurement pauses here
        v = rng.choice((-1.0, 1.0), size=gradient.theta.size)
        samples[k] = v @ gradient.hvp(v)
    spread = float(np.std(samples, ddof=1) / math.sqrt(probes)) if probes > 1 else math.nan
    return float(np.mean(samples)), spread


def _lanczos_steps(gradient: FlatGradient, iterations: int, rng: np.random.Generator) -> Iterator[None]:
    """Lanczos with full reorthogonalisation from a seeded random start: after k products the tridiagonal T_k's
    eigenvalues (Ritz values) approximate H's extremes from inside, the largest and the smallest at once (the
    largest in magnitude, which power iteration finds, may be a negative one). Returns (largest, smallest)."""
    size = gradient.theta.size
    steps = max(1, min(int(iterations), size))
    basis = np.empty((steps, size))                 # (k, P): the orthonormal Krylov basis
    alphas, betas = [], []
    q = rng.standard_normal(size)
    q /= np.linalg.norm(q)
    for k in range(steps):
        yield None
        basis[k] = q
        w = gradient.hvp(q)
        alpha = float(q @ w)
        if not math.isfinite(alpha):
            return math.nan, math.nan
        alphas.append(alpha)
        for _ in range(2):                          # twice is enough (Kahan–Parlett)
            w -= basis[:k + 1].T @ (basis[:k + 1] @ w)
        beta = float(np.linalg.norm(w))
        if k == steps - 1 or beta <= 1e-12 * max(abs(a) for a in alphas):
            break                                   # an invariant subspace: the Ritz values are exact
        betas.append(beta)
        q = w / beta
    ritz = np.linalg.eigvalsh(np.diag(alphas) + np.diag(betas[:len(alphas) - 1], 1)
                              + np.diag(betas[:len(alphas) - 1], -1))
    return float(ritz[-1]), float(ritz[0])


@dataclass(frozen=True)
class Sharpness:
    hessian_trace: float
    hessian_top_eigenvalue: float        # the largest algebraic eigenvalue: the sharpest upward curvature
    probes: int
    iterations: int
    hessian_min_eigenvalue: float = math.nan   # the most negative (smallest algebraic) eigenvalue
    hessian_trace_se: float = math.nan         # the trace estimate's standard error over its probes

    def fields(self) -> dict[str, float]:
        """The JSON keys every report of a measurement uses."""
        return {"hessian_trace": self.hessian_trace, "hessian_trace_se": self.hessian_trace_se,
                "hessian_top_eigenvalue": self.hessian_top_eigenvalue,
                "hessian_min_eigenvalue": self.hessian_min_eigenvalue}


def measuring(net, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, probes: int = DEFAULT_PROBES,
              iterations: int = DEFAULT_ITERATIONS) -> Iterator[None]:
    """measure() in steps: the first next() prepares, each next() after it takes one Hessian-vector product, and
    the one that takes the last returns the Sharpness (StopIteration.value). The weights are copied when it
    begins, so training may go on between steps: the window spreads a measurement over a few frames instead of
    stopping one frame for all of it."""
    gradient = FlatGradient(net, X, y)
    trace, spread = yield from _trace_steps(gradient, probes, rng)
    top, bottom = yield from _lanczos_steps(gradient, iterations, rng)
    return Sharpness(trace, top, probes, iterations, bottom, spread)


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
