"""Training under noise: the noise modes of seed 003 ("without noise there is nothing"), each with a magnitude
(or temperature) that a schedule (schedules.py, over the update count t) scales: level(t) = magnitude·schedule(t).

    none               plain training
    input_jitter       x ← x + level·ξ on the training inputs, fresh every epoch
    label_noise        each epoch, a fraction `level` of the training labels flipped (fresh every epoch)
    gradient_gaussian  g ← g + level·ξ on every update's gradient
    sgld               Langevin dynamics: θ ← θ − η·g + √(2·η·T)·ξ, T = level (a temperature)
    parameter_jitter   θ ← θ + level·ξ after every update

ξ are standard normal numbers from a counter-based generator (splitmix64 + a ziggurat, ziggurat.py): number i
of a run is a pure function of the run's noise key (from its seed's "noise" stream) and i, the same in NumPy and
in numba, so the fast path and the reference draw the very same noise and a run is reproducible bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from network.schedules import SCHEDULES, schedule_value
from network.ziggurat import gaussians, splitmix, unit

__all__ = ["MAX_MAGNITUDE", "NOISE_MODES", "PER_EPOCH", "PER_STEP", "USUAL_MAGNITUDE", "NoiseInjector", "NoiseSpec",
           "check_noise", "gaussians", "parse_noise", "uniforms"]   # gaussians: ziggurat.py's, used from here

NOISE_MODES = ("none", "input_jitter", "gradient_gaussian", "sgld", "parameter_jitter", "label_noise")
PER_EPOCH = ("input_jitter", "label_noise")                       # act on the epoch's data
PER_STEP = ("gradient_gaussian", "sgld", "parameter_jitter")      # act on every update
MAX_MAGNITUDE = {"input_jitter": 10.0, "gradient_gaussian": 100.0, "sgld": 1.0, "parameter_jitter": 1.0,
                 "label_noise": 0.5, "none": 0.0}

# A magnitude to start from, per mode (the window sets it when a mode is chosen with none set): mild, but visible.
USUAL_MAGNITUDE = {"input_jitter": 0.1, "label_noise": 0.1, "gradient_gaussian": 0.1, "sgld": 1e-4,
                   "parameter_jitter": 1e-3, "none": 0.0}

@dataclass(frozen=True)
class NoiseSpec:
    mode: str = "none"
    magnitude: float = 0.0
    schedule: str = "constant"

    @property
    def label(self) -> str:
        return "none" if self.mode == "none" else f"{self.mode}:{self.magnitude:g}"

    @property
    def active(self) -> bool:
        return self.mode != "none" and self.magnitude > 0

    def level(self, step: int) -> float:
        return 0.0 if not self.active else self.magnitude * schedule_value(self.schedule, step)


def check_noise(mode: str, magnitude: float, schedule: str = "constant") -> NoiseSpec:
    """A NoiseSpec, or ValueError with one clear line."""
    if mode not in NOISE_MODES:
        raise ValueError(f"unknown noise mode {mode!r}; choose one of: {', '.join(NOISE_MODES)}")
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of: {', '.join(SCHEDULES)}")
    if not (isinstance(magnitude, (int, float)) and math.isfinite(magnitude) and magnitude >= 0):
        raise ValueError(f"noise magnitude must be a finite number >= 0, got {magnitude!r}")
    if mode != "none" and magnitude > MAX_MAGNITUDE[mode]:
        raise ValueError(f"{mode} magnitude must be at most {MAX_MAGNITUDE[mode]:g}, got {magnitude:g}")
    return NoiseSpec(mode, float(magnitude) if mode != "none" else 0.0, schedule)


def parse_noise(text: str, schedule: str = "constant") -> NoiseSpec:
    """"none" or "MODE:MAGNITUDE" (input_jitter:0.1, sgld:1e-4, label_noise:0.1 …)."""
    text = text.strip()
    if text == "none":
        return check_noise("none", 0.0, schedule)
    mode, colon, value = text.partition(":")
    if not colon:
        raise ValueError(f"noise must be none or MODE:MAGNITUDE (e.g. input_jitter:0.1), got {text!r}")
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
        if not spec.active or spec.mode not in PER_EPOCH:
            return X, y
        level = spec.level(step)
        # Per-epoch draws live far from the per-step ones: offset by 2^40 + epoch · (n · 64).
        start = (1 << 40) + epoch * X.size
        if spec.mode == "input_jitter":
            from network import kernels     # the same numbers as gaussians(), drawn in numba (15k a epoch)
            if getattr(self, "_jitter", None) is None or self._jitter.shape != X.shape:
                self._jitter = np.empty_like(X)
            kernels.jittered(X, level, np.uint64(self.key), start, self._jitter)
            return self._jitter, y
        flip = uniforms(self.key, start, len(y)) < level
        return X, np.where(flip, 1 - y, y).astype(y.dtype)

    def step_scale(self, step: int, lr: float) -> float:
        """The per-step modes as θ ← θ + scale·ξ after a plain SGD update (gradient noise σ·ξ becomes −η·σ·ξ)."""
        spec = self.spec
        if not spec.active or spec.mode not in PER_STEP:
            return 0.0
        level = spec.level(step)
        if spec.mode == "sgld":
            return math.sqrt(2.0 * lr * level)
        if spec.mode == "gradient_gaussian":
            return -lr * level
        return level

    def step_scales(self, step: int, count: int, lr: float) -> np.ndarray:
        """step_scale for updates step … step+count−1 at once (the fused epoch's per-update kicks)."""
        spec = self.spec
        if not spec.active or spec.mode not in PER_STEP:
            return np.zeros(count)
        levels = spec.magnitude * np.asarray(schedule_value(spec.schedule, np.arange(step, step + count)), float)
        if spec.mode == "sgld":
            return np.sqrt(2.0 * lr * levels)
        return -lr * levels if spec.mode == "gradient_gaussian" else levels

    def draws(self, step: int) -> np.ndarray:
        """ξ of update number `step`, one per parameter in W1, b1, W2, b2 (, W3, b3) order, raveled."""
        return gaussians(self.key, step * self.n_parameters, self.n_parameters)

    def before_update(self, grads: dict[str, np.ndarray], step: int, fused: bool) -> None:
        """gradient_gaussian with an optimizer other than plain SGD: the noise goes into the gradient it reads."""
        if self.spec.active and self.spec.mode == "gradient_gaussian" and not fused:
            self.perturb_gradients(grads, step)

    def after_update(self, params: dict[str, np.ndarray], step: int, lr: float, fused: bool) -> None:
        """The per-step modes after the update: θ += scale·ξ (for plain SGD this is also how gradient noise lands,
        as −η·σ·ξ; for other optimizers it went into the gradient)."""
        if not self.spec.active or self.spec.mode not in PER_STEP:
            return
        if self.spec.mode == "gradient_gaussian" and not fused:
            return
        scale = self.step_scale(step, lr)
        if scale:
            self.perturb_parameters(params, scale, step)

    def perturb_gradients(self, grads: dict[str, np.ndarray], step: int) -> None:
        """gradient_gaussian, for optimizers other than plain SGD: g ← g + σ·ξ (in place)."""
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
