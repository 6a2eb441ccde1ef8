"""The kiosk's own text on the wall: the held item's caption has a place of its own (over none of the gallery
composition's words, nor its test-sample strip), and the caption and the touch overlay are the piece's Noto Sans
(TextCache), never under the 13 px em floor. Words are measured as the composition tests do: TextCache records
each blit's inked rectangle."""
from __future__ import annotations

import tomllib

import numpy as np
import pygame
import pytest

from illumination.exhibits.network.panels import tile_position
from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.overlay import TYPE_FLOOR_PX, caption_layout
from illumination.modes.kiosk.playlist import load_themes, parse_playlist

SIZES = [(1920, 1080), (1280, 720), (3840, 2160), (1080, 1920)]


@pytest.fixture(autouse=True)
def headless():
    from illumination.core.display import init_headless
    init_headless()


def held_kiosk(item_toml: str, size) -> Kiosk:
    """A one-item kiosk, played on the fixed clock until its item holds its final frame."""
    playlist = load_themes(parse_playlist(tomllib.loads("hold_seconds = 30\n[[item]]\n" + item_toml)))[0]
    kiosk = Kiosk(playlist, size)
    for _ in range(2000):
        if kiosk.phase == "hold":
            return kiosk
        kiosk.update(0.1)
    raise AssertionError(f"the item never finished: phase {kiosk.phase}")


def held_frames(kiosk: Kiosk, frames: int = 8, dt: float = 0.15):
    """Through the hold (the finished network keeps cycling, its phase words fading in and out), per frame:
    (what the kiosk drew over the exhibit: a mask, the caption's recorded (text, ink, em), the exhibit's words)."""
    show, size = kiosk.current.show, kiosk.size
    with_caption, alone = pygame.Surface(size), pygame.Surface(size)
    kiosk_text = getattr(kiosk, "_text", None)     # the kiosk's TextCache (None: its text is not the piece's)
    for _ in range(frames):
        if kiosk_text is not None:
            kiosk_text.record = []
        kiosk.draw(with_caption)
        show.view.text.record = []
        show.draw(alone)               # the same state, without the kiosk's caption
        drawn = (pygame.surfarray.pixels3d(with_caption) != pygame.surfarray.pixels3d(alone)).any(axis=2)
        yield drawn, list(kiosk_text.record if kiosk_text else []), [(t, ink) for t, ink, _ in show.view.text.record]
        kiosk.update(dt)


def footprint(drawn: np.ndarray) -> pygame.Rect | None:
    """The bounding rectangle of every pixel the kiosk changed, or None."""
    xs, ys = np.nonzero(drawn)
    if xs.size == 0:
        return None
    return pygame.Rect(int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))


def strip_rect(view) -> pygame.Rect:
    """The gallery's test-sample strip: its tiles with their borders and the highlight around the shown one."""
    L = view.layout
    tiles = [pygame.Rect(*map(int, tile_position(L, n)), int(L.grid_tile), int(L.grid_tile))
             for n in range(len(view.grid_tiles))]
    return tiles[0].unionall(tiles[1:]).inflate(int(2 * L.u(8)), int(2 * L.u(8)))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_held_caption_lies_over_no_gallery_word_and_not_the_strip(size):
    kiosk = held_kiosk('exhibit = "network"\nseed = 44\nepochs = 3\nsettings = { speed = 10.0 }\n', size)
    caption = kiosk.current.caption
    assert caption.startswith("seed 44") and "test accuracy" in caption
    strip = strip_rect(kiosk.current.show.view)
    words_seen = set()
    for drawn, recorded, words in held_frames(kiosk):
        area = footprint(drawn)
        assert area is not None, f"{size}: no caption drawn while the item holds"
        assert not area.colliderect(strip), f"{size}: the caption's pixels {area} cut the test-sample strip {strip}"
        for text, ink in words:
            assert not area.colliderect(ink), f"{size}: the caption's pixels {area} lie over {text!r} at {ink}"
        words_seen |= {text for text, _ in words}
        assert [text for text, _, _ in recorded] == [caption], f"{size}: the caption is not drawn by TextCache"
        (_, ink, em), = recorded
        assert area.inflate(-4, -4).clip(ink) == area.inflate(-4, -4), \
            f"{size}: the kiosk drew outside its caption's ink {ink}: {area} (a band?)"
        assert em >= TYPE_FLOOR_PX, f"{size}: caption em {em} px is under the {TYPE_FLOOR_PX} px floor"
    assert {"trained", "NEURAL ILLUMINATION"} <= words_seen, words_seen     # the words the caption must avoid
    assert any("right on shapes it never saw" in text for text in words_seen), words_seen


