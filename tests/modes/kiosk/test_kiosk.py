"""The gallery kiosk: deliberate exit only, playlists validated at the door, recovery from real faults,
flat memory, cross-fades, opening hours. Headless (conftest: SDL dummy driver); time is the fixed clock."""
from __future__ import annotations

import json
import logging
import logging.handlers
import textwrap
from datetime import datetime

import pygame
import pytest

from illumination.cli.kiosk import kiosk_command, register
from illumination.core.clock import FixedClock
from illumination.core.scene import Exhibit, Scene, View
from illumination.exhibits import EXHIBITS
from illumination.exhibits.network.settings import NetworkSettings
from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.faults import FaultPlan
from illumination.modes.kiosk.playlist import (DEFAULT_PLAYLIST, PlaylistError, SeedPlan, load_themes, parse_playlist, read_playlist,
                                               resolve_playlist)
from illumination.modes.kiosk.runner import ExitCombo, close_logging, default_log_path, run_window, setup_logging, soak

COLOURS = {1: (255, 0, 0), 2: (0, 0, 255), 3: (0, 255, 0), 4: (255, 255, 255)}


@pytest.fixture(autouse=True)
def headless():
    from illumination.core.display import init_headless
    init_headless()
    yield
    close_logging()


@pytest.fixture
def log(tmp_path):
    logger, _ = setup_logging(tmp_path / "kiosk.log")
    return logger


def log_text(tmp_path) -> str:
    for handler in logging.getLogger("illumination.kiosk").handlers:
        handler.flush()
    return (tmp_path / "kiosk.log").read_text()


# -- stub exhibits: known colours, faults on demand ------------------------------------------------------

class Solid(Scene):
    """Fills the frame with the colour its seed names; counts its own updates and draws."""
    name = "solid"
    built = 0

    def __init__(self, settings):
        super().__init__(settings)
        Solid.built += 1
        self.t = 0.0
        self.colour = COLOURS[settings.seed]

    def update(self, dt):
        self.t += dt

    def paint(self, surface):
        surface.fill(self.colour)

    def position(self):
        return int(self.t)

    def status(self):
        return {"seed": self.settings.seed, "epoch": int(self.t), "test_accuracy": 0.875}

    def caption(self):
        return f"seed {self.settings.seed}   ·   test accuracy 87.5%"


class PaintView(View):
    """The stubs' view: the scene paints itself (so a stub can fail in draw, as a real view might)."""

    def draw(self, surface):
        self.scene.paint(surface)


def stub(cls, name=None) -> Exhibit:
    return Exhibit(name=name or cls.name, title=cls.name, settings=NetworkSettings, make_scene=cls, make_view=PaintView,
                   count_unit="epochs", count_setting="max_epochs", converge_setting="early_stop")


class Diverging(Solid):
    """Reports a divergence every second, like a network whose every restart blows up again."""
    name = "diverging"

    def update(self, dt):
        super().update(dt)
        self.divergences = int(self.t)


class Broken(Solid):
    """Raises in update after half a second, every time it is built."""
    name = "broken"

    def update(self, dt):
        super().update(dt)
        if self.t > 0.5:
            raise RuntimeError("broken exhibit")


class Unbuildable(Solid):
    name = "unbuildable"

    def __init__(self, settings):
        raise OSError("cannot build this exhibit")


class DrawsBadlyOnce(Solid):
    """The first one built raises in its first draw; rebuilt ones draw fine."""
    name = "draws-badly"
    failed = False

    def paint(self, surface):
        if not DrawsBadlyOnce.failed:
            DrawsBadlyOnce.failed = True
            raise ValueError("draw went wrong")
        super().paint(surface)


class FailsWhenDone(Solid):
    """Draws fine while it plays, raises once its 3 s are over (while it holds or fades out)."""
    name = "fails-when-done"

    def paint(self, surface):
        if self.t >= 3.0:
            raise RuntimeError("failed after the end")
        super().paint(surface)


@pytest.fixture
def stubs(monkeypatch):
    for cls in (Solid, Diverging, Broken, Unbuildable, DrawsBadlyOnce, FailsWhenDone):
        monkeypatch.setitem(EXHIBITS, cls.name, stub(cls))
    DrawsBadlyOnce.failed = False


