"""The desktop's contract with its panel: one table of actions behind the keys and the buttons, intents as typed
records dispatched by type, panel state behind the panel's methods, and the window's size read once into a layout."""
import ast
import dataclasses
import inspect
import io
from pathlib import Path

import pygame
import pygame_gui
import pytest

from illumination.core.controls import Toggle
from illumination.core.display import init_headless
from illumination.core.show import make_show
from illumination.exhibits import EXHIBITS, get_exhibit
from illumination.modes.desktop import actions, intents, keys
from illumination.modes.desktop.desktop import Desktop
from illumination.modes.desktop.layout import MIN_EXHIBIT_WIDTH, WindowLayout
from illumination.modes.desktop.panel import ControlPanel
from illumination.modes.desktop.panel_theme import PANEL_WIDTH

DESKTOP = Path(__file__).resolve().parents[3] / "illumination" / "modes" / "desktop"
WINDOW = (1100, 700)


@pytest.fixture(scope="module", autouse=True)
def display():
    init_headless()
    pygame.display.set_mode(WINDOW)
    yield


def make_desktop(name="network", tmp_path=None) -> Desktop:
    screen = pygame.display.set_mode(WINDOW)
    pygame.event.clear()
    exhibit = get_exhibit(name)
    desk = Desktop(screen, make_show(exhibit, exhibit.settings(), screen.get_size()), fps=30, console=io.StringIO(),
                   output_dir=tmp_path)
    desk.update(0.0)
    return desk


# -- one table of actions ---------------------------------------------------------------------------
def test_every_key_presses_an_action_of_the_table():
    for bindings in (keys.PLAIN, keys.WITH_CTRL):
        unknown = {key: name for key, name in bindings.items() if name not in actions.ACTIONS}
        assert unknown == {}
    assert {name for _, name in keys.HELP_KEYS} <= set(actions.ACTIONS)


def test_every_action_but_the_seed_fields_set_has_a_key():
    bound = set(keys.PLAIN.values()) | set(keys.WITH_CTRL.values())
    assert set(actions.ACTIONS) - bound == {"seed_apply"}     # Set's key is Enter inside the seed field


@pytest.mark.parametrize("name", sorted(EXHIBITS))
def test_every_button_and_toggle_key_names_an_action_of_the_desktops_table(name, tmp_path):
    desk = make_desktop(name, tmp_path)
    for title in desk.panel.tabs:           # every page built, so every button exists
        desk.panel.select_tab(title)
    pressed = set(desk.panel.buttons.values())
    assert pressed and pressed <= set(desk.actions)
    for toggle in desk.controls.toggles:
        if toggle.shortcut:
            event = pygame.event.Event(pygame.KEYDOWN, key=ord(toggle.shortcut.lower()), mod=0,
                                       unicode=toggle.shortcut.lower())
            assert keys.action_for(event, desk.controls.toggles) == toggle.action_name
            assert toggle.action_name in desk.actions
    for button, action in desk.panel.buttons.items():    # the tool tip is the table's line and the key
        tip = keys.tool_tip(action)
        assert actions.ACTIONS[action].does in tip
        assert button.tool_tip_text == tip


def test_the_help_reads_the_table():
    toggles = (Toggle("glow_on", "Glow on the wall", "G"),)
    lines = keys.help_lines(toggles)
    for shown, name in keys.HELP_KEYS:
        assert any(line.startswith(shown) and line.endswith(actions.ACTIONS[name].does) for line in lines), shown
    assert any(line.startswith("G ") and line.endswith("glow on the wall on / off") for line in lines)


def test_an_exhibits_toggle_may_not_take_a_window_actions_name():
    with pytest.raises(ValueError, match="pause"):
        actions.table((Toggle("paused_look", "Paused look", action="pause"),))


