"""The desktop UI driven headless with synthesized pygame events: clicks, slider moves, keys, typing, drawing.

Each test asserts the effect on the one Settings object and on the scene (weights, updates per epoch,
the drawn shape's forward trace), never just that a widget changed.
"""
import dataclasses
import io
import math
import random as pyrandom
from pathlib import Path

import numpy as np
import pygame
import pygame_gui
import pytest

from data.drawing import normalise_drawing
from data.shapes import CLASS_NAMES
from data.taught import TaughtSample, parse_taught
from illumination.core.clock import FixedClock
from illumination.core.controls import parse_seed
from illumination.core.display import init_headless
from illumination.core.settings import read_scene
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network.controls import SLIDER_BY_KEY
from illumination.exhibits.network.drawpad import DrawPad, cells_between
from illumination.exhibits.network.settings import RANGES
from illumination.exhibits.network.settings import NetworkSettings as Settings
from illumination.modes.desktop import keys as keymap
from illumination.modes.desktop.desktop import Desktop
from illumination.modes.desktop.panel import PANEL_WIDTH
from network import MLP
from themes import list_themes, load_theme

WINDOW = (1000, 700)


OUTPUT = {}


@pytest.fixture(scope="module", autouse=True)
def display(tmp_path_factory):
    init_headless()
    pygame.display.set_mode(WINDOW)
    OUTPUT["dir"] = tmp_path_factory.mktemp("captures")  # screenshots never land in the working directory
    yield


def make_desktop(settings=None, size=WINDOW, **kwargs) -> Desktop:
    screen = pygame.display.set_mode(size)
    pygame.event.clear()
    settings = settings or Settings()
    show = make_show(get_exhibit("network"), settings, screen.get_size())
    kwargs.setdefault("console", io.StringIO())
    kwargs.setdefault("output_dir", OUTPUT["dir"])
    desk = Desktop(screen, show, fps=30, **kwargs)
    frame(desk, dt=0.0)
    return desk


def pump(desk: Desktop) -> None:
    """Feed the events pygame-gui posted (button pressed, slider moved …) back through the desktop."""
    for _ in range(3):
        events = pygame.event.get()
        if not events:
            return
        for event in events:
            desk.process_event(event)


def frame(desk: Desktop, dt: float = 1 / 30) -> None:
    pump(desk)
    desk.update(dt)
    desk.draw()


def click(desk: Desktop, element, button: int = 1) -> None:
    pos = element.rect.center
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=button, pos=pos, touch=False))
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=button, pos=pos, touch=False))
    pump(desk)


def press(desk: Desktop, key: int, unicode: str = "", mod: int = 0) -> None:
    desk.process_event(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0))
    desk.process_event(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode=unicode, scancode=0))
    pump(desk)


def type_into(desk: Desktop, entry, text: str) -> None:
    click(desk, entry)
    assert entry.is_focused
    entry.set_text("")
    for char in text:
        desk.process_event(pygame.event.Event(pygame.TEXTINPUT, text=char))
    press(desk, pygame.K_RETURN)


def button(desk: Desktop, action: str):
    return next(b for b, a in desk.panel.buttons.items() if a == action)


def tab(desk: Desktop, name: str) -> None:
    click(desk, next(b for b, t in desk.panel.tab_buttons.items() if t == name))
    assert desk.panel.tab == name


# -- seeds ------------------------------------------------------------------------------------------
def test_seed_next_button_resets_weights_to_that_seeds_init():
    desk = make_desktop()
    for _ in range(10):
        frame(desk)
    assert desk.scene.trainer.step_count > 0
    click(desk, button(desk, "seed_next"))
    trainer = desk.scene.trainer
    assert desk.scene.settings.seed == 43
    assert trainer.step_count == 0
    expected = MLP.create(43, 16)
    for name in ("W1", "b1", "W2", "b2"):
        assert np.array_equal(getattr(trainer.net, name), getattr(expected, name))
    frame(desk)
    assert desk.panel.seed_label.text == "Seed 43"
    press(desk, pygame.K_p, "p")
    assert desk.scene.settings.seed == 42
    assert np.array_equal(desk.scene.trainer.net.W1, MLP.create(42, 16).W1)
    press(desk, pygame.K_n, "n")
    assert desk.scene.settings.seed == 43