def playlist_of(text: str):
    import tomllib
    return load_themes(parse_playlist(tomllib.loads(textwrap.dedent(text))))[0]


def run(kiosk: Kiosk, seconds: float, fps: int = 10, surface=None):
    clock = FixedClock(fps)
    for _ in range(round(seconds * fps)):
        kiosk.update(clock.tick())
        if surface is not None:
            kiosk.draw(surface)


def key(kind, k, mod=0):
    return pygame.event.Event(kind, key=k, mod=mod)


# -- the exit combination --------------------------------------------------------------------------------

def drive(combo: ExitCombo, events: dict[int, list], frames: int, fps: int = 60) -> int | None:
    """Feed events at given frames on the fixed clock; return the frame at which the combo quit, or None."""
    clock = FixedClock(fps)
    for frame in range(frames):
        now = clock.now
        for event in events.get(frame, []):
            if combo.feed(event, now):
                return frame
        if combo.poll(now):
            return frame
        clock.tick()
    return None


def test_esc_held_three_seconds_quits_and_not_before():
    quit_at = drive(ExitCombo(), {10: [key(pygame.KEYDOWN, pygame.K_ESCAPE)]}, frames=600)
    assert quit_at == 10 + 180


def test_single_esc_press_click_and_other_keys_never_quit():
    events = {5: [key(pygame.KEYDOWN, pygame.K_ESCAPE)], 6: [key(pygame.KEYUP, pygame.K_ESCAPE)],
              20: [pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(5, 5))],
              30: [key(pygame.KEYDOWN, pygame.K_q), key(pygame.KEYDOWN, pygame.K_q, pygame.KMOD_LCTRL),
                   key(pygame.KEYDOWN, pygame.K_q, pygame.KMOD_LSHIFT), pygame.event.Event(pygame.QUIT)]}
    assert drive(ExitCombo(), events, frames=600) is None


def test_esc_held_two_seconds_then_released_does_not_quit():
    events = {0: [key(pygame.KEYDOWN, pygame.K_ESCAPE)], 120: [key(pygame.KEYUP, pygame.K_ESCAPE)],
              150: [key(pygame.KEYDOWN, pygame.K_ESCAPE)], 240: [key(pygame.KEYUP, pygame.K_ESCAPE)]}
    assert drive(ExitCombo(), events, frames=600) is None


def test_key_repeat_does_not_restart_the_hold():
    events = {f: [key(pygame.KEYDOWN, pygame.K_ESCAPE)] for f in range(0, 400, 30)}
    assert drive(ExitCombo(), events, frames=600) == 180


def test_ctrl_shift_q_quits():
    mod = pygame.KMOD_LCTRL | pygame.KMOD_RSHIFT
    assert drive(ExitCombo(), {42: [key(pygame.KEYDOWN, pygame.K_q, mod)]}, frames=100) == 42


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_window_loop_quits_only_on_the_combination(tmp_path, monkeypatch, log, stubs):
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    playlist = playlist_of("""
        [[item]]
        exhibit = "solid"
        seed = 1
        seconds = 5
    """)
    for event in (key(pygame.KEYDOWN, pygame.K_ESCAPE), key(pygame.KEYUP, pygame.K_ESCAPE),
                  pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(3, 3)), pygame.event.Event(pygame.QUIT)):
        pygame.event.post(event)
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=40, fps=1000) == 0
    assert "stopped (frame limit) after 40 frames" in log_text(tmp_path)
    pygame.display.init()
    pygame.event.post(key(pygame.KEYDOWN, pygame.K_q, pygame.KMOD_CTRL | pygame.KMOD_SHIFT))
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=40, fps=1000) == 0
    assert "stopped (exit combination) after 0 frames" in log_text(tmp_path)


def test_the_window_shows_a_calm_title_card_before_the_exhibits_warm_up(monkeypatch, log, stubs):
    """The first picture is on the screen before any exhibit is built: never seconds of black at launch."""
    import illumination.modes.kiosk.attract as attract
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    seen = {}

    def warm_up(playlist, size):
        screen = pygame.display.get_surface()
        seen["lit"] = sum(1 for x in range(0, size[0], 7) for y in range(0, size[1], 7)
                          if max(screen.get_at((x, y))[:3]) > 100)     # the title's letters
        seen["corner"] = tuple(screen.get_at((0, 0)))[:3]
    monkeypatch.setattr(attract, "warm_up", warm_up)
    playlist = playlist_of("""
        [[item]]
        exhibit = "solid"
        seconds = 5
    """)
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=2, fps=1000) == 0
    assert seen["corner"] == (6, 8, 16) and seen["lit"] > 10


