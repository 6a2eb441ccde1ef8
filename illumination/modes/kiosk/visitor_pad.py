"""The visitor's turn on the wall: draw a shape on a pad made for a finger, watch the live network judge it, teach it.

In a playlist with `interactive = true` and `draw = true`, a touch on an item whose exhibit offers a pad (the
Network's: its controls' make_pad, pad_apply, pad_verdict, pad_teach) opens this screen. The pad takes the stage's
full height (each of its 8x8 cells is at least 40 px at 1920x1080), the exhibit goes on in its gallery composition
beside it (below it in portrait) with the drawing flowing through it, the verdict is written in large words, and
two large buttons teach the network the drawing with the visitor's label. The shapes taught so far are shown with
the network's confidence in their labels, climbing epoch by epoch as it trains on them. The screen closes after
`draw_seconds` without a touch. Everything the exhibit knows comes through its controls: this module never reaches
into a scene.
"""
from __future__ import annotations

import numpy as np
import pygame

from illumination.core.draw.text import TextCache
from illumination.modes.kiosk.overlay import colours_of

MARGIN = 0.04            # of the screen's short side
MIN_CELL_PX = 40         # a finger's cell at 1920x1080 and up (tests/modes/kiosk/test_visitor_pad.py)
SIDE = 8
MAX_SESSION_S = 600.0    # however often a visitor touches it, the pad closes after ten minutes: the loop goes on


