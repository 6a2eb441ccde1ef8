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
from illumination.core.draw.colour import mix, scaled
from illumination.core.draw.sprites import INTENSITY_LEVELS, SpriteCache, quantise_colour
from illumination.core.draw.text import TextCache
from illumination.core.scene import View
from illumination.exhibits.network import panels
from illumination.exhibits.network.layout import network_layout
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
        hidden = scene.trainer.net.hidden
        self.layout = L = network_layout(self.size, hidden)
        self.palette = self.theme.emission_palette()
        self.text = TextCache()
        self.sprites = SpriteCache()
        p = self.palette
        self.background = make_background(self.size, p.background.top, p.background.bottom, p.background.vignette)
        i, j = np.divmod(np.arange(64 * hidden), hidden)       # W1[i, j] is connection i*H + j (row-major ravel)
        k, m = np.divmod(np.arange(hidden * 2), 2)             # W2[k, m]
        self.starts = np.concatenate([L.inputs[i], L.hiddens[k]])
        self.ends = np.concatenate([L.hiddens[j], L.outputs[m]])
        self.first_layer = SynapseLayer(L.inputs[i], L.hiddens[j], L.network_rect, reference=0.5, scale=L.scale,
                                        pass_frames=8)
        self.second_layer = SynapseLayer(L.hiddens[k], L.outputs[m], _bounds(L.hiddens, L.outputs, L.u(6)),
                                         reference=1.0, scale=L.scale)
        self.stage = StageCache(self.background, self.first_layer)
        self.grid_tiles = panels.sample_tiles(scene.data.X_test[:20], int(L.grid_tile), p.grid.pixel)
        self._field_tiles: list[pygame.Surface] = []
        self._particle_sprites: dict = {}  # (backward, radius px, level, fade) -> (sprite, half width); bounded by
        # 2 kinds × a few dozen radii × 49 levels × 2 fades
        self._inverter = pygame.Surface(self.size) if self.theme.is_light else None
        self._grid_cache = None

    def benchmark_figures(self) -> dict:
        return {"synapse_redraws": self.first_layer.redraws}

    def invalidate(self) -> None:
        """Settings or the run changed: rebuild the derived caches on the next draw."""
        self.first_layer.forget()
        self.second_layer.forget()
        self.stage.ready = False

    # -- the frame ---------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        scene, s = self.scene, self.scene.settings
        if scene.run != self._run:
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
        self._draw_fields(surface)
        panels.draw_header(self, surface)
        panels.draw_grid(self, surface)
        panels.draw_metrics(self, surface)
        if s.show_math:
            panels.draw_math(self, surface)
        panels.draw_caption(self, surface)
        if self._inverter is not None:
            self._inverter.fill((255, 255, 255))
            self._inverter.blit(surface, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
            surface.blit(self._inverter, (0, 0))

    def _draw_synapses(self, surface, snapshot) -> None:
        scene, s, p = self.scene, self.scene.settings, self.palette
        w = snapshot.weights
        # The view's caches catch up with the weights here, a bounded amount per frame; scene state is only read.
        if not self.stage.ready:
            self.first_layer.update(w["W1"], s.synapse_opacity, p.synapse.positive, p.synapse.negative, immediate=True)
            self.stage.rebuild_now()
            self._field_tiles = self._make_field_tiles(w["W1"])
        elif self.stage.busy:
            self.stage.work()
        elif self.first_layer.update(w["W1"], s.synapse_opacity, p.synapse.positive, p.synapse.negative):
            self.stage.rebuild_soon()
            self._field_tiles = self._make_field_tiles(w["W1"])
        self.second_layer.update(w["W2"], s.synapse_opacity, p.synapse.positive, p.synapse.negative, immediate=True)
        progress, forward = scene.progress, scene.phase == "forward"
        active = not scene.paused and not scene.trainer.finished
        first_pulses = active and (progress < 0.55 if forward else progress > 0.4)
        second_pulses = active and (progress >= 0.45 if forward else progress < 0.5)
        self.stage.draw(surface, first_pulses)
        self.second_layer.draw(surface, second_pulses)

    def _make_field_tiles(self, W1) -> list:
        p = self.palette
        return panels.field_tiles(W1, int(self.layout.tile_size), p.synapse.positive, p.synapse.negative)

    def _draw_particles(self, surface) -> None:
        pool, p, L = self.scene.particles, self.palette, self.layout
        blits, lookup = [], self._particle_sprites
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
        surface.fblits(blits, pygame.BLEND_RGB_ADD)

    def _draw_neurons(self, surface, snapshot) -> None:
        scene, s, p, L = self.scene, self.scene.settings, self.palette, self.layout
        v = snapshot.sample
        reveal_hidden, reveal_output = scene.layer_reveal()
        grad_output, grad_hidden = scene.gradient_reveal()
        glow = s.glow / 1.5 * p.effects.glow_strength
        layers = (
            (L.inputs, L.input_radius, np.asarray(v.x, float), np.zeros(64), 1.0, 0.0),
            (L.hiddens, L.hidden_radius, activation_brightness(v.h1) * reveal_hidden,
             gradient_brightness(v.dz1), 1.0, grad_hidden),
            (L.outputs, L.output_radius, np.asarray(v.probs) * reveal_output,
             gradient_brightness(v.dz2), 1.0, grad_output),
        )
        blits = []
        dark = scaled(p.background.bottom, 0.6)
        forward = scene.phase == "forward"
        wave_phase = scene.progress
        levels = INTENSITY_LEVELS
        for positions, radius, brightness, gradient, _, grad_reveal in layers:
            # Quantise first, then derive size and colour from the level: a few hundred sprites cover every state.
            glow_levels = np.round(brightness * levels).astype(int).tolist()
            halo_levels = np.round(gradient * grad_reveal * levels).astype(int).tolist()
            for (x, y), b, h in zip(positions.tolist(), glow_levels, halo_levels):
                if b > 0:
                    sprite = self.sprites.glow(radius * (1.8 + 3.4 * b / levels) * glow,
                                               quantise_colour(p.neuron.glow, 0.75 * b / levels))
                    half = sprite.get_width() // 2
                    blits.append((sprite, (int(x) - half, int(y) - half)))
                if h > 0:
                    sprite = self.sprites.glow(radius * (2.0 + 3.2 * h / levels) * glow,
                                               quantise_colour(p.neuron.halo, 0.8 * h / levels))
                    half = sprite.get_width() // 2
                    blits.append((sprite, (int(x) - half, int(y) - half)))
        surface.fblits(blits, pygame.BLEND_RGB_ADD)

        for positions, radius, brightness, gradient, _, grad_reveal in layers:
            for (x, y), b, g in zip(positions.tolist(), brightness.tolist(), gradient.tolist()):
                centre = (int(x), int(y))
                halo = g * grad_reveal
                if forward and b > 0.55 and radius > L.input_radius:
                    # Energy waves: rings leaving a strongly firing neuron, fading as they spread.
                    for k in range(2):
                        w = (wave_phase * 1.3 + k / 2.0) % 1.0
                        pygame.draw.circle(surface, scaled(p.neuron.glow, (1 - w) * b * 0.7), centre,
                                           int(radius * (1.3 + 2.4 * w)), max(1, int(L.u(1.2))))
                if halo > 0.55:
                    # Rotating spokes: a large gradient is a neuron being pulled hard.
                    angle0 = scene.time * 2.2
                    colour = scaled(p.neuron.halo, halo)
                    for spoke in range(6):
                        a = angle0 + spoke * math.pi / 3
                        c, sn = math.cos(a), math.sin(a)
                        pygame.draw.line(surface, colour, (x + c * radius * 1.5, y + sn * radius * 1.5),
                                         (x + c * radius * (1.5 + 1.3 * halo), y + sn * radius * (1.5 + 1.3 * halo)),
                                         max(1, int(L.u(1.6))))
                # The bulb's body: dark when silent, glowing colour when firing, white-hot near the top.
                body = mix(dark, p.neuron.glow, min(1.0, b * 1.6)) if b < 0.625 else mix(p.neuron.glow, p.neuron.body, (b - 0.625) / 0.375)
                pygame.draw.circle(surface, body, centre, int(radius))
                pygame.draw.circle(surface, p.neuron.rim if b < 0.5 else scaled(p.neuron.glow, 0.9), centre,
                                   int(radius), max(1, int(L.u(1.0))))
        self._draw_sparkles(surface)

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