def test_no_display_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", raising=False)
    code = kiosk_command(parse(["kiosk", "--log-file", str(tmp_path / "k.log")]))
    from illumination.core.display import NO_DISPLAY_MESSAGE
    assert code == 2 and capsys.readouterr().err == f"illumination: error: {NO_DISPLAY_MESSAGE}\n"


def test_display_index_is_checked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    code = kiosk_command(parse(["kiosk", "--display", "7", "--log-file", str(tmp_path / "k.log")]))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("illumination: error: --display 7: this machine has") and err.count("\n") == 1


# -- the command line ---------------------------------------------------------------------------------------

def parse(argv):
    from illumination.cli.args import CleanParser
    parser = CleanParser(prog="illumination")
    register(parser.add_subparsers(dest="command", parser_class=CleanParser), None)
    return parser.parse_args(argv)


@pytest.mark.parametrize("argv, message", [
    (["kiosk", "--json"], "--json only applies with --headless"),
    (["kiosk", "--size", "320x180"], "--size only applies with --headless"),
    (["kiosk", "--headless"], "--headless needs --simulate-hours"),
    (["kiosk", "--headless", "--simulate-hours", "1", "--log-file", "/proc/no/such/dir/k.log"], "cannot write the log"),
])
def test_flag_mistakes_are_one_line_and_exit_2(argv, message, capsys):
    assert kiosk_command(parse(argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("illumination: error: ") and message in err and err.count("\n") == 1


def test_log_goes_to_the_state_dir_and_rotates(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_log_path() == tmp_path / "state" / "neural-illumination" / "kiosk.log"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/paths/are/ignored")
    assert default_log_path().parts[-4:] == (".local", "state", "neural-illumination", "kiosk.log")
    logger, path = setup_logging(tmp_path / "k.log")
    handler = logger.handlers[0]
    assert isinstance(handler, logging.handlers.RotatingFileHandler) and 0 < handler.maxBytes <= 10_000_000
    assert handler.backupCount >= 1 and logger.propagate is False


# -- playlists ------------------------------------------------------------------------------------------------

BAD_PLAYLIST = """
crossfade_seconds = -2
interactive = "yes"
colour = "blue"

[schedule]
on = "9am"
off = "18:00"

[[item]]
exhibit = "network"
seed = "lucky"
epochs = 0

[[item]]
exhibit = "aquarium"
seconds = 30

[[item]]
exhibit = "network"
seconds = -1
settings = { learning_rate = -1, hiden_size = 8 }

[[item]]
exhibit = "network"
seconds = 10
until = "converged"
"""


def test_bad_playlist_reports_every_problem_and_runs_the_default(tmp_path, capsys):
    path = tmp_path / "wall.toml"
    path.write_text(BAD_PLAYLIST)
    report = resolve_playlist(path)
    assert report.fell_back and report.playlist.source == str(DEFAULT_PLAYLIST)
    expected = ["crossfade_seconds: must be between 0 and 60, got -2", "interactive: must be true or false",
                "colour: unknown key", 'schedule.on: must be a time like "09:00"',
                'item[0].seed: must be a whole number, "next" or "random"', "item[0].epochs: must be between 1",
                "item[1].exhibit: must be one of", "item[2].settings.learning_rate:", "item[2].settings.hiden_size: unknown key",
                "item[2].seconds: must be greater than 0 and at most 86,400, got -1", "item[3]: needs exactly one duration"]
    for text in expected:
        assert sum(text in p for p in report.problems) == 1, (text, report.problems)
    assert len(report.problems) == len(expected)
    code = kiosk_command(parse(["kiosk", "--headless", "--simulate-hours", "0.001", "--json", "--playlist",
                                str(path), "--log-file", str(tmp_path / "k.log")]))
    out, err = capsys.readouterr()
    assert code == 0
    assert all(f"illumination: error: playlist {path}: {p}\n" in err for p in report.problems)
    assert "running the built-in default playlist instead" in err
    result = json.loads(out)
    assert result["playlist"] == str(DEFAULT_PLAYLIST) and result["playlist_problems"] == len(expected)
    assert result["rss_growth_mb_per_day"] is None     # 3.6 simulated s: the playlist never played round (warm-up)
    close_logging()
    assert "item[2].seconds: must be greater than 0 and at most 86,400, got -1" in (tmp_path / "k.log").read_text()


def test_missing_or_broken_playlist_file_falls_back(tmp_path):
    assert resolve_playlist(tmp_path / "nope.toml").problems[0].startswith("playlist file not found")
    (tmp_path / "x.toml").write_text("[[item]\n")
    assert "TOML syntax error" in resolve_playlist(tmp_path / "x.toml").problems[0]


def test_bad_theme_in_an_item_is_reported_and_replaced(tmp_path):
    from themes import DEFAULT_THEME, load_theme
    broken = tmp_path / "wall.toml"
    broken.write_text('name = "Wall"\n[text]\nprimary = "blue"\n')
    path = tmp_path / "list.toml"
    path.write_text(textwrap.dedent(f"""
        [[item]]
        exhibit = "network"
        theme = "okabe-ito"
        epochs = 5
        [[item]]
        exhibit = "network"
        theme = "no-such-theme"
        epochs = 5
        [[item]]
        exhibit = "network"
        theme = "{broken}"
        epochs = 5
    """))
    report = resolve_playlist(path)
    assert not report.fell_back and report.playlist.source == str(path)
    items = report.playlist.items
    assert items[0].theme_name == "okabe-ito" and items[0].theme == load_theme("okabe-ito")
    for item in items[1:]:
        assert item.theme_name == DEFAULT_THEME and item.theme == load_theme(DEFAULT_THEME)
        assert item.settings.theme == DEFAULT_THEME
    assert any(w.startswith("item[1].theme: unknown theme 'no-such-theme'") for w in report.warnings)
    assert any(w.startswith("item[2].theme: ") and "text.primary" in w for w in report.warnings)
    assert sum("using the default theme" in w for w in report.warnings) == 2


def test_exhibits_are_checked_against_the_registry(monkeypatch):
    text = '[[item]]\nexhibit = "aquarium"\nseconds = 5\n'
    with pytest.raises(ValueError, match=r"item\[0\].exhibit: must be one of"):
        playlist_of(text)
    monkeypatch.setitem(EXHIBITS, "aquarium", stub(Solid, "aquarium"))
    assert playlist_of(text).items[0].exhibit == "aquarium"


def test_default_playlist_is_valid_and_uses_every_duration_kind():
    items = read_playlist(DEFAULT_PLAYLIST).items
    assert any(i.count for i in items) and any(i.seconds for i in items) and any(i.until for i in items)
    assert {i.exhibit for i in items} == {"network", "landscape"}     # the loop alternates the exhibits
    assert {(i.exhibit, i.count_unit) for i in items if i.count} == {("network", "epochs"), ("landscape", "steps")}
    assert any(i.seed == "random" for i in items) and any(i.seed == "next" for i in items)
    assert next(i for i in items if i.count).settings.max_epochs == next(i for i in items if i.count).count
    steps_item = next(i for i in items if i.count and i.count_unit == "steps")
    assert steps_item.settings.max_steps == steps_item.count


def test_seeds_next_and_random_are_reproducible():
    a, b, c = SeedPlan(7), SeedPlan(7), SeedPlan(8)
    specs = ["next", "random", "next", 100, "next", "random"]
    seeds_a, seeds_b, seeds_c = ([p.resolve(s) for s in specs] for p in (a, b, c))
    assert seeds_a == seeds_b and seeds_a != seeds_c
    assert seeds_a[0] == 42 and seeds_a[2] == seeds_a[1] + 1 and seeds_a[3:5] == [100, 101]


# -- the loop: fades, captions, visitors, hours ------------------------------------------------------------------

TWO_COLOURS = """
interactive = true
crossfade_seconds = 2
hold_seconds = 1
idle_timeout_seconds = 5
[[item]]
exhibit = "solid"
seed = 1
seconds = 3
[[item]]
exhibit = "solid"
seed = 2
seconds = 3
"""


def test_transition_dips_through_black_and_never_shows_two_items(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS), (64, 48), log=log)
    surface = pygame.Surface((64, 48))
    run(kiosk, 3.0 + 1.0)                       # play 3 s, hold 1 s: the 2 s transition begins
    seen = []
    for _ in range(19):
        run(kiosk, 0.1)
        assert kiosk.phase == "fade"
        kiosk.draw(surface)
        r, g, b = surface.get_at((10, 10))[:3]
        assert g == 0 and (r == 0 or b == 0)                   # red, or blue, or black: never both at once
        seen.append(r - b)                                     # > 0 while the old item fades, < 0 as the new rises
    assert seen[0] > 150 and min(abs(v) for v in seen) < 20     # from bright red, through (almost) black ...
    assert all(a >= b for a, b in zip(seen, seen[1:]))         # ... monotonically to blue
    run(kiosk, 0.2)
    kiosk.draw(surface)
    assert kiosk.phase == "play" and tuple(surface.get_at((10, 10)))[:3] == (0, 0, 255)


def test_the_heap_is_trimmed_once_per_item_after_the_old_one_has_faded_out(stubs, log, monkeypatch):
    import illumination.modes.kiosk.attract as attract
    trims = []
    monkeypatch.setattr(attract, "release_free_memory", lambda: trims.append(kiosk.phase) or True)
    kiosk = Kiosk(playlist_of(TWO_COLOURS), (64, 48), log=log)
    run(kiosk, 3.0 + 1.0 + 1.9)                 # play, hold, and most of the fade: the old item still shows
    assert trims == []
    run(kiosk, 0.2)                             # the fade ends: the old item is gone, the heap given back
    assert kiosk.phase == "play" and len(trims) == 1
    run(kiosk, 6.0)                             # one more round
    assert len(trims) == 2


def test_release_free_memory_really_trims_on_this_machine():
    from illumination.core.collector import release_free_memory
    import ctypes.util
    assert release_free_memory() is (ctypes.util.find_library("c") is not None)


def test_no_two_items_text_shares_a_frame_of_a_transition(log):
    """Real network items with their words: every frame of the transition draws one item's text, or none."""
    playlist = playlist_of("""
crossfade_seconds = 2
hold_seconds = 0.5
[[item]]
exhibit = "network"
seed = 1
epochs = 1
settings = { speed = 10.0 }
[[item]]
exhibit = "network"
seed = 2
epochs = 1
settings = { speed = 10.0 }
""")
    kiosk = Kiosk(playlist, (480, 270), log=log)
    surface = pygame.Surface((480, 270))
    for _ in range(600):
        if kiosk.phase == "fade":
            break
        run(kiosk, 0.1)
    drawn_by = []
    while kiosk.phase == "fade":
        slots = [slot for slot in (kiosk.current, kiosk.incoming) if slot is not None]
        for slot in slots:
            slot.show.view.text.record = []
        kiosk.draw(surface)
        drawn_by.append([n for n, slot in enumerate(slots) if slot.show.view.text.record])
        run(kiosk, 0.1)
    assert len(drawn_by) >= 15
    assert all(len(who) <= 1 for who in drawn_by)              # never both items' words in one frame
    assert [0] in drawn_by and [1] in drawn_by                 # the old words fade out, the new fade in


def test_hold_shows_a_quiet_caption_with_seed_and_accuracy(stubs, log):
    """In the stage's top margin, centred; the bottom edge (where a composition keeps its words) stays the item's."""
    gallery = TWO_COLOURS.replace('seconds = 3\n', 'seconds = 3\nsettings = { composition = "gallery" }\n')
    kiosk = Kiosk(playlist_of(gallery), (320, 180), log=log)
    surface = pygame.Surface((320, 180))
    kiosk.draw(surface)
    top = pygame.Rect(100, 0, 120, 18)
    assert all(tuple(surface.get_at(p))[:3] == (255, 0, 0) for p in ((5, 175), (160, 175), (160, 9)))
    run(kiosk, 3.5)
    assert kiosk.phase == "hold" and kiosk.current.caption == "seed 1   ·   test accuracy 87.5%"
    kiosk.draw(surface)
    assert len({tuple(surface.get_at((x, y))) for x in range(top.x, top.right) for y in range(top.bottom)}) > 2
    assert all(tuple(surface.get_at((x, y)))[:3] == (255, 0, 0) for x in range(0, 320, 8) for y in range(20, 180, 8))


def test_an_explain_composition_holds_without_the_kiosk_caption(stubs, log):
    """Its own header and footer say what the caption would, and leave it no free band: none is drawn."""
    kiosk = Kiosk(playlist_of(TWO_COLOURS), (320, 180), log=log)
    surface = pygame.Surface((320, 180))
    run(kiosk, 3.5)
    assert kiosk.phase == "hold" and kiosk.current.item.settings.composition == "explain"
    kiosk.draw(surface)
    assert {tuple(surface.get_at((x, y)))[:3] for x in range(320) for y in range(0, 180, 3)} == {(255, 0, 0)}


def test_touch_shows_the_explanation_until_idle(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS), (320, 180), log=log)
    surface = pygame.Surface((320, 180))
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(100, 100))
    assert not kiosk.handle_event(key(pygame.KEYDOWN, pygame.K_SPACE))
    assert kiosk.handle_event(click)
    run(kiosk, 1.0)
    kiosk.draw(surface)
    assert tuple(surface.get_at((160, 90)))[:3] != (255, 0, 0)           # the panel sits over the centre
    run(kiosk, 5.5)
    kiosk.draw(surface)
    assert kiosk.overlay_left == 0 and tuple(surface.get_at((160, 90)))[:3] == (0, 0, 255)


