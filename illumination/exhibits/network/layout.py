"""Where everything goes, in relative units: a 1600x900 design stage fitted to any window, in two compositions.

- explain: the annotated layout (test samples and live math on the left, the network in the middle, charts on
  the right, a footer); the window's default.
- gallery: the wall's. The network fills the stage, the current sample is the big 8x8 input on the left, a few
  large words come and go with the phases, and the test samples are a quiet strip along the bottom.

The stage keeps its 16:9 proportions and is centred (with the background filling the rest), so 1280x720,
3840x2160, 4:3 and ultra-wide screens all look composed and nothing is ever clipped. One exception: in a
landscape window narrower than 16:9 the explain stage grows up to EXPLAIN_EXTRA_HEIGHT units taller, and the
live math's box and the footer take that room (the math's lines wrap rather than being cut).

Type: one scale for every exhibit, from the stage size. Step k is TYPE_BASE·1.25^k design units (an em), and no
text is ever drawn below TYPE_FLOOR_PX pixels, so a 1280x720 stage (0.8 px per unit) still reads.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

# The design stage and the type scale are every exhibit's (core/draw/typescale.py); re-exported for the panels.
from illumination.core.draw.typescale import (BODY, DESIGN_H, DESIGN_W, DISPLAY, HEADLINE, HERO, LABEL,  # noqa: F401
                                              SUBTITLE, TITLE, TYPE_FLOOR_PX, DesignStage)

EXPLAIN_EXTRA_HEIGHT = 160.0   # design units an explain stage may grow below in a window narrower than 16:9


@dataclass(frozen=True)
class NetworkLayout(DesignStage):
    """The shared design stage (px, u, type, rect: core/draw/typescale.py) and where the network's parts go on it."""
    hidden: int
    composition: str
    inputs: np.ndarray           # (64, 2) pixel centres of the input bulbs (row-major 8x8)
    hiddens: np.ndarray          # (H, 2) the (first) hidden layer
    outputs: np.ndarray          # (2, 2)
    input_radius: float
    hidden_radius: float
    output_radius: float
    tile_size: float             # side of a receptive-field tile (0: none drawn)
    grid_origin: tuple[float, float]   # the test samples: top-left of the first tile
    grid_tile: float
    grid_pitch: tuple[float, float]
    grid_columns: int
    math_rect: pygame.Rect       # empty in the gallery composition
    metrics_rect: pygame.Rect    # empty in the gallery composition
    network_rect: pygame.Rect    # the area the synapses and particles live in
    portrait: bool = False       # a stage taller than wide: the network on top, the panels stacked below it
    centre_x: float = 860.0      # design x of the header's phase title and of the footer
    phase_y: float = 30.0        # design y of the header's phase title
    labels_y: float = 840.0      # design y (bottom) of the layer labels
    caption_y: float = 880.0     # design y (bottom) of the footer
    hiddens2: np.ndarray | None = None   # (H, 2) the second hidden layer's column (None: one hidden layer)

    @property
    def gallery(self) -> bool:
        return self.composition == "gallery"


# With a second hidden layer the columns move apart: design x of (the input grid's centre, hidden 1, hidden 2,
# the outputs) per composition (landscape, portrait).
TWO_LAYER_COLUMNS = {("explain", False): (570.0, 775.0, 965.0, 1120.0), ("gallery", False): (330.0, 700.0, 960.0, 1210.0),
                     ("explain", True): (180.0, 420.0, 590.0, 750.0), ("gallery", True): (210.0, 480.0, 640.0, 790.0)}


