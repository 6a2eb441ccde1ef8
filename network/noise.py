"""Training under noise: the noise modes of the lab's thesis ("without noise there is nothing"), each with a
magnitude (or temperature) that a schedule (schedules.py, over the update count t) scales:
level(t) = magnitude·schedule(t).

The modes live in one registry, NOISE_MODES (name → NoiseMode). A new mode is one NoiseMode registered here (or
from any module, with `register_noise_mode`): the settings' choices, the window's menu, the readouts, the CLI
help and the trainer all read the registry. A mode acts in one of two places:

  per epoch  `epoch_data(X, y, level, key, start)` returns the epoch's training inputs and labels
             (input jitter, label noise)
  per step   after every update θ ← θ + scale·ξ with scale = `step_scale(level, lr)`, for every optimizer;
             a mode with `into_gradient` (gradient noise) adds σ·ξ to the gradient instead, where the optimizer
             is not plain SGD (for SGD the two are the same: −η·σ·ξ on θ, which the fused kernels apply)

ξ are standard normal numbers from a counter-based generator (splitmix64 + a ziggurat, ziggurat.py): number i
of a run is a pure function of the run's noise key (from its seed's "noise" stream) and i, the same in NumPy and
in numba, so the fast path and the reference draw the very same noise and a run is reproducible bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from network.schedules import SCHEDULES, schedule_value
from network.ziggurat import gaussians, splitmix, unit

__all__ = ["NOISE_MODES", "NoiseInjector", "NoiseMode", "NoiseSpec", "check_noise", "gaussians", "parse_noise",
           "register_noise_mode", "uniforms"]   # gaussians: ziggurat.py's, used from here

PER_EPOCH, PER_STEP, NOWHERE = "epoch", "step", "nowhere"


@dataclass(frozen=True)
class NoiseMode:
    """One way of training under noise. `words` and `symbol` are how the exhibit names it and its level
    ("input jitter", "σ"); `menu` is its entry in the window's Noise menu."""
    name: str
    acts: str                      # PER_EPOCH, PER_STEP or NOWHERE
    max_magnitude: float           # the largest magnitude accepted
    usual_magnitude: float         # where the window starts it when chosen: mild, but visible
    words: str
    symbol: str
    menu: str
    help: str                      # one line for the CLI and the README
    # per epoch: (X, y, level, key, first draw number) → the epoch's (X, y)
    epoch_data: Callable[[np.ndarray, np.ndarray, float, int, int], tuple[np.ndarray, np.ndarray]] | None = \
        field(default=None, compare=False)
    # per step: (level, lr) → scale of θ ← θ + scale·ξ after a plain SGD update (level may be an array)
    step_scale: Callable | None = field(default=None, compare=False)
    into_gradient: bool = False    # per step: for optimizers other than SGD the noise goes into the gradient

    def __post_init__(self):
        if self.acts not in (PER_EPOCH, PER_STEP, NOWHERE):
            raise ValueError(f"noise mode {self.name!r}: acts must be {PER_EPOCH!r}, {PER_STEP!r} or {NOWHERE!r}")
        if (self.acts == PER_EPOCH) != (self.epoch_data is not None) or \
                (self.acts == PER_STEP) != (self.step_scale is not None):
            raise ValueError(f"noise mode {self.name!r}: a per-epoch mode has epoch_data, a per-step one step_scale")


NOISE_MODES: dict[str, NoiseMode] = {}


def register_noise_mode(mode: NoiseMode) -> NoiseMode:
    """Make a mode available everywhere by its name (a second mode of one name replaces the first)."""
    NOISE_MODES[mode.name] = mode
    return mode


def _jitter_inputs(X, y, level, key, first):
    from network import kernels     # the same numbers as gaussians(), drawn in numba (15k an epoch)
    out = np.empty_like(X)
    kernels.jittered(X, level, np.uint64(key), first, out)
    return out, y


def _flip_labels(X, y, level, key, first):
    flip = uniforms(key, first, len(y)) < level
    return X, np.where(flip, 1 - y, y).astype(y.dtype)