def test_touch_does_nothing_when_not_interactive(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace("interactive = true", "interactive = false")), (64, 48), log=log)
    assert not kiosk.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(1, 1)))
    assert kiosk.overlay_left == 0


def test_schedule_blanks_the_screen_outside_opening_hours(stubs, log):
    now = [datetime(2026, 3, 2, 8, 59)]
    kiosk = Kiosk(playlist_of(TWO_COLOURS + '[schedule]\non = "09:00"\noff = "18:00"\n'), (64, 48),
                  wall_time=lambda: now[0], log=log)
    surface = pygame.Surface((64, 48))
    run(kiosk, 1.0, surface=surface)
    assert kiosk.closed and kiosk.current.elapsed == 0 and tuple(surface.get_at((5, 5)))[:3] == (0, 0, 0)
    now[0] = datetime(2026, 3, 2, 9, 0)
    run(kiosk, 1.0, surface=surface)
    assert not kiosk.closed and kiosk.current.elapsed > 0 and tuple(surface.get_at((5, 5)))[:3] == (255, 0, 0)
    now[0] = datetime(2026, 3, 2, 18, 0)
    run(kiosk, 0.1, surface=surface)
    assert kiosk.closed and tuple(surface.get_at((5, 5)))[:3] == (0, 0, 0)


