"""The explain composition's panels: header, prediction grid, metrics, live math, footer and layer labels.

Functions of (view, surface): they read the scene through the view and draw; nothing here changes state.
Every size is a step of the layout's one type scale (LABEL … HERO); text that would not fit its column steps
down the scale, never below the floor.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from data.shapes import CLASS_NAMES
from illumination.core.draw.colour import scaled as _scaled
from illumination.exhibits.network.charts import chart_rects
from illumination.exhibits.network.layout import BODY, LABEL, SUBTITLE, TITLE
from illumination.exhibits.network.live_math import fmt, pass_steps
from illumination.exhibits.network.readouts import bar, bar_rect, draw_noise, draw_proof, fit, wrap


def sample_tiles(X: np.ndarray, tile: int, pixel_colour) -> list[pygame.Surface]:
    """One crisp tile per sample: its 8x8 pixels as small squares (on pixels lit, off pixels a faint dot)."""
    tiles = []
    cell = max(tile / 8.0, 1.0)
    for x in X:
        surface = pygame.Surface((tile, tile))
        for index in range(64):
            r, c = divmod(index, 8)
            rect = pygame.Rect(int(c * cell) + 1, int(r * cell) + 1, max(1, int(cell) - 1), max(1, int(cell) - 1))
            surface.fill(_scaled(pixel_colour, 0.85 if x[index] else 0.07), rect)
        tiles.append(surface)
    return tiles


def field_tiles(W1: np.ndarray, tile: int, positive, negative) -> list[pygame.Surface]:
    """Each hidden neuron's 64 incoming weights as an 8x8 image: colour = sign, brightness = |w| (as the synapses)."""
    tile = max(tile, 8)
    strength = 1.0 - np.exp(-np.abs(W1) / 0.5)                                      # (64, H)
    colours = np.where((W1 >= 0)[..., None], np.asarray(positive, float), np.asarray(negative, float))
    rgb = (colours * (0.08 + 0.92 * strength)[..., None]).clip(0, 255).astype(np.uint8)  # (64, H, 3)
    tiles = []
    for j in range(W1.shape[1]):
        image = rgb[:, j, :].reshape(8, 8, 3).transpose(1, 0, 2)                    # surfarray wants (x, y, 3)
        small = pygame.surfarray.make_surface(np.ascontiguousarray(image))
        tiles.append(pygame.transform.scale(small, (tile, tile)))
    return tiles


def phase_words(scene) -> tuple[str, str, str]:
    """(title, subtitle, colour key) of what is happening: the header's words in both compositions."""
    if scene.diverged_for is not None:
        return "RESTARTING", scene.message, "accent"
    if scene.finished:
        reason = "stopped early: validation loss plateaued" if scene.trainer.stopped_early else "training complete"
        return "TRAINED", f"{reason} · now showing what it learned", "accent"
    if scene.paused:
        return "PAUSED", "space resumes · → steps one minibatch", "accent"
    if scene.phase == "forward":
        subtitle = ("your drawing flows through the live network" if scene.drawing is not None
                    else "activations flow toward an answer")
        return "FORWARD PASS", subtitle, "glow"
    return "BACKWARD PASS", "gradients flow back; every weight moves a little", "halo"


def phase_colour(view, key: str):
    p = view.palette
    return {"accent": p.text.accent, "glow": p.neuron.glow, "halo": p.neuron.halo}[key]