def test_random_seed_draws_from_the_desktops_own_generator():
    global_state, py_state = np.random.get_state(), pyrandom.getstate()
    desk = make_desktop(random=np.random.default_rng(2024))
    click(desk, button(desk, "seed_random"))
    expected = int(np.random.default_rng(2024).integers(1, 1_000_000))
    assert desk.scene.settings.seed == expected
    assert np.array_equal(desk.scene.trainer.net.W1, MLP.create(expected, 16).W1)  # reproducible from the seed
    frame(desk)
    assert desk.panel.seed_label.text == f"Seed {expected}"
    # Nothing global was drawn from or seeded.
    assert pyrandom.getstate() == py_state
    after = np.random.get_state()
    assert after[0] == global_state[0] and np.array_equal(after[1], global_state[1]) and after[2:] == global_state[2:]
    # Without an injected generator, Random draws from a fresh OS-seeded numpy Generator.
    assert isinstance(make_desktop().random, np.random.Generator)


def test_typed_seed_abc_is_refused_with_a_visible_message_and_the_run_goes_on():
    desk = make_desktop()
    frame(desk)
    before = desk.scene.trainer.step_count
    for bad in ("abc", "-3", "4.5", "99999999999"):
        type_into(desk, desk.panel.seed_entry, bad)
        assert desk.scene.settings.seed == 42
        assert desk.message_is_error
        assert "seed was not changed" in desk.message
        assert "seed was not changed" in desk.panel.message_box.html_text.replace("<br>", " ")   # wrapped to fit
    assert "'abc'" not in desk.message  # the last message is about the last input
    for _ in range(5):
        frame(desk)
    assert desk.scene.trainer.step_count > before and not desk.scene.paused
    type_into(desk, desk.panel.seed_entry, "7")
    assert desk.scene.settings.seed == 7 and not desk.message_is_error
    assert np.array_equal(desk.scene.trainer.net.W1, MLP.create(7, 16).W1)


def test_typing_in_the_seed_field_does_not_trigger_hotkeys():
    desk = make_desktop()
    click(desk, desk.panel.seed_entry)
    desk.process_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_r, mod=0, unicode="r", scancode=0))
    desk.process_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=0, unicode="q", scancode=0))
    assert desk.running and desk.panel.seed_entry.is_focused
    press(desk, pygame.K_ESCAPE)          # leaves the field; it does not quit
    assert desk.running and not desk.panel.text_focused()
    click(desk, desk.panel.seed_entry)
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(10, 10), touch=False))
    assert not desk.panel.text_focused()  # a click on the exhibit leaves it too
    press(desk, pygame.K_SPACE, " ")
    assert desk.scene.paused


def test_parse_seed():
    assert parse_seed(" 12 ") == 12 and parse_seed("1_000") == 1000 and parse_seed("0") == 0
    for bad in ("", "abc", "-1", "1e3", "٣", str(2**32)):
        with pytest.raises(ValueError):
            parse_seed(bad)


# -- sliders and toggles ------------------------------------------------------------------------------
def test_batch_slider_to_4_gives_60_updates_per_epoch():
    desk = make_desktop()
    desk.perform("pause")
    slider = desk.panel.widget("batch_size")
    for _ in range(3):                     # the slider's own ◀ arrow, one step (4) at a time: 16 → 12 → 8 → 4
        click(desk, slider.left_button)
    assert desk.scene.settings.batch_size == 4
    frame(desk)
    assert "60 updates/epoch" in desk.panel.caption("batch_size").text
    trainer = desk.scene.trainer
    assert trainer.epoch == 0 and trainer.step_in_epoch == 0
    steps = 0
    while trainer.epoch == 0:
        desk.perform("step")
        steps += 1
    assert steps == 60 == math.ceil(240 / 4)


def test_batch_change_applies_from_the_next_epoch():
    desk = make_desktop()
    desk.perform("pause")
    trainer = desk.scene.trainer
    for _ in range(3):
        desk.perform("step")
    spec, slider = SLIDER_BY_KEY["batch_size"], desk.panel.widget("batch_size")
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=spec.position_of(32),
                                         ui_element=slider))
    pump(desk)
    assert desk.scene.settings.batch_size == 32
    steps = 0
    while trainer.epoch == 0:
        desk.perform("step")
        steps += 1
    assert steps == 15 - 3                  # the current epoch finishes with its batches of 16
    while trainer.epoch == 1:
        desk.perform("step")
        steps += 1
    assert steps == 12 + math.ceil(240 / 32)


