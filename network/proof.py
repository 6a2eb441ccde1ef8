"""Proof that the weights really move: the readouts of the original page's "Training Proof" panel, made honest.

The page tracked one fixed weight (W2[0][0]) and summed its per-epoch change. Here the tracked weight is the one
that has moved furthest since the run began (largest |θ − θ₀|, the first such on ties), and the total is the
L1 distance Σ|θ − θ₀| over every parameter. Pure NumPy, from the live arrays and the run's initial ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrackedWeight:
    name: str              # "W1", "b2", …
    index: tuple           # its position in that array
    initial: float
    now: float

    @property
    def change(self) -> float:
        return abs(self.now - self.initial)

    @property
    def label(self) -> str:
        return f"{self.name}[{','.join(str(i) for i in self.index)}]"


def tracked_weight(parameters: dict[str, np.ndarray], initial: dict[str, np.ndarray]) -> TrackedWeight:
    """The parameter with the largest |now − initial| (the first in W1, b1, W2, … order on ties)."""
    best = None
    for name, now in parameters.items():
        delta = np.abs(now - initial[name])
        flat = int(np.argmax(delta))
        if best is None or delta.flat[flat] > best[0]:
            best = (float(delta.flat[flat]), name, np.unravel_index(flat, now.shape))
    _, name, index = best
    index = tuple(int(i) for i in index)
    return TrackedWeight(name, index, float(initial[name][index]), float(parameters[name][index]))


def total_change(parameters: dict[str, np.ndarray], initial: dict[str, np.ndarray]) -> float:
    """Σ|θ − θ₀| over every weight and bias."""
    return float(sum(np.sum(np.abs(now - initial[name])) for name, now in parameters.items()))
