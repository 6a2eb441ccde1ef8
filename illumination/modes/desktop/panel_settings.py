"""The panel's controls of settings, page by page: sliders and menus, then check boxes, and the theme menu.

A page is built the first time it is shown: ten pygame-gui sliders cost ~0.13 s, and a window's launch needs only
the page it opens on. The controls show the settings (`sync`) and turn their widgets' events into intents
(SetValue, ChooseTheme). They also keep the keyboard's chosen slider (↑ ↓, marked » in its caption) and the values
of restarting sliders still being dragged (applied together when the slider is let go: `released`).
"""
from __future__ import annotations

from typing import Callable

import pygame
import pygame_gui
from pygame_gui.elements import UICheckBox, UIDropDownMenu, UIHorizontalSlider, UILabel

from illumination.core.controls import Choice, Controls
from illumination.modes.desktop.intents import ChooseTheme, Intent, LetGo, SetValue


def slider_caption(spec, settings, held=None, selected: bool = False) -> str:
    value = getattr(settings, spec.key)
    text = f"{spec.label}: {spec.text(value)}"
    if spec.detail is not None:
        text += spec.detail(settings, value)
    if held is not None and held != value:
        text = f"{spec.label}: {spec.text(held)} (let go to restart)"
    return ("» " if selected else "") + text