def test_schedule_across_midnight():
    schedule = playlist_of(TWO_COLOURS.replace("solid", "network") + '[schedule]\non = "18:00"\noff = "02:00"\n').schedule
    assert [schedule.is_open(datetime(2026, 1, 1, h)) for h in (1, 2, 12, 18, 23)] == [True, False, False, True, True]


# -- the watchdog -----------------------------------------------------------------------------------------------

def test_an_exception_in_draw_is_logged_and_the_scene_rebuilt(stubs, log, tmp_path):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace('"solid"\nseed = 1', '"draws-badly"\nseed = 1')), (64, 48), log=log)
    first = kiosk.current.show
    surface = pygame.Surface((64, 48))
    run(kiosk, 1.0, surface=surface)
    assert kiosk.stats["exceptions_recovered"] == 1 and kiosk.current.show is not first
    assert kiosk.current.item.index == 0 and tuple(surface.get_at((5, 5)))[:3] == (255, 0, 0)
    text = log_text(tmp_path)
    assert "exception in draw" in text and "Traceback" in text and "ValueError: draw went wrong" in text


def test_an_item_that_keeps_failing_is_skipped(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace('"solid"\nseed = 1', '"broken"\nseed = 1')), (64, 48), log=log)
    run(kiosk, 2.0)
    assert kiosk.stats["exceptions_recovered"] == 3 and kiosk.stats["items_skipped"] == 1
    assert kiosk.current.item.index == 1 and kiosk.phase == "play"


