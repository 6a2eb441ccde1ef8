"""Drawing the Network exhibit. Reads the scene's state, never changes it; keeps only derived caches.

What draw may change, all of it the view's own: the synapse layers and the pre-composed stage catch up with
the weights a bounded amount per frame; sprite, text and grid caches fill; and when the scene starts a new
run (`scene.run` moved on) or its settings object changed, the caches built for the old ones are rebuilt.

Every visual is a number: bulb brightness = activation (log-like), halo = |gradient|, synapse
thickness/brightness = |weight| and colour = its sign, particle density and size = the signal on
each connection, tiles = the weights themselves. Light is added (BLEND_RGB_ADD) onto a dark canvas;
a light theme draws in inverted colours and inverts the finished frame, so light becomes ink.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.core.draw.background import make_background
from illumination.core.draw.colour import mix, scaled, smoothstep
from illumination.core.draw.invert import FrameInverter
from illumination.core.draw.sprites import INTENSITY_LEVELS, SpriteCache, quantise_colour
from illumination.core.draw.text import TextCache
from illumination.core.scene import View
from illumination.exhibits.network import charts, decorations, gallery, panels
from illumination.exhibits.network.layout import network_layout
from illumination.exhibits.network.lights import (CORE_FLOOR, HALO_FLOOR, LIGHT_LEVELS, OUTPUT_LIGHT_LEVELS,
                                                  BulbLights)
from illumination.exhibits.network.panel_cache import PanelCache
from illumination.exhibits.network.stage import StageCache
from illumination.exhibits.network.synapses import SynapseLayer

HIDDEN_REFERENCE = 3.0     # an activation this strong (or more) lights a bulb fully
GRADIENT_REFERENCE = 0.5   # |∂L/∂z| this large (or more) gives a full halo


def activation_brightness(a: np.ndarray) -> np.ndarray:
    """Log-like: faint activations stay visible, strong ones do not all saturate. 0 → 0 (dark), ≥ reference → 1."""
    a = np.maximum(np.asarray(a, dtype=np.float64), 0.0)
    return np.minimum(np.log1p(2.0 * a) / math.log1p(2.0 * HIDDEN_REFERENCE), 1.0)


def gradient_brightness(g: np.ndarray) -> np.ndarray:
    g = np.abs(np.asarray(g, dtype=np.float64))
    return np.minimum(np.log1p(20.0 * g) / math.log1p(20.0 * GRADIENT_REFERENCE), 1.0)


def _bounds(a: np.ndarray, b: np.ndarray, margin: float) -> pygame.Rect:
    points = np.concatenate([a, b])
    left, top = np.floor(points.min(axis=0) - margin)
    right, bottom = np.ceil(points.max(axis=0) + margin)
    return pygame.Rect(int(left), int(top), int(right - left), int(bottom - top))


class NetworkView(View):
    def __init__(self, scene, size: tuple[int, int], theme):
        super().__init__(scene, size, theme)
        self._build()

    def _build(self) -> None:
        """Everything derived from the run (its net's size, its test samples) and the size and theme."""
        scene = self.scene
        self._run, self._settings = scene.run, scene.settings
        self._composition = scene.settings.composition
        net = scene.trainer.net
        hidden = net.hidden
        self.layout = L = network_layout(self.size, hidden, self._composition, net.hidden_layers)
        self.palette = self.theme.emission_palette()
        self.text = TextCache()
        self.sprites = SpriteCache()
        p = self.palette
        self.background = make_background(self.size, p.background.top, p.background.bottom, p.background.vignette)
        # The columns, input to output, and one synapse layer between each pair; connection n of a layer is
        # W[a, b] raveled row-major (a = n // fan_out, b = n % fan_out), the order the scene's particles use.
        columns = [L.inputs, L.hiddens] + ([] if L.hiddens2 is None else [L.hiddens2]) + [L.outputs]
        self.layout_columns = columns
        starts, ends, self.synapse_layers = [], [], []
        for n, (source, target) in enumerate(zip(columns[:-1], columns[1:])):
            a, b = np.divmod(np.arange(len(source) * len(target)), len(target))
            starts.append(source[a])
            ends.append(target[b])
            if n == 0:    # 1,024 lines, pre-composed with the background (stage.py): a redraw over 8 frames at most
                # every 28 + the pass + the stage's frames (fewer frames with work: the median frame is a quiet one)
                layer = SynapseLayer(source[a], target[b], _bounds(source, target, L.u(6)), reference=0.5,
                                     scale=L.scale, pass_frames=8, rest_frames=28, mode="stage")
            elif target is L.outputs:   # 2·H lines, drawn straight onto every frame (no picture to rebuild)
                layer = SynapseLayer(source[a], target[b], _bounds(source, target, L.u(6)), reference=1.0,
                                     scale=L.scale, pass_frames=1, mode="direct")
            else:         # hidden → hidden 2: H·H lines over 4 frames, copied by colour key every frame
                layer = SynapseLayer(source[a], target[b], _bounds(source, target, L.u(6)), reference=0.6,
                                     scale=L.scale, pass_frames=4, keyed=True)
            self.synapse_layers.append(layer)
        self.starts, self.ends = np.concatenate(starts), np.concatenate(ends)
        self.first_layer = self.synapse_layers[0]
        self.second_layer = self.synapse_layers[-1]      # the output layer's synapses
        self.stage = StageCache(self.background, self.first_layer)
        self.panel_cache = PanelCache(self.background, L.network_rect)
        self.grid_tiles = panels.sample_tiles(scene.data.X_test[:20], int(L.grid_tile), p.grid.pixel)
        self._dark = scaled(p.background.bottom, 0.6)
        self._body_colours = [self.body_colour(k / 64) for k in range(65)]
        if not hasattr(self, "lights"):
            self.lights = BulbLights()   # kept across runs: its sprites depend on the layout, theme and glow alone
        self.lights.configure(self)
        self._field_tiles: list[pygame.Surface] = []
        self._particle_sprites: dict = {}  # (backward, radius px, level, fade) -> (sprite, half width); bounded by
        # 2 kinds × a few dozen radii × 49 levels × 2 fades
        self._inverter = FrameInverter(self.size, self.theme)
        self._grid_cache = None

    def benchmark_figures(self) -> dict:
        return {"synapse_redraws": self.first_layer.redraws}

    def invalidate(self) -> None:
        """Settings or the run changed: rebuild the derived caches on the next draw."""
        for layer in self.synapse_layers:
            layer.forget()
        self.lights.configure(self)   # the glow setting is part of every bulb's light
        self.panel_cache.forget()
        self.stage.ready = False

    # -- the frame ---------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        scene, s = self.scene, self.scene.settings
        if scene.run != self._run or s.composition != self._composition:
            self._build()
        elif s is not self._settings:
            self._settings = s
            self.invalidate()
        snapshot = scene.snapshot
        if s.show_synapses:
            self._draw_synapses(surface, snapshot)
        else:
            surface.blit(self.background, (0, 0))
        if s.show_particles:
            self._draw_particles(surface)
        self._draw_neurons(surface, snapshot)
        if self.layout.gallery:
            gallery.draw(self, surface)
        else:
            self._draw_fields(surface)
            panels.draw_header(self, surface)
            self._draw_panels(surface)
            panels.draw_caption(self, surface)
        self._inverter.invert(surface)

    def _draw_panels(self, surface) -> None:
        """The test-sample grid and the charts are painted when what they show changes (panel_cache.py); the
        metrics rows and the live math show the current step, so they are drawn every frame."""
        cache = self.panel_cache
        looks = panels.grid_looks(self)
        area, values = panels.grid_panel(self, looks)
        cache.draw(surface, "grid", area, (), values,
                   lambda target: (panels.draw_grid(self, target, looks), panels.draw_grid_text(self, target, looks)))
        loss_rect, acc_rect = charts.chart_rects(self)
        cache.draw(surface, "charts", loss_rect.union(acc_rect), *charts.charts_key(self),
                   lambda target: charts.draw_charts(self, target))
        panels.draw_metrics(self, surface)
        if self.scene.settings.show_math:
            panels.draw_math(self, surface)

    def _draw_synapses(self, surface, snapshot) -> None:
        scene, s, p = self.scene, self.scene.settings, self.palette
        w = snapshot.weights
        # The view's caches catch up with the weights here, a bounded amount per frame; scene state is only read.
        for layer in self.synapse_layers:
            layer.dots = s.decorations       # a change of setting redraws them (invalidate → forget)
        if not self.stage.ready:
            self.first_layer.update(w["W1"], s.synapse_opacity, p.synapse.positive, p.synapse.negative, immediate=True)
            self.stage.rebuild_now()
            self._field_tiles = self._make_field_tiles(w["W1"])
        elif self.stage.busy:
            self.stage.work()
        elif self.first_layer.update(w["W1"], s.synapse_opacity, p.synapse.positive, p.synapse.negative):
            self.stage.rebuild_soon()
            self._field_tiles = self._make_field_tiles(w["W1"])
        progress = scene.progress
        active = not scene.paused and not scene.trainer.finished
        later = self.synapse_layers[1:]     # drawn live over the stage: [W2 (hidden → hidden 2),] the output layer
        windows = scene.SPAWN_WINDOWS[len(self.synapse_layers)][scene.phase]
        def pulsing(window) -> bool:     # a layer pulses while its particles are born (to the phase's end)
            start, stop, _ = window
            return active and start <= progress and (progress < stop or stop >= 0.95)

        self.stage.draw(surface, pulsing(windows[0]))
        for k, layer in enumerate(later, start=2):
            layer.update(w[f"W{k}"], s.synapse_opacity, p.synapse.positive, p.synapse.negative)
            layer.draw(surface, pulsing(windows[k - 1]))

    def _make_field_tiles(self, W1) -> list:
        p = self.palette
        return panels.field_tiles(W1, int(self.layout.tile_size), p.synapse.positive, p.synapse.negative)

    def _draw_particles(self, surface) -> None:
        pool, p, L = self.scene.particles, self.palette, self.layout
        blits, lookup = [], self._particle_sprites
        head = (np.zeros(0, dtype=np.int64), np.zeros((0, 2)), [])
        for lag, fade in ((0.05, 0.35), (0.0, 1.0)):  # a faint trail, then the head
            idx, pos = pool.positions(self.starts, self.ends, lag)
            if len(idx) == 0:
                return
            # Quantise size and brightness with numpy; a small table maps them to sprites.
            radii = np.rint(L.u(pool.size[idx]) * (2.2 if fade == 1.0 else 1.76)).astype(int).tolist()
            levels = np.rint(pool.intensity[idx] * fade * INTENSITY_LEVELS).astype(int).tolist()
            kinds = pool.backward[idx].tolist()
            for backward, radius, level, (x, y) in zip(kinds, radii, levels, pos.tolist()):
                key = (backward, radius, level, fade)
                entry = lookup.get(key)
                if entry is None:
                    colour = p.particle.backward if backward else p.particle.forward
                    sprite = self.sprites.spark(radius, quantise_colour(colour, level / INTENSITY_LEVELS), core=0.5 * fade)
                    entry = lookup[key] = (sprite, sprite.get_width() // 2)
                blits.append((entry[0], (int(x) - entry[1], int(y) - entry[1])))
            if fade == 1.0 and self.scene.settings.decorations:
                head = (idx, pos, radii)
        surface.fblits(blits, pygame.BLEND_RGB_ADD)
        if self.scene.settings.decorations:
            decorations.draw_arrows(self, surface, *head)

    def raw_layers(self, snapshot) -> list[tuple]:
        """Per layer: (centres, radius px, activation brightness, gradient brightness), as computed, before the
        phases reveal them (the decorations' lingering light)."""
        L, v = self.layout, snapshot.sample
        activations = [v.h1] + ([] if v.z2 is None else [v.h2])
        gradients = [v.dz1] + ([] if v.z2 is None else [v.dz2])
        layers = [(L.inputs, L.input_radius, np.asarray(v.x, float), np.zeros(64))]
        for positions, a, g in zip(self.layout_columns[1:-1], activations, gradients):
            layers.append((positions, L.hidden_radius, activation_brightness(a), gradient_brightness(g)))
        layers.append((L.outputs, L.output_radius, np.asarray(v.probs, float), gradient_brightness(v.dlogits)))
        return layers

    def neuron_layers(self, snapshot) -> list[tuple]:
        """Per layer: (centres (n, 2), radius px, brightness (n,) in [0, 1], halo (n,) in [0, 1]) as shown now.

        Brightness is the activation (pixels for inputs, log-like ReLU output for hidden units, probability for
        outputs), 0 = dark, revealed as the forward pass reaches the layer; the halo is |∂L/∂·| of that layer,
        revealed as the backward pass reaches it (inputs last: ∂L/∂x = W1·∂L/∂z1, a sum over the hidden units and so
        larger: it is scaled by 1/4 before the same log-like map, so only the pixels that matter most ring)."""
        scene, L, v = self.scene, self.layout, snapshot.sample
        reveal = scene.layer_reveal()                   # (hidden, [hidden 2,] output)
        grad = scene.gradient_reveal()[::-1]            # (hidden, [hidden 2,] output) once reversed
        grad_input = smoothstep(0.65, 0.9, scene.progress) if scene.phase == "backward" else 0.0
        dx = snapshot.weights["W1"] @ np.asarray(v.dz1, dtype=np.float64)          # (64,)
        layers = [(L.inputs, L.input_radius, np.asarray(v.x, float), gradient_brightness(dx / 4.0) * grad_input),
                  (L.hiddens, L.hidden_radius, activation_brightness(v.h1) * reveal[0], gradient_brightness(v.dz1) * grad[0])]
        if L.hiddens2 is not None:
            layers.append((L.hiddens2, L.hidden_radius, activation_brightness(v.h2) * reveal[1],
                           gradient_brightness(v.dz2) * grad[1]))
        layers.append((L.outputs, L.output_radius, np.asarray(v.probs, float) * reveal[-1],
                       gradient_brightness(v.dlogits) * grad[-1]))
        return layers

    def _draw_neurons(self, surface, snapshot) -> None:
        """Light first (blooms and halos, added), then the bulbs' bodies, then their white-hot cores (added)."""
        scene, p, L = self.scene, self.palette, self.layout
        layers = self.neuron_layers(snapshot)
        winner = int(np.argmax(snapshot.sample.probs))
        light, cores = [], []
        last = len(layers) - 1
        for layer, (positions, radius, brightness, halo) in enumerate(layers):
            # Quantised, so a handful of cached sprites per layer cover every state (see bulb_sprite).
            output = layer == last
            levels = OUTPUT_LIGHT_LEVELS if output else LIGHT_LEVELS
            glow_levels = np.round(brightness * levels).astype(int).tolist()
            halo_levels = np.round(halo * levels).astype(int).tolist()
            for n, ((x, y), b, h) in enumerate(zip(positions.tolist(), glow_levels, halo_levels)):
                if b > 0:
                    light += self.bulb_light(x, y, "glow", layer, radius, b / levels, output and n == winner, output)
                    if b > CORE_FLOOR * levels:
                        cores += self.bulb_light(x, y, "core", layer, radius, b / levels)
                if h > HALO_FLOOR * levels and layer > 0:   # inputs (tightly packed) get their ring only
                    light += self.bulb_light(x, y, "halo", layer, radius, h / levels, output=output)
        if scene.settings.decorations:
            light = decorations.linger_light(self, snapshot) + light
        surface.fblits(light, pygame.BLEND_RGB_ADD)

        forward = scene.phase == "forward"
        wave_phase = scene.progress
        ring = max(1, int(L.u(1.6)))
        bodies, rim, rim_width = self._body_colours, p.neuron.rim, max(1, int(L.u(1.0)))
        for positions, radius, brightness, halo in layers:
            body_levels = np.round(brightness * (len(bodies) - 1)).astype(int).tolist()
            for (x, y), b, g, level in zip(positions.tolist(), brightness.tolist(), halo.tolist(), body_levels):
                centre = (int(x), int(y))
                if forward and b > 0.55 and radius > L.input_radius:
                    # Energy waves: rings leaving a strongly firing neuron, fading as they spread.
                    for k in range(2):
                        w = (wave_phase * 1.3 + k / 2.0) % 1.0
                        pygame.draw.circle(surface, scaled(p.neuron.glow, (1 - w) * b * 0.7), centre,
                                           int(radius * (1.3 + 2.4 * w)), ring)
                if g > HALO_FLOOR:   # the gradient's ring: every layer, as the backward pass reaches it
                    pygame.draw.circle(surface, scaled(p.neuron.halo, 0.2 + 0.8 * g), centre,
                                       int(radius * (1.35 + 0.45 * g)) + ring, ring)
                if g > 0.55:
                    # Rotating spokes: a large gradient is a neuron being pulled hard.
                    angle0 = scene.time * 2.2
                    colour = scaled(p.neuron.halo, g)
                    for spoke in range(6):
                        a = angle0 + spoke * math.pi / 3
                        c, sn = math.cos(a), math.sin(a)
                        pygame.draw.line(surface, colour, (x + c * radius * 1.9, y + sn * radius * 1.9),
                                         (x + c * radius * (1.9 + 1.3 * g), y + sn * radius * (1.9 + 1.3 * g)), ring)
                # The bulb's body: dark when silent, its colour as it fires, white-hot near the top.
                pygame.draw.circle(surface, bodies[level], centre, int(radius))
                if b < 0.5:
                    pygame.draw.circle(surface, rim, centre, int(radius), rim_width)
        if scene.settings.decorations:
            decorations.draw_highlights_and_rings(self, surface, layers)
        surface.fblits(cores, pygame.BLEND_RGB_ADD)
        self._draw_sparkles(surface)

    def bulb_light(self, x: float, y: float, kind: str, layer: int, radius: float, level: float,
                   winner: bool = False, output: bool = False) -> list:
        """The blits that add a bulb's light (lights.py) centred on (x, y)."""
        return self.lights.light(self, x, y, kind, layer, radius, level, winner, output)

    def bulb_sprite(self, kind: str, layer: int, radius: float, level: float, winner: bool = False,
                    output: bool = False) -> pygame.Surface:
        """One cached sprite of a bulb's light at a quantised level (lights.py)."""
        return self.lights.sprite(self, kind, layer, radius, level, winner, output)

    def body_colour(self, b: float):
        """A bulb's body at brightness b: dark when silent, its colour as it fires, white-hot near the top."""
        p = self.palette
        if b < 0.5:
            return mix(self._dark, p.neuron.glow, b / 0.5)
        return mix(p.neuron.glow, p.neuron.body, (b - 0.5) / 0.5)

    def _draw_sparkles(self, surface) -> None:
        sparkles, L, p = self.scene.sparkles, self.layout, self.palette
        blits = []
        for layer, j, angle, age, life in sparkles[sparkles[:, 4] > 0].tolist():
            x, y = L.hiddens[int(j)]
            t = age / life
            distance = L.hidden_radius * (1.6 + 2.2 * t)
            sprite = self.sprites.spark(L.u(7.0) * (1 - 0.5 * t), quantise_colour(p.neuron.sparkle, 1 - t), core=0.7)
            half = sprite.get_width() // 2
            blits.append((sprite, (int(x + math.cos(angle) * distance) - half, int(y + math.sin(angle) * distance) - half)))
        surface.fblits(blits, pygame.BLEND_RGB_ADD)

    def _draw_fields(self, surface) -> None:
        L = self.layout
        gap = L.hidden_radius + L.u(8)
        for tile, (x, y) in zip(self._field_tiles, L.hiddens.tolist()):
            surface.blit(tile, (int(x + gap), int(y - tile.get_height() / 2)))
