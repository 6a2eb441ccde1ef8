"""What the kiosk draws over an exhibit: the held item's caption, the visitor's explanation, the exit-hold line.

Text is the piece's own: Noto Sans through TextCache, on the exhibits' design stage (1600x900 units fitted to the
screen, 900x1600 in portrait) and type scale, never under the 13 px em floor. The caption has a place of its
own: the stage's top margin, above every gallery composition's top words (they start at 48 units), so it never
lies over the composition's words or its test-sample strip. An explain composition has no free band, and its
own header and footer already say what the caption would (trained, the epoch, the seed, the accuracy): there the
kiosk draws no caption.
"""
from __future__ import annotations

import pygame

from illumination.core.draw.text import TextCache

DESIGN_W, DESIGN_H = 1600.0, 900.0   # the exhibits' design stage (core/draw/typescale.py, network/layout.py)
TYPE_FLOOR_PX = 13                   # the README's floor: no text under a 13 px em
BODY_EM, SUBTITLE_EM, HEADLINE_EM = 16.5 * 1.25, 16.5 * 1.25 ** 2, 16.5 * 1.25 ** 4   # the type scale, units
MARGIN_X = 60.0                      # design units: the compositions' side margin
CAPTION_INK_Y = 24.0                 # design units: the middle of the caption's ink (the top words start at 48)
SEPARATOR = "   ·   "                # between a caption's parts (seed · what it shows · …)


def colours_of(theme) -> dict:
    try:
        return {"band": theme.background.bottom, "text": theme.text.primary, "muted": theme.text.secondary,
                "accent": theme.text.accent}
    except AttributeError:
        return {"band": (8, 10, 18), "text": (228, 235, 247), "muted": (127, 140, 168), "accent": (255, 200, 107)}


def stage(size: tuple[int, int]) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """(pixels per design unit, the stage's top-left pixel, the stage in design units), as the exhibits fit it."""
    width, height = size
    design = (DESIGN_H, DESIGN_W) if width < height else (DESIGN_W, DESIGN_H)
    scale = min(width / design[0], height / design[1])
    return scale, ((width - design[0] * scale) / 2.0, (height - design[1] * scale) / 2.0), design


def em_px(units: float, scale: float) -> int:
    return max(TYPE_FLOOR_PX, int(round(units * scale)))


def has_caption_band(settings) -> bool:
    """Whether the item's composition leaves the top margin free for the caption (every one but explain)."""
    return getattr(settings, "composition", "gallery") != "explain"


def caption_layout(text: TextCache, caption: str, size: tuple[int, int]) -> tuple[str, int, tuple[int, int]]:
    """(the words, their em, the midtop pixel to blit them at): centred in the stage's top margin, as large as
    the BODY step, smaller (never under the floor) to fit between the side margins; trailing parts are dropped
    if even the floor is too wide."""
    scale, (ox, oy), design = stage(size)
    room = (design[0] - 2 * MARGIN_X) * scale
    parts = caption.split(SEPARATOR)
    em = em_px(BODY_EM, scale)
    while True:
        words = SEPARATOR.join(parts)
        width = text.size(words, em)[0]
        if width <= room or (em == TYPE_FLOOR_PX and len(parts) == 1):
            break
        if em > TYPE_FLOOR_PX:
            em = max(TYPE_FLOOR_PX, min(em - 1, int(em * room / width)))
        else:
            parts.pop()
    ink = text.render(words, em, (255, 255, 255)).get_bounding_rect(min_alpha=8)
    centre_x, ink_y = ox + design[0] * scale / 2.0, oy + CAPTION_INK_Y * scale
    return words, em, (int(round(centre_x)), int(round(ink_y - ink.centery)))


def draw_exit_progress(surface: pygame.Surface, progress: float) -> None:
    """While Esc is held: a thin line grows along the top edge, so the technician knows it is working."""
    width = surface.get_width()
    pygame.draw.rect(surface, (200, 200, 200), (0, 0, round(width * min(progress, 1.0)), 3))


def wrap(measure, text: str, width: int) -> list[str]:
    """text in lines no wider than width; measure(words) -> their width in pixels."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and measure(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def explanation_panel(text: TextCache, about: tuple, theme, size: tuple[int, int]) -> pygame.Surface:
    """The visitor overlay's panel: the exhibit's about-text (a title and short paragraphs), in the type scale's
    HEADLINE and SUBTITLE steps."""
    title, paragraphs = about
    colours = colours_of(theme)
    scale, _, design = stage(size)
    body, heading = em_px(SUBTITLE_EM, scale), em_px(HEADLINE_EM, scale)
    inner = int(design[0] * scale * (0.56 if design[0] > design[1] else 0.8))
    line_height = text.size("Hg", body)[1]
    rows = [(title, heading, colours["accent"], True, text.size("Hg", heading)[1] // 2)]
    for paragraph in paragraphs:
        for line in wrap(lambda words: text.size(words, body)[0], paragraph, inner):
            rows.append((line, body, colours["text"], False, 0))
        rows[-1] = rows[-1][:4] + (line_height // 2,)
    pad = int(round(24 * scale))
    height = sum(text.size(words, em, bold)[1] + gap for words, em, _, bold, gap in rows)
    panel = pygame.Surface((inner + 2 * pad, height + 2 * pad))
    panel.fill(colours["band"])
    pygame.draw.rect(panel, colours["muted"], panel.get_rect(), max(1, round(scale * 1.5)))
    y = pad
    for words, em, colour, bold, gap in rows:
        y = text.blit(panel, words, (pad, y), em, colour, bold=bold).bottom + gap
    return panel
