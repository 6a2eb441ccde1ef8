"""The gallery composition's words: a few large ones, readable from three metres, that come and go with the phases.

What is happening (top left, fading in as a phase begins and out before it ends), the answer beside each output
bulb, the epoch and the accuracy on unseen shapes (bottom left), and the test samples as a quiet strip. Like every
panel: functions of (view, surface) that read the scene and draw, nothing else.
"""
from __future__ import annotations

import numpy as np
import pygame

from data.shapes import CLASS_NAMES
from illumination.core.draw.colour import smoothstep
from illumination.exhibits.network import panels, readouts
from illumination.exhibits.network.layout import BODY, DISPLAY, HEADLINE, LABEL, SUBTITLE

FADE = 0.14   # the fraction of a phase its words take to fade in, and again to fade out


def words_alpha(scene) -> float:
    """The phase words' opacity: in at the phase's start, out before its end; steady when nothing cycles."""
    if scene.paused or scene.diverged_for is not None:
        return 1.0
    p = scene.progress
    return smoothstep(0.0, FADE, p) * (1.0 - smoothstep(1.0 - FADE, 1.0, p))


def phase_words(scene) -> tuple[str, str, str]:
    """(word, line, colour key): what is happening, in a visitor's words."""
    if scene.diverged_for is not None:
        return "starting over", "it ran off its path", "accent"
    sample = scene.snapshot.sample
    if scene.drawing is not None:
        return "your drawing", f"it sees a {CLASS_NAMES[int(np.argmax(sample.probs))]}", "glow"
    if scene.finished:
        return "trained", "now it only looks", "accent"
    if scene.paused:
        return "paused", "", "accent"
    if scene.phase == "forward":
        return "looking", f"a {CLASS_NAMES[sample.label]} flows in", "glow"
    return "learning", "its mistake flows back", "halo"


def draw(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    word, line, key = phase_words(scene)
    alpha = words_alpha(scene)
    x, y = L.px(60, 48)
    rect = text.blit(surface, word, (x, y), L.type(DISPLAY), panels.phase_colour(view, key), bold=True, alpha=alpha)
    if line:
        text.blit(surface, line, (x, rect.bottom + L.u(6)), L.type(SUBTITLE), p.text.secondary, alpha=alpha)

    # The answer, beside each output bulb: the winner bright, the other quiet.
    probs = scene.snapshot.sample.probs
    winner = int(np.argmax(probs))
    for k, (ox, oy) in enumerate(L.outputs.tolist()):
        colour = p.text.primary if k == winner else p.text.secondary
        if L.portrait:   # no room to the right: the answer sits under its bulb, beyond the spokes
            rect = text.blit(surface, CLASS_NAMES[k], (ox, oy + L.output_radius * 3.4), L.type(HEADLINE), colour,
                             anchor="midtop", bold=True)
            text.blit(surface, f"{probs[k] * 100:.0f}%", (ox, rect.bottom + L.u(2)), L.type(SUBTITLE),
                      p.text.secondary, anchor="midtop")
            continue
        left = ox + L.output_radius * 3.4     # beyond the halo's spokes
        rect = text.blit(surface, CLASS_NAMES[k], (left, oy + L.u(4)), L.type(HEADLINE), colour, anchor="bottomleft",
                         bold=True)
        text.blit(surface, f"{probs[k] * 100:.0f}%", (left, rect.bottom + L.u(2)), L.type(SUBTITLE),
                  p.text.secondary)

    t = scene.trainer
    x, bottom = L.px(60, L.design[1] - 28)
    rect = text.blit(surface, f"{t.test_accuracy * 100:.0f}% right on shapes it never saw", (x, bottom),
                     L.type(BODY), p.text.secondary, anchor="bottomleft")
    epoch = text.blit(surface, f"epoch {t.epoch}", (x, rect.top - L.u(4)), L.type(HEADLINE), p.text.primary,
                      anchor="bottomleft", bold=True)
    if scene.noisy:      # what it learns under, in a few words above the epoch
        words, symbol = t.noise.spec.kind.words, t.noise.spec.kind.symbol
        text.blit(surface, f"learning under {words} · {symbol} {panels.fmt(t.noise_level)}",
                  (x, epoch.top - L.u(4)), L.type(BODY), p.neuron.halo, anchor="bottomleft")
    text.blit(surface, "NEURAL ILLUMINATION", L.px(L.design[0] - 60, 48), L.type(LABEL), p.text.secondary,
              anchor="topright", bold=True)
    panels.draw_grid(view, surface, dim=0.55)
    draw_taught(view, surface, left_limit=max(rect.right, epoch.right) + L.u(24))


def draw_taught(view, surface, left_limit: float) -> None:
    """Visitors' taught shapes, left of the test strip (the newest nearest it), each in the visitor's own bright
    outline, with the network's confidence in its label above it: it climbs, epoch by epoch, as it trains on
    them. As many as fit before the bottom-left words."""
    teaching = view.scene.teaching
    if not teaching.samples:
        return
    L, p, text = view.layout, view.palette, view.text
    tile = int(L.grid_tile)
    key = (tuple(sample.pixels for sample in teaching.samples), tile)
    cached = getattr(view, "_taught_tiles", None)
    if cached is None or cached[0] != key:         # the view's render cache, as the strip's own
        images = np.stack([sample.image for sample in teaching.samples])
        view._taught_tiles = cached = (key, panels.sample_tiles(images, tile, p.grid.pixel))
    x0, y = panels.tile_position(L, 0)
    border = max(2, int(L.u(2)))
    for n, (image, confidence) in enumerate(zip(reversed(cached[1]), reversed(teaching.confidence()))):
        x = int(x0 - (n + 1) * L.grid_pitch[0] - L.u(12))
        if x < left_limit:
            break
        surface.blit(image, (x, int(y)))
        pygame.draw.rect(surface, p.text.accent, (x - 2 * border, int(y) - 2 * border, tile + 4 * border,
                                                  tile + 4 * border), border)
        if confidence is not None:
            text.blit(surface, f"{confidence * 100:.0f}%", (x + tile / 2, y - L.u(6)), L.type(LABEL), p.text.accent,
                      anchor="midbottom")