def test_an_unknown_action_is_refused_by_name(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    with pytest.raises(ValueError, match="no_such_action"):
        desk.perform("no_such_action")


# -- intents: typed records, dispatched by type -------------------------------------------------------
def test_every_kind_of_intent_has_a_handler_and_intents_are_frozen():
    kinds = set(intents.Intent.__args__)
    assert kinds == set(Desktop.INTENT_HANDLERS)
    for kind in kinds:
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen


def test_intents_apply_through_the_handlers(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    desk.apply(intents.SetValue("glow", 2.5))
    assert desk.scene.settings.glow == 2.5
    desk.apply(intents.Press("pause"))
    assert desk.scene.paused
    other = next(theme for theme in desk.themes if theme != desk.scene.settings.theme)
    desk.apply(intents.ChooseTheme(other))
    assert desk.scene.settings.theme == other and desk.message == f"Theme: {other}"
    desk.apply(intents.LetGo((("hidden_size", 24), ("samples", 300))))
    assert (desk.scene.settings.hidden_size, desk.scene.trainer.net.hidden) == (24, 24)
    assert desk.message == "The run restarts with hidden neurons 24, training samples 300."
    desk.apply(intents.ChooseExhibit("landscape"))
    assert desk.show.name == "landscape"


def test_an_unknown_intent_is_a_clear_error(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class Shout:
        words: str

    desk = make_desktop(tmp_path=tmp_path)
    with pytest.raises(TypeError, match="no handler for the intent .*Shout"):
        desk.apply(Shout("hello"))
    with pytest.raises(TypeError):
        desk.apply(("set", "glow", 2.0))          # the old tuples are not intents


def test_a_button_and_a_typed_seed_reach_the_desktop_as_intents(tmp_path):
    """A click is a Press in the panel's queue, taken once; the seed field's Enter is the Set button's action."""
    desk = make_desktop(tmp_path=tmp_path)
    button = next(b for b, a in desk.panel.buttons.items() if a == "pause")
    desk.panel.process_event(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=button))
    assert desk.panel.take_intents() == [intents.Press("pause")]
    assert desk.panel.take_intents() == []
    desk.panel.seed_entry.set_text("77")
    desk.process_event(pygame.event.Event(pygame_gui.UI_TEXT_ENTRY_FINISHED, ui_element=desk.panel.seed_entry,
                                          text="77"))
    assert desk.scene.settings.seed == 77 and desk.panel.typed_seed() == ""


# -- the panel owns its widgets -----------------------------------------------------------------------
def panel_uses() -> dict[str, set[str]]:
    """Every name read or written on `….panel` in the desktop's modules other than the panel's own."""
    found: dict[str, set[str]] = {}
    for path in sorted(DESKTOP.glob("*.py")):
        if path.stem.startswith("panel"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                owner = node.value
                if (isinstance(owner, ast.Attribute) and owner.attr == "panel") or \
                        (isinstance(owner, ast.Name) and owner.id == "panel"):
                    found.setdefault(node.attr, set()).add(path.name)
    return found


def test_the_desktop_changes_the_panel_only_through_its_methods():
    """Outside panel*.py, `panel.x` always names a method or a read-only property of ControlPanel: never a
    widget, a widget's dict or the panel's state (which could then be changed from outside)."""
    uses = panel_uses()
    assert {"process_event", "take_intents", "show_message", "sync"} <= set(uses)   # the reader finds them
    for name, files in uses.items():
        member = inspect.getattr_static(ControlPanel, name, None)
        assert inspect.isfunction(member) or (isinstance(member, property) and member.fset is None), \
            f"{sorted(files)} use panel.{name}, which is not a method or read-only property of ControlPanel"


def test_the_keyboard_chooses_and_moves_sliders_through_the_panel(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    first = desk.panel.selected_slider()
    sliders = desk.controls.sliders
    assert desk.panel.select_slider(-1) == sliders[-1]          # ↑ from the first wraps round to the last
    assert desk.panel.tab == desk.panel.page_of(sliders[-1].key)  # its tab is shown
    desk.update(0.0)
    assert desk.panel.caption(sliders[-1].key).text.startswith("» ")
    assert desk.panel.select_slider(1) == first


# -- the window's size, read once ---------------------------------------------------------------------
def test_the_window_size_is_turned_into_a_scale_in_one_place():
    """panel_scale is called by layout.py only: every other module gets the scale from the layout."""
    callers = [path.name for path in DESKTOP.glob("*.py")
               if path.name not in ("layout.py", "panel_theme.py") and "panel_scale(" in path.read_text()]
    assert callers == []


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (3840, 2160), (400, 300)])
def test_the_layout_shares_the_window(size):
    layout = WindowLayout.of(size)
    shown, hidden = layout.exhibit_rect(True), layout.exhibit_rect(False)
    assert hidden.size == size and layout.panel_rect.right == size[0] and layout.panel_rect.height == size[1]
    if size[0] - layout.panel_width >= MIN_EXHIBIT_WIDTH:
        assert shown.width + layout.panel_width == size[0] and shown.right == layout.panel_rect.left
    else:
        assert shown == hidden            # too narrow to share: the exhibit keeps the window
    assert layout.panel_width == round(PANEL_WIDTH * layout.scale)


def test_the_panel_and_the_exhibit_share_the_desktops_layout(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    assert desk.panel.layout is desk.layout and desk.panel.rect == desk.layout.panel_rect
    assert desk.exhibit_rect == desk.layout.exhibit_rect(True) and tuple(desk.show.size) == desk.exhibit_rect.size


def test_a_panel_rebuilt_while_hidden_builds_its_page_when_shown(tmp_path):
    desk = make_desktop(tmp_path=tmp_path)
    desk.perform("toggle_panel")
    desk.switch_exhibit("landscape")
    first = desk.controls.pages[0][1][0].key
    assert not desk.panel.visible and desk.panel.widget(first) is None     # not built while nobody sees it
    desk.perform("toggle_panel")
    assert desk.panel.visible and desk.panel.widget(first) is not None
    assert [name for name, page in desk.panel.pages.items() if page.visible] == [desk.panel.tab]
