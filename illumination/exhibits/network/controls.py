"""The Network exhibit's desktop controls: its sliders (friendly ranges inside the settings' own), its
toggles with their keys, and the draw-your-own-shape pad."""
from __future__ import annotations

import math

from illumination.core.controls import Choice, Controls, SliderSpec, Toggle
from illumination.exhibits.network.settings import COMPOSITIONS, RANGES


def _slider(key: str, *args, **kw) -> SliderSpec:
    return SliderSpec(key, *args, integer=RANGES[key][0] is int, **kw)


TRAINING_SLIDERS = (
    _slider("learning_rate", "Learning rate", 0.001, 0.5),
    _slider("speed", "Training speed", 0.1, 300.0, unit="epochs/s"),   # 300: a whole run in under a second
    _slider("batch_size", "Batch size", 4, 32, 4,
            detail=lambda settings, value: f"  ({math.ceil(settings.samples / max(int(value), 1))} updates/epoch)"),
    _slider("max_epochs", "Max epochs", 50, 500, 10),
    _slider("samples", "Training samples", 50, 1000, 10, resets=True),
    _slider("hidden_size", "Hidden neurons", 8, 32, 4, resets=True),
    _slider("confidence_threshold", "Confidence for \"correct\"", 0.5, 1.0, 0.05, percent=True),
)
VISUAL_SLIDERS = (
    _slider("glow", "Glow", 0.1, 3.0, 0.1),
    _slider("flow_speed", "Flow speed", 0.1, 3.0, 0.1),
    _slider("synapse_opacity", "Synapse visibility", 0.1, 1.0, 0.05),
)
def _usual_magnitude(settings, mode: str) -> dict:
    """A newly chosen noise mode starts at its usual magnitude (σ 0.1 and T 1e-4 mean different things); the
    Magnitude slider then tunes it."""
    from network.noise import NOISE_MODES
    if mode == "none" or mode == settings.noise_mode:
        return {}
    return {"noise_magnitude": NOISE_MODES[mode].usual_magnitude}


def noise_page_menus() -> tuple[Choice, Choice, Choice]:
    """The Noise page's menus (training under noise, network/noise.py; each change restarts the run,
    reproducibly), read from the registries when the panel is built."""
    from network.noise import NOISE_MODES
    from network.optim import OPTIMIZERS
    from network.schedules import SCHEDULES
    return (Choice("optimizer", "Optimizer", tuple(OPTIMIZERS), tuple(o.menu for o in OPTIMIZERS.values())),
            Choice("noise_mode", "Noise", tuple(NOISE_MODES), tuple(m.menu for m in NOISE_MODES.values()),
                   companions=_usual_magnitude),
            Choice("schedule", "Schedule", tuple(SCHEDULES)))


NOISE_SLIDERS = (_slider("noise_magnitude", "Magnitude (σ, T or fraction)", 1e-5, 0.5, resets=True),)
HIDDEN_LAYERS = Choice("hidden_layers", "Hidden layers", (1, 2), ("One · 64-H-2", "Two · 64-H-H-2"))  # restarts
COMPOSITION = Choice("composition", "Composition", COMPOSITIONS, ("Explain (annotated)", "Gallery (for the wall)"))
SLIDERS = TRAINING_SLIDERS + VISUAL_SLIDERS + NOISE_SLIDERS
SLIDER_BY_KEY = {spec.key: spec for spec in SLIDERS}

TOGGLES = (
    Toggle("early_stop", "Early stop (on a validation split)", "E"),
    Toggle("show_synapses", "Show synapses", "S", action="toggle_synapses"),
    Toggle("show_particles", "Show particles", "D", action="toggle_particles"),
    Toggle("show_math", "Show live math", "L", action="toggle_math"),
    Toggle("decorations", "The original page's decorations", "O", action="toggle_decorations"),
)


def _show_drawing(scene, image) -> None:
    scene.show_drawing(image)


def _verdict(scene):
    return scene.drawing_verdict()


def _teach(scene, label: int, limit: int | None = None) -> tuple[str | None, str]:
    """(the taught sample as a scene file's `taught` entry, or None; a message for the visitor)."""
    from data.shapes import CLASS_NAMES
    from illumination.exhibits.network.teaching import DEFAULT_TEACH_LIMIT, TEACH_EPOCHS
    sample = scene.teach(label, DEFAULT_TEACH_LIMIT if limit is None else limit)
    if sample is None:
        return None, "Draw a shape first (and wait for a run that has not diverged)."
    return sample.to_toml(), (f"Taught: a {CLASS_NAMES[label]}. It trains on for {TEACH_EPOCHS} epochs with your "
                              "shape among its samples: watch the verdict change.")


def _seen(scene):
    return scene.drawing


def _taught(scene) -> list:
    teaching = scene.teaching
    return [(sample.label, sample.image, confidence)
            for sample, confidence in zip(teaching.samples, teaching.confidence())]


def _noise_page() -> tuple:
    optimizer, noise_mode, schedule = noise_page_menus()
    return optimizer, noise_mode, *NOISE_SLIDERS, schedule


def network_controls() -> Controls:
    from illumination.exhibits.network.drawpad import DrawPad
    return Controls(
        pages=(("Training", (*TRAINING_SLIDERS, HIDDEN_LAYERS), ("early_stop",)),
               ("Noise", _noise_page(), ()),
               ("Visuals", (COMPOSITION, *VISUAL_SLIDERS), ("show_synapses", "show_particles", "show_math", "decorations"))),
        toggles=TOGGLES, make_pad=DrawPad, pad_apply=_show_drawing, pad_verdict=_verdict,
        pad_teach=_teach, pad_labels=("It's a circle", "It's a square"), pad_seen=_seen, pad_taught=_taught,
        pad_title="Draw a filled circle or square:",
        pad_hint="it sees it centred and 4 px across")