# The window's menu lists them in this order.
register_noise_mode(NoiseMode("none", NOWHERE, 0.0, 0.0, "no noise", "", "None", "plain training"))
register_noise_mode(NoiseMode(
    "input_jitter", PER_EPOCH, 10.0, 0.1, "input jitter", "σ", "Input jitter",
    "x ← x + σ·ξ on the training inputs, fresh every epoch", epoch_data=_jitter_inputs))
register_noise_mode(NoiseMode(
    "label_noise", PER_EPOCH, 0.5, 0.1, "label noise", "flipped", "Label noise",
    "each epoch a fraction of the training labels flipped, fresh every epoch", epoch_data=_flip_labels))
register_noise_mode(NoiseMode(
    "gradient_gaussian", PER_STEP, 100.0, 0.1, "gradient noise", "σ", "Gradient noise",
    "g ← g + σ·ξ on every update's gradient", step_scale=lambda level, lr: -lr * level, into_gradient=True))
register_noise_mode(NoiseMode(
    "sgld", PER_STEP, 1.0, 1e-4, "Langevin (SGLD)", "T", "Langevin (SGLD)",
    "Langevin dynamics: θ ← θ − η·g + √(2·η·T)·ξ, T the magnitude",
    step_scale=lambda level, lr: np.sqrt(2.0 * lr * np.asarray(level, float))))
register_noise_mode(NoiseMode(
    "parameter_jitter", PER_STEP, 1.0, 1e-3, "weight jitter", "σ", "Weight jitter",
    "θ ← θ + σ·ξ after every update", step_scale=lambda level, lr: level))


@dataclass(frozen=True)
class NoiseSpec:
    """A mode, its magnitude and the schedule that scales it: what a run trains under, parsed once."""
    mode: str = "none"
    magnitude: float = 0.0
    schedule: str = "constant"

    @property
    def label(self) -> str:
        return "none" if self.mode == "none" else f"{self.mode}:{self.magnitude:g}"

    @property
    def active(self) -> bool:
        return NOISE_MODES[self.mode].acts != NOWHERE and self.magnitude > 0

    @property
    def per_step(self) -> bool:
        return self.active and NOISE_MODES[self.mode].acts == PER_STEP

    @property
    def kind(self) -> NoiseMode:
        return NOISE_MODES[self.mode]

    def level(self, step: int) -> float:
        return 0.0 if not self.active else self.magnitude * schedule_value(self.schedule, step)


def check_noise(mode: str, magnitude: float, schedule: str = "constant") -> NoiseSpec:
    """A NoiseSpec, or ValueError with one clear line."""
    if mode not in NOISE_MODES:
        raise ValueError(f"unknown noise mode {mode!r}; choose one of: {', '.join(NOISE_MODES)}")
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of: {', '.join(SCHEDULES)}")
    if not (isinstance(magnitude, (int, float)) and not isinstance(magnitude, bool) and math.isfinite(magnitude)
            and magnitude >= 0):
        raise ValueError(f"noise magnitude must be a finite number >= 0, got {magnitude!r}")
    kind = NOISE_MODES[mode]
    if kind.acts != NOWHERE and magnitude > kind.max_magnitude:
        raise ValueError(f"{mode} magnitude must be at most {kind.max_magnitude:g}, got {magnitude:g}")
    return NoiseSpec(mode, float(magnitude) if kind.acts != NOWHERE else 0.0, schedule)


def parse_noise(text: str, schedule: str = "constant") -> NoiseSpec:
    """"none" or "MODE:MAGNITUDE" (input_jitter:0.1, sgld:1e-4, label_noise:0.1 …)."""
    text = text.strip()
    if text == "none":
        return check_noise("none", 0.0, schedule)
    mode, colon, value = text.partition(":")
    if not colon:
        raise ValueError(f"noise must be none or MODE:MAGNITUDE (e.g. input_jitter:0.1), got {text!r}")
    if NOISE_MODES.get(mode.strip()) is not None and NOISE_MODES[mode.strip()].acts == NOWHERE:
        raise ValueError(f"{mode.strip()} takes no magnitude: write {mode.strip()}, got {text!r}")
    try:
        magnitude = float(value)
    except ValueError:
        raise ValueError(f"noise magnitude must be a number, got {value!r} in {text!r}") from None
    return check_noise(mode.strip(), magnitude, schedule)


