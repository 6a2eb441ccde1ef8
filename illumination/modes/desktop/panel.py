"""The side panel (pygame-gui): a thin layer over the one Settings object.

The panel never touches the scene. It turns pygame-gui events into *intents* — ("set", key, value),
("action", name), ("seed", text), ("theme", name) — that the Desktop validates and applies through
`Settings.replace` + `scene.apply_settings`; and it shows the settings back (`sync`) whenever they
change, whoever changed them (a key, a loaded scene, a restart after divergence).

Layout (pixels at scale 1, the panel is PANEL_WIDTH wide on the right of the window; drawn larger on large
screens, panel_theme.py):
    seed row · typed seed · actions · message box · tabs [Training | Visuals | Draw | Scene] · the tab's page
"""
from __future__ import annotations

import html

import pygame
import pygame_gui

from illumination.core.controls import Choice, Controls
from illumination.modes.desktop.panel_theme import (FONT_SIZE, MESSAGE_BOX_MARGIN, PAD_SIZE, PANEL_WIDTH,  # noqa: F401
                                                    make_manager, panel_scale, scaled_size)
from illumination.modes.desktop.wrapping import wrap_message
from pygame_gui.elements import (UIButton, UICheckBox, UIDropDownMenu, UIHorizontalSlider, UIImage, UILabel, UIPanel,
                                 UITextBox, UITextEntryLine)

WELCOME = "Tab hides this panel; ? or H lists every key. Hover over a button to see its key."


def slider_caption(spec, settings, pending=None, selected: bool = False) -> str:
    value = getattr(settings, spec.key)
    text = f"{spec.label}: {spec.text(value)}"
    if spec.detail is not None:
        text += spec.detail(settings, value)
    if pending is not None and pending != value:
        text = f"{spec.label}: {spec.text(pending)} (let go to restart)"
    return ("» " if selected else "") + text


