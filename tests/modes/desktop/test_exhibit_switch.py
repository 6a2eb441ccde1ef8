"""The window shows any exhibit: the Exhibit menu switches between them, each brings its own controls (the
Landscape's menus and sliders), and every control changes the one Settings object and the scene behind it."""
import io

import pygame
import pygame_gui
import pytest

from illumination.core.controls import Choice
from illumination.core.display import init_headless
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit
from illumination.modes.desktop.desktop import Desktop

WINDOW = (1200, 760)


@pytest.fixture(scope="module", autouse=True)
def display():
    init_headless()
    pygame.display.set_mode(WINDOW)
    yield


def make_desktop(name="network", tmp_path=None, **changes) -> Desktop:
    screen = pygame.display.set_mode(WINDOW)
    pygame.event.clear()
    exhibit = get_exhibit(name)
    desk = Desktop(screen, make_show(exhibit, exhibit.settings(**changes), screen.get_size()), fps=30,
                   console=io.StringIO(), output_dir=tmp_path)
    frame(desk)
    return desk


def pump(desk):
    for _ in range(4):
        events = pygame.event.get()
        if not events:
            return
        for event in events:
            desk.process_event(event)


def frame(desk, dt=1 / 30):
    pump(desk)
    desk.update(dt)
    desk.draw()


def click_at(desk, pos):
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pos, touch=False))
    desk.process_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos, touch=False))
    pump(desk)
    frame(desk, 0.0)


def choose(desk, menu, option: str):
    """Open a drop-down menu with a click and click one of its options, as a person would."""
    click_at(desk, menu.rect.center)
    state = menu.menu_states["expanded"]
    item = next(i for i in state.options_selection_list.item_list if i["text"] == option)
    click_at(desk, item["button_element"].rect.center)


def tab(desk, name):
    button = next(b for b, t in desk.panel.tab_buttons.items() if t == name)
    click_at(desk, button.rect.center)
    assert desk.panel.tab == name