@pytest.mark.parametrize("key, value, check", [
    ("learning_rate", 0.2, lambda scene: scene.trainer.lr == 0.2),
    ("speed", 8.0, lambda scene: scene.settings.speed == 8.0),
    ("max_epochs", 120, lambda scene: scene.trainer.config.max_epochs == 120),
    ("confidence_threshold", 0.9, lambda scene: scene.settings.confidence_threshold == 0.9),
    ("glow", 2.5, lambda scene: scene.settings.glow == 2.5),
    ("flow_speed", 0.5, lambda scene: scene.settings.flow_speed == 0.5),
    ("synapse_opacity", 0.75, lambda scene: scene.settings.synapse_opacity == 0.75),
])
def test_slider_moves_edit_the_settings_live(key, value, check):
    desk = make_desktop()
    for _ in range(3):
        frame(desk)
    steps = desk.scene.trainer.step_count
    tab(desk, desk.panel.page_of(key))        # a page's controls are built when it is first shown
    spec, slider, label = SLIDER_BY_KEY[key], desk.panel.widget(key), desk.panel.caption(key)
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=spec.position_of(value),
                                         ui_element=slider))
    pump(desk)
    assert getattr(desk.scene.settings, key) == value and check(desk.scene)
    assert desk.scene.trainer.step_count == steps          # live: the run was not restarted
    frame(desk)
    assert spec.text(value) in label.text


def test_hidden_size_slider_rebuilds_the_net_once_the_slider_is_let_go(monkeypatch):
    desk = make_desktop()
    spec, slider, label = SLIDER_BY_KEY["hidden_size"], desk.panel.widget("hidden_size"), desk.panel.caption("hidden_size")
    monkeypatch.setattr(pygame.mouse, "get_pressed", lambda *a, **k: (True, False, False))
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=spec.position_of(24),
                                         ui_element=slider))
    frame(desk)
    assert desk.scene.settings.hidden_size == 16 and desk.scene.trainer.net.hidden == 16   # still dragging
    assert "let go" in label.text
    monkeypatch.setattr(pygame.mouse, "get_pressed", lambda *a, **k: (False, False, False))
    frame(desk)
    assert desk.scene.settings.hidden_size == 24 and desk.scene.trainer.net.hidden == 24
    assert np.array_equal(desk.scene.trainer.initial_weights["W1"], MLP.create(42, 24).W1)


def test_samples_slider_changes_the_training_set():
    desk = make_desktop()
    spec, slider = SLIDER_BY_KEY["samples"], desk.panel.widget("samples")
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, value=spec.position_of(500),
                                         ui_element=slider))
    pump(desk)
    assert desk.scene.settings.samples == 500 and desk.scene.trainer.n_train == 500


def test_checkboxes_and_theme_menu():
    desk = make_desktop()
    box = desk.panel.widget("early_stop")
    click(desk, box)
    assert desk.scene.settings.early_stop is True and desk.scene.trainer.config.early_stop is True
    tab(desk, "Visuals")
    click(desk, desk.panel.widget("show_particles"))
    assert desk.scene.settings.show_particles is False
    other = next(name for name in desk.themes if name != "midnight")
    pygame.event.post(pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=other,
                                         ui_element=desk.panel.widget("theme")))
    pump(desk)
    assert desk.scene.settings.theme == other and desk.show.theme == load_theme(other)
    frame(desk)


def test_keyboard_nudges_the_chosen_slider_and_clamps_at_its_ends():
    desk = make_desktop()
    assert desk.panel.selected_slider().key == "learning_rate"
    press(desk, pygame.K_EQUALS, "=")
    assert desk.scene.settings.learning_rate == 0.06 and desk.scene.trainer.lr == 0.06
    press(desk, pygame.K_MINUS, "-")
    press(desk, pygame.K_MINUS, "-")
    assert desk.scene.settings.learning_rate == 0.045
    press(desk, pygame.K_DOWN)             # next slider: training speed
    for _ in range(120):
        press(desk, pygame.K_PLUS, "+")
    assert desk.scene.settings.speed == 300.0           # the top of the slider, as on the original page
    frame(desk)
    assert desk.panel.caption("speed").text.startswith("» ")