def uniforms(key: int, start: int, count: int) -> np.ndarray:
    """Uniforms in [0, 1) number start … start + count − 1 of the stream `key` (label noise's coin flips)."""
    i = np.arange(start, start + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return unit(splitmix(np.uint64(key) + np.uint64(2) * i))


class NoiseInjector:
    """Applies a NoiseSpec to one run. Every draw is indexed by the update count (per-step modes) or the epoch
    (per-epoch modes), so the stepped and the fused paths draw identical noise."""

    def __init__(self, spec: NoiseSpec, key: int, n_parameters: int):
        self.spec, self.key, self.n_parameters = spec, int(key), int(n_parameters)

    def epoch_data(self, X: np.ndarray, y: np.ndarray, epoch: int, step: int) -> tuple[np.ndarray, np.ndarray]:
        """The training inputs and labels of this epoch (the originals, unless a per-epoch mode changes them)."""
        spec = self.spec
        if not spec.active or spec.kind.acts != PER_EPOCH:
            return X, y
        # Per-epoch draws live far from the per-step ones: offset by 2^40 + epoch · (n · 64).
        return spec.kind.epoch_data(X, y, spec.level(step), self.key, (1 << 40) + epoch * X.size)

    def step_scale(self, step: int, lr: float) -> float:
        """The per-step modes as θ ← θ + scale·ξ after a plain SGD update (gradient noise σ·ξ becomes −η·σ·ξ)."""
        spec = self.spec
        return float(spec.kind.step_scale(spec.level(step), lr)) if spec.per_step else 0.0

    def step_scales(self, step: int, count: int, lr: float) -> np.ndarray:
        """step_scale for updates step … step+count−1 at once (the fused epoch's per-update kicks)."""
        spec = self.spec
        if not spec.per_step:
            return np.zeros(count)
        levels = spec.magnitude * np.asarray(schedule_value(spec.schedule, np.arange(step, step + count)), float)
        return np.asarray(spec.kind.step_scale(levels, lr), dtype=float)

    def draws(self, step: int) -> np.ndarray:
        """ξ of update number `step`, one per parameter in W1, b1, W2, b2 (, W3, b3) order, raveled."""
        return gaussians(self.key, step * self.n_parameters, self.n_parameters)

    def before_update(self, grads: dict[str, np.ndarray], step: int, fused: bool) -> None:
        """gradient_gaussian with an optimizer other than plain SGD: the noise goes into the gradient it reads."""
        if self.spec.per_step and self.spec.kind.into_gradient and not fused:
            self.perturb_gradients(grads, step)

    def after_update(self, params: dict[str, np.ndarray], step: int, lr: float, fused: bool) -> None:
        """The per-step modes after the update: θ += scale·ξ (for plain SGD this is also how gradient noise lands,
        as −η·σ·ξ; for other optimizers it went into the gradient)."""
        if not self.spec.per_step or (self.spec.kind.into_gradient and not fused):
            return
        scale = self.step_scale(step, lr)
        if scale:
            self.perturb_parameters(params, scale, step)

    def perturb_gradients(self, grads: dict[str, np.ndarray], step: int) -> None:
        """A mode into_gradient, for optimizers other than plain SGD: g ← g + σ·ξ (in place)."""
        level = self.spec.level(step)
        noise, at = self.draws(step), 0
        for grad in grads.values():
            grad += level * noise[at:at + grad.size].reshape(grad.shape)
            at += grad.size

    def perturb_parameters(self, params: dict[str, np.ndarray], scale: float, step: int) -> None:
        """θ ← θ + scale·ξ (in place)."""
        noise, at = self.draws(step), 0
        for value in params.values():
            value += scale * noise[at:at + value.size].reshape(value.shape)
            at += value.size
