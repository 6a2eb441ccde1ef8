"""The particle and sparkle flows of the Network exhibit, from the shown sample's real signals.

The scene owns the pools and the generator; these functions decide, from the snapshot, what is born
where. All random numbers are drawn here (called from `update`), never while drawing.
"""
from __future__ import annotations

import math

import numpy as np

# When each weight layer's particles are born within a phase (start, stop of its progress) and how many
# per second at full flow: forward runs input→output, backward output→input; the windows overlap a little.
SPAWN_WINDOWS = {2: {"forward": ((0.0, 0.55, 160.0), (0.45, 0.95, 40.0)),
                     "backward": ((0.4, 0.95, 160.0), (0.0, 0.5, 40.0))},
                 3: {"forward": ((0.0, 0.4, 160.0), (0.3, 0.7, 80.0), (0.6, 0.95, 40.0)),
                     "backward": ((0.6, 0.95, 160.0), (0.3, 0.65, 80.0), (0.0, 0.35, 40.0))}}


def connection_signals(snapshot, phase: str) -> list[np.ndarray]:
    """Per-connection signal magnitude of the shown sample for a phase, one array per weight layer
    (W1 (64·H,), [W2 (H·H,),] then the output layer (H·2,)), each raveled row-major like its matrix.

    Forward: what travels is activation × weight (x_i·W1[i,j], h_j·W·[j,k]).
    Backward: what travels is the gradient (x_i·∂L/∂z1[j], h_j·∂L/∂z·[k]).
    """
    v, w = snapshot.sample, snapshot.weights
    inputs = [v.x, v.h1] if v.z2 is None else [v.x, v.h1, v.h2]
    if phase == "forward":
        outgoing = [w[f"W{k}"] for k in range(1, len(inputs) + 1)]
    else:
        deltas = [v.dz1, v.dlogits] if v.z2 is None else [v.dz1, v.dz2, v.dlogits]
        outgoing = [d[None, :] for d in deltas]
    return [np.abs(a[:, None] * out).ravel() for a, out in zip(inputs, outgoing)]


def spawn_particles(particles, rng: np.random.Generator, signals: list[np.ndarray], phase: str,
                    progress: float, flow: float, travel: float, dt: float) -> None:
    """Birth this frame's particles: a Poisson count per layer whose window is open, placed on connections
    in proportion to their signal, brighter and larger where the signal is strong."""
    offsets = np.cumsum([0] + [len(signal) for signal in signals[:-1]])
    windows = list(zip(signals, offsets.tolist(), SPAWN_WINDOWS[len(signals)][phase]))
    if phase == "backward":
        windows.reverse()            # the output layer's gradient first (the order random numbers are drawn in)
    for signal, offset, (start, stop, rate) in windows:
        if not start <= progress < stop:
            continue
        total = float(signal.sum())
        if not (total > 0 and math.isfinite(total)):
            continue
        count = int(rng.poisson(rate * flow * dt))  # where they go follows the signal, below
        if count == 0:
            continue
        chosen = rng.choice(len(signal), size=count, p=signal / total)
        strength = signal[chosen] / signal.max()
        speed = (1.0 / travel) * rng.uniform(0.85, 1.15, size=count)
        size = 2.0 + 3.5 * np.sqrt(strength)
        particles.spawn(chosen + offset, speed, size, 0.3 + 0.7 * strength, phase == "backward")


def spawn_sparkles(sparkles: np.ndarray, rng: np.random.Generator, sample) -> None:
    """Where the phases meet: hidden neurons that both fired and carry a gradient throw a few sparks.
    sparkles: (capacity, 5) rows of (alive, neuron, angle, age, lifetime); lifetime 0 = free."""
    h = sample.h1 / (np.max(sample.h1) + 1e-12)
    g = np.abs(sample.dz1) / (np.max(np.abs(sample.dz1)) + 1e-12)
    for j in np.flatnonzero((h > 0.3) & (g > 0.2)):
        free = np.flatnonzero(sparkles[:, 4] <= 0.0)[:5]
        if len(free) == 0:
            return
        sparkles[free, 0] = 1
        sparkles[free, 1] = j
        sparkles[free, 2] = rng.uniform(0, 2 * math.pi) + np.arange(len(free)) * 2 * math.pi / 5
        sparkles[free, 3] = 0.0
        sparkles[free, 4] = rng.uniform(0.45, 0.8, size=len(free))


def age_sparkles(sparkles: np.ndarray, dt: float) -> None:
    alive = sparkles[:, 4] > 0
    sparkles[alive, 3] += dt
    sparkles[alive & (sparkles[:, 3] >= sparkles[:, 4]), 4] = 0.0