def draw_header(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    left, top = L.px(40, 30)
    rect = text.blit(surface, "NEURAL ILLUMINATION", (left, top), L.type(SUBTITLE), p.text.primary, bold=True)
    # The subtitle, where it fits above the test samples' title (a small stage's type floor may leave no room).
    room = L.grid_origin[1] - L.u(12) - text.size("T", L.type(LABEL), bold=True)[1] - L.u(4)
    if rect.bottom + L.u(4) + text.size("6", L.type(LABEL))[1] <= room:
        net = scene.trainer.net
        text.blit(surface, f"64·{'·'.join([str(net.hidden)] * net.hidden_layers)}·2 · circles vs squares, live",
                  (left, rect.bottom + L.u(4)), L.type(LABEL), p.text.secondary)
    title, subtitle, key = phase_words(scene)
    colour = phase_colour(view, key)
    cx, cy = L.px(L.centre_x, L.phase_y)
    rect = text.blit(surface, title, (cx, cy), L.type(TITLE), colour, anchor="midtop", bold=True)
    line, size = fit(view, subtitle, LABEL, L.u(min(560, L.design[0] - 80)))
    rect = text.blit(surface, line, (cx, rect.bottom + L.u(4)), size, p.text.secondary, anchor="midtop")
    bar = pygame.Rect(int(cx - L.u(150)), int(rect.bottom + L.u(8)), int(L.u(300)), max(2, int(L.u(2))))
    pygame.draw.rect(surface, _scaled(colour, 0.25), bar)
    if not scene.paused and scene.diverged_for is None:
        done = bar.copy()
        done.width = int(bar.width * scene.progress)
        pygame.draw.rect(surface, colour, done)


def grid_looks(view) -> list[tuple]:
    """(border colour, predicted class, confidence %) of each grid tile: everything its pixels depend on."""
    p, threshold = view.palette, view.scene.settings.confidence_threshold
    looks = []
    for prob, label in zip(view.scene.grid_probs, view.scene.data.y_test):
        predicted = int(np.argmax(prob))
        confidence = float(prob[predicted])
        if predicted != label:
            colour = p.grid.incorrect
        elif confidence >= threshold:
            colour = p.grid.correct
        else:
            colour = p.grid.uncertain
        looks.append((colour, predicted, round(confidence * 100)))
    return looks


def tile_position(L, n: int) -> tuple[float, float]:
    row, col = divmod(n, L.grid_columns)
    return L.grid_origin[0] + col * L.grid_pitch[0], L.grid_origin[1] + row * L.grid_pitch[1]


def draw_grid(view, surface, looks=None, dim: float = 1.0) -> None:
    """The test samples' tiles and borders, from a cached panel. When a border, a class mark or the highlight
    changes, only the tiles that changed are painted again (over the background of their cells, together with
    any tile whose cell overlaps theirs, in the same order: the same pixels as painting the whole panel).
    dim < 1 draws them quieter (the gallery's strip)."""
    scene, L = view.scene, view.layout
    looks = grid_looks(view) if looks is None else looks
    highlighted = scene.shown_index if scene.drawing is None else -1
    first, last = tile_position(L, 0), tile_position(L, len(view.grid_tiles) - 1)
    margin = L.u(8)
    area = pygame.Rect(int(first[0] - margin), int(first[1] - margin),
                       int(last[0] + L.grid_tile - first[0] + 2 * margin),
                       int(last[1] + L.grid_tile - first[1] + 2 * margin + (0 if L.gallery else L.u(22)))
                       ).clip(surface.get_rect())
    states = [(look[0], look[1], n == highlighted) for n, look in enumerate(looks)]
    cached = getattr(view, "_grid_cache", None)
    if cached is None or cached[0] != (area, dim, len(states)):
        panel = view.background.subsurface(area).copy()
        for n, state in enumerate(states):
            _render_tile(view, panel, area.topleft, n, state, dim)
        cells = [_tile_cell(view, n, area.topleft).clip(panel.get_rect()) for n in range(len(states))]
        view._grid_cache = cached = [(area.copy(), dim, len(states)), panel, states, cells]
    elif cached[2] != states:
        panel, cells = cached[1], cached[3]
        dirty = {n for n, (now, was) in enumerate(zip(states, cached[2])) if now != was}
        grown = True
        while grown:        # and every tile whose cell overlaps a dirty one (it would be partly erased)
            grown = False
            for n, cell in enumerate(cells):
                if n not in dirty and cell.collidelist([cells[d] for d in dirty]) != -1:
                    dirty.add(n)
                    grown = True
        for n in dirty:
            panel.blit(view.background, cells[n].topleft, area=cells[n].move(area.topleft))
        for n in sorted(dirty):
            _render_tile(view, panel, area.topleft, n, states[n], dim)
        cached[2] = states
    surface.blit(cached[1], area.topleft)


def _tile_cell(view, n: int, offset) -> pygame.Rect:
    """Everything tile n paints (its image, border, highlight ring and class mark), in the panel's coordinates,
    with a pixel to spare."""
    L = view.layout
    tile = int(L.grid_tile)
    border = max(1, int(L.u(2)))
    x, y = tile_position(L, n)
    x, y = int(x - offset[0]), int(y - offset[1])
    cell = pygame.Rect(x - border, y - border, tile + 2 * border, tile + 2 * border).inflate(border * 4, border * 4)
    if not L.gallery:
        icon = (int(x + L.u(6)), int(y + tile + L.u(14)))
        size = int(L.u(5))
        cell = cell.union(pygame.Rect(icon[0] - size, icon[1] - size, 2 * size + 1, 2 * size + 1))
    return cell.inflate(2, 2)


def _render_tile(view, surface, offset, n: int, state, dim) -> None:
    L, p = view.layout, view.palette
    colour, predicted, highlighted = state
    tile = int(L.grid_tile)
    border = max(1, int(L.u(2)))
    x, y = tile_position(L, n)
    x, y = x - offset[0], y - offset[1]
    colour = _scaled(colour, dim)
    surface.blit(view.grid_tiles[n], (int(x), int(y)))
    if dim < 1.0:
        surface.fill(_scaled((255, 255, 255), dim), pygame.Rect(int(x), int(y), tile, tile),
                     special_flags=pygame.BLEND_RGB_MULT)
    rect = pygame.Rect(int(x) - border, int(y) - border, tile + 2 * border, tile + 2 * border)
    pygame.draw.rect(surface, colour, rect, border, border_radius=border * 2)
    if highlighted:
        pygame.draw.rect(surface, p.text.accent, rect.inflate(border * 4, border * 4), max(1, border // 2 + 1),
                         border_radius=border * 3)
    if L.gallery:
        return
    icon = (int(x + L.u(6)), int(y + tile + L.u(14)))
    size = int(L.u(5))
    if predicted == 0:
        pygame.draw.circle(surface, colour, icon, size, max(1, int(L.u(1.6))))
    else:
        pygame.draw.rect(surface, colour, pygame.Rect(icon[0] - size, icon[1] - size, 2 * size, 2 * size),
                         max(1, int(L.u(1.6))))


def _legend(view) -> list[tuple]:
    """The grid legend's (colour, words): what each border colour means."""
    p, threshold = view.palette, view.scene.settings.confidence_threshold
    return [(p.grid.correct, f"sure (≥{threshold * 100:.0f}%)"), (p.grid.uncertain, "unsure"), (p.grid.incorrect, "wrong")]


def grid_panel(view, looks) -> tuple[pygame.Rect, tuple]:
    """The explain grid's area (its title, tiles, percentages and legend) and the key of everything drawn in it."""
    L, text = view.layout, view.text
    x0, y0 = L.grid_origin
    last = tile_position(L, len(looks) - 1)
    rows = (len(looks) + L.grid_columns - 1) // L.grid_columns
    size = L.type(LABEL)
    title = text.size("TEST SAMPLES · never trained on", size, bold=True)
    legend_width = sum(L.u(18) + text.size(words, size)[0] + L.u(16) for _, words in _legend(view))
    right = max(last[0] + L.grid_tile + L.u(14) + text.size("100%", size)[0] - L.u(14), x0 + title[0],
                x0 + legend_width)
    margin = L.u(8)
    top = y0 - L.u(12) - title[1] - margin / 2
    bottom = y0 + rows * L.grid_pitch[1] + L.u(10) + text.size("W", size)[1] + margin
    area = pygame.Rect(int(x0 - margin), int(top), int(right - x0 + 2 * margin), int(bottom - top))
    highlighted = view.scene.shown_index if view.scene.drawing is None else -1
    return area, (tuple(looks), highlighted, view.scene.settings.confidence_threshold)


def draw_grid_text(view, surface, looks) -> None:
    """The explain grid's words: its title, each tile's confidence and the border legend."""
    L, p, text = view.layout, view.palette, view.text
    x0, y0 = L.grid_origin
    text.blit(surface, "TEST SAMPLES · never trained on", (x0, y0 - L.u(12)), L.type(LABEL), p.text.secondary,
              anchor="bottomleft", bold=True)
    tile, size = L.grid_tile, L.type(LABEL)
    room = L.grid_pitch[0] - L.u(14) - L.u(1) - 2     # up to the next tile's class mark
    sign = "%" if text.size("100%", size)[0] <= room else ""      # a tight grid (small stage): numbers alone
    for n, (colour, _, percent) in enumerate(looks):
        x, y = tile_position(L, n)
        text.blit(surface, f"{percent}{sign}", (x + L.u(14), y + tile + L.u(14)), size, colour, anchor="midleft")
    rows = (len(looks) + L.grid_columns - 1) // L.grid_columns
    y = y0 + rows * L.grid_pitch[1] - L.u(4)
    x = x0
    for colour, word in _legend(view):
        pygame.draw.rect(surface, colour, pygame.Rect(int(x), int(y + L.u(4)), int(L.u(12)), int(L.u(12))),
                         max(1, int(L.u(2))), border_radius=int(L.u(3)))
        rect = text.blit(surface, word, (x + L.u(18), y + L.u(10)), L.type(LABEL), p.text.secondary, anchor="midleft")
        x = rect.right + L.u(16)


def draw_metrics(view, surface) -> None:
    """The metrics column below the charts: gradient norms, the shown sample's probabilities, and the proof that
    the weights move (or, under noise, the noise gauges). They change with every step."""
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    m, gap = L.metrics_rect, L.u(14)
    acc_rect = chart_rects(view)[1]
    # Rows flow from the text's own height, so the type floor on a small stage never stacks words on each other.
    line = text.size("Wg", L.type(LABEL))[1]
    row = max(L.u(30), line + L.u(4))
    bars_y = acc_rect.bottom + gap
    heading = text.blit(surface, "GRADIENT NORM", (m.x, bars_y), L.type(LABEL), p.text.secondary, bold=True)
    norms = scene.snapshot.grad_norms
    first = heading.bottom + row / 2
    rows = ((("hidden", "W1, b1"), ("output", "W2, b2")) if "hidden2" not in norms
            else (("hidden", "W1, b1"), ("hidden2", "W2, b2"), ("output", "W3, b3")))
    for n, (name, label) in enumerate(rows):
        y = first + row * n - L.u(5)
        value = norms.get(name, 0.0)
        fraction = min(max((math.log10(value) + 4.0) / 5.0, 0.0), 1.0) if value > 0 else 0.0  # 1e-4 … 10
        bar(view, surface, bar_rect(view, y, fmt(value)), fraction, p.chart.gradient)
        text.blit(surface, label, (m.x, y + L.u(5)), L.type(LABEL), p.text.secondary, anchor="midleft")
        text.blit(surface, fmt(value), (m.right, y + L.u(5)), L.type(LABEL), p.text.primary, anchor="midright")

    out_y = first + row * (len(rows) - 0.5) + L.u(8)
    sample = scene.snapshot.sample
    verdict = int(np.argmax(sample.probs))
    drawing = scene.drawing is not None
    title = f"YOUR DRAWING · a {CLASS_NAMES[verdict]}?" if drawing else f"THIS SAMPLE · a {CLASS_NAMES[sample.label]}"
    heading = text.blit(surface, title, (m.x, out_y), L.type(LABEL), p.text.secondary, bold=True)
    first = heading.bottom + row / 2
    for k in range(2):
        y = first + row * k - L.u(5)
        colour = p.neuron.glow if k == (verdict if drawing else sample.label) else p.text.secondary
        bar(view, surface, bar_rect(view, y, fmt(sample.probs[k])), float(sample.probs[k]), colour)
        text.blit(surface, CLASS_NAMES[k], (m.x, y + L.u(5)), L.type(LABEL), p.text.secondary, anchor="midleft")
        text.blit(surface, fmt(sample.probs[k]), (m.right, y + L.u(5)), L.type(LABEL), p.text.primary,
                  anchor="midright")
    top = first + row * 1.5 + L.u(8)
    if scene.noisy:       # under noise its gauges take the proof's place (a small column holds one of them)
        draw_noise(view, surface, top, row)
    else:
        draw_proof(view, surface, top, row)


def shown_step(scene):
    """(pass, the MathStep on screen, its number, how many steps the pass has): what the live math shows. The pass
    is the scene's phase, the one the header's title names, so the two always agree."""
    phase = scene.math_phase
    steps = pass_steps(scene.snapshot, phase, scene.trainer.batch_size, scene.trainer.lr, scene.drawing is not None,
                       scene.trainer.optimizer.name)
    index = scene.math_index % len(steps)
    return phase, steps[index], index + 1, len(steps)


def math_heading(scene) -> str:
    return f"LIVE MATH · {scene.math_phase.upper()} PASS"


def draw_math(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    r = L.math_rect
    pygame.draw.rect(surface, p.chart.panel, r, border_radius=int(L.u(6)))
    pygame.draw.rect(surface, p.chart.panel_border, r, 1, border_radius=int(L.u(6)))
    phase, step, number, count = shown_step(scene)
    drawing = scene.drawing is not None
    colour = p.neuron.glow if phase == "forward" else p.neuron.halo
    inner, indent = r.width - L.u(28), L.u(14)
    x = r.x + L.u(14)
    y = r.y + L.u(12)
    name = step.title.split(" · ", 1)[-1]           # "2 · ReLU" → 2 of 5 · ReLU
    for words, step_size, words_colour, gap in ((math_heading(scene), LABEL, p.text.secondary, L.u(6)),
                                                (f"{number} of {count} · {name}", BODY, colour, L.u(8))):
        lines, size = wrap(view, words, step_size, inner, bold=True)
        for part in lines:
            y = text.blit(surface, part, (x, y), size, words_colour, bold=True).bottom + L.u(2)
        y += gap - L.u(2)
    for content in step.lines:                       # wrapped, never cut: every number stays readable
        lines, size = wrap(view, content, LABEL, inner, indent)
        for n, part in enumerate(lines):
            y = text.blit(surface, part, (x + (indent if n else 0), y), size, p.text.primary).bottom + L.u(2)
        y += L.u(3)
    sample = scene.snapshot.sample
    note = ("your drawing, as the network sees it" if drawing
            else f"sample #{scene.shown_index} · a {CLASS_NAMES[sample.label]} · loss {fmt(sample.loss)}")
    y += L.u(6)
    lines, size = wrap(view, note, LABEL, inner, indent)
    for n, part in enumerate(lines):
        y = text.blit(surface, part, (x + (indent if n else 0), y), size, p.text.secondary).bottom + L.u(2)
    y += L.u(12)
    legend = [
        ((p.synapse.positive, p.synapse.negative), "weight + / −"),
        ((p.particle.forward,), "activation × weight, forward"),
        ((p.particle.backward,), "gradient, flowing back"),
        ((p.neuron.glow, p.neuron.halo), "glow = activation · halo = |grad|"),
    ]
    line_height = text.size("Wg", L.type(LABEL))[1]
    row = max(L.u(24), line_height + L.u(3))   # the type floor may be taller than 24 units
    for colours, label in legend:              # an entry that does not fit whole is left out, never cut
        lines, size = wrap(view, label, LABEL, inner - L.u(32))
        height = row + (len(lines) - 1) * line_height
        if y + height > r.bottom - L.u(4):
            break
        cy = y + row / 2
        for k, c in enumerate(colours):
            pygame.draw.circle(surface, c, (int(x + L.u(5 + 12 * k)), int(cy)), max(2, int(L.u(4.5))))
        for n, part in enumerate(lines):
            text.blit(surface, part, (x + L.u(32), cy + n * line_height), size, p.text.secondary, anchor="midleft")
        y += height


def draw_caption(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    t, s = scene.trainer, scene.settings
    # In pieces, so the one that changes every frame (the step) is the only one rendered again.
    pieces = [f"epoch {t.epoch} / {t.config.max_epochs}", f"step {t.step_count}", f"seed {s.seed}", f"η {fmt(t.lr)}",
              f"batch {t.batch_size}", f"{t.net.n_parameters:,} parameters"]
    _, size = fit(view, "  ·  ".join(pieces), BODY, L.u(min(1100, L.design[0] - 60)))
    dot = "  ·  "
    widths = [text.size(piece, size)[0] for piece in pieces]
    gap = text.size(dot, size)[0]
    x, bottom = L.px(L.centre_x, L.caption_y)
    x -= (sum(widths) + gap * (len(pieces) - 1)) / 2
    for n, (piece, width) in enumerate(zip(pieces, widths)):
        text.blit(surface, piece, (x, bottom), size, p.text.secondary, anchor="bottomleft")
        x += width
        if n < len(pieces) - 1:
            text.blit(surface, dot, (x, bottom), size, p.text.secondary, anchor="bottomleft")
            x += gap
    y = L.px(0, L.labels_y)[1]
    if L.hiddens2 is None:
        labels = ((L.inputs[:, 0].mean(), "input · 8×8"), (L.hiddens[0, 0], f"hidden · {t.net.hidden} ReLU"),
                  (L.outputs[0, 0], "output"))
    else:
        labels = ((L.inputs[:, 0].mean(), "input · 8×8"), (L.hiddens[0, 0], f"hidden 1 · {t.net.hidden}"),
                  (L.hiddens2[0, 0], f"hidden 2 · {t.net.hidden}"), (L.outputs[0, 0], "output"))
    for x, label in labels:
        text.blit(surface, label, (x, y), L.type(LABEL), p.text.secondary, anchor="midbottom")
    for k, (x, y) in enumerate(L.outputs.tolist()):
        prob = scene.snapshot.sample.probs[k]
        rect = text.blit(surface, CLASS_NAMES[k], (x, y + L.output_radius + L.u(6)), L.type(BODY), p.text.primary,
                         anchor="midtop", bold=True)
        text.blit(surface, f"p = {fmt(prob)}", (x, rect.bottom + L.u(2)), L.type(LABEL), p.text.secondary,
                  anchor="midtop")
