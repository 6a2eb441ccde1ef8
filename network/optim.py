"""Optimizers and their one registry, used by the network and by the Landscape's balls.

A new optimizer joins by subclassing Optimizer and decorating the class with @register: everything that names
one (the settings of both exhibits, the window's menus, the CLI, sweeps) reads OPTIMIZERS, so it appears
everywhere at once.

- The network: `step(params, grads)` updates its arrays in place. Arrays are keyed W1, b1, … ; a matrix is a
  weight (ndim 2), a vector a bias, which is how AdamW and Muon tell them apart.
- The balls (physics/descent.py): an optimizer with `rolls = True` has `roll(...)`, its update of N balls'
  positions (2, N) in Langevin form: the displacement for a gradient g at temperature T, with the noise placed
  so that the stationary density is ∝ exp(−L/T) (the balls' docstring derives each one). Its β is the
  Landscape's momentum setting (Adam's β1); every other constant is the class's own, shared with `step`.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping

import numpy as np

OPTIMIZERS: dict[str, type["Optimizer"]] = {}


def register(cls):
    """Class decorator: make an optimizer available by its `name`."""
    OPTIMIZERS[cls.name] = cls
    return cls


class _Rolling(Mapping):
    """The optimizers that can roll the balls (those with `rolls`), read from OPTIMIZERS whenever asked."""

    def __getitem__(self, name: str) -> type["Optimizer"]:
        if name in OPTIMIZERS and OPTIMIZERS[name].rolls:
            return OPTIMIZERS[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (name for name, cls in list(OPTIMIZERS.items()) if cls.rolls)

    def __len__(self) -> int:
        return sum(1 for _ in self)


ROLLING = _Rolling()


class Optimizer(ABC):
    name = "base"
    menu = "Base"                 #: its name in the window's menus
    learning_rate = 0.01          #: a sensible rate on this network (batch 16), for sweeps that compare optimizers
    rolls = False                 #: has a Langevin form for the Landscape's balls (`roll`)
    bias_corrected = False        #: roll() reads the balls' decay powers β^k, β2^k (Adam's bias correction)
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

    @classmethod
    def roll(cls, g: np.ndarray, lr: float, beta: float, temperature: float, kick: np.ndarray | None,
             velocity: np.ndarray, square_average: np.ndarray, first_power: np.ndarray, second_power: np.ndarray):
        """The balls' update: (displacement, new velocity, new square average), each (2, N), for gradient g (2, N)
        at temperature T with kick ξ ~ N(0, I) (None at T = 0). first_power, second_power (N,) are β^k and β2^k
        after a ball's k steps. Only optimizers with `rolls` define it."""
        raise NotImplementedError(f"{cls.name} has no Langevin form for the balls")


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
    name, menu, learning_rate, rolls = "sgd", "SGD", 0.05, True
    fused = True

    @classmethod
    def roll(cls, g, lr, beta, temperature, kick, velocity, square_average, first_power, second_power):
        displacement = -lr * g                                   # overdamped Langevin: Δ = −ηg + √(2ηT)ξ
        if kick is not None:
            displacement += math.sqrt(2 * lr * temperature) * kick
        return displacement, velocity, square_average

    def step(self, params, grads):
        for key, grad in grads.items():
            params[key] -= self.lr * grad


@register
class Momentum(_Stateful):
    """Heavy-ball momentum: v ← βv + g; w ← w − lr·v."""
    name, menu, learning_rate, rolls = "momentum", "Momentum", 0.02, True
    beta = 0.9
    kernel_rule, moments = "momentum", ("v",)

    @classmethod
    def roll(cls, g, lr, beta, temperature, kick, velocity, square_average, first_power, second_power):
        # u ← βu − ηg + √(2(1−β)ηT)ξ; Δ = u: friction-matched noise, as in stochastic-gradient HMC
        velocity = beta * velocity - lr * g
        if kick is not None:
            velocity += math.sqrt(2 * (1 - beta) * lr * temperature) * kick
        return velocity, velocity, square_average

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
    """s ← ρs + (1 − ρ)g²; w ← w − lr·g/(√s + ε), ρ = 0.99 (PyTorch's default)."""
    name, menu, learning_rate, rolls = "rmsprop", "RMSprop", 0.003, True
    rho, eps = 0.99, 1e-8

    @classmethod
    def roll(cls, g, lr, beta, temperature, kick, velocity, square_average, first_power, second_power):
        square_average = square_average * cls.rho
        square_average += (1 - cls.rho) * g * g
        return _preconditioned(g, np.sqrt(square_average), cls.eps, lr, temperature, kick), velocity, square_average

    def step(self, params, grads):
        for key, grad in grads.items():
            s = self.buffer(key, "s", grad)
            s *= self.rho
            s += (1.0 - self.rho) * grad * grad
            params[key] -= self.lr * grad / (np.sqrt(s) + self.eps)


@register
class Adam(_Stateful):
    """Adam with bias correction: m, v the running first and second moments of g."""
    name, menu, learning_rate, rolls, bias_corrected = "adam", "Adam", 0.003, True, True
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    weight_decay = 0.0
    kernel_rule, moments = "adam", ("m", "v")

    @classmethod
    def roll(cls, g, lr, beta, temperature, kick, velocity, square_average, first_power, second_power):
        # β (the Landscape's momentum) is β1; the bias corrections 1 − β^k and 1 − β2^k are for this step's k
        square_average = square_average * cls.beta2
        square_average += (1 - cls.beta2) * g * g
        velocity = beta * velocity + (1 - beta) * g
        direction = velocity / (1 - first_power * beta)
        root_mean_square = np.sqrt(square_average / (1 - second_power * cls.beta2))
        return _preconditioned(direction, root_mean_square, cls.eps, lr, temperature, kick), velocity, square_average

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
    name, menu, rolls, bias_corrected = "adamw", "AdamW", False, False
    weight_decay = 0.01


@register
class Normalized(Optimizer):
    """Normalized gradient descent: every step has length lr, w ← w − lr·g/‖g‖ (‖g‖ over all parameters)."""
    name, menu, learning_rate = "normalized", "Normalized", 0.05

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
    name, menu, learning_rate = "muon", "Muon", 0.02
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


def _preconditioned(direction: np.ndarray, root_mean_square: np.ndarray, eps: float, lr: float,
                    temperature: float, kick: np.ndarray | None) -> np.ndarray:
    """Preconditioned Langevin, P = 1/(√ŝ + ε): Δ = −ηP·direction + √(2ηTP)·ξ, written with one division as
    (−η·direction + √(2ηT)·√(1/P)·ξ)·P. The noise shapes the position update only, never the moment estimates."""
    denominator = root_mean_square + eps                                  # 1 / P, (2, N)
    displacement = -lr * direction
    if kick is not None:
        kick *= np.sqrt(denominator)
        kick *= math.sqrt(2 * lr * temperature)
        displacement += kick
    displacement /= denominator
    return displacement


def make_optimizer(name: str, lr: float) -> Optimizer:
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}") from None
    return factory(lr)