class SettingControls:
    def __init__(self, manager: pygame_gui.UIManager, rect: Callable[..., pygame.Rect], pages: dict, controls: Controls,
                 themes: list[str], settings, ask: Callable[[Intent], None]):
        self.manager = manager
        self._rect = rect                    # the panel's 1x design → pixels at its scale
        self._pages = pages                  # title -> the page's container
        self.controls = controls
        self.themes = list(themes)
        self._ask = ask                      # the panel's queue of intents
        self.sliders: dict = {}              # key -> (spec, slider, caption label), for the pages built so far
        self.toggles: dict = {}              # key -> check box
        self.menus: dict = {}                # key -> (Choice, drop-down menu, its rect, its page)
        self.theme_menu: UIDropDownMenu | None = None
        self.selected = 0                    # index into controls.sliders of the slider the keyboard's − / + move
        self.held: dict = {}                 # key -> value of a restarting slider still being dragged
        self._unbuilt = {title: (specs, toggle_keys) for title, specs, toggle_keys in controls.pages}
        self._initial_settings = settings
        self._settings = None                # the settings last shown
        self._dirty = False                  # captions to write again although the settings are the same
        self._texts: dict = {}               # label -> text last set (set_text only on change)
        # The theme menu sits at the end of the last page of settings (or the Scene page if there is none).
        self.theme_page = controls.pages[-1][0] if controls.pages else "Scene"
        if not controls.pages:
            self._build_theme_menu(216, settings.theme)

    # -- building ----------------------------------------------------------------------------------
    def unbuilt(self, title: str) -> bool:
        return title in self._unbuilt

    def build_page(self, title: str) -> None:
        """Sliders and menus, then check boxes (then the theme menu on its page), top to bottom, into a page that
        is on screen (pygame-gui's check box cannot be created hidden)."""
        specs, toggle_keys = self._unbuilt.pop(title)
        settings = self._settings or self._initial_settings
        page = self._pages[title]
        y = self._build_sliders(page, specs, settings)
        for n, key in enumerate(toggle_keys):
            self.toggles[key] = UICheckBox(self._rect(10, y + 30 * n + 4, 18, 18), self.controls.toggle(key).label,
                                           self.manager, container=page, initial_state=bool(getattr(settings, key)))
        y += 30 * len(toggle_keys) + 6
        if title == self.theme_page:
            self._build_theme_menu(y, settings.theme)
        if self._settings is not None:     # built after the first sync: show the captions at once
            self._dirty = True
            self.sync(self._settings, showing=title)

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

    def _build_theme_menu(self, y: int, theme: str) -> None:
        UILabel(self._rect(8, y, 120, 26), "Theme", self.manager, container=self._pages[self.theme_page])
        self._theme_rect = self._rect(110, y, 206, 28)
        self.theme_menu = self._make_theme_menu(theme)

    def _make_theme_menu(self, theme: str) -> UIDropDownMenu:
        options = self.themes if theme in self.themes else [*self.themes, theme]
        return UIDropDownMenu(options, theme, self._theme_rect, self.manager, container=self._pages[self.theme_page])

    # -- showing -----------------------------------------------------------------------------------
    def sync(self, settings, showing: str | None) -> None:
        """Show the settings; cheap when nothing changed. showing: the page on screen (None: the panel is hidden)."""
        if settings is self._settings and not self._dirty:
            return
        self._settings = settings
        self._dirty = False
        for n, spec in enumerate(self.controls.sliders):
            if spec.key not in self.sliders:        # on a page not built yet
                continue
            _, slider, label = self.sliders[spec.key]
            held = self.held.get(spec.key)
            caption = slider_caption(spec, settings, held, selected=n == self.selected)
            if self._texts.get(label) != caption:
                self._texts[label] = caption
                label.set_text(caption)
            position = spec.position_of(getattr(settings, spec.key) if held is None else held)
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
                if showing is None or self._pages[showing] is not page:
                    menu.hide()
        if self.theme_menu is not None and self.theme_menu.selected_option[0] != settings.theme:
            self.theme_menu.kill()
            self.theme_menu = self._make_theme_menu(settings.theme)
            if showing != self.theme_page:
                self.theme_menu.hide()

    def widget(self, key: str):
        """The widget that edits a setting (a slider, check box or menu; "theme": the theme menu), once built."""
        if key == "theme":
            return self.theme_menu
        if key in self.sliders:
            return self.sliders[key][1]
        if key in self.menus:
            return self.menus[key][1]
        return self.toggles.get(key)

    # -- the keyboard's chosen slider --------------------------------------------------------------
    def select(self, step: int):
        """Choose the slider `step` places on (wrapping round); its spec, or None if there are no sliders."""
        sliders = self.controls.sliders
        if not sliders:
            return None
        self.selected = (self.selected + step) % len(sliders)
        self._dirty = True
        return sliders[self.selected]

    def selected_slider(self):
        sliders = self.controls.sliders
        return sliders[self.selected] if sliders else None

    # -- events → intents --------------------------------------------------------------------------
    def take(self, event) -> bool:
        """True if the event is one of these controls' (what it asks for goes to the panel's queue)."""
        element = getattr(event, "ui_element", None)
        if element is None:
            return False
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            for key, (spec, slider, _) in self.sliders.items():
                if element is slider:
                    self._slider_moved(spec, spec.value_at(event.value))
                    return True
        elif event.type in (pygame_gui.UI_CHECK_BOX_CHECKED, pygame_gui.UI_CHECK_BOX_UNCHECKED):
            for key, box in self.toggles.items():
                if element is box:
                    self._ask(SetValue(key, event.type == pygame_gui.UI_CHECK_BOX_CHECKED))
                    return True
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if element is self.theme_menu:
                self._ask(ChooseTheme(event.text))
                return True
            for key, (spec, menu, _, _) in self.menus.items():
                if element is menu:
                    self._ask(SetValue(key, spec.value_of(event.text)))
                    return True
        return False

    def _slider_moved(self, spec, value) -> None:
        self.selected = self.controls.sliders.index(spec)     # a slider touched is the one − / + move next
        self._dirty = True
        if spec.resets and pygame.mouse.get_pressed()[0]:
            # Restarting the run on every pixel of a drag would stutter: held until the slider is let go.
            self.held[spec.key] = value
            return
        self.held.pop(spec.key, None)
        self._ask(SetValue(spec.key, value))

    def released(self) -> LetGo | None:
        """The held values once the mouse button is up (then no longer held), or None."""
        if not self.held or pygame.mouse.get_pressed()[0]:
            return None
        values, self.held = tuple(self.held.items()), {}
        self._dirty = True
        return LetGo(values)