def test_a_finished_item_that_fails_is_not_replayed(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace('"solid"\nseed = 1', '"fails-when-done"\nseed = 1')), (64, 48),
                  log=log)
    surface = pygame.Surface((64, 48))
    run(kiosk, 3.5, surface=surface)
    assert kiosk.stats["exceptions_recovered"] == 1 and kiosk.stats["items_played"] == 2
    assert kiosk.current.item.index == 1 and kiosk.phase == "play" and kiosk.incoming is None


def test_every_item_failing_rests_then_retries(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace('"solid"', '"unbuildable"')), (64, 48), log=log)
    assert kiosk.current is None and kiosk.stats["exceptions_recovered"] == 6 and kiosk.stats["items_skipped"] == 2
    surface = pygame.Surface((64, 48))
    kiosk.draw(surface)
    assert tuple(surface.get_at((5, 5)))[:3] == (0, 0, 0)
    run(kiosk, 59.0)
    assert kiosk.stats["exceptions_recovered"] == 6
    run(kiosk, 1.5)
    assert kiosk.stats["exceptions_recovered"] == 12 and kiosk.stats["items_played"] == 0


def test_an_item_that_keeps_diverging_gives_way(stubs, log):
    kiosk = Kiosk(playlist_of(TWO_COLOURS.replace('"solid"\nseed = 1\nseconds = 3', '"diverging"\nseed = 1\nseconds = 60')),
                  (64, 48), log=log)
    run(kiosk, 3.5)
    assert kiosk.stats["divergences_recovered"] == 3 and kiosk.current.gave_up
    run(kiosk, 0.2)
    assert kiosk.phase == "fade" and kiosk.incoming.item.index == 1


