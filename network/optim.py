"""Optimizers and their registry. Each updates the network's arrays in place from a gradient dict.

A new optimizer joins by subclassing Optimizer and decorating the class with @register: everything that names
one (settings, the window's menu, sweeps) reads OPTIMIZERS, so it appears everywhere at once. Arrays are keyed
W1, b1, … ; a matrix is a weight (ndim 2), a vector a bias, which is how AdamW and Muon tell them apart.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

import numpy as np

OPTIMIZERS: dict[str, Callable[[float], "Optimizer"]] = {}


def register(cls):
    """Class decorator: make an optimizer available by its `name`."""
    OPTIMIZERS[cls.name] = cls
    return cls


class Optimizer(ABC):
    name = "base"
    #: True for plain SGD, whose update every numba kernel has built in (under noise, with two hidden layers).
    #: Momentum and Adam(W) have a fused epoch of their own (kernel_rule); the rest step in NumPy.
    fused = False

    def __init__(self, lr: float):
        if not lr > 0:
            raise ValueError(f"learning rate must be > 0, got {lr}")
        self.lr = float(lr)

    @abstractmethod
    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update params in place from grads (same keys)."""

    def reset(self) -> None:
        """Forget any internal state (momentum buffers …)."""


class _Stateful(Optimizer):
    """An optimizer with per-array buffers (created on first use, zero)."""
    #: The numba update of a fused epoch (a key of kernels.RULES), if this optimizer has one, and the buffers it
    #: reads and writes, in its order.
    kernel_rule: str | None = None
    moments: tuple[str, ...] = ()

    def __init__(self, lr: float):
        super().__init__(lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0

    def buffer(self, key: str, name: str, like: np.ndarray) -> np.ndarray:
        return self.state.setdefault(key, {}).setdefault(name, np.zeros_like(like))

    # -- the fused epoch's side (network/train.py, kernels.rule_epoch) --------------------------------------------
    def gather(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """The buffers as one (2, P) array, each row the arrays raveled in order (zeros where not used yet)."""
        flat = np.zeros((2, sum(p.size for p in params.values())))
        for row, name in enumerate(self.moments):
            flat[row] = np.concatenate([self.buffer(key, name, p).ravel() for key, p in params.items()])
        return flat

    def scatter(self, params: dict[str, np.ndarray], flat: np.ndarray, steps: int) -> None:
        """Take the buffers back from a fused epoch of `steps` updates."""
        for row, name in enumerate(self.moments):
            at = 0
            for key, p in params.items():
                self.buffer(key, name, p)[...] = flat[row, at:at + p.size].reshape(p.shape)
                at += p.size

    def kernel_hyper(self) -> tuple[float, float, float, float]:
        """(β1, β2, ε, weight decay) as the kernel reads them."""
        return 0.0, 0.0, 0.0, 0.0

    def corrections(self, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Adam's bias corrections for the next `steps` updates (ones for the others)."""
        return np.ones(steps), np.ones(steps)

    def reset(self) -> None:
        self.state.clear()
        self.t = 0


@register
class SGD(Optimizer):
    """Plain stochastic gradient descent: w ← w − lr·g."""
    name = "sgd"
    fused = True

    def step(self, params, grads):
        for key, grad in grads.items():
            params[key] -= self.lr * grad


@register
class Momentum(_Stateful):
    """Heavy-ball momentum: v ← βv + g; w ← w − lr·v."""
    name = "momentum"
    beta = 0.9
    kernel_rule, moments = "momentum", ("v",)

    def kernel_hyper(self):
        return self.beta, 0.0, 0.0, 0.0

    def step(self, params, grads):
        for key, grad in grads.items():
            v = self.buffer(key, "v", grad)
            v *= self.beta
            v += grad
            params[key] -= self.lr * v


@register
class RMSprop(_Stateful):
    """s ← ρs + (1 − ρ)g²; w ← w − lr·g/(√s + ε)."""
    name = "rmsprop"
    rho, eps = 0.9, 1e-8

    def step(self, params, grads):
        for key, grad in grads.items():
            s = self.buffer(key, "s", grad)
            s *= self.rho
            s += (1.0 - self.rho) * grad * grad
            params[key] -= self.lr * grad / (np.sqrt(s) + self.eps)


@register
class Adam(_Stateful):
    """Adam with bias correction: m, v the running first and second moments of g."""
    name = "adam"
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    weight_decay = 0.0
    kernel_rule, moments = "adam", ("m", "v")

    def kernel_hyper(self):
        return self.beta1, self.beta2, self.eps, self.weight_decay

    def scatter(self, params, flat, steps):
        super().scatter(params, flat, steps)
        self.t += steps                                  # as `steps` calls of step() would have counted

    def corrections(self, steps):
        ts = range(self.t + 1, self.t + steps + 1)       # as step() computes them, one update at a time
        return (np.array([1.0 - self.beta1 ** t for t in ts]), np.array([1.0 - self.beta2 ** t for t in ts]))

    def step(self, params, grads):
        self.t += 1
        c1, c2 = 1.0 - self.beta1 ** self.t, 1.0 - self.beta2 ** self.t
        for key, grad in grads.items():
            m, v = self.buffer(key, "m", grad), self.buffer(key, "v", grad)
            m *= self.beta1
            m += (1.0 - self.beta1) * grad
            v *= self.beta2
            v += (1.0 - self.beta2) * grad * grad
            if self.weight_decay and params[key].ndim == 2:   # AdamW: decoupled, weights only (not biases)
                params[key] -= self.lr * self.weight_decay * params[key]
            params[key] -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


@register
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): w ← w − lr·λ·w before the Adam step, λ = 0.01."""
    name = "adamw"
    weight_decay = 0.01


@register
class Normalized(Optimizer):
    """Normalized gradient descent: every step has length lr, w ← w − lr·g/‖g‖ (‖g‖ over all parameters)."""
    name = "normalized"

    def step(self, params, grads):
        norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
        if norm == 0.0:
            return
        for key, grad in grads.items():
            params[key] -= self.lr * grad / norm


def newton_schulz(G: np.ndarray, steps: int = 5) -> np.ndarray:
    """≈ U·Vᵀ of G = U·S·Vᵀ (its nearest semi-orthogonal matrix) by the quintic Newton–Schulz iteration Muon uses:
    X ← aX + (bA + cA²)X with A = XXᵀ, after scaling X to spectral norm ≤ 1. The coefficients (3.4445, −4.7750,
    2.0315) push every singular value into roughly [0.7, 1.2] in five steps: fast, not exact, on purpose."""
    a, b, c = 3.4445, -4.7750, 2.0315
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G                       # iterate on the wide side: A = XXᵀ is the small square
    X = X / (np.linalg.norm(X) + 1e-7)           # Frobenius ≥ spectral norm, so singular values ≤ 1
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


@register
class Muon(_Stateful):
    """Muon (Jordan et al., 2024): for each weight matrix, Nesterov momentum whose update is orthogonalised by
    Newton–Schulz and scaled by √max(1, rows/cols); biases get plain Nesterov momentum."""
    name = "muon"
    beta = 0.95

    def step(self, params, grads):
        for key, grad in grads.items():
            buf = self.buffer(key, "momentum", grad)
            buf *= self.beta
            buf += grad
            update = grad + self.beta * buf              # Nesterov: look one momentum step ahead
            if grad.ndim == 2:
                rows, cols = grad.shape
                update = newton_schulz(update) * max(1.0, rows / cols) ** 0.5
            params[key] -= self.lr * update


# A sensible learning rate for each on this network (batch 16), for sweeps that compare optimizers: the adaptive
# ones step by ~lr per coordinate, so their lr is an order of magnitude smaller than plain SGD's.
DEFAULT_LEARNING_RATES = {"sgd": 0.05, "momentum": 0.02, "rmsprop": 0.003, "adam": 0.003, "adamw": 0.003,
                          "normalized": 0.05, "muon": 0.02}


def make_optimizer(name: str, lr: float) -> Optimizer:
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}") from None
    return factory(lr)
