"""Switching the window's exhibit (the panel's Exhibit menu) without losing the visitor's choice of look.

The new exhibit starts from its own defaults, except for the look the visitor chose: the theme and the
composition (explain or gallery) are carried across every switch. An exhibit without one of them (the Landscape
has no composition) keeps the last choice for the next exhibit that has it, so Network (gallery) → Landscape →
Network comes back in gallery.
"""
from __future__ import annotations

CARRIED_ACROSS_EXHIBITS = ("theme", "composition")


def remember_look(carried: dict, settings) -> None:
    """Note the look choices these settings make (the ones their exhibit has)."""
    for key in CARRIED_ACROSS_EXHIBITS:
        if key in type(settings).__dataclass_fields__:
            carried[key] = getattr(settings, key)


def starting_settings(exhibit, carried: dict):
    """The exhibit's default settings with the carried look choices it has."""
    fields = exhibit.settings.__dataclass_fields__
    return exhibit.settings(**{key: value for key, value in carried.items() if key in fields})


def switch_exhibit(desk, name: str) -> None:
    """Show another exhibit from its defaults, in the look chosen so far; the log and metric stream go on."""
    from illumination.core.show import make_show
    from illumination.exhibits import get_exhibit
    if name == desk.show.name:
        return
    exhibit = get_exhibit(name)
    remember_look(desk.carried_look, desk.scene.settings)
    settings = starting_settings(exhibit, desk.carried_look)
    desk.capture.stop()          # a recording is one exhibit at one size: finish it
    sink, metrics = desk.scene.log_sink, desk.scene.metrics_sink
    desk.mount(make_show(exhibit, settings, desk.exhibit_rect.size, theme=desk.show.theme))   # the same place
    desk.scene.attach_log(sink)     # --log and the metric stream go on with the new exhibit
    desk.scene.attach_metrics(metrics)
    desk.close_overlays()
    desk.say(f"{exhibit.title}: a new exhibit, from its own defaults (seed {settings.seed}).")