class PadLayout:
    """Where everything goes on a screen of `size` (landscape: the pad left, the rest right; portrait: stacked)."""

    def __init__(self, size: tuple[int, int]):
        width, height = size
        margin = max(8, round(min(width, height) * MARGIN))
        self.margin = margin
        if width >= height:
            side = height - 2 * margin
            self.pad = pygame.Rect(margin, margin, side, side)
            left, column = self.pad.right + margin, width - self.pad.right - 2 * margin
            self.show = pygame.Rect(left, margin, column, round(height * 0.5))
        else:
            side = width - 2 * margin
            self.pad = pygame.Rect(margin, margin, side, side)
            left, column = margin, width - 2 * margin
            self.show = pygame.Rect(left, self.pad.bottom + margin, column, round(height * 0.2))
        top = self.show.bottom + margin
        rest = height - margin - top
        self.verdict = pygame.Rect(left, top, column, round(rest * 0.18))
        self.strip = pygame.Rect(left, self.verdict.bottom, column, round(rest * 0.38))
        gap = margin // 2
        button_height = round(rest * 0.25)
        half = (column - gap) // 2
        self.buttons = (pygame.Rect(left, self.strip.bottom, half, button_height),
                        pygame.Rect(left + half + gap, self.strip.bottom, column - half - gap, button_height))
        footer_top = self.buttons[0].bottom + gap
        footer_height = max(height - margin - footer_top, 1)
        clear_width = max(column // 5, 1)
        self.clear = pygame.Rect(left + column - clear_width, footer_top, clear_width, footer_height)
        self.footer = pygame.Rect(left, footer_top, column - clear_width - gap, footer_height)

    @property
    def cell(self) -> float:
        return self.pad.width / SIDE


class VisitorPad:
    """One visitor's session with one item's scene (through its exhibit's controls)."""

    def __init__(self, controls, theme, size: tuple[int, int], draw_seconds: float, teach_limit: int, log):
        self.controls, self.size = controls, tuple(size)
        self.colours = colours_of(theme)
        self.layout = PadLayout(self.size)
        self.pad = controls.make_pad()
        self.draw_seconds, self.teach_limit, self.log = float(draw_seconds), int(teach_limit), log
        self.idle = self.age = 0.0
        self.message, self.message_left = "", 0.0
        self.text = TextCache(max_entries=48)
        self.taught_here = 0

    @property
    def open(self) -> bool:
        return self.idle < self.draw_seconds and self.age < MAX_SESSION_S

    # -- visitors ------------------------------------------------------------------------------------
    def handle_event(self, event, scene) -> bool:
        """A touch or click anywhere is the visitor's (True): on the pad it draws, on a button it teaches."""
        kind = event.type
        if kind not in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION,
                        pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            return False
        self.idle = 0.0
        if kind in (pygame.MOUSEBUTTONDOWN, pygame.FINGERDOWN) and not getattr(event, "touch", False):
            position = touch_position(event, self.size)
            for label, rect in enumerate(self.layout.buttons[:len(self.controls.pad_labels)]):
                if rect.collidepoint(position):
                    self._teach(scene, label)
                    return True
            if self.layout.clear.collidepoint(position):
                if self.pad.clear():
                    self.controls.pad_apply(scene, None)
                return True
        taken, changed = self.pad.handle_event(event, self.layout.pad, self.size)
        if changed:
            self.controls.pad_apply(scene, None if self.pad.empty else self.pad.image)
        return True

    def _teach(self, scene, label: int) -> None:
        entry, message = self.controls.pad_teach(scene, label, self.teach_limit)
        self.message, self.message_left = message, 6.0
        if entry is not None:
            self.taught_here += 1
            self.log.info("taught: %s", entry)    # replayable: a scene file's `taught = [...]` entry

    def update(self, dt: float) -> bool:
        """Time passes; False once the pad has waited draw_seconds without a touch, or has been open MAX_SESSION_S
        (the kiosk then closes it)."""
        self.idle += max(0.0, dt)
        self.age += max(0.0, dt)
        self.message_left = max(0.0, self.message_left - dt)
        return self.open

    def close(self, scene) -> None:
        self.pad.clear()
        self.controls.pad_apply(scene, None)

    # -- drawing (reads; only the text cache changes) ------------------------------------------------
    def draw(self, surface: pygame.Surface, show) -> None:
        layout, colours = self.layout, self.colours
        surface.fill(colours["band"])
        show.draw(surface.subsurface(layout.show))
        self._draw_pad(surface)
        scene = show.scene
        verdict = self.controls.pad_verdict(scene) if not self.pad.empty else None
        em = max(13, round(layout.verdict.height * 0.42))
        words = verdict[0] if verdict else "Draw a circle or a square"
        self.text.blit(surface, words, layout.verdict.midleft, em, colours["text"], anchor="midleft", bold=True)
        self._draw_strip(surface, scene, verdict)
        for label, (rect, words) in enumerate(zip(layout.buttons, self.controls.pad_labels)):
            ready = not self.pad.empty
            pygame.draw.rect(surface, colours["accent"] if ready else colours["muted"], rect,
                             width=max(2, rect.height // 30), border_radius=rect.height // 5)
            self.text.blit(surface, words, rect.center, max(13, round(rect.height * 0.3)),
                           colours["text"] if ready else colours["muted"], anchor="center")
        small = max(13, round(layout.footer.height * 0.3))
        left = max(0.0, self.draw_seconds - self.idle)
        footer = self.message if self.message_left > 0 else f"closes in {left:.0f} s without a touch"
        for n, line in enumerate(_fit(self.text, footer, small, layout.footer.width)[:2]):
            self.text.blit(surface, line, (layout.footer.left, layout.footer.top + n * round(small * 1.3)), small,
                           colours["muted"])
        pygame.draw.rect(surface, colours["muted"], layout.clear, width=2, border_radius=layout.clear.height // 4)
        self.text.blit(surface, "Clear", layout.clear.center, small, colours["muted"], anchor="center")

    def _draw_pad(self, surface: pygame.Surface) -> None:
        rect, colours = self.layout.pad, self.colours
        cell = rect.width / SIDE
        gap = max(2, round(cell * 0.06))
        off = tuple(min(255, c + 22) for c in colours["band"])
        for row in range(SIDE):
            for col in range(SIDE):
                box = pygame.Rect(round(rect.x + col * cell) + gap, round(rect.y + row * cell) + gap,
                                  round(cell) - 2 * gap, round(cell) - 2 * gap)
                lit = self.pad.pixels[row, col] > 0
                pygame.draw.rect(surface, colours["text"] if lit else off, box, border_radius=round(cell * 0.12))

    def _draw_strip(self, surface: pygame.Surface, scene, verdict) -> None:
        """What the network sees (the drawing, centred and small), then the taught shapes with their confidence."""
        layout, colours = self.layout, self.colours
        strip = layout.strip
        size = round(strip.height * 0.62)
        em = max(13, round(strip.height * 0.11))
        seen = self.controls.pad_seen(scene) if self.controls.pad_seen else None
        x = strip.left
        if seen is not None:
            _mini(surface, seen, pygame.Rect(x, strip.top, size, size), colours["accent"], colours["band"])
            self.text.blit(surface, "what it sees", (x, strip.top + size + em // 3), em, colours["muted"])
            x += size + layout.margin
        if verdict:
            self.text.blit(surface, verdict[1], (x, strip.top), em, colours["muted"])
        taught = self.controls.pad_taught(scene) if self.controls.pad_taught else []
        small = round(size * 0.55)
        for label, image, confidence in reversed(taught):            # newest first, as far as room allows
            if x + small > strip.right:
                break
            box = pygame.Rect(x, strip.top + size - small, small, small)
            _mini(surface, image, box, colours["text"], colours["band"])
            pygame.draw.rect(surface, colours["accent"], box.inflate(6, 6), width=2)   # a visitor's own outline
            shown = "…" if confidence is None else f"{confidence * 100:.0f}%"
            self.text.blit(surface, f"{label} {shown}", (x, box.bottom + em // 3), em, colours["text"])
            x += small + layout.margin


def touch_position(event, size: tuple[int, int]) -> tuple[float, float]:
    """Where a press landed on a screen of `size`: a finger's position comes as a share of the screen."""
    if event.type == pygame.FINGERDOWN:
        return event.x * size[0], event.y * size[1]
    return event.pos


class Visiting:
    """The kiosk's side of a visitor's session (mixed into attract.Kiosk): opening the pad on the item playing,
    and closing it, whatever happens; a touch on an exhibit that answers touches (the Landscape drops a ball).
    Uses the kiosk's current, phase, playlist, size, stats, log and _pending."""

    def _touch_exhibit(self, event) -> bool:
        """A touch on the item playing, for its exhibit's `touch` (True if it did something there). A failure is
        logged and the touch explains the lights instead: a touch is never worth the item."""
        slot = self.current
        touch = slot.show.exhibit.touch if slot is not None else None
        if touch is None or self.phase not in ("play", "hold"):
            return False
        position = touch_position(event, self.size)
        try:
            said = touch(slot.show.scene, slot.show.view, position)
        except Exception as error:
            self.log.warning("a touch on %s failed: %s", slot.item.describe(), error)
            return False
        if said is None:
            return False
        slot.visited = True
        self.stats["balls_dropped"] += 1
        self.overlay_left = 0.0
        self.log.info("visitor: %s", said)
        return True

    def _open_pad(self) -> bool:
        slot = self.current
        if slot is None or self.phase not in ("play", "hold"):
            return False
        try:
            controls = slot.show.exhibit.controls() if slot.show.exhibit.controls else None
            if controls is None or controls.make_pad is None or controls.pad_teach is None:
                return False
            self.visitor = VisitorPad(controls, slot.item.theme, self.size, self.playlist.draw_seconds,
                                      self.playlist.teach_limit, self.log)
            slot.show.resize(self.visitor.layout.show.size)
        except Exception as error:
            self._visitor_failed(error)
            return False
        slot.visited = True
        self.stats["visitor_sessions"] += 1
        self.overlay_left = 0.0
        self.log.info("visitor pad opened on %s", slot.item.describe())
        return True

    def _visitor_call(self, call):
        """Run something of the pad's; whatever it raises closes the pad (logged, counted), never the kiosk."""
        try:
            return call()
        except Exception as error:
            self._visitor_failed(error)
            return True

    def _visitor_failed(self, error: BaseException) -> None:
        self.stats["exceptions_recovered"] += 1
        self.log.error("visitor pad: exception (closing it; the loop goes on)", exc_info=error)
        self._close_pad("an error")

    def _close_pad(self, why: str) -> None:
        visitor, self.visitor = self.visitor, None
        if visitor is None:
            return
        taught = visitor.taught_here
        self.stats["shapes_taught"] += taught
        slot = self.current
        try:
            if slot is not None:
                visitor.close(slot.show.scene)
                slot.show.resize(self.size)
        except Exception as error:
            if slot is not None:
                self._pending.append((slot, "resize", error))
        self.log.info("visitor pad closed (%s); %d shape(s) taught", why, taught)


def _fit(text: TextCache, words: str, em: int, width: int) -> list[str]:
    """words in lines no wider than width."""
    from illumination.modes.kiosk.overlay import wrap
    return wrap(lambda line: text.size(line, em)[0], words, width)


def _mini(surface: pygame.Surface, image, rect: pygame.Rect, on, background) -> None:
    """An 8x8 picture (64 values of 0/1) drawn as lit squares in `rect`."""
    pixels = np.asarray(image).reshape(SIDE, SIDE)
    cell = rect.width / SIDE
    pygame.draw.rect(surface, tuple(min(255, c + 12) for c in background), rect)
    for row, col in zip(*np.nonzero(pixels > 0.5)):
        pygame.draw.rect(surface, on, (round(rect.x + col * cell), round(rect.y + row * cell),
                                       max(1, round(cell) - 1), max(1, round(cell) - 1)))
