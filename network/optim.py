"""Optimizers and their registry. Each updates the network's arrays in place from a gradient dict.

Later exhibits (the noise lab) register more here; `make_optimizer(name, lr)` is how everything asks for one.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

import numpy as np


class Optimizer(ABC):
    name = "base"
    #: True when the numba kernels implement this optimizer's whole epoch (the fast path).
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


class SGD(Optimizer):
    """Plain stochastic gradient descent: w ← w − lr·g."""
    name = "sgd"
    fused = True

    def step(self, params, grads):
        for key, grad in grads.items():
            params[key] -= self.lr * grad


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← βv + g; w ← w − lr·v."""
    name = "momentum"

    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        self.beta = beta
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        for key, grad in grads.items():
            v = self.velocity.setdefault(key, np.zeros_like(grad))
            v *= self.beta
            v += grad
            params[key] -= self.lr * v

    def reset(self):
        self.velocity.clear()


OPTIMIZERS: dict[str, Callable[[float], Optimizer]] = {"sgd": SGD, "momentum": Momentum}


def make_optimizer(name: str, lr: float) -> Optimizer:
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}") from None
    return factory(lr)