def test_out_of_range_values_are_refused_and_nothing_changes():
    desk = make_desktop()
    before = desk.scene.settings
    assert not desk.change(learning_rate=-1.0)
    assert not desk.change(batch_size=0, glow=99.0)
    assert desk.scene.settings is before
    assert desk.message_is_error and "glow" in desk.message and "batch_size" in desk.message
    assert not desk.change(theme="no-such-theme")
    assert desk.scene.settings is before and "no-such-theme" in desk.message


# -- keys, panel layout, overlays ----------------------------------------------------------------------
def test_keys_pause_step_reset_and_toggles():
    desk = make_desktop()
    press(desk, pygame.K_SPACE, " ")
    assert desk.scene.paused
    steps = desk.scene.trainer.step_count
    press(desk, pygame.K_RIGHT)
    assert desk.scene.trainer.step_count == steps + 1
    frame(desk)
    assert desk.scene.trainer.step_count == steps + 1          # paused: nothing more
    assert desk.panel.pause_button.text == "Resume"
    press(desk, pygame.K_l, "l")
    assert desk.scene.settings.show_math is False
    press(desk, pygame.K_s, "s")
    press(desk, pygame.K_d, "d")
    press(desk, pygame.K_e, "e")
    s = desk.scene.settings
    assert (s.show_synapses, s.show_particles, s.early_stop) == (False, False, True)
    frame(desk)
    tab(desk, "Visuals")     # built now, after the keys changed its settings: it shows them
    assert desk.panel.widget("show_math").get_state() is False
    theme = desk.scene.settings.theme
    press(desk, pygame.K_t, "t")
    assert desk.scene.settings.theme != theme
    frame(desk)
    assert desk.panel.widget("theme").selected_option[0] == desk.scene.settings.theme
    press(desk, pygame.K_r, "r")
    assert desk.scene.trainer.step_count == 0 and not desk.scene.paused


def test_tab_hides_the_panel_and_the_exhibit_takes_the_whole_window():
    desk = make_desktop()
    w, h = WINDOW
    assert tuple(desk.show.size) == (w - PANEL_WIDTH, h)
    assert desk.panel.rect.left == w - PANEL_WIDTH and desk.exhibit.get_size() == (w - PANEL_WIDTH, h)
    press(desk, pygame.K_TAB)
    assert not desk.panel.visible and tuple(desk.show.size) == (w, h)
    frame(desk)
    press(desk, pygame.K_TAB)
    assert desk.panel.visible and tuple(desk.show.size) == (w - PANEL_WIDTH, h)
    # Only the chosen tab's page is shown again.
    assert [name for name, page in desk.panel.pages.items() if page.visible] == [desk.panel.tab]
    # A new window size recomposes both.
    pygame.display.set_mode((1200, 800))
    desk.process_event(pygame.event.Event(pygame.VIDEORESIZE, size=(1200, 800), w=1200, h=800))
    assert tuple(desk.show.size) == (1200 - PANEL_WIDTH, 800) and desk.panel.rect.left == 1200 - PANEL_WIDTH
    frame(desk)


def test_the_scene_never_draws_under_the_panel():
    desk = make_desktop()
    screen = desk.screen
    screen.fill((255, 0, 255))
    desk.show.draw(desk.exhibit)
    panel_area = pygame.surfarray.pixels3d(screen)[WINDOW[0] - PANEL_WIDTH:, :, :]
    assert (panel_area == (255, 0, 255)).all()


def test_help_and_escape():
    desk = make_desktop()
    press(desk, pygame.K_SLASH, "?", pygame.KMOD_SHIFT)
    assert desk.help_open
    frame(desk)
    press(desk, pygame.K_ESCAPE)
    assert not desk.help_open and desk.running
    press(desk, pygame.K_h, "h")
    assert desk.help_open
    press(desk, pygame.K_h, "h")
    press(desk, pygame.K_ESCAPE)
    assert not desk.running


def test_every_key_in_the_help_is_bound_and_documented(tmp_path):
    shown = {action for _, action in keymap.HELP_KEYS}
    bound = set(keymap.PLAIN.values()) | set(keymap.WITH_CTRL.values())
    assert shown <= bound
    docs = (Path(__file__).parents[3] / "docs" / "desktop.md").read_text(encoding="utf-8")
    for keys, _ in keymap.HELP_KEYS:
        assert f"`{keys}`" in docs, f"docs/desktop.md does not list the key {keys}"
    desk = make_desktop(output_dir=tmp_path)
    for action in sorted(bound - {"quit", "escape", "fullscreen", "record", "load_scene", "save_scene"}):
        desk.perform(action)                                     # every bound action runs
        frame(desk)