def test_a_real_divergence_is_counted_and_the_network_restarts_with_the_next_seed(log):
    kiosk = Kiosk(playlist_of('[[item]]\nexhibit = "network"\nseed = 5\nseconds = 30\n'), (160, 90), log=log,
                  faults=FaultPlan(diverge_every=1, update_every=0, draw_every=0, broken_every=0))
    run(kiosk, 6.0, fps=4)
    status = kiosk.current.show.scene.status()
    assert kiosk.stats["divergences_recovered"] == 1 and kiosk.faults_injected["diverge"] == 1
    assert status["seed"] == 6 and not status["diverged"] and status["epoch"] >= 1


def test_the_training_log_is_always_in_the_kiosk_log(log, tmp_path):
    kiosk = Kiosk(playlist_of('[[item]]\nexhibit = "network"\nseed = 5\nepochs = 20\n'
                              'settings = { speed = 20.0 }\n'), (160, 90), log=log)
    run(kiosk, 3.0, fps=10)
    text = log_text(tmp_path)
    assert "train log · training · seed 5 · 64-16-2 (1,074 parameters)" in text
    assert "train log · epoch   10 · loss" in text and "train log · finished at epoch 20: max epochs reached" in text


def test_injected_faults_are_survived_and_counted(log, tmp_path):
    playlist = playlist_of("""
        hold_seconds = 1
        crossfade_seconds = 1
        [[item]]
        exhibit = "network"
        seconds = 8
        [[item]]
        exhibit = "network"
        seed = "random"
        theme = "okabe-ito"
        epochs = 12
        settings = { speed = 6.0 }
    """)
    plan = FaultPlan(diverge_every=2, update_every=3, draw_every=5, broken_every=7, at_s=1.5)
    result = soak(playlist, 0.1, (160, 90), faults=plan, log=log)
    injected = result["faults_injected"]
    assert all(injected[k] >= 2 for k in ("diverge", "update", "draw")) and injected["broken"] >= 6
    assert result["kiosk_errors"] == 0
    # once-only faults: one exception each; a broken item: three failures, then it is skipped (counts are per
    # attempt; the run may end before the last injected fault has fired)
    injected_total = injected["update"] + injected["draw"] + injected["broken"]
    assert injected_total - 1 <= result["exceptions_recovered"] <= injected_total
    assert result["items_skipped"] == injected["broken"] // 3
    assert result["divergences_recovered"] >= injected["diverge"]
    assert log_text(tmp_path).count("InjectedFault: injected fault in") == result["exceptions_recovered"]