def test_the_exhibit_menu_switches_to_the_landscape_and_back(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    tab(desk, "Scene")
    choose(desk, desk.panel.exhibit_menu, "Landscape")
    assert desk.show.name == "landscape" and desk.scene.settings.view == "3d"
    assert desk.panel.tabs == ("Physics", "Run", "Scene") and desk.panel.tab == "Scene"
    assert "Landscape" in desk.panel.message
    for _ in range(5):
        frame(desk)
    assert desk.scene.position() > 0                    # it runs
    tab(desk, "Scene")
    choose(desk, desk.panel.exhibit_menu, "Network")
    assert desk.show.name == "network" and "Draw" in desk.panel.tabs


def test_switching_keeps_the_theme_and_the_hidden_panel(tmp_path):
    desk = make_desktop(tmp_path=tmp_path, theme="print")
    desk.perform("toggle_panel")
    desk.switch_exhibit("landscape")
    assert desk.scene.settings.theme == "print" and not desk.panel.visible
    assert desk.exhibit_rect.size == WINDOW               # the hidden panel leaves the exhibit the whole window


def test_switching_keeps_the_chosen_composition(tmp_path):
    """Gallery chosen (Visuals → Composition), then Landscape → Network from the Exhibit menu: still gallery."""
    desk = make_desktop(tmp_path=tmp_path)
    tab(desk, "Visuals")
    choose(desk, desk.panel.widget("composition"), "Gallery (for the wall)")
    assert desk.scene.settings.composition == "gallery"
    tab(desk, "Scene")
    choose(desk, desk.panel.exhibit_menu, "Landscape")
    assert desk.show.name == "landscape"
    tab(desk, "Scene")
    choose(desk, desk.panel.exhibit_menu, "Network")
    assert desk.show.name == "network" and desk.scene.settings.composition == "gallery"
    assert desk.show.view.layout.gallery                      # drawn as the wall's composition, too
    tab(desk, "Visuals")
    assert desk.panel.widget("composition").selected_option[0] == "Gallery (for the wall)"


def test_the_landscape_run_page_chooses_its_composition(tmp_path):
    """The Landscape has Composition on its Run page: Gallery redraws it as the wall's picture, and back."""
    desk = make_desktop("landscape", tmp_path=tmp_path)
    assert desk.panel.page_of("composition") == "Run" and not desk.show.view.gallery
    tab(desk, "Run")
    choose(desk, desk.panel.widget("composition"), "Gallery (for the wall)")
    assert desk.scene.settings.composition == "gallery" and desk.show.view.gallery
    tab(desk, "Run")
    choose(desk, desk.panel.widget("composition"), "Explain (annotated)")
    assert desk.scene.settings.composition == "explain" and not desk.show.view.gallery


def test_a_window_opened_in_gallery_comes_back_in_gallery(tmp_path):
    desk = make_desktop(tmp_path=tmp_path, composition="gallery", theme="print")
    desk.switch_exhibit("landscape")
    desk.switch_exhibit("network")
    assert desk.scene.settings.composition == "gallery" and desk.scene.settings.theme == "print"


@pytest.mark.parametrize("key, option, value", [("surface", "Rastrigin egg crate", "rastrigin"),
                                                ("optimizer", "Adam", "adam"),
                                                ("view", "Valley (1D)", "valley"),
                                                ("schedule", "cosine", "cosine")])
def test_landscape_menus_change_the_settings_and_the_scene(tmp_path, key, option, value):
    desk = make_desktop("landscape", tmp_path=tmp_path)
    tab(desk, desk.panel.page_of(key))
    spec, menu = next(c for c in desk.controls.choices if c.key == key), desk.panel.widget(key)
    assert isinstance(spec, Choice)
    run = desk.scene.run
    choose(desk, menu, option)
    assert getattr(desk.scene.settings, key) == value
    if key == "surface":
        assert desk.scene.surface.name == "rastrigin" and desk.scene.run == run + 1
    if key == "view":
        assert desk.scene.balls.line_z == desk.scene.surface.global_minimum[1]
    if key == "schedule":
        assert desk.scene.balls.settings.schedule == "cosine" and desk.scene.run == run   # live, no restart
    frame(desk)
    assert desk.panel.widget(key).selected_option[0] == option


def test_a_setting_changed_elsewhere_shows_in_its_menu(tmp_path):
    desk = make_desktop("landscape", tmp_path=tmp_path)
    desk.change(surface="bowl")
    frame(desk)
    assert desk.panel.widget("surface").selected_option[0] == "Simple bowl"


def test_landscape_sliders_reach_the_physics(tmp_path):
    desk = make_desktop("landscape", tmp_path=tmp_path)
    slider = desk.panel.widget("temperature")
    spec = desk.controls.slider("temperature")
    slider.set_current_value(spec.position_of(2.0))
    pygame.event.post(pygame.event.Event(__import__("pygame_gui").UI_HORIZONTAL_SLIDER_MOVED,
                                         value=spec.position_of(2.0), ui_element=slider))
    pump(desk)
    assert desk.scene.settings.temperature == 2.0 and desk.scene.balls.noise_level == 2.0


def test_the_ball_count_slider_walks_whole_numbers():
    from illumination.exhibits.landscape.controls import RUN
    balls = next(spec for spec in RUN if spec.key == "balls")
    values = [balls.value_at(k) for k in range(balls.positions + 1)]
    assert values[0] == 1 and values[-1] == 100_000 and all(isinstance(v, int) for v in values)
    assert values == sorted(set(values))                 # no repeats: every position is a new count
    assert 10_000 in values and 1_000 in values


def test_step_and_roll_in_the_valley(tmp_path):
    """Seed 002's lesson from the window: Step (→) takes one step; Roll (Space) lets it go."""
    desk = make_desktop("landscape", tmp_path=tmp_path, view="valley", surface="bowl", optimizer="sgd",
                        learning_rate=8.0)
    start = desk.scene.position()
    desk.perform("step")
    x1 = desk.scene.balls.x[0]
    desk.perform("step")
    x2 = desk.scene.balls.x[0]
    assert desk.scene.paused and desk.scene.position() == start + 2
    # η = 8 on 0.1x²: x ← x(1 − 1.6) = −0.6x, the ball overshoots the bottom to the other side
    assert x2 == pytest.approx(-0.6 * x1)
    desk.perform("pause")                                  # roll
    for _ in range(10):
        frame(desk)
    assert not desk.scene.paused and desk.scene.position() > start + 2


def test_the_noise_page_sets_optimizer_noise_and_schedule_and_restarts_the_run(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    tab(desk, "Noise")
    run = desk.scene.run
    choose(desk, desk.panel.widget("noise_mode"), "Langevin (SGLD)")
    s = desk.scene.settings
    assert (s.noise_mode, s.noise_magnitude) == ("sgld", 1e-4)          # the mode's usual magnitude comes with it
    assert desk.scene.run == run + 1 and desk.scene.trainer.noise.spec.label == "sgld:0.0001"
    choose(desk, desk.panel.widget("schedule"), "cosine")
    choose(desk, desk.panel.widget("optimizer"), "Muon")
    assert desk.scene.trainer.config.noise.schedule == "cosine" and desk.scene.trainer.config.optimizer == "muon"
    slider = desk.panel.widget("noise_magnitude")
    spec = desk.controls.slider("noise_magnitude")
    desk.process_event(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED,
                                          value=spec.position_of(1e-3), ui_element=slider))
    pump(desk)
    assert desk.scene.trainer.noise.spec.magnitude == pytest.approx(1e-3, rel=0.3)
    choose(desk, desk.panel.widget("noise_mode"), "None")
    assert not desk.scene.trainer.noise.spec.active