def network_layout(size: tuple[int, int], hidden: int, composition: str = "explain",
                   hidden_layers: int = 1) -> NetworkLayout:
    width, height = size
    portrait = width < height
    gallery = composition == "gallery"
    design_w, design_h = (DESIGN_H, DESIGN_W) if portrait else (DESIGN_W, DESIGN_H)
    scale = min(width / design_w, height / design_h)
    # A landscape window narrower than 16:9 (a window beside its panel: 940x720, 1026x768) leaves height unused;
    # the explain stage takes some of it below, for the live math (its box grows) and the footer (moves down).
    taller = 0.0 if portrait or gallery else min(max(height / scale - design_h, 0.0), EXPLAIN_EXTRA_HEIGHT)
    design_h += taller
    origin = ((width - design_w * scale) / 2.0, (height - design_h * scale) / 2.0)

    def px(x, y):
        return origin[0] + x * scale, origin[1] + y * scale

    def box(x, y, w, h):
        left, top = px(x, y)
        return pygame.Rect(int(left), int(top), int(w * scale), int(h * scale))

    # design units: input grid centre and pitch, hidden column x and span, output x and spread, bulb radii
    extra = {}
    if portrait and gallery:
        cx, cy, pitch_in, r_in = 220.0, 560.0, 38.0, 13.0
        hidden_x, top, bottom, r_hidden_max = 560.0, 250.0, 900.0, 15.0
        out_x, out_dy, r_out = 770.0, 170.0, 32.0
        net_box = (60, 200, 780, 760)
    elif portrait:
        cx, cy, pitch_in, r_in = 190.0, 500.0, 25.0, 7.0
        hidden_x, top, bottom, r_hidden_max = 520.0, 230.0, 790.0, 11.0
        out_x, out_dy, r_out = 730.0, 80.0, 19.0
        net_box = (70, 200, 760, 620)
        extra = dict(centre_x=450.0, phase_y=110.0, labels_y=850.0, caption_y=910.0)
    elif gallery:
        cx, cy, pitch_in, r_in = 330.0, 440.0, 46.0, 15.0
        hidden_x, top, bottom, r_hidden_max = 860.0, 90.0, 790.0, 17.0
        out_x, out_dy, r_out = 1210.0, 150.0, 38.0
        net_box = (170, 50, 1150, 790)
    else:
        cx, cy, pitch_in, r_in = 600.0, 460.0, 25.0, 7.0
        # The column ends high enough that the last neuron's gradient ring and spokes (3.2 radii) stay clear of
        # the layer label under it (labels_y), even at the type floor of a small window.
        hidden_x, top, bottom, r_hidden_max = 930.0, 140.0, 775.0, 11.0
        out_x, out_dy, r_out = 1100.0, 80.0, 19.0
        net_box = (480, 110, 670, 730)
    hidden2_x = None
    if hidden_layers == 2:
        cx, hidden_x, hidden2_x, out_x = TWO_LAYER_COLUMNS[("gallery" if gallery else "explain", portrait)]
    rows, cols = np.divmod(np.arange(64), 8)
    inputs = np.array([px(cx + (c - 3.5) * pitch_in, cy + (r - 3.5) * pitch_in) for r, c in zip(rows, cols)])
    pitch_h = (bottom - top) / max(hidden - 1, 1)
    ys = [top + k * pitch_h for k in range(hidden)] if hidden > 1 else [cy]
    hiddens = np.array([px(hidden_x, y) for y in ys])
    hiddens2 = None if hidden2_x is None else np.array([px(hidden2_x, y) for y in ys])
    outputs = np.array([px(out_x, cy - out_dy), px(out_x, cy + out_dy)])
    hidden_radius = min(r_hidden_max, pitch_h * (0.36 if gallery else 0.3))
    if portrait and gallery:   # the test samples as two quiet rows under the network
        grid_origin, grid_tile, grid_pitch, columns = px(90, 1060), 52.0, (74.0, 74.0), 10
    elif gallery:   # a quiet strip of the 20 test samples along the bottom, right of the words
        grid_origin, grid_tile, grid_pitch, columns = px(640, 832), 30.0, (44.0, 0.0), 20
    elif portrait:  # the 5x4 grid under the network, left; the math below it, the charts on the right
        grid_origin, grid_tile, grid_pitch, columns = px(40, 1000), 52.0, (68.0, 84.0), 5
    else:         # a 5x4 grid, top left
        grid_origin, grid_tile, grid_pitch, columns = px(40, 132), 52.0, (68.0, 84.0), 5
    if portrait:
        math_box, metrics_box = (40, 1372, 400, 216), (480, 960, 380, 610)
    else:
        math_box, metrics_box = (40, 492, 400, 330 + taller), (1215, 110, 345, 712)
        if taller:
            extra = dict(caption_y=880.0 + taller)
    return NetworkLayout(
        size=size, hidden=hidden, composition=composition, scale=scale, origin=origin,
        inputs=inputs, hiddens=hiddens, outputs=outputs,
        input_radius=r_in * scale, hidden_radius=hidden_radius * scale, output_radius=r_out * scale,
        tile_size=0.0 if gallery else min(34.0, pitch_h * 0.78) * scale,
        grid_origin=grid_origin, grid_tile=grid_tile * scale, grid_pitch=(grid_pitch[0] * scale, grid_pitch[1] * scale),
        grid_columns=columns,
        math_rect=pygame.Rect(0, 0, 0, 0) if gallery else box(*math_box),
        metrics_rect=pygame.Rect(0, 0, 0, 0) if gallery else box(*metrics_box),
        network_rect=box(*net_box),
        portrait=portrait, design=(design_w, design_h), hiddens2=hiddens2, **extra,
    )
