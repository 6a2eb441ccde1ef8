"""The chart pieces every exhibit's panels draw with: a framed panel with its title and legend, and a polyline that
is the same from frame to frame. Sizes come from the design stage and its type scale (typescale.py), colours from
the theme's chart section. Drawing only."""
from __future__ import annotations

import pygame

from illumination.core.draw.typescale import LABEL


def chart_frame(surface: pygame.Surface, stage, palette, text, rect: pygame.Rect, title: str,
                legend=()) -> pygame.Rect:
    """A panel with a title and a legend of (text, colour) right-aligned on the title's line (on a line of its own
    below it when the title leaves no room); returns the plot area inside. stage: a DesignStage (u, type)."""
    pygame.draw.rect(surface, palette.chart.panel, rect, border_radius=int(stage.u(6)))
    pygame.draw.rect(surface, palette.chart.panel_border, rect, 1, border_radius=int(stage.u(6)))
    size, gap = stage.type(LABEL), stage.u(12)
    title_rect = text.blit(surface, title, (rect.x + stage.u(10), rect.y + stage.u(8)), size, palette.text.secondary,
                           bold=True)
    widths = [text.size(words, size)[0] for words, _ in legend]
    needed = sum(widths) + gap * len(widths)
    right, y = rect.right - stage.u(10), title_rect.y
    if legend and title_rect.right + needed > right:      # no room beside the title: a line of its own
        y = title_rect.bottom + stage.u(4)
    bottom = title_rect.bottom
    for (words, colour), width in zip(reversed(legend), reversed(widths)):
        bottom = max(bottom, text.blit(surface, words, (right, y), size, colour, anchor="topright").bottom)
        right -= width + gap
    top = bottom + stage.u(8)
    return pygame.Rect(rect.x + stage.u(10), top, rect.width - stage.u(20), rect.bottom - stage.u(10) - top)


def polyline(surface: pygame.Surface, colour, points: list, width: int) -> None:
    """An antialiased line through points (≥ 2), drawn `width` pixels thick."""
    if len(points) < 2:
        return
    if len(points) == 2:
        # pygame-ce's aalines reads past its buffer for exactly two points (src_c/draw.c, 2.5.x), so the same chart
        # could differ by a pixel from frame to frame; aaline draws that one segment exactly.
        pygame.draw.aaline(surface, colour, points[0], points[1])
    else:
        pygame.draw.aalines(surface, colour, False, points)
    pygame.draw.lines(surface, colour, False, points, max(1, int(width)))
