"""The design stage and the type scale every exhibit draws with: one vocabulary for sizes.

A 1600x900 design stage (900x1600 in portrait) is fitted to any frame and centred (letterboxed), so positions are
written once in design units and every screen looks composed. Type is one scale from the stage size: step k is
TYPE_BASE·1.25^k design units (an em), and no text is ever drawn below TYPE_FLOOR_PX pixels, so a 1280x720 stage
(0.8 px per unit) still reads and a 3840x2160 wall reads from three metres.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame

DESIGN_W, DESIGN_H = 1600.0, 900.0
TYPE_BASE = 16.5          # design units: the em of step 0 (labels)
TYPE_RATIO = 1.25
TYPE_FLOOR_PX = 13        # an em of 13 px: capitals to descenders ~12 px tall
LABEL, BODY, SUBTITLE, TITLE, HEADLINE, DISPLAY, HERO = range(7)


def type_em(step: int, scale: float) -> int:
    """The em, in pixels, of the type scale's step (LABEL … HERO) at `scale` pixels per design unit."""
    return max(TYPE_FLOOR_PX, int(round(TYPE_BASE * TYPE_RATIO ** step * scale)))


@dataclass(frozen=True)
class DesignStage:
    size: tuple[int, int]              # the frame, pixels
    scale: float                       # pixels per design unit
    origin: tuple[float, float]        # pixel position of the design stage's top-left corner
    design: tuple[float, float]        # the stage in design units: (1600, 900), or (900, 1600) in portrait

    @classmethod
    def fit(cls, size: tuple[int, int]) -> "DesignStage":
        width, height = size
        design = (DESIGN_H, DESIGN_W) if width < height else (DESIGN_W, DESIGN_H)
        scale = min(width / design[0], height / design[1])
        return cls(tuple(size), scale, ((width - design[0] * scale) / 2.0, (height - design[1] * scale) / 2.0),
                   design)

    @property
    def portrait(self) -> bool:
        return self.design[0] < self.design[1]

    def px(self, x: float, y: float) -> tuple[float, float]:
        return self.origin[0] + x * self.scale, self.origin[1] + y * self.scale

    def u(self, units: float) -> float:
        """A length in design units, in pixels."""
        return units * self.scale

    def type(self, step: int) -> int:
        return type_em(step, self.scale)

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        left, top = self.px(x, y)
        return pygame.Rect(int(round(left)), int(round(top)), int(round(w * self.scale)), int(round(h * self.scale)))
