"""Heights as the views show them: one monotone map from a loss L to a relief level in [0, 1], the same for
the map's colours, the 3D surface's height and the valley's curve. Pure NumPy.

The level of L is the share of the domain lying lower than L (its rank among a grid of the surface's heights):
monotone, so higher is always brighter and taller; on the bowl it is linear in L (the area under a circle
grows with r², like L), so a parabola stays a parabola; on Rosenbrock's huge range it keeps the valley and
the walls both readable.
"""
from __future__ import annotations

import functools

import numpy as np

GRID = 201       # heights sampled per side to build the map
QUANTILES = 2049  # the map keeps this many quantiles of those heights (interpolating 10,000 balls stays ~0.3 ms)


class Relief:
    def __init__(self, surface):
        self.surface = surface
        axis = np.linspace(surface.lo, surface.hi, GRID)
        heights = surface.loss(axis[None, :], axis[:, None])          # (GRID, GRID)
        self.ranks = np.linspace(0.0, 1.0, QUANTILES)
        self.sorted_heights = np.quantile(heights, self.ranks)        # (QUANTILES,) increasing
        self.lowest = float(min(self.sorted_heights[0], surface.global_minimum[2]))
        self.highest = float(self.sorted_heights[-1])

    def level(self, losses) -> np.ndarray:
        """Relief level in [0, 1] of each loss (any shape); NaN-free for finite input."""
        losses = np.asarray(losses, dtype=np.float64)
        return np.interp(losses, self.sorted_heights, self.ranks, left=0.0, right=1.0)


@functools.lru_cache(maxsize=16)
def relief_of(surface) -> Relief:
    """One Relief per surface (surfaces are frozen and hashable): built once, ~5 ms."""
    return Relief(surface)


def terrain_ramp(palette, level: np.ndarray) -> np.ndarray:
    """(..., 3) float colours of relief levels (...,) in [0, 1] on the theme's ramp: the valleys a third of the way
    from terrain_low to terrain_high (so the deepest ground still reads against the background), terrain_high at
    60% of the way up, and above that towards a pale crest (mostly the contour colour)."""
    high = np.asarray(palette.terrain_high, float)
    low = np.asarray(palette.terrain_low, float) * 0.67 + high * 0.33
    crest = low * 0.2 + np.asarray(palette.contour, float) * 0.8
    t = np.asarray(level, dtype=np.float64)[..., None]
    return np.where(t < 0.6, low + (high - low) * (t / 0.6), high + (crest - high) * ((t - 0.6) / 0.4))