# -- draw your own shape ----------------------------------------------------------------------------
def cell_centre(rect: pygame.Rect, row: int, col: int) -> tuple[int, int]:
    return (int(rect.x + (col + 0.5) * rect.width / 8), int(rect.y + (row + 0.5) * rect.height / 8))


def test_drawn_shape_flows_forward_through_the_live_network():
    desk = make_desktop()
    tab(desk, "Draw")
    rect = desk.panel.pad_rect
    X_train = desk.scene.trainer.data.X_train.copy()
    start, corner, end = cell_centre(rect, 1, 1), cell_centre(rect, 1, 6), cell_centre(rect, 6, 6)
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=start, touch=False))
    for pos in (corner, end):
        desk.process_event(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(1, 0, 0), touch=False))
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=end, touch=False))
    expected = np.zeros((8, 8))
    expected[1, 1:7] = 1
    expected[1:7, 6] = 1
    assert np.array_equal(desk.pad.pixels, expected)
    scene = desk.scene
    assert np.array_equal(scene.drawn, expected.ravel())
    image = normalise_drawing(expected)               # what the network sees: centred, 4 px across
    assert np.array_equal(scene.drawing, image)

    def check_trace(image):
        sample, trace = scene.snapshot.sample, scene.trainer.net.forward(image)
        assert np.array_equal(sample.x, image)
        for name in ("z1", "h1", "logits", "probs"):
            assert np.array_equal(getattr(sample, name), getattr(trace, name)[0]), name
        return trace

    trace = check_trace(image)
    frame(desk)
    k = int(trace.probs[0].argmax())
    assert desk.panel.verdict.text.startswith(f"It's a {CLASS_NAMES[k]}")
    # It keeps flowing forward as the network learns, and never enters the training data untaught.
    for _ in range(90):
        frame(desk)
        assert scene.phase == "forward"
    assert scene.trainer.step_count > 0
    check_trace(image)
    assert np.array_equal(scene.trainer.data.X_train, X_train)
    # A stroke that starts on a lit pixel erases.
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=start, touch=False))
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=start, touch=False))
    assert desk.pad.pixels[1, 1] == 0 and np.array_equal(scene.drawing, normalise_drawing(desk.pad.image))
    check_trace(normalise_drawing(desk.pad.image))
    click(desk, button(desk, "clear_drawing"))
    assert desk.pad.empty and scene.drawing is None
    assert np.array_equal(scene.snapshot.sample.x, scene.data.X_test[scene.shown_index])


def test_the_teach_buttons_add_the_drawing_the_network_sees_to_its_training():
    desk = make_desktop()
    tab(desk, "Draw")
    rect = desk.panel.pad_rect
    click(desk, button(desk, "teach_second"))                  # nothing drawn yet: nothing taught, and it says so
    assert desk.scene.teaching.samples == [] and "Draw a shape first" in desk.message
    for row in range(2, 7):                                    # a filled 5x5 square, stroke by stroke
        start, end = cell_centre(rect, row, 1), cell_centre(rect, row, 5)
        desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=start, touch=False))
        desk.process_event(pygame.event.Event(pygame.MOUSEMOTION, pos=end, rel=(0, 0), buttons=(1, 0, 0), touch=False))
        desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=end, touch=False))
    assert desk.pad.pixels.sum() == 25
    frame(desk)                                                # the panel shows what the network sees, beside it
    assert desk.panel._seen_key == bytes(normalise_drawing(desk.pad.image).astype(np.uint8))
    epochs = desk.scene.trainer.epoch
    click(desk, button(desk, "teach_second"))
    sample, = desk.scene.teaching.samples
    assert sample.label == "square" and np.array_equal(sample.image, normalise_drawing(desk.pad.image))
    assert desk.message.startswith("Taught: a square")
    assert desk.scene.trainer.config.max_epochs >= epochs + 60
    frame(desk)
    assert "It's a circle" in [b.text for b in desk.panel.buttons if desk.panel.buttons[b] == "teach_first"]


