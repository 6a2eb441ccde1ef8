"""Colour and easing helpers every view uses."""
from __future__ import annotations


def scaled(colour, factor: float) -> tuple[int, int, int]:
    """A colour's brightness times factor, clamped to 0..255."""
    return tuple(int(min(255, max(0, round(c * factor)))) for c in colour)


def mix(a, b, t: float) -> tuple[int, int, int]:
    """The colour a fraction t of the way from a to b."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def smoothstep(edge0: float, edge1: float, x: float) -> float:
    """0 below edge0, 1 above edge1, a gentle S between (fades that start and end softly)."""
    t = min(max((x - edge0) / (edge1 - edge0), 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)
