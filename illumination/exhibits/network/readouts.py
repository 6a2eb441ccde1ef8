"""The explain composition's readouts in the metrics column: bars with their numbers, the noise gauges and the
proof that the weights move. Drawn from the scene's numbers; nothing here changes state."""
from __future__ import annotations

import math

import pygame

from illumination.exhibits.network.layout import LABEL
from illumination.exhibits.network.live_math import fmt
from network.proof import total_change, tracked_weight


def draw_noise(view, surface, top: float, row: float) -> float:
    """Training under noise: its mode, a gauge of its level now (the schedule at work: full = its magnitude), and
    a sharpness meter, the Hessian's top eigenvalue λ on a log scale (0.1 … 100), with its trace. Returns the y
    below (or top, when the column has no room)."""
    scene, L, p, text, m = view.scene, view.layout, view.palette, view.text, view.layout.metrics_rect
    if top + row * 2.6 > m.bottom:
        return top
    spec, t = scene.trainer.noise.spec, scene.trainer
    words, symbol = spec.kind.words, spec.kind.symbol
    line, size = fit(view, f"NOISE · {words} · {spec.schedule}", LABEL, m.width, bold=True)
    heading = text.blit(surface, line, (m.x, top), size, p.text.secondary, bold=True)
    y = heading.bottom + row / 2 - L.u(5)
    level = t.noise_level
    value = f"{symbol} {fmt(level)}"
    bar(view, surface, bar_rect(view, y, value), level / spec.magnitude if spec.magnitude else 0.0, p.neuron.halo)
    text.blit(surface, "level", (m.x, y + L.u(5)), L.type(LABEL), p.text.secondary, anchor="midleft")
    text.blit(surface, value, (m.right, y + L.u(5)), L.type(LABEL), p.text.primary, anchor="midright")
    y += row
    sharp = scene.sharpness
    if sharp is not None:
        value = f"λ {fmt(sharp.hessian_top_eigenvalue)} · tr {fmt(sharp.hessian_trace)}"
        fraction = min(max((math.log10(max(sharp.hessian_top_eigenvalue, 1e-3)) + 1.0) / 3.0, 0.0), 1.0)
        bar(view, surface, bar_rect(view, y, value), fraction, p.chart.gradient)
        text.blit(surface, "sharp", (m.x, y + L.u(5)), L.type(LABEL), p.text.secondary, anchor="midleft")
        text.blit(surface, value, (m.right, y + L.u(5)), L.type(LABEL), p.text.primary, anchor="midright")
    return y + row


def draw_proof(view, surface, top: float, row: float) -> None:
    """The original page's "Training Proof": the weight that moved furthest since init (now, initial, |Δ|) and
    the total Σ|θ − θ₀|, from the weights on screen. Left out when the column has no room for it."""
    scene, L, p, text, m = view.scene, view.layout, view.palette, view.text, view.layout.metrics_rect
    if top + row * 2.6 > m.bottom:
        return
    weights, initial = scene.snapshot.weights, scene.trainer.initial_weights
    tracked = tracked_weight(weights, initial)
    line, size = fit(view, "PROOF · the weights move", LABEL, m.width, bold=True)
    heading = text.blit(surface, line, (m.x, top), size, p.text.secondary, bold=True)
    y = heading.bottom + row / 2
    size = L.type(LABEL)
    now, was = f"{tracked.label}  {fmt(tracked.now)}", f"was {fmt(tracked.initial)}"
    text.blit(surface, now, (m.x, y), size, p.text.primary, anchor="midleft")
    if text.size(now, size)[0] + L.u(12) + text.size(was, size)[0] <= m.width:
        text.blit(surface, was, (m.right, y), size, p.text.secondary, anchor="midright")
    elif heading.bottom + row * 3.1 <= m.bottom:      # a narrow column: the initial value on a row of its own
        y += row
        text.blit(surface, was, (m.x, y), size, p.text.secondary, anchor="midleft")
    line, size = fit(view, f"|Δ| {fmt(tracked.change)}   ·   Σ|Δθ| {fmt(total_change(weights, initial))}", LABEL,
                     m.width)
    text.blit(surface, line, (m.x, y + row), size, p.chart.gradient, anchor="midleft")


def fit(view, text: str, step: int, width: float, bold: bool = False) -> tuple[str, int]:
    """(text, em px) that fits width: the step's size, else smaller sizes down to the type floor, else the text cut."""
    L, cache = view.layout, view.text
    size = L.type(step)
    while cache.size(text, size, bold)[0] > width and size > L.type(-99):
        size = max(L.type(-99), int(size * 0.92))
    while cache.size(text, size, bold)[0] > width and len(text) > 1:
        text = text[:-2].rstrip() + "…"
    return text, size


def wrap(view, text: str, step: int, width: float, indent: float = 0.0,
         bold: bool = False) -> tuple[list[str], int]:
    """(lines, em px): the text at the step's size, or smaller down to the type floor, and if it still does not
    fit, broken at spaces into lines that fit width (the lines after the first are drawn `indent` further in).
    Never cut: a word wider than the column stays whole on a line of its own."""
    L, cache = view.layout, view.text
    size = L.type(step)
    while cache.size(text, size, bold)[0] > width and size > L.type(-99):
        size = max(L.type(-99), int(size * 0.92))
    if cache.size(text, size, bold)[0] <= width:
        return [text], size
    lines: list[str] = []
    for word in text.split():
        room = width - (indent if len(lines) > 1 else 0.0)    # the room of the line the word would join
        if lines and cache.size(f"{lines[-1]} {word}", size, bold)[0] <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines, size


def bar_rect(view, y: float, value_text: str) -> pygame.Rect:
    """A row's bar: from the label column to just short of its right-aligned number (a long one, like 1.249e-05,
    shortens the bar instead of covering it)."""
    L, m = view.layout, view.layout.metrics_rect
    right = m.right - max(L.u(90), view.text.size(value_text, L.type(LABEL))[0] + L.u(10))
    return pygame.Rect(m.x + L.u(90), y, max(int(right - m.x - L.u(90)), int(L.u(20))), L.u(10))


def bar(view, surface, rect, fraction, colour) -> None:
    radius = int(rect.height / 2)
    pygame.draw.rect(surface, view.palette.chart.panel_border, rect, border_radius=radius)
    if fraction > 0:
        filled = pygame.Rect(rect.x, rect.y, max(int(rect.width * fraction), rect.height), rect.height)
        pygame.draw.rect(surface, colour, filled, border_radius=radius)