# -- memory -----------------------------------------------------------------------------------------------------

def test_memory_stays_flat_over_a_simulated_hour(log):
    playlist = playlist_of("""
        hold_seconds = 2
        crossfade_seconds = 1
        [[item]]
        exhibit = "network"
        seconds = 20
        [[item]]
        exhibit = "network"
        seed = "random"
        theme = "anthropic"
        epochs = 40
        settings = { hidden_size = 24 }
        [[item]]
        exhibit = "network"
        theme = "okabe-ito"
        until = "converged"
    """)
    result = soak(playlist, 1.0, (320, 180), log=log)
    assert result["kiosk_errors"] == 0 and result["exceptions_recovered"] == 0
    assert result["items_played"] > 100 and result["frames"] == 3600 // result["draw_every_simulated_s"]
    assert result["rss_end_mb"] - result["rss_start_mb"] < 3.0, result
    # the growth rate a day, from the warm-up point (every item played once) to the end of the simulated hour
    warm_s = 3600 - result["rss_start_at_simulated_s"]
    assert 0 < warm_s < 3600
    per_day = (result["rss_end_mb"] - result["rss_start_mb"]) * 86400 / warm_s
    assert result["rss_growth_mb_per_day"] == pytest.approx(per_day, abs=0.1 * 86400 / warm_s + 0.01), result


def test_network_items_play_the_gallery_composition_unless_they_say_otherwise():
    playlist = playlist_of("""
[[item]]
exhibit = "network"
epochs = 10
[[item]]
exhibit = "network"
epochs = 10
settings = { composition = "explain" }
""")
    assert [item.settings.composition for item in playlist.items] == ["gallery", "explain"]
    with pytest.raises(PlaylistError, match=r"item\[0\]\.settings\.composition"):
        playlist_of('[[item]]\nexhibit = "network"\nepochs = 10\nsettings = { composition = "wall" }\n')


def test_ignored_keys_and_clicks_are_logged_without_flooding(log):
    import logging
    from illumination.modes.kiosk.runner import IgnoredInput
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("illumination.test.ignored")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    ignored = IgnoredInput(logger)
    key = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a)
    for k in range(50):
        ignored.note(key, k * 0.1)        # 50 presses in 5 s: one line now, the rest folded into the next
    ignored.note(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(1, 1)), 12.0)
    lines = [r.getMessage() for r in records]
    assert len(lines) == 2 and "key press" in lines[0] and "ignored 50 input(s), the latest a click" in lines[1]


def test_a_playlist_item_can_train_under_noise(log):
    kiosk = Kiosk(playlist_of('[[item]]\nexhibit = "network"\nseed = 3\nepochs = 20\n'
                              'settings = { noise_mode = "label_noise", noise_magnitude = 0.1, schedule = "cosine", '
                              'optimizer = "adamw", learning_rate = 0.003 }\n'), (160, 90), log=log)
    run(kiosk, 1.0, fps=10)
    trainer = kiosk.current.show.scene.trainer
    assert trainer.noise.spec.label == "label_noise:0.1" and trainer.config.noise.schedule == "cosine"
    assert trainer.config.optimizer == "adamw"


def test_warm_up_builds_one_item_of_every_exhibit_and_view(monkeypatch):
    """Each kind the playlist plays is built once before the first frame (its kernels compiled and cached): the
    built-in playlist's network, its landscape balls and the landscape's network view."""
    import gc
    import illumination.modes.kiosk.slot as slot
    from illumination.modes.kiosk.playlist import resolve_playlist
    built = []

    def spy(exhibit, settings, size, theme=None):
        built.append((exhibit.name, getattr(settings, "view", None)))
        raise RuntimeError("only counting")          # warm_up swallows it: the kiosk meets real failures later
    monkeypatch.setattr(slot, "make_show", spy)
    try:
        slot.warm_up(resolve_playlist(None).playlist, (64, 48))
    finally:
        gc.unfreeze()
    assert sorted(built, key=str) == sorted({("network", None), ("landscape", "3d"), ("landscape", "map"),
                                             ("landscape", "network")}, key=str)
