"""The original page's decorations, for any theme (the `decorations` setting; O in the window).

Each is drawn from the same numbers as the rest of the picture:
- flow dots: beads along every synapse with |w| > 0.1, brighter towards the layer the signal flows into
  (drawn into the synapse layers' cached pictures: synapses.py, `dots`);
- arrows: each particle carries a small arrowhead pointing the way it travels (the page pointed backward
  particles the wrong way; here a gradient's arrow points back, towards the inputs);
- lingering light: for the first 30% of a phase the previous phase's light fades out (the activation's glow
  entering the backward pass, the gradient's halo entering the forward pass);
- highlights: a paper-white (or, on a dark theme, white) glint on every lit bulb, top left;
- state rings: a thin ring around each bulb: bright when it fires (> 0.5, forward), the halo's colour when its
  gradient is strong (> 0.3, backward), a faint rim otherwise.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.core.draw.colour import mix, scaled

LINGER = 0.3     # of a phase: how long the previous phase's light takes to fade


def highlight_colour(view):
    """White light on a dark theme; on a light theme (drawn inverted) the paper's own white."""
    return (0, 0, 0) if view.theme.is_light else (255, 255, 255)


def draw_arrows(view, surface, idx: np.ndarray, positions: np.ndarray, radii: list) -> None:
    """An arrowhead ahead of each particle head, along its connection, in its direction of travel."""
    pool, p = view.scene.particles, view.palette
    flying = (pool.t[idx] > 0.1) & (pool.t[idx] < 0.9)         # mid-flight only, as on the page
    idx, positions, radii = idx[flying], positions[flying], [r for r, f in zip(radii, flying.tolist()) if f]
    c = pool.connection[idx]
    direction = view.ends[c] - view.starts[c]                                       # (k, 2)
    direction /= np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-9)
    direction[pool.backward[idx]] *= -1.0
    for (x, y), (dx, dy), radius, backward, strength in zip(positions.tolist(), direction.tolist(), radii,
                                                           pool.backward[idx].tolist(),
                                                           pool.intensity[idx].tolist()):
        size = max(2.5, radius * 0.75)
        tip = (x + dx * size * 2.2, y + dy * size * 2.2)
        base = (x + dx * size * 1.1, y + dy * size * 1.1)
        left = (base[0] - dy * size * 0.6, base[1] + dx * size * 0.6)
        right = (base[0] + dy * size * 0.6, base[1] - dx * size * 0.6)
        colour = scaled(p.particle.backward if backward else p.particle.forward, 0.45 + 0.55 * strength)
        pygame.draw.polygon(surface, colour, (tip, left, right))


def linger_light(view, snapshot) -> list:
    """Sprite blits of the previous phase's light, fading over the first LINGER of this phase."""
    scene = view.scene
    fade = 1.0 - scene.progress / LINGER
    if fade <= 0.0 or scene.paused:
        return []
    kind = "halo" if scene.phase == "forward" else "glow"     # what the last phase showed
    blits, levels = [], 24
    for layer, (positions, radius, activation, gradient) in enumerate(view.raw_layers(snapshot)):
        if layer == 0:
            continue                         # the inputs are too tightly packed for light
        values = gradient if kind == "halo" else activation
        output = layer == len(view.layout_columns) - 1
        for (x, y), value in zip(positions.tolist(), (np.round(values * fade * levels) / levels).tolist()):
            if value <= 0.05:
                continue
            blits += view.bulb_light(x, y, kind, layer, radius, value, output=output)
    return blits


def draw_highlights_and_rings(view, surface, layers: list) -> None:
    scene, p, L = view.scene, view.palette, view.layout
    forward = scene.phase == "forward"
    white = highlight_colour(view)
    width = max(1, int(L.u(1.0)))
    for positions, radius, brightness, halo in layers:
        for (x, y), b, g in zip(positions.tolist(), brightness.tolist(), halo.tolist()):
            if forward and b > 0.5:
                ring = mix(p.neuron.glow, white, 0.5)
            elif not forward and g > 0.3:
                ring = p.neuron.halo
            else:
                ring = p.neuron.rim
            pygame.draw.circle(surface, ring, (int(x), int(y)), int(radius * 1.3) + width, width)
            if b > 0.15 and radius >= 4:
                glint = max(1, int(radius * 0.32))
                centre = (int(x - radius * 0.35), int(y - radius * 0.35))
                pygame.draw.circle(surface, mix(view.body_colour(b), white, min(0.85, 0.4 + 0.5 * b)), centre, glint)


def dot_positions(start, end, level: int, width: int, levels: int) -> list:
    """(centre, radius, level) of a synapse's five flow dots, at t = 0 … 0.8 of the way to its target."""
    (x0, y0), (x1, y1) = start, end
    return [((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t), max(1.0, width * (1 + t / 2) * 0.9),
             min(levels, int(round(level * (0.6 + 0.8 * t))))) for t in (0.0, 0.2, 0.4, 0.6, 0.8)
            if math.hypot(x1 - x0, y1 - y0) * t > width * 3]
