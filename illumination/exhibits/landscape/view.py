"""Drawing the Landscape exhibit, in two compositions of the same numbers (the `composition` setting):

- explain: a stage on the left (the 3D surface, the map from above, the 1D valley or the real network's loss plane,
  by the `view` setting) and a panel on the right: what runs, the numbers of ball 1, the ensemble's count and its
  height histogram against Boltzmann's law, plots of loss and temperature, the valley's table of losses, the
  network's path through weight space;
- gallery: the stage fills the frame and a few large words follow the physics (gallery.py, story.py).

Every pixel is a number: heights are the surface's relief level of L, a ball's light is where it is, the trail's
colour the temperature of that step, the histogram bars the balls' own heights and its line exp(−L/T) on the
surface at the current T. What draw may change, all of it the view's own: the stages' cached layers, the text
and sprite caches. A light theme draws in inverted colours and inverts the frame (core/draw/invert.py).
"""
from __future__ import annotations

import numpy as np
import pygame

from illumination.core.draw.background import make_background
from illumination.core.draw.invert import FrameInverter
from illumination.core.draw.sprites import SpriteCache
from illumination.core.draw.text import TextCache
from illumination.core.draw.typescale import DesignStage
from illumination.core.scene import View
from illumination.exhibits.landscape import gallery, panel
from illumination.exhibits.landscape.netslice import NetworkStage
from illumination.exhibits.landscape.perspective import PerspectiveStage
from illumination.exhibits.landscape.topdown import MapStage
from illumination.exhibits.landscape.valley import ValleyStage
from physics.descent import height_histogram

HISTOGRAM_EVERY = 10
STAGES = {"3d": PerspectiveStage, "map": MapStage, "valley": ValleyStage, "network": NetworkStage}


class LandscapeView(View):
    def __init__(self, scene, size, theme):
        super().__init__(scene, size, theme)
        self.palette = theme.emission_palette()
        p = self.palette
        w, h = self.size
        self.design = DesignStage.fit(self.size)                   # the shared stage and type scale
        self.unit = self.design.scale                              # pixels per design unit
        self.background = make_background(self.size, p.background.top, p.background.bottom, p.background.vignette)
        self.text = TextCache()                # sizes are ems in pixels, from the shared type scale
        self.sprites = SpriteCache()
        self._inverter = FrameInverter(self.size, theme)
        self._histogram_key = None
        self._histogram = None
        self._compose()

    def _compose(self) -> None:
        """Where the stage and the panel go, for the composition the settings name now. A cache like the stages:
        redone (the stages built anew) when the composition changes under a living view."""
        w, h = self.size
        self.gallery = self.scene.settings.composition == "gallery"
        u = self.design.u
        self._stages: dict = {}
        if self.gallery:
            self.stage_area, self.panel_rect = pygame.Rect(0, 0, w, h), pygame.Rect(0, 0, 0, 0)
        elif self.design.portrait:     # explain, portrait: the stage on top, the panel under it
            self.stage_area = pygame.Rect(0, 0, w, int(h * 0.5))
            self.panel_rect = pygame.Rect(int(u(40)), int(h * 0.5) + int(u(16)), w - int(u(80)),
                                          h - int(h * 0.5) - int(u(56)))
        else:                          # explain: the stage on the left, the panel on the right
            self.stage_area = pygame.Rect(0, 0, int(w * 0.6), h)
            self.panel_rect = pygame.Rect(int(w * 0.6) + int(u(24)), int(u(48)), 0, 0)
            self.panel_rect.width = w - self.panel_rect.x - int(u(40))
            self.panel_rect.height = h - self.panel_rect.y - int(u(40))

    @property
    def stage(self):
        """The stage of the current `view` setting (built on first use, kept while the view and its composition
        live)."""
        if self.gallery != (self.scene.settings.composition == "gallery"):
            self._compose()
        name = self.scene.settings.view
        if name not in self._stages:
            self._stages[name] = STAGES[name](self, self.stage_area)
        return self._stages[name]

    def draw(self, target: pygame.Surface) -> None:
        stage = self.stage
        if stage.paints is None:                       # the stage paints none of the frame's background
            target.blit(self.background, (0, 0))
        else:                                          # only the parts it does not paint (beside it, under it)
            for outside in _around(stage.paints, self.size):
                target.blit(self.background, outside, outside)
        stage.draw(target)
        if self.gallery:
            gallery.draw_words(self, target)
        else:
            panel.draw_panel(self, target)
        self._inverter.invert(target)

    def handle_event(self, event) -> bool:
        return self.stage.handle_event(event)

    def surface_point(self, pos) -> tuple[float, float] | None:
        """The surface point (x, z) drawn under the screen position pos, or None (off the surface, or a view
        that draws no surface to touch: the valley's line, the real network's plane)."""
        finder = getattr(self.stage, "surface_point", None)
        return None if finder is None else finder(pos)

    def histogram(self, temperature: float):
        """(edges (B+1,), the live balls' density (B,), Boltzmann's (B,)) over heights from L* to the 95th percentile
        of the balls' heights. Measured anew every HISTOGRAM_EVERY steps (a histogram of 10,000 balls does not
        change visibly in fewer, and Boltzmann's reference costs ~6 ms)."""
        scene = self.scene
        key = (scene.run, scene.balls.step_count // HISTOGRAM_EVERY, temperature, scene.surface.name)
        if key != self._histogram_key:
            heights = scene.balls.losses()[~scene.balls.exploded]       # live balls only
            if heights.size == 0:
                return None
            lowest = scene.surface.global_minimum[2]
            top = float(np.percentile(heights, 95))
            edges = np.linspace(lowest, max(top, lowest + 1e-6), panel.HISTOGRAM_BINS + 1)
            self._histogram_key = key
            self._histogram = (edges, *height_histogram(scene.surface, heights, temperature, edges))
        return self._histogram


def _around(inner: pygame.Rect, size: tuple[int, int]) -> list[pygame.Rect]:
    """The frame of `size` minus `inner`, as up to four rectangles: above, below, left and right of it."""
    w, h = size
    parts = [pygame.Rect(0, 0, w, inner.top), pygame.Rect(0, inner.bottom, w, h - inner.bottom),
             pygame.Rect(0, inner.top, inner.left, inner.height),
             pygame.Rect(inner.right, inner.top, w - inner.right, inner.height)]
    return [part for part in parts if part.width > 0 and part.height > 0]
