"""What the kiosk draws over an exhibit: the visitor's explanation, its colours, the exit-hold progress line."""
from __future__ import annotations

import pygame

def colours_of(theme) -> dict:
    try:
        return {"band": theme.background.bottom, "text": theme.text.primary, "muted": theme.text.secondary,
                "accent": theme.text.accent}
    except AttributeError:
        return {"band": (8, 10, 18), "text": (228, 235, 247), "muted": (127, 140, 168), "accent": (255, 200, 107)}


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.size(trial)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def draw_exit_progress(surface: pygame.Surface, progress: float) -> None:
    """While Esc is held: a thin line grows along the top edge, so the technician knows it is working."""
    width = surface.get_width()
    pygame.draw.rect(surface, (200, 200, 200), (0, 0, round(width * min(progress, 1.0)), 3))


def explanation_panel(font, about: tuple, theme, width: int, height: int) -> pygame.Surface:
    """The visitor overlay's panel: the exhibit's about-text (a title and short paragraphs). font(px) -> Font."""
    title, lines = about
    colours = colours_of(theme)
    body, heading = font(height // 26), font(height // 16)
    inner = int(width * 0.56)
    rows = [(heading.render(title, True, colours["accent"]), heading.get_linesize() // 2)]
    for paragraph in lines:
        for line in wrap(body, paragraph, inner):
            rows.append((body.render(line, True, colours["text"]), 0))
        rows[-1] = (rows[-1][0], body.get_linesize() // 2)
    pad = height // 24
    panel = pygame.Surface((inner + 2 * pad, sum(r.get_height() + gap for r, gap in rows) + 2 * pad))
    panel.fill(colours["band"])
    pygame.draw.rect(panel, colours["muted"], panel.get_rect(), max(1, height // 400))
    y = pad
    for row, gap in rows:
        panel.blit(row, (pad, y))
        y += row.get_height() + gap
    return panel
