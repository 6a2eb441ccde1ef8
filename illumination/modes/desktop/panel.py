"""The side panel (pygame-gui): a thin layer over the one Settings object, that owns its widgets.

The panel never touches the scene. It turns pygame-gui events into intents (intents.py: Press, SetValue, LetGo,
ChooseTheme, ChooseExhibit) that wait in `take_intents()` until the Desktop validates and applies them through
`Settings.replace` + `scene.apply_settings`; and it shows the settings back (`sync`) whenever they change, whoever
changed them (a key, a loaded scene, a restart after divergence). Everything else the desktop asks of it — a
message, the typed seed, the keyboard's chosen slider, its place in the window — goes through its methods.

Layout (pixels at scale 1, the panel is PANEL_WIDTH wide on the right of the window; drawn larger on large
screens at the layout's scale, layout.py and panel_theme.py):
    seed row · typed seed · actions · message box · tabs [Training | Visuals | Draw | Scene] · the tab's page
The settings' pages (sliders, menus, check boxes, the theme menu) are panel_settings.py's.
"""
from __future__ import annotations

import html

import numpy as np
import pygame
import pygame_gui

from illumination.core.controls import Controls
from illumination.modes.desktop.intents import ChooseExhibit, Intent, LetGo, Press, SetVolume
from illumination.modes.desktop.keys import tool_tip
from illumination.modes.desktop.layout import WindowLayout
from illumination.modes.desktop.panel_settings import SettingControls
from illumination.modes.desktop.panel_theme import (FONT_SIZE, MESSAGE_BOX_MARGIN, PAD_SIZE, PANEL_WIDTH, make_manager,
                                                    scaled_size)
from illumination.modes.desktop.wrapping import wrap_message
from pygame_gui.elements import (UIButton, UIDropDownMenu, UIHorizontalSlider, UIImage, UILabel, UIPanel, UITextBox,
                                 UITextEntryLine)

WELCOME = "Tab hides this panel; ? or H lists every key. Hover over a button to see its key."