@pytest.mark.parametrize("size", [(1280, 720), (1080, 1920)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_held_caption_lies_over_no_word_of_the_landscape_gallery(size):
    kiosk = held_kiosk('exhibit = "landscape"\nseed = 44\nsteps = 60\nsettings = { surface = "rastrigin", '
                       'view = "map", speed = 60.0 }\n', size)
    for drawn, recorded, words in held_frames(kiosk, frames=3):
        area = footprint(drawn)
        assert area is not None, f"{size}: no caption drawn while the item holds"
        assert len(words) >= 4, words
        for text, ink in words:
            assert not area.colliderect(ink), f"{size}: the caption's pixels {area} lie over {text!r} at {ink}"
        assert [text for text, _, _ in recorded] == [kiosk.current.caption], "the caption is not drawn by TextCache"


def test_a_long_caption_fits_a_narrow_stage_at_the_floor():
    """As large as the BODY step, shrunk to fit between the side margins (60 units), never under the floor; at the
    floor, trailing parts give way."""
    from illumination.core.draw.text import TextCache
    text = TextCache()
    landscape = "seed 44   ·   the real network's landscape   ·   epoch 120, training loss 0.010"
    longer = landscape + "   ·   2,537 of 4,000 balls in the deepest basin"
    for size, caption, body_em, kept in [((1080, 1920), landscape, 25, landscape), ((1080, 1920), longer, 25, longer),
                                         ((600, 1066), landscape, 14, landscape),
                                         ((480, 854), landscape, 13, "seed 44   ·   the real network's landscape")]:
        scale = min(size[0] / 900, size[1] / 1600)
        words, em, (x, _) = caption_layout(text, caption, size)
        assert (words, x) == (kept, size[0] // 2), (size, words, x)
        assert TYPE_FLOOR_PX <= em <= body_em, (size, caption, em)
        assert text.size(words, em)[0] <= (900 - 120) * scale, (size, words, em)
    assert caption_layout(text, longer, (1080, 1920))[1] < 25        # it shrank to fit


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080), (1080, 1920)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_touch_overlay_is_the_pieces_type_above_the_floor(size):
    kiosk = held_kiosk('exhibit = "network"\nseed = 3\nepochs = 1\nsettings = { speed = 10.0 }\n', size)
    assert kiosk.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(5, 5)))
    kiosk.update(1.0)
    kiosk._text.record = []
    surface = pygame.Surface(size)
    kiosk.draw(surface)
    title, paragraphs = kiosk.current.show.exhibit.about
    texts = [text for text, _, _ in kiosk._text.record]
    assert title in texts and len(texts) > len(paragraphs), f"the overlay is not drawn by TextCache: {texts}"
    small = [(text, em) for text, _, em in kiosk._text.record if em < TYPE_FLOOR_PX]
    assert not small, f"under the {TYPE_FLOOR_PX} px floor: {small}"
    panel = kiosk._overlay[1].get_rect(center=(size[0] // 2, size[1] // 2))
    assert surface.get_rect().contains(panel), f"the overlay {panel} runs off the {size} screen"


def test_the_kiosks_words_are_the_bundled_noto_sans(monkeypatch):
    """Every font the kiosk's caption and touch overlay open is the Noto Sans file bundled with the piece (or its
    bundled fallback for symbols), never pygame's default font."""
    from pathlib import Path

    from illumination.core.draw.text import face
    opened = {}
    real_font = pygame.font.Font

    def recording_font(path, size):
        font = real_font(path, size)
        opened[id(font)] = path
        return font

    monkeypatch.setattr(pygame.font, "Font", recording_font)
    kiosk = held_kiosk('exhibit = "network"\nseed = 3\nepochs = 1\nsettings = { speed = 10.0 }\n', (640, 360))
    assert kiosk.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(5, 5)))
    kiosk.update(1.0)
    kiosk.draw(pygame.Surface((640, 360)))           # the held caption and the overlay
    fonts = list(kiosk._text._fonts.values())
    assert fonts, "the kiosk drew its words without opening a font of its own"
    paths = {opened[id(font)] for font in fonts}
    assert face() in paths and paths <= {face(), face(bold=True), face(fallback=True)}, paths
    assert Path(face()).name == "NotoSans-Regular.ttf" and Path(face()).is_file()
