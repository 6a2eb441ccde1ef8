"""The visitor's turn on the wall: a real pygame event sequence on a kiosk playing a real Network item."""
from __future__ import annotations

import logging

import numpy as np
import pygame
import pytest

from data.drawing import normalise_drawing
from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.playlist import PlaylistError, load_themes, parse_playlist
from illumination.modes.kiosk.visitor_pad import MIN_CELL_PX, PadLayout

SIZE = (1920, 1080)


@pytest.fixture(autouse=True)
def headless():
    init_headless()


@pytest.fixture
def recorded():
    """A logger whose records the test can read (its handler is removed afterwards)."""
    log, records = logging.getLogger("test.visitor.recorded"), []
    handler = logging.Handler()
    handler.emit = records.append
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield log, records
    log.removeHandler(handler)


def playlist(**options):
    data = {"interactive": True, "draw": True, "draw_seconds": 10, "hold_seconds": 2, "crossfade_seconds": 1,
            "item": [{"exhibit": "network", "seed": 3, "epochs": 200,
                      "settings": {"composition": "gallery", "speed": 30.0}},
                     {"exhibit": "landscape", "seed": 1, "seconds": 5}], **options}
    return load_themes(parse_playlist(data))[0]


def finger(kind, position, finger_id=1):
    return pygame.event.Event(kind, x=position[0] / SIZE[0], y=position[1] / SIZE[1], finger_id=finger_id,
                              touch_id=1, dx=0.0, dy=0.0, pressure=1.0)


def cell(layout, row, col):
    return layout.pad.x + (col + 0.5) * layout.cell, layout.pad.y + (row + 0.5) * layout.cell


def run(kiosk, seconds, surface=None, fps=30):
    clock = FixedClock(fps)
    for _ in range(round(seconds * fps)):
        kiosk.update(clock.tick())
        if surface is not None:
            kiosk.draw(surface)


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160), (1366, 768), (1080, 1920), (2160, 3840)])
def test_the_pad_is_made_for_a_finger_and_everything_fits_on_the_screen(size):
    layout = PadLayout(size)
    assert layout.cell >= MIN_CELL_PX * min(size) / 1080 * 0.99
    screen = pygame.Rect((0, 0), size)
    parts = [layout.pad, layout.show, layout.verdict, layout.strip, *layout.buttons, layout.footer, layout.clear]
    assert all(screen.contains(part) and part.width > 0 and part.height > 0 for part in parts)
    assert not any(a.colliderect(b) for i, a in enumerate(parts) for b in parts[i + 1:])
    if size == (1920, 1080):
        assert layout.pad.height >= 0.9 * size[1] and layout.cell >= 40 and layout.buttons[0].height >= 80


def test_touch_draw_teach_and_walk_away(recorded):
    log, records = recorded
    kiosk = Kiosk(playlist(), SIZE, log=log)
    surface = pygame.Surface(SIZE)
    run(kiosk, 2.0, surface)
    assert kiosk.visitor is None
    assert kiosk.handle_event(finger(pygame.FINGERDOWN, (960, 540)))          # a touch opens the pad
    pad = kiosk.visitor
    assert pad is not None and kiosk.current.show.view.size == pad.layout.show.size
    kiosk.handle_event(finger(pygame.FINGERUP, (960, 540)))
    layout = pad.layout
    for row in range(1, 7):                                    # a filled 6x6 square, one stroke a row
        kiosk.handle_event(finger(pygame.FINGERDOWN, cell(layout, row, 1), 2))
        kiosk.handle_event(finger(pygame.FINGERMOTION, cell(layout, row, 6), 2))
        kiosk.handle_event(finger(pygame.FINGERUP, cell(layout, row, 6), 2))
        run(kiosk, 0.2, surface)
    drawn = np.zeros((8, 8))
    drawn[1:7, 1:7] = 1
    assert np.array_equal(pad.pad.pixels, drawn)
    scene = kiosk.current.show.scene
    seen = normalise_drawing(drawn)
    assert np.array_equal(scene.drawing, seen)
    # the judgment on the wall is the live network's forward pass on what it sees
    probs = scene.trainer.net.forward(seen[None]).probs[0]
    words = pad.controls.pad_verdict(scene)[0]
    assert words == f"It's a {('circle', 'square')[int(probs.argmax())]}, {probs.max() * 100:.0f}% sure"
    epoch = scene.trainer.epoch
    kiosk.handle_event(finger(pygame.FINGERDOWN, pad.layout.buttons[1].center, 3))     # "It's a square"
    kiosk.handle_event(finger(pygame.FINGERUP, pad.layout.buttons[1].center, 3))
    assert [s.label for s in scene.teaching.samples] == ["square"]
    run(kiosk, 3.0, surface)                                   # training goes on with the sample in it
    assert scene.trainer.epoch > epoch and np.array_equal(scene.trainer.data.X_train[0], seen)
    history = scene.teaching.history[0]
    assert len(history) >= 2 and history[-1][0] > history[0][0]        # its confidence, epoch by epoch
    assert any(r.getMessage() == f'taught: {{label = "square", pixels = "{"".join(str(int(v)) for v in seen)}"}}'
               for r in records)
    assert kiosk.phase in ("play", "hold") and kiosk.visitor is pad
    run(kiosk, 9.0, surface)                                   # 10 s without a touch in all: the pad closes
    assert kiosk.visitor is None and scene.drawing is None
    assert kiosk.current.show.view.size == SIZE
    for _ in range(60):                                        # and the loop resumes: the next item comes
        run(kiosk, 2.0, surface)
        if kiosk.current.item.exhibit == "landscape":
            break
    assert kiosk.current.item.exhibit == "landscape"
    assert kiosk.stats["exceptions_recovered"] == 0
    assert any("visitor pad closed (no touch for 10 s); 1 shape(s) taught" in r.getMessage() for r in records)