def test_drawing_with_a_finger():
    desk = make_desktop()
    tab(desk, "Draw")
    rect, (w, h) = desk.panel.pad_rect, desk.screen.get_size()

    def finger(kind, row, col):
        x, y = cell_centre(rect, row, col)
        desk.process_event(pygame.event.Event(kind, touch_id=1, finger_id=3, x=x / w, y=y / h, dx=0, dy=0,
                                              pressure=1.0))

    finger(pygame.FINGERDOWN, 7, 0)
    finger(pygame.FINGERMOTION, 0, 7)
    finger(pygame.FINGERUP, 0, 7)
    assert np.array_equal(np.flatnonzero(desk.pad.pixels[::-1].diagonal()), np.arange(8))
    assert desk.pad.pixels.sum() == 8
    assert np.array_equal(desk.scene.drawn, desk.pad.image)
    assert np.array_equal(desk.scene.drawing, normalise_drawing(desk.pad.image))
    press(desk, pygame.K_BACKSPACE)
    assert desk.scene.drawing is None


def test_lines_have_no_gaps():
    assert cells_between((0, 0), (0, 3)) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert cells_between((2, 2), (2, 2)) == [(2, 2)]
    path = cells_between((7, 0), (0, 5))
    assert path[0] == (7, 0) and path[-1] == (0, 5)
    assert all(max(abs(a[0] - b[0]), abs(a[1] - b[1])) == 1 for a, b in zip(path, path[1:]))
    assert DrawPad.cell_at(pygame.Rect(10, 10, 80, 80), (9, 50)) is None
    assert DrawPad.cell_at(pygame.Rect(10, 10, 80, 80), (89, 89)) == (7, 7)


# -- saved scenes ---------------------------------------------------------------------------------
def test_save_then_load_scene_round_trips_every_key(tmp_path):
    other_theme = next(name for name in list_themes() if name != "midnight")
    chosen = Settings(seed=7, learning_rate=0.02, batch_size=8, speed=2.5, max_epochs=120, samples=300,
                      hidden_size=12, hidden_layers=2, confidence_threshold=0.9, early_stop=True, glow=2.0, flow_speed=0.7,
                      synapse_opacity=0.65, show_synapses=False, show_particles=False, show_math=False, decorations=True,
                      theme=other_theme, optimizer="momentum", composition="gallery", noise_mode="input_jitter",
                      noise_magnitude=0.2, schedule="cosine",
                      taught=(TaughtSample("square", "0" * 18 + "1111" + "0000" + "1111" + "0" * 34),))
    defaults = dataclasses.asdict(Settings())
    assert all(value != defaults[key] for key, value in dataclasses.asdict(chosen).items())  # every key is moved
    assert set(defaults) == set(RANGES)
    desk = make_desktop(chosen)
    tab(desk, "Scene")
    path = tmp_path / "my scene.toml"
    type_into(desk, desk.panel.scene_entry, str(path))
    click(desk, button(desk, "save_scene"))
    assert path.exists() and "Scene saved" in desk.message
    saved = read_scene(path)
    assert parse_taught(saved.pop("taught")) == chosen.taught
    assert saved == {"exhibit": "network", **{k: v for k, v in dataclasses.asdict(chosen).items() if k != "taught"}}
    desk.commit(Settings())                   # everything back to the defaults …
    assert desk.scene.settings == Settings()
    click(desk, button(desk, "load_scene"))   # … and the scene restores exactly
    assert desk.scene.settings == chosen
    assert desk.scene.trainer.net.hidden == 12 and desk.scene.trainer.net.hidden_layers == 2
    assert desk.scene.trainer.n_train == 257          # 300 + the taught shape 8 times, minus early stop's 51
    assert np.array_equal(desk.scene.trainer.net.W3, MLP.create(7, 12, 2).W3)
    frame(desk)
    assert desk.panel.seed_label.text == "Seed 7"
    tab(desk, desk.panel.page_of("theme"))
    assert desk.panel.widget("theme").selected_option[0] == other_theme


def test_a_bad_scene_file_is_refused_listing_each_problem(tmp_path):
    desk = make_desktop()
    path = tmp_path / "bad.toml"
    path.write_text('seed = "abc"\nglow = 9.0\nsparkle = true\n', encoding="utf-8")
    tab(desk, "Scene")
    type_into(desk, desk.panel.scene_entry, str(path))
    click(desk, button(desk, "load_scene"))
    assert desk.scene.settings == Settings()
    assert desk.message_is_error
    for key in ("seed", "glow", "sparkle"):
        assert key in desk.message
    assert len([line for line in desk.message.splitlines() if line.startswith("•")]) == 3
    # the message box shows three lines: the whole list is also over the exhibit, where nothing needs scrolling
    assert len([line for line in desk.diagnostics_lines if line.startswith("•")]) == 3
    type_into(desk, desk.panel.scene_entry, str(tmp_path / "missing.toml"))
    click(desk, button(desk, "load_scene"))
    assert "not found" in desk.message and desk.scene.settings == Settings()


