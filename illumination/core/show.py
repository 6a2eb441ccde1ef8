"""One exhibit on stage: its scene (the state) and the view a mode built for it (the drawing).

Modes hold a Show and never look inside the exhibit: update → the scene, draw → the view. A new size or
theme builds a new view of the same scene; the run goes on untouched.
"""
from __future__ import annotations

from illumination.core.scene import Exhibit, Scene, View


class Show:
    def __init__(self, exhibit: Exhibit, settings, size: tuple[int, int], theme):
        self.exhibit = exhibit
        self.theme = theme
        self.scene: Scene = exhibit.make_scene(settings)
        self.size = (int(size[0]), int(size[1]))
        self._view: View | None = None

    @property
    def view(self) -> View:
        """Built when first drawn, for the size of that moment: a window that lays itself out straight after
        making its show builds one view, not two (a backdrop and sprites at full size are ~0.1 s)."""
        if self._view is None:
            self._view = self.exhibit.make_view(self.scene, self.size, self.theme)
        return self._view

    @property
    def name(self) -> str:
        return self.exhibit.name

    def update(self, dt: float) -> None:
        self.scene.update(dt)

    def draw(self, surface) -> None:
        self.view.draw(surface)

    def resize(self, size: tuple[int, int]) -> None:
        self.size = (int(size[0]), int(size[1]))
        self._view = None

    def set_theme(self, theme) -> None:
        self.theme = theme
        self._view = None


def load_theme_checked(name: str):
    """A theme by name or path; a bad one is a SettingsError with its problems (and the theme's header)."""
    from illumination.core.settings import SettingsError
    from themes import ThemeError, load_theme
    try:
        return load_theme(name)
    except ThemeError as error:
        raise SettingsError(error.problems, header=error.header) from None


def make_show(exhibit: Exhibit, settings, size: tuple[int, int], theme=None) -> Show:
    """The exhibit on stage at this size, in the settings' theme unless one is given."""
    return Show(exhibit, settings, size, theme or load_theme_checked(settings.theme))