def test_a_pad_cannot_be_held_open_for_ever_and_a_landscape_item_opens_none_but_drops_a_ball():
    kiosk = Kiosk(playlist(), SIZE, log=logging.getLogger("test.visitor"))
    kiosk.handle_event(finger(pygame.FINGERDOWN, (960, 540)))
    assert kiosk.visitor is not None
    for _ in range(200):                                       # a touch every 5 s, for 1,000 s
        run(kiosk, 5.0)
        kiosk.handle_event(finger(pygame.FINGERMOTION, (10, 10)))
        if kiosk.visitor is None:
            break
    assert kiosk.visitor is None and 595 <= kiosk.time <= 610
    while kiosk.current.item.exhibit != "landscape":
        run(kiosk, 1.0)
    assert kiosk.handle_event(finger(pygame.FINGERDOWN, (960, 540))) and kiosk.visitor is None
    assert kiosk.stats["balls_dropped"] == 1 and kiosk.overlay_left == 0    # on the surface: it drops a ball
    assert kiosk.handle_event(finger(pygame.FINGERDOWN, (4, 4))) and kiosk.visitor is None
    assert kiosk.overlay_left > 0                              # off it (the sky): it explains the lights instead


def test_a_pad_that_fails_closes_and_the_kiosk_goes_on(monkeypatch):
    kiosk = Kiosk(playlist(), SIZE, log=logging.getLogger("test.visitor"))
    kiosk.handle_event(finger(pygame.FINGERDOWN, (960, 540)))

    def broken(*_):
        raise RuntimeError("a broken pad")
    monkeypatch.setattr(kiosk.visitor, "handle_event", broken)
    assert kiosk.handle_event(finger(pygame.FINGERDOWN, (100, 100)))
    assert kiosk.visitor is None and kiosk.stats["exceptions_recovered"] == 1
    run(kiosk, 1.0, pygame.Surface(SIZE))
    assert kiosk.current is not None and kiosk.current.show.view.size == SIZE


@pytest.mark.parametrize("options, fragment", [
    ({"draw": "yes"}, "draw: must be true or false"),
    ({"interactive": False}, "draw: needs interactive = true"),
    ({"teach_limit": 0}, "teach_limit"),
    ({"draw_seconds": 1}, "draw_seconds"),
])
def test_bad_drawing_keys_are_named(options, fragment):
    with pytest.raises(PlaylistError) as error:
        playlist(**options)
    assert fragment in str(error.value)


def test_the_soak_with_faults_and_visitors_mixed_in_has_no_kiosk_error(recorded):
    """Half a simulated hour of the built-in playlist (draw = true), with injected faults, and a visitor every
    5 simulated minutes who touches, draws, teaches and walks away: every failure recovered, none the kiosk's."""
    from illumination.modes.kiosk.faults import FaultPlan
    from illumination.modes.kiosk.playlist import resolve_playlist
    from illumination.modes.kiosk.runner import soak
    log, records = recorded
    result = soak(resolve_playlist(None).playlist, 0.5, faults=FaultPlan(), log=log, visitors=True)
    assert result["kiosk_errors"] == 0 and result["visitors"] == 6
    # the built-in playlist plays its sound: synthesised every update of the half hour, never a NaN
    assert result["sound_frames"] > 1000 and result["sound_frames_not_finite"] == 0
    assert result["visitor_sessions"] >= 3 and result["shapes_taught"] >= 2
    assert sum(r.getMessage().startswith("taught: {label = ") for r in records) == result["shapes_taught"]
    closed = sum(r.getMessage().startswith("visitor pad closed") for r in records)
    assert result["visitor_sessions"] - 1 <= closed <= result["visitor_sessions"]   # the last may still be open