# -- diagnostics, screenshot, recording -----------------------------------------------------------
def test_diagnostics_equal_independently_computed_values():
    console = io.StringIO()
    desk = make_desktop(Settings(hidden_size=8, learning_rate=0.3), console=console)
    clock = FixedClock(30)
    while desk.scene.trainer.epoch < 12:
        desk.update(clock.tick())
    press(desk, pygame.K_i, "i")
    d, trainer = desk.scene.last_diagnostics, desk.scene.trainer
    net, data = trainer.net, trainer.data
    assert desk.diagnostics_lines is not None and "DIAGNOSTICS" in console.getvalue()
    assert "confusion" in console.getvalue()
    # Recomputed here with plain loops, sample by sample.
    z1 = [[sum(x[i] * net.W1[i, j] for i in range(64)) + net.b1[j] for j in range(8)] for x in data.X_train]
    dead = sum(1 for j in range(8) if all(row[j] <= 0 for row in z1))
    assert d.dead_relu == dead
    confusion = [[0, 0], [0, 0]]
    for x, y in zip(data.X_test, data.y_test):
        h = np.maximum(x @ net.W1 + net.b1, 0)
        z = h @ net.W2 + net.b2
        confusion[int(y)][int(z[1] > z[0])] += 1
    assert d.confusion == tuple(map(tuple, confusion))
    assert d.test_accuracy == pytest.approx((confusion[0][0] + confusion[1][1]) / len(data.y_test), abs=1e-12)
    assert d.train_accuracy == pytest.approx(net.accuracy(data.X_train, data.y_train), abs=1e-12)
    theta = np.concatenate([net.W1.ravel(), net.b1, net.W2.ravel(), net.b2])
    theta0 = np.concatenate([MLP.create(42, 8).W1.ravel(), np.zeros(8), MLP.create(42, 8).W2.ravel(), np.zeros(2)])
    assert d.weight_change_l2 == pytest.approx(np.linalg.norm(theta - theta0), rel=1e-12)
    assert d.weight_change_l1 == pytest.approx(np.abs(theta - theta0).sum(), rel=1e-12)
    assert d.parameters == 64 * 8 + 8 + 8 * 2 + 2 == len(theta)
    assert d.weight_norms["hidden"] == pytest.approx(np.linalg.norm(np.concatenate([net.W1.ravel(), net.b1])))
    assert d.weight_norms["output"] == pytest.approx(np.linalg.norm(np.concatenate([net.W2.ravel(), net.b2])))
    assert d.grad_norms == trainer.last_grad_norms and d.grad_norms["hidden"] > 0
    assert d.epoch == trainer.epoch and d.train_loss == pytest.approx(net.loss(data.X_train, data.y_train))
    assert f"{d.dead_relu} of 8" in console.getvalue()
    before = pygame.surfarray.array3d(desk.exhibit).copy()
    desk.draw()
    assert not np.array_equal(before, pygame.surfarray.array3d(desk.exhibit))  # the overlay is on screen
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(10, 10), touch=False))
    assert desk.diagnostics_lines is None