class ControlPanel:
    def __init__(self, layout: WindowLayout, settings, themes: list[str], scene_path: str = "scene.toml",
                 controls=None, exhibits: tuple = (), exhibit: str = "", shown: bool = True, tab: str | None = None):
        self.layout = layout
        # Its own pygame-gui manager, its theme's fonts at the same scale: a panel at a new scale is a new panel.
        self.manager = make_manager(layout.window, layout.scale)
        self.pad_size = round(PAD_SIZE * layout.scale)
        self.controls = controls or Controls()
        self._tabs = (*(title for title, _, _ in self.controls.pages), *(("Draw",) if self.controls.make_pad else ()),
                      "Scene")
        self._visible = shown
        self._tab = tab if tab in self._tabs else self._tabs[0]
        self._intents: list[Intent] = []     # what the widgets asked for, until the desktop takes them
        self._texts: dict = {}               # element -> text last set (set_text only on change)
        self._pad_version = -1               # the pad's picture last shown
        self.exhibits = tuple(exhibits)      # ((name, title), …) the window can switch to
        self.root = UIPanel(layout.panel_rect, starting_height=1, manager=self.manager)
        self._build_header(settings)
        self.pages = {name: UIPanel(pygame.Rect(*self._page_rect(layout.window[1])), starting_height=1,
                                    manager=self.manager, container=self.root) for name in self._tabs}
        self._setting_controls = SettingControls(self.manager, self._rect, self.pages, self.controls, themes, settings,
                                                 ask=self._intents.append)
        if self.controls.make_pad:
            self._build_draw_page()
        self._build_scene_page(scene_path, exhibit)
        self.select_tab(self._tab)           # builds the first page's controls only if the panel is shown
        if not shown:
            self.root.hide()
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
        self._button(root, self._rect(182, 8, 142, 28), "Random seed", "seed_random")
        self._button(root, self._rect(8, 42, 60, 28), "Prev", "seed_prev")
        self._button(root, self._rect(72, 42, 60, 28), "Next", "seed_next")
        self.seed_entry = UITextEntryLine(self._rect(136, 42, 132, 28), m, container=root,
                                          placeholder_text="type a seed")
        self.seed_entry.set_text_length_limit(12)
        self._button(root, self._rect(272, 42, 52, 28), "Set", "seed_apply")
        self.pause_button = self._button(root, self._rect(8, 78, 102, 28), "Pause", "pause")
        self._button(root, self._rect(115, 78, 102, 28), "Step", "step")
        self._button(root, self._rect(222, 78, 102, 28), "Reset", "reset")
        self._button(root, self._rect(8, 110, 102, 28), "Diagnostics", "diagnostics")
        self._button(root, self._rect(115, 110, 102, 28), "Screenshot", "screenshot")
        self.record_button = self._button(root, self._rect(222, 110, 102, 28), "Record", "record")
        self.message_box = UITextBox("", self._rect(8, 144, 316, 76), m, container=root)
        self.show_message(WELCOME)
        self.tab_buttons: dict[UIButton, str] = {}
        width = (316 + 2) // len(self._tabs) - 2
        for n, name in enumerate(self._tabs):
            button = UIButton(self._rect(8 + n * (width + 2), 228, width, 28), name, m, container=root)
            self.tab_buttons[button] = name

    def _button(self, container, rect, text, action) -> UIButton:
        """A button that presses an action of the table (actions.py); its tool tip says what it does and its key."""
        button = UIButton(rect, text, self.manager, container=container, tool_tip_text=tool_tip(action))
        self.buttons[button] = action
        return button

    def _build_draw_page(self) -> None:
        page, m = self.pages["Draw"], self.manager
        UILabel(self._rect(8, 4, 316, 20), self.controls.pad_title, m, container=page)
        UILabel(self._rect(8, 22, 316, 20), self.controls.pad_hint, m, container=page, object_id="#hint")
        blank = pygame.Surface((self.pad_size, self.pad_size))
        self.pad_image = UIImage(self._rect((PANEL_WIDTH - 6 - PAD_SIZE) // 2, 46, PAD_SIZE, PAD_SIZE), blank, m,
                                 container=page, scale_func=pygame.transform.scale)
        if self.controls.pad_seen is not None:       # what the exhibit sees of the drawing, beside it
            seen = PAD_SIZE // 5
            x = (PANEL_WIDTH - 6 + PAD_SIZE) // 2 + 4
            self.seen_image = UIImage(self._rect(x, 46, seen, seen), pygame.Surface((seen, seen)), m,
                                      container=page, scale_func=pygame.transform.scale)
            UILabel(self._rect(x - 14, 48 + seen, seen + 20, 20), "it sees", m, container=page, object_id="#hint")
            self._seen_key = None
        self.verdict = UILabel(self._rect(8, 278, 220, 26), "", m, container=page, object_id="#verdict")
        self._button(page, self._rect(236, 278, 88, 28), "Clear", "clear_drawing")
        self.verdict_detail = UILabel(self._rect(8, 306, 316, 20), "", m, container=page, object_id="#hint")
        for index, (words, action) in enumerate(zip(self.controls.pad_labels, ("teach_first", "teach_second"))):
            self._button(page, self._rect(8 + 162 * index, 332, 154, 30), words, action)

    def _build_scene_page(self, scene_path: str, exhibit: str) -> None:
        page, m = self.pages["Scene"], self.manager
        UILabel(self._rect(8, 6, 316, 20), "Scene file (every setting, flat TOML):", m, container=page)
        self.scene_entry = UITextEntryLine(self._rect(8, 30, 316, 30), m, container=page)
        self.scene_entry.set_text(scene_path)
        self._button(page, self._rect(8, 68, 154, 30), "Save scene", "save_scene")
        self._button(page, self._rect(170, 68, 154, 30), "Load scene", "load_scene")
        UITextBox("Relative paths start in the folder the program was started from. "
                  "To open with a scene: <i>illumination run --scene FILE</i>",
                  self._rect(8, 108, 316, 100), m, container=page)
        self.exhibit_menu = None
        if len(self.exhibits) > 1:
            UILabel(self._rect(8, 218, 110, 28), "Exhibit", m, container=page)
            titles = [title for _, title in self.exhibits]
            current = next((title for name, title in self.exhibits if name == exhibit), titles[0])
            self.exhibit_menu = UIDropDownMenu(titles, current, self._rect(120, 218, 204, 28), m, container=page)
        # the window's sound (not a setting of the scene): on / off (M), and its volume
        self.sound_button = self._button(page, self._rect(8, 256, 110, 28), "Sound: off", "mute")
        self.volume_label = UILabel(self._rect(124, 250, 200, 20), "volume 60%", m, container=page,
                                    object_id="#hint")
        self.volume_slider = UIHorizontalSlider(self._rect(124, 270, 200, 18), 60, (0, 100), m, container=page)

    # -- its place in the window -------------------------------------------------------------------
    @property
    def scale(self) -> float:
        return self.layout.scale

    @property
    def width(self) -> int:
        return self.layout.panel_width

    @property
    def rect(self) -> pygame.Rect:
        return self.root.rect

    @property
    def visible(self) -> bool:
        return self._visible

    @property
    def tabs(self) -> tuple[str, ...]:
        return self._tabs

    @property
    def tab(self) -> str:
        """The tab on top (kept while the panel is hidden)."""
        return self._tab

    @property
    def pad_rect(self) -> pygame.Rect | None:
        """Where the drawing pad is on screen, when it can be seen."""
        if not self.controls.make_pad:
            return None
        return self.pad_image.rect if self._visible and self._tab == "Draw" else None

    def place(self, layout: WindowLayout) -> None:
        """The window has a new size at the same scale: the panel keeps its widgets and moves to the new edge."""
        self.layout = layout
        self.manager.set_window_resolution(layout.window)
        self.root.set_dimensions(layout.panel_rect.size)
        self.root.set_relative_position(layout.panel_rect.topleft)
        for page in self.pages.values():
            page.set_dimensions(self._page_rect(layout.window[1])[2:])

    def set_visible(self, visible: bool) -> None:
        self._visible = visible
        if visible:
            self.root.show()
            self.select_tab(self._tab)    # show() showed every page; keep only the chosen one
        else:
            self.root.hide()

    def page_of(self, key: str) -> str:
        """The tab that holds a setting's control ("Theme" lives on the theme's page)."""
        if key == "theme":
            return self._setting_controls.theme_page
        for title, specs, toggle_keys in self.controls.pages:
            if key in toggle_keys or any(spec.key == key for spec in specs):
                return title
        raise KeyError(key)

    def select_tab(self, name: str) -> None:
        self._tab = name
        for page_name, page in self.pages.items():
            if page_name == name and self._visible:
                page.show()
            else:
                page.hide()
        if self._setting_controls.unbuilt(name) and self._visible:
            self._setting_controls.build_page(name)    # into a shown page: pygame-gui's check box cannot be created hidden
        for button, tab in self.tab_buttons.items():
            button.select() if tab == name else button.unselect()

    def widget(self, key: str):
        """The widget that edits a setting ("theme": the theme menu), once its page is built; None before."""
        return self._setting_controls.widget(key)

    def caption(self, key: str):
        """The label above a slider (its caption: the setting's name and value), once its page is built."""
        entry = self._setting_controls.sliders.get(key)
        return entry[2] if entry is not None else None

    # -- the frame ---------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        self.manager.update(dt)

    def draw(self, surface: pygame.Surface) -> None:
        self.manager.draw_ui(surface)

    def kill(self) -> None:
        """Remove every element of the panel (the window is switching exhibits, or rebuilding it at a new scale)."""
        self.root.kill()

    # -- what it shows -----------------------------------------------------------------------------
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

    def show_pad(self, pad) -> None:
        """The input pad's picture, drawn again only when the pad has changed since it was last shown."""
        if pad.version != self._pad_version:
            self._pad_version = pad.version
            self.pad_image.set_image(pad.render(self.pad_size), scale_func=pygame.transform.scale)

    def show_seen(self, image) -> None:
        """What the exhibit sees of the pad's picture (64 values, or None for an empty pad): a small 8x8 picture,
        drawn again only when it changed."""
        if not hasattr(self, "seen_image"):
            return
        key = None if image is None else bytes(np.asarray(image, dtype=np.uint8))
        if key == self._seen_key:
            return
        self._seen_key = key
        side = max(8, round(self.pad_size / 5))
        picture = pygame.Surface((side, side))
        picture.fill((38, 40, 48))
        if image is not None:
            cell = side / 8
            for index in np.flatnonzero(np.asarray(image) > 0.5):
                row, col = divmod(int(index), 8)
                picture.fill((255, 200, 107), (round(col * cell), round(row * cell), max(1, round(cell) - 1),
                                               max(1, round(cell) - 1)))
        self.seen_image.set_image(picture, scale_func=pygame.transform.scale)

    def sync(self, settings, paused: bool = False, recording: bool = False, sound: tuple | None = None) -> None:
        """Show the settings (and the run's state on the buttons, the sound's (on, volume)); cheap when nothing
        changed."""
        self._set_text(self.pause_button, "Resume" if paused else "Pause")
        if sound is not None:
            on, volume = sound
            self._set_text(self.sound_button, "Sound: on" if on else "Sound: off")
            self._set_text(self.volume_label, f"volume {round(volume * 100)}%")
            if self.volume_slider.get_current_value() != round(volume * 100):
                self.volume_slider.set_current_value(round(volume * 100))
        self._set_text(self.record_button, "Stop rec." if recording else "Record")
        self._set_text(self.seed_label, f"Seed {settings.seed}")
        self._setting_controls.sync(settings, showing=self._tab if self._visible else None)

    # -- the keyboard's chosen slider --------------------------------------------------------------
    def select_slider(self, step: int):
        """Choose the slider `step` places on (↑ ↓) and show its tab; its spec, or None without sliders."""
        spec = self._setting_controls.select(step)
        if spec is not None:
            self.select_tab(self.page_of(spec.key))
        return spec

    def selected_slider(self):
        """The slider the keyboard's − / + move (its spec), or None without sliders."""
        return self._setting_controls.selected_slider()

    # -- text fields -------------------------------------------------------------------------------
    def text_focused(self) -> bool:
        return self.seed_entry.is_focused or self.scene_entry.is_focused

    def type_text(self, event) -> bool:
        """A key or text event while one of the panel's fields has focus goes to the field (Esc leaves it).
        False when no field has focus: the key is the window's."""
        if not (self._visible and self.text_focused()):
            return False
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.manager.set_focus_set(None)
        else:
            self.manager.process_events(event)
        return True

    def focus_seed_entry(self) -> None:
        self.manager.set_focus_set(self.seed_entry)

    def typed_seed(self) -> str:
        return self.seed_entry.get_text()

    def clear_typed_seed(self, leave_field: bool) -> None:
        """Empty the seed field (a seed was used, or refused: the message says why); leave it after a used one."""
        self.seed_entry.set_text("")
        if leave_field:
            self.seed_entry.unfocus()

    def scene_file(self) -> str:
        """The scene file's name as typed in the Scene tab."""
        return self.scene_entry.get_text()

    # -- events → intents --------------------------------------------------------------------------
    def process_event(self, event) -> bool:
        """An event for the shown panel: True if it was the panel's (a widget took it). What it asks for waits in
        take_intents()."""
        if not self._visible:
            return False
        consumed = self.manager.process_events(event)
        return self._take(event) or consumed

    def _take(self, event) -> bool:
        element = getattr(event, "ui_element", None)
        if element is None:
            return False
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if element in self.tab_buttons:
                self.select_tab(self.tab_buttons[element])
                return True
            if element in self.buttons:
                self._intents.append(Press(self.buttons[element]))
                return True
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and element is self.exhibit_menu:
            self._intents.append(ChooseExhibit(next(name for name, title in self.exhibits if title == event.text)))
            return True
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and element is self.volume_slider:
            self._intents.append(SetVolume(event.value / 100))
            return True
        elif event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and element is self.seed_entry:
            self._intents.append(Press("seed_apply"))     # Enter in the seed field: as the Set button
            return True
        return self._setting_controls.take(event)

    def take_intents(self) -> list[Intent]:
        """What the widgets asked for since the last call, in order."""
        intents = list(self._intents)
        self._intents.clear()      # in place: the settings' controls append to this same list
        return intents

    def released_sliders(self) -> LetGo | None:
        """Restarting sliders held during a drag, once the mouse button is up: their values (then let go of)."""
        return self._setting_controls.released()