class ControlPanel:
    def __init__(self, manager: pygame_gui.UIManager, window_size: tuple[int, int], settings, themes: list[str],
                 scene_path: str = "scene.toml", controls=None, exhibits: tuple = (), exhibit: str = ""):
        self.manager = manager
        self.scale = panel_scale(window_size)    # its manager's theme has fonts of the same scale (make_manager)
        self.width = round(PANEL_WIDTH * self.scale)
        self.pad_size = round(PAD_SIZE * self.scale)
        self.themes = list(themes)
        self.controls = controls or Controls()
        self.slider_specs = self.controls.sliders
        self.tabs = (*(title for title, _, _ in self.controls.pages), *(("Draw",) if self.controls.make_pad else ()),
                     "Scene")
        self.visible = True
        self.tab = self.tabs[0]
        self.selected = 0                    # index into slider_specs of the slider the keyboard's − / + move
        self.pending: dict = {}              # key -> value of a restarting slider still being dragged
        self._settings = None                # the settings last shown
        self._dirty_captions = False
        self._texts: dict = {}               # element -> text last set (set_text only on change)
        self.sliders: dict = {}              # key -> (spec, slider, caption label), for the pages built so far
        self.toggles: dict = {}              # key -> check box
        self.menus: dict = {}                # key -> (Choice, drop-down menu, its rect, its page)
        self.exhibits = tuple(exhibits)      # ((name, title), …) the window can switch to
        w, h = window_size
        self.root = UIPanel(pygame.Rect(w - self.width, 0, self.width, h), starting_height=1, manager=manager)
        self._build_header(settings)
        self.pages = {name: UIPanel(pygame.Rect(*self._page_rect(h)), starting_height=1,
                                    manager=manager, container=self.root) for name in self.tabs}
        # A page of settings is built the first time it is shown: ten pygame-gui sliders cost ~0.13 s, and a
        # window's launch only needs the page it opens on. Until then its keys have no entries below.
        self._unbuilt = {title: (specs, toggle_keys) for title, specs, toggle_keys in self.controls.pages}
        self._initial_settings = settings
        # The theme menu sits at the end of the last page of settings (or the Scene page if there is none).
        self._theme_page = self.controls.pages[-1][0] if self.controls.pages else "Scene"
        self.theme_menu: UIDropDownMenu | None = None
        if not self.controls.pages:
            self._build_theme_menu(216, settings.theme)
        if self.controls.make_pad:
            self._build_draw_page()
        self._build_scene_page(scene_path, exhibit)
        self.select_tab(self.tab)
        self.sync(settings)

    # -- building ----------------------------------------------------------------------------------
    def _rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        """A rectangle of the panel's 1x design (PANEL_WIDTH wide), at the panel's scale."""
        k = self.scale
        return pygame.Rect(round(x * k), round(y * k), round(w * k), round(h * k))

    def _page_rect(self, window_height: int) -> tuple[int, int, int, int]:
        top = round(262 * self.scale)
        return 0, top, self.width - round(6 * self.scale), max(window_height - top - round(6 * self.scale), 40)

    def _build_header(self, settings) -> None:
        m, root = self.manager, self.root
        self.seed_label = UILabel(self._rect(8, 6, 170, 30), f"Seed {settings.seed}", m, container=root,
                                  object_id="#seed_label")
        self.buttons: dict[UIButton, str] = {}
        self._button(root, self._rect(182, 8, 142, 28), "Random seed", "seed_random", "a random seed (X)")
        self._button(root, self._rect(8, 42, 60, 28), "Prev", "seed_prev", "previous seed (P)")
        self._button(root, self._rect(72, 42, 60, 28), "Next", "seed_next", "next seed (N)")
        self.seed_entry = UITextEntryLine(self._rect(136, 42, 132, 28), m, container=root,
                                          placeholder_text="type a seed")
        self.seed_entry.set_text_length_limit(12)
        self._button(root, self._rect(272, 42, 52, 28), "Set", "seed_apply", "use the typed seed (Enter)")
        self.pause_button = self._button(root, self._rect(8, 78, 102, 28), "Pause", "pause", "pause / resume (Space)")
        self._button(root, self._rect(115, 78, 102, 28), "Step", "step", "one minibatch (→)")
        self._button(root, self._rect(222, 78, 102, 28), "Reset", "reset", "restart this run (R)")
        self._button(root, self._rect(8, 110, 102, 28), "Diagnostics", "diagnostics", "print full diagnostics (I)")
        self._button(root, self._rect(115, 110, 102, 28), "Screenshot", "screenshot", "save a PNG (C)")
        self.record_button = self._button(root, self._rect(222, 110, 102, 28), "Record", "record",
                                          "start / stop an MP4 recording (V)")
        self.message_box = UITextBox("", self._rect(8, 144, 316, 76), m, container=root)
        self.show_message(WELCOME)
        self.tab_buttons: dict[UIButton, str] = {}
        width = (316 + 2) // len(self.tabs) - 2
        for n, name in enumerate(self.tabs):
            button = UIButton(self._rect(8 + n * (width + 2), 228, width, 28), name, m, container=root)
            self.tab_buttons[button] = name

    def _button(self, container, rect, text, action, tip=None) -> UIButton:
        button = UIButton(rect, text, self.manager, container=container, tool_tip_text=tip)
        self.buttons[button] = action
        return button

    def _build_page(self, title: str) -> None:
        """Sliders and menus, then check boxes (then the theme menu on its page), top to bottom."""
        specs, toggle_keys = self._unbuilt.pop(title)
        settings = self._settings or self._initial_settings
        y = self._build_sliders(self.pages[title], specs, settings)
        for n, key in enumerate(toggle_keys):
            self._build_toggle(self.pages[title], key, settings, y + 30 * n)
        y += 30 * len(toggle_keys) + 6
        if title == self._theme_page:
            self._build_theme_menu(y, settings.theme)
        if self._settings is not None:     # built after the first sync: show the captions at once
            self._dirty_captions = True
            self._sync_settings(self._settings)

    def _build_theme_menu(self, y: int, theme: str) -> None:
        UILabel(self._rect(8, y, 120, 26), "Theme", self.manager, container=self.pages[self._theme_page])
        self._theme_rect = self._rect(110, y, 206, 28)
        self.theme_menu = self._make_theme_menu(theme)

    def _build_sliders(self, page, specs, settings) -> int:
        """Sliders and menus, top to bottom; returns the y below them."""
        y = 6
        for spec in specs:
            if isinstance(spec, Choice):
                UILabel(self._rect(8, y, 110, 28), spec.label, self.manager, container=page)
                rect = self._rect(120, y, 204, 28)
                self.menus[spec.key] = (spec, self._make_menu(spec, getattr(settings, spec.key), rect, page), rect, page)
                y += 34
                continue
            label = UILabel(self._rect(8, y, 316, 18), "", self.manager, container=page)
            slider = UIHorizontalSlider(self._rect(8, y + 19, 316, 22), spec.position_of(getattr(settings, spec.key)),
                                        (0, spec.positions), self.manager, container=page)
            self.sliders[spec.key] = (spec, slider, label)
            y += 44
        return y - 2

    def _make_menu(self, spec, value, rect, page) -> UIDropDownMenu:
        names = [spec.name_of(option) for option in spec.options]
        return UIDropDownMenu(names, spec.name_of(value), rect, self.manager, container=page)

    def _build_toggle(self, page, key, settings, y) -> None:
        box = UICheckBox(self._rect(10, y + 4, 18, 18), self.controls.toggle(key).label, self.manager, container=page,
                         initial_state=bool(getattr(settings, key)))
        self.toggles[key] = box

    def _make_theme_menu(self, theme: str) -> UIDropDownMenu:
        options = self.themes if theme in self.themes else [*self.themes, theme]
        return UIDropDownMenu(options, theme, self._theme_rect, self.manager, container=self.pages[self._theme_page])

    def _build_draw_page(self) -> None:
        page, m = self.pages["Draw"], self.manager
        UILabel(self._rect(8, 4, 316, 20), self.controls.pad_title, m, container=page)
        UILabel(self._rect(8, 22, 316, 20), self.controls.pad_hint, m, container=page, object_id="#hint")
        blank = pygame.Surface((self.pad_size, self.pad_size))
        self.pad_image = UIImage(self._rect((PANEL_WIDTH - 6 - PAD_SIZE) // 2, 46, PAD_SIZE, PAD_SIZE), blank, m,
                                 container=page, scale_func=pygame.transform.scale)
        self.verdict = UILabel(self._rect(8, 278, 220, 26), "", m, container=page, object_id="#verdict")
        self._button(page, self._rect(236, 278, 88, 28), "Clear", "clear_drawing", "clear the pad (Backspace)")
        self.verdict_detail = UILabel(self._rect(8, 306, 316, 20), "", m, container=page, object_id="#hint")

    def _build_scene_page(self, scene_path: str, exhibit: str) -> None:
        page, m = self.pages["Scene"], self.manager
        UILabel(self._rect(8, 6, 316, 20), "Scene file (every setting, flat TOML):", m, container=page)
        self.scene_entry = UITextEntryLine(self._rect(8, 30, 316, 30), m, container=page)
        self.scene_entry.set_text(scene_path)
        self._button(page, self._rect(8, 68, 154, 30), "Save scene", "save_scene", "write the settings (Ctrl+S)")
        self._button(page, self._rect(170, 68, 154, 30), "Load scene", "load_scene", "restore a scene (Ctrl+O)")
        UITextBox("Relative paths start in the folder the program was started from. "
                  "To open with a scene: <i>illumination run --scene FILE</i>",
                  self._rect(8, 108, 316, 100), m, container=page)
        self.exhibit_menu = None
        if len(self.exhibits) > 1:
            UILabel(self._rect(8, 218, 110, 28), "Exhibit", m, container=page)
            titles = [title for _, title in self.exhibits]
            current = next((title for name, title in self.exhibits if name == exhibit), titles[0])
            self.exhibit_menu = UIDropDownMenu(titles, current, self._rect(120, 218, 204, 28), m, container=page)

    # -- showing -----------------------------------------------------------------------------------
    @property
    def rect(self) -> pygame.Rect:
        return self.root.rect

    @property
    def pad_rect(self) -> pygame.Rect | None:
        """Where the drawing pad is on screen, when it can be seen."""
        if not self.controls.make_pad:
            return None
        return self.pad_image.rect if self.visible and self.tab == "Draw" else None

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        if visible:
            self.root.show()
            self.select_tab(self.tab)    # show() showed every page; keep only the chosen one
        else:
            self.root.hide()

    def page_of(self, key: str) -> str:
        """The tab that holds a setting's control ("Theme" lives on the theme's page)."""
        if key == "theme":
            return self._theme_page
        for title, specs, toggle_keys in self.controls.pages:
            if key in toggle_keys or any(spec.key == key for spec in specs):
                return title
        raise KeyError(key)

    def select_tab(self, name: str) -> None:
        self.tab = name
        for page_name, page in self.pages.items():
            if page_name == name and self.visible:
                page.show()
            else:
                page.hide()
        if name in self._unbuilt and self.visible:
            self._build_page(name)    # into a shown page: pygame-gui's check box cannot be created hidden
        for button, tab in self.tab_buttons.items():
            button.select() if tab == name else button.unselect()

    def relayout(self, window_size: tuple[int, int]) -> None:
        w, h = window_size
        self.root.set_dimensions((self.width, h))
        self.root.set_relative_position((w - self.width, 0))
        for page in self.pages.values():
            page.set_dimensions(self._page_rect(h)[2:])

    def text_focused(self) -> bool:
        return self.seed_entry.is_focused or self.scene_entry.is_focused

    def _set_text(self, element, text: str) -> None:
        if self._texts.get(element) != text:
            self._texts[element] = text
            element.set_text(text)

    def show_message(self, text: str, error: bool = False) -> None:
        """The message in the box, broken at spaces and path separators so no name is split (wrapping.py)."""
        self.message = text
        font = self.manager.get_theme().get_font_dictionary().find_font(scaled_size(FONT_SIZE, self.scale),
                                                                         "noto_sans")
        room = self.message_box.rect.width - round(MESSAGE_BOX_MARGIN * self.scale)
        lines = wrap_message(text, lambda line: font.size(line)[0] <= room)
        self.message_lines = lines
        body = "<br>".join(html.escape(line) for line in lines)
        self.message_box.set_text(f'<font color="#f0866a">{body}</font>' if error else body)

    def show_verdict(self, verdict: tuple[str, str] | None) -> None:
        """What the exhibit says about the pad's picture: (verdict, detail), or None for an empty pad."""
        if not self.controls.make_pad:
            return
        if verdict is None:
            self._set_text(self.verdict, "")
            self._set_text(self.verdict_detail, "Empty pad: the exhibit shows its own samples.")
            return
        self._set_text(self.verdict, verdict[0])
        self._set_text(self.verdict_detail, verdict[1])

    def set_pad_picture(self, surface: pygame.Surface) -> None:
        self.pad_image.set_image(surface, scale_func=pygame.transform.scale)

    def sync(self, settings, paused: bool = False, recording: bool = False) -> None:
        """Show the settings (and the run's state on the buttons); cheap when nothing changed."""
        self._set_text(self.pause_button, "Resume" if paused else "Pause")
        self._set_text(self.record_button, "Stop rec." if recording else "Record")
        if settings is self._settings and not self._dirty_captions:
            return
        self._sync_settings(settings)

    def _sync_settings(self, settings) -> None:
        self._settings = settings
        self._dirty_captions = False
        self._set_text(self.seed_label, f"Seed {settings.seed}")
        for n, spec in enumerate(self.slider_specs):
            if spec.key not in self.sliders:        # on a page not built yet
                continue
            _, slider, label = self.sliders[spec.key]
            pending = self.pending.get(spec.key)
            self._set_text(label, slider_caption(spec, settings, pending, selected=n == self.selected))
            position = spec.position_of(getattr(settings, spec.key) if pending is None else pending)
            if slider.get_current_value() != position and not slider.sliding_button.held:
                slider.set_current_value(position, warn=False)
        for key, box in self.toggles.items():
            if box.get_state() is not bool(getattr(settings, key)):
                box.set_state(bool(getattr(settings, key)))
        for key, (spec, menu, rect, page) in list(self.menus.items()):
            shown = spec.name_of(getattr(settings, key))
            if menu.selected_option[0] != shown:      # changed elsewhere (a key, a scene file): rebuild to show it
                menu.kill()
                menu = self._make_menu(spec, getattr(settings, key), rect, page)
                self.menus[key] = (spec, menu, rect, page)
                if not self.visible or self.pages[self.tab] is not page:
                    menu.hide()
        if self.theme_menu is not None and self.theme_menu.selected_option[0] != settings.theme:
            self.theme_menu.kill()
            self.theme_menu = self._make_theme_menu(settings.theme)
            if not (self.visible and self.tab == self._theme_page):
                self.theme_menu.hide()

    def refresh_captions(self) -> None:
        self._dirty_captions = True

    # -- events → intents --------------------------------------------------------------------------
    def intent(self, event) -> tuple | None:
        """What a pygame-gui event asks for, or None if it is not the panel's."""
        element = getattr(event, "ui_element", None)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if element in self.tab_buttons:
                self.select_tab(self.tab_buttons[element])
                return ("tab", self.tab)
            if element in self.buttons:
                action = self.buttons[element]
                if action == "seed_apply":
                    return ("seed", self.seed_entry.get_text())
                return ("action", action)
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            for key, (spec, slider, _) in self.sliders.items():
                if element is slider:
                    self.selected = self.slider_specs.index(spec)
                    self.refresh_captions()
                    return ("set", key, spec.value_at(event.value))
        elif event.type in (pygame_gui.UI_CHECK_BOX_CHECKED, pygame_gui.UI_CHECK_BOX_UNCHECKED):
            for key, box in self.toggles.items():
                if element is box:
                    return ("set", key, event.type == pygame_gui.UI_CHECK_BOX_CHECKED)
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if element is not None and element is self.theme_menu:
                return ("theme", event.text)
            if element is not None and element is self.exhibit_menu:
                return ("exhibit", next(name for name, title in self.exhibits if title == event.text))
            for key, (spec, menu, _, _) in self.menus.items():
                if element is menu:
                    return ("set", key, spec.value_of(event.text))
        elif event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED:
            if element is self.seed_entry:
                return ("seed", event.text)
        return None

    def kill(self) -> None:
        """Remove every element of the panel (the window is switching exhibits)."""
        self.root.kill()