def test_screenshot_and_recording_write_through_export(tmp_path):
    desk = make_desktop(size=(640, 400), output_dir=tmp_path)
    press(desk, pygame.K_c, "c")
    desk.draw()
    shots = list(tmp_path.glob("*.png"))
    assert len(shots) == 1 and desk.capture.last_screenshot == shots[0]
    assert pygame.image.load(str(shots[0])).get_size() == (640 - PANEL_WIDTH, 400)
    click(desk, button(desk, "record"))
    assert desk.capture.writer is not None
    for _ in range(6):
        frame(desk)
    assert desk.panel.record_button.text == "Stop rec."
    press(desk, pygame.K_v, "v")
    assert desk.capture.writer is None and desk.capture.last_recording.exists() and desk.capture.last_recording.suffix == ".mp4"
    assert desk.capture.fps == 30 and "6 frames" in desk.message   # a 30 fps window into a 30 fps video: 1 to 1
    # Quitting mid-recording finishes the file instead of discarding it.
    press(desk, pygame.K_v, "v")
    frame(desk)
    frame(desk)
    press(desk, pygame.K_q, "q")
    assert not desk.running
    desk.close()
    assert len(list(tmp_path.glob("*.mp4"))) == 2
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("window_fps", [24, 60, 144])
def test_recordings_play_for_as_long_as_they_were_recorded(tmp_path, window_fps):
    """Whatever the window's frame rate, N seconds recorded are N seconds of video at the stated fps."""
    desk = make_desktop(size=(480, 300), output_dir=tmp_path)
    click(desk, button(desk, "record"))
    for _ in range(3 * window_fps + 1):                      # three seconds of the window's clock
        frame(desk, 1 / window_fps)
    written = desk.capture.writer.frames_written
    press(desk, pygame.K_v, "v")
    assert abs(written - 3 * desk.capture.fps) <= 1, written   # 3 s of video at the stated fps
    assert "3.0 s" in desk.message


# -- the slider mapping ----------------------------------------------------------------------------
ISSUE_RANGES = {"learning_rate": (0.001, 0.5, 0.05), "speed": (0.1, 300, 3),   # 300: issue 15 (the page's top)
                "batch_size": (4, 32, 16),
                "max_epochs": (50, 500, 200), "samples": (50, 1000, 240), "hidden_size": (8, 32, 16),
                "confidence_threshold": (0.5, 1.0, 0.80), "glow": (0.1, 3, 1.5), "flow_speed": (0.1, 3, 1.5),
                "synapse_opacity": (0.1, 1, 0.4)}


@pytest.mark.parametrize("key", list(ISSUE_RANGES))
def test_slider_ranges_and_defaults(key):
    spec = SLIDER_BY_KEY[key]
    low, high, default = ISSUE_RANGES[key]
    assert spec.value_at(0) == low and spec.value_at(spec.positions) == high
    assert getattr(Settings(), key) == default == spec.value_at(spec.position_of(default))
    values = [spec.value_at(p) for p in range(spec.positions + 1)]
    assert values == sorted(set(values))                             # strictly increasing, no duplicates
    assert all(spec.position_of(v) == p for p, v in enumerate(values))
    for v in values:
        Settings().replace(**{key: v})                               # every slider value is a valid setting
    if spec.logarithmic:
        ratios = np.diff(np.log(values))
        assert ratios.max() < 0.2                                     # a log slider's steps are even-ish


def test_f11_goes_to_desktop_size_full_screen_and_back_with_one_layout():
    desk = make_desktop(size=(800, 500))
    desktop_size = pygame.display.get_desktop_sizes()[0]
    press(desk, pygame.K_F11, "")
    frame(desk)
    assert desk.screen.get_size() == desktop_size == pygame.display.get_surface().get_size()
    assert desk.exhibit_rect.width + PANEL_WIDTH == desktop_size[0]         # the panel and exhibit share that size
    press(desk, pygame.K_F11, "")
    frame(desk)
    assert desk.screen.get_size() == (800, 500) and desk.exhibit_rect.size == (800 - PANEL_WIDTH, 500)


@pytest.mark.parametrize("desktop, window", [((1366, 768), (1229, 691)), ((1920, 1080), (1728, 972)),
                                             ((3840, 2160), (3456, 1944)), ((1080, 1920), (972, 1728))])
def test_the_first_window_fits_the_screen_it_opens_on(desktop, window):
    from illumination.core.display import first_window_size
    size = first_window_size(desktop)
    assert size == window and size[0] <= desktop[0] and size[1] <= desktop[1]


def test_every_new_run_starts_playing_and_only_space_pauses():
    desk = make_desktop()
    for key, char in ((pygame.K_n, "n"), (pygame.K_p, "p"), (pygame.K_x, "x")):
        press(desk, pygame.K_SPACE, " ")
        assert desk.scene.paused
        press(desk, key, char)
        assert not desk.scene.paused, char
    press(desk, pygame.K_SPACE, " ")
    desk.perform("reset")
    assert not desk.scene.paused


def test_diagnostics_show_the_windows_frame_rate():
    desk = make_desktop()
    for _ in range(30):
        frame(desk, 1 / 40)
    desk.perform("diagnostics")
    assert desk.diagnostics_lines[0].startswith("window: 40.0 frames/s (25.0 ms a frame)")
