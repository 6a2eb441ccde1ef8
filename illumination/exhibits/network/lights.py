"""The bulbs' light: one cached sprite per (kind, layer, quantised level, winner), added as its lit pieces.

A bulb's glow, core and halo are functions of its layer's radius, a quantised level, the theme's neuron colours
and the glow setting, nothing else: so the sprites are kept for as long as those stay the same (a new run of the
same network at the same size keeps them), and their number is bounded by the levels (~250 at most).

At a large size the big sprites cost several milliseconds each to make (an output's bloom at 4K is ~1,000 px
square): made on the frame that first needs them, they were the slowest frames of a run's first seconds. So the
sprites that large are made ahead, when the set is new (the view's first frame, which builds the 4K backdrop too);
the rest as they are needed. A sprite made ahead has the very pixels it would have had made later.
"""
from __future__ import annotations

import pygame

from illumination.core.draw.colour import mix
from illumination.core.draw.sprites import SpriteCache, light_pieces, quantise_colour, quantise_radius

LIGHT_LEVELS = 24         # a bulb's light (bloom, halo) in this many steps: finer is invisible in a glow
OUTPUT_LIGHT_LEVELS = 12  # the outputs' large blooms in fewer (each is big: ~5 MB at 4K), so memory stays bounded
HALO_FLOOR = 0.15         # gradient brightness below this draws no halo (every input has some gradient)
CORE_FLOOR = 0.12         # brightness above this lights a bulb's white-hot core
PLACED_CAP = 4096         # placed light pieces kept (bulbs × the levels each meets: ~1,500 for 16 hidden units)
AHEAD_SIDE = 300          # sprites at least this wide (px) are made ahead


class BulbLights:
    def __init__(self):
        self.key = None
        self.sprites: dict = {}    # (kind, layer, level ‰, winner) -> sprite
        self._pieces: dict = {}    # the same keys -> the sprite's lit pieces (sprites.light_pieces)
        self._placed: dict = {}    # (those keys, x, y) -> its pieces placed there; PLACED_CAP at most

    def configure(self, view) -> None:
        """Keep the sprites if nothing they depend on changed; else start a new set and make its big ones."""
        s, p, L = view.scene.settings, view.palette, view.layout
        key = (L.size, L.composition, L.hidden, len(view.layout_columns), L.input_radius, L.hidden_radius,
               L.output_radius, tuple(p.neuron.glow), tuple(p.neuron.body), tuple(p.neuron.halo), s.glow,
               p.effects.glow_strength, view.sprites.falloff)
        if key == self.key:
            return
        self.key = key
        self.sprites, self._pieces, self._placed = {}, {}, {}
        self.make_ahead(view)

    def make_ahead(self, view) -> None:
        """Every sprite of the hidden and output layers at least AHEAD_SIDE wide, with its pieces."""
        L, last = view.layout, len(view.layout_columns) - 1
        for layer in range(1, last + 1):
            output = layer == last
            levels = OUTPUT_LIGHT_LEVELS if output else LIGHT_LEVELS
            radius = L.output_radius if output else L.hidden_radius
            for k in range(1, levels + 1):
                # An output that is not the winner has p ≤ 0.5: its bloom never passes half the levels.
                wanted = [("glow", False) if not output or 2 * k <= levels else None,
                          ("halo", False) if k > HALO_FLOOR * levels else None,
                          ("core", False) if k > CORE_FLOOR * levels else None,
                          ("glow", True) if output else None]
                for kind, winner in filter(None, wanted):
                    if 2 * max(r for r, *_ in self._parts(view, kind, radius, k / levels, winner, output)) + 1 \
                            >= AHEAD_SIDE:
                        self._pieces_of(view, kind, layer, radius, k / levels, winner, output)

    def light(self, view, x: float, y: float, kind: str, layer: int, radius: float, level: float,
              winner: bool = False, output: bool = False) -> list:
        """The blits that add the sprite centred on (x, y): its lit pieces (the same pixels, less work)."""
        key = (kind, layer, round(level * 1000), winner, int(x), int(y))
        blits = self._placed.get(key)
        if blits is None:    # the bulbs never move: the placed pieces are kept (a few per bulb and level)
            pieces, half = self._pieces_of(view, kind, layer, radius, level, winner, output)
            left, top = int(x) - half, int(y) - half
            if len(self._placed) >= PLACED_CAP:
                self._placed.clear()
            blits = self._placed[key] = [(piece, (left + dx, top + dy)) for piece, (dx, dy) in pieces]
        return blits

    def _pieces_of(self, view, kind, layer, radius, level, winner, output) -> tuple[list, int]:
        key = (kind, layer, round(level * 1000), winner)
        entry = self._pieces.get(key)
        if entry is None:
            sprite = self.sprite(view, kind, layer, radius, level, winner, output)
            entry = self._pieces[key] = (light_pieces(sprite), sprite.get_width() // 2)
        return entry

    def sprite(self, view, kind: str, layer: int, radius: float, level: float, winner: bool = False,
               output: bool = False) -> pygame.Surface:
        """One cached sprite of a bulb's light at a quantised level: glow: a coloured bloom whose radius grows with
        the activation, a tight inner glow and, for the winning output, its blaze, summed; core: the white-hot
        centre; halo: the gradient's light."""
        key = (kind, layer, round(level * 1000), winner)
        sprite = self.sprites.get(key)
        if sprite is None:
            parts = [SpriteCache.make(*part) for part in self._parts(view, kind, radius, level, winner, output)]
            if len(parts) == 1:
                sprite = parts[0]
            else:
                side = max(part.get_width() for part in parts)
                sprite = pygame.Surface((side, side))
                for part in parts:
                    offset = (side - part.get_width()) // 2
                    sprite.blit(part, (offset, offset), special_flags=pygame.BLEND_RGB_ADD)
            self.sprites[key] = sprite
        return sprite

    @staticmethod
    def _parts(view, kind, radius, level, winner, output) -> list[tuple]:
        """The radial parts of a sprite, as SpriteCache.make's arguments (radius px, colour, falloff, core)."""
        p, falloff = view.palette, view.sprites.falloff
        glow = view.scene.settings.glow / 1.5 * p.effects.glow_strength
        if kind == "core":
            return [(quantise_radius(radius * 1.05), quantise_colour(p.neuron.body, level), 3.0, 0.9)]
        if kind == "halo":
            spread = 1.8 if output else 3.0          # the big output bulbs' halos stay clear of their words
            return [(quantise_radius(radius * (1.9 + spread * level) * glow),
                     quantise_colour(p.neuron.halo, min(1.0, 0.15 + level)), falloff, 0.0)]
        hot = mix(p.neuron.glow, p.neuron.body, 0.55)
        parts = [(quantise_radius(radius * (1.6 + 2.8 * level) * glow),
                  quantise_colour(p.neuron.glow, min(1.0, 0.25 + 0.85 * level)), falloff, 0.0),
                 (quantise_radius(radius * 2.2), quantise_colour(hot, 0.8 * level), falloff, 0.0)]
        if winner:   # the answer blazes
            parts.append((quantise_radius(radius * (2.5 + 3.5 * level) * glow), quantise_colour(hot, 0.55 * level),
                          falloff, 0.0))
        return parts

