"""The Network exhibit's settings: every field is a flat scene-file key (a contract: scenes and scripts use them),
and the fields a command line sets say so (flag, help and parser: the CLI builds its flags from them).

The ranges are what a person may set; the desktop sliders use narrower, friendlier ones (controls.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from illumination.core.flags import HiddenText, NumberText, WholeText, WrongKind, is_number
from illumination.core.settings import COMPOSITIONS, SettingsMixin, ranges
from data.taught import parse_taught
from network.noise import NOISE_MODES, NoiseSpec
from network.schedules import SCHEDULES
from themes.schema import Problem, choice, flag, number, parsed, text, whole


def _noise_text(text: str) -> NoiseSpec:
    """--noise for the network: none or MODE:MAGNITUDE, parsed once into a NoiseSpec (the settings keep its mode
    and magnitude as their scene keys; the schedule is their own, --schedule's)."""
    from network.noise import parse_noise
    if is_number(text):       # the Landscape's kind of --noise (a kick size), not a mistake in a spec
        raise WrongKind(f"--noise for the network is none or MODE:MAGNITUDE (e.g. input_jitter:0.1), "
                        f"got {float(text):g}")
    return parse_noise(text)


def _noise_keys(spec: NoiseSpec) -> dict:
    return {"noise_mode": spec.mode, "noise_magnitude": spec.magnitude}


def _noise_help() -> str:
    modes = [name for name in NOISE_MODES if name != "none"]     # read when the help is built: a new mode shows
    return (f"train under noise: none or MODE:MAGNITUDE with MODE {', '.join(modes[:-1])} or {modes[-1]} "
            f"(e.g. input_jitter:0.1, sgld:1e-4)")


def _optimizer_help() -> str:
    from network.optim import OPTIMIZERS
    return f"optimizer, one of {', '.join(sorted(OPTIMIZERS))}"


def _taught_toml(samples) -> str:
    return "[" + ", ".join(sample.to_toml() for sample in samples) + "]"


@dataclass(frozen=True)
class NetworkSettings(SettingsMixin):
    exhibit = "network"

    seed: int = whole(0, 2**32 - 1, default=42, flag="--seed", parse=WholeText("seed", 0, 2**32 - 1),
                      help="run seed (data, initial weights and batch order)")
    # huge values on purpose: divergence is part of the show
    learning_rate: float = number(1e-9, 1e9, default=0.05, flag="--lr", parse=NumberText("learning rate"),
                                  help="learning rate")
    batch_size: int = whole(1, 1000, default=16, flag="--batch-size", help="samples per update")
    speed: float = number(0.01, 300.0, default=3.0, flag="--speed", view=True,    # epochs per second of the clock
                          help="training speed in epochs per second")
    # 0 at the flag is a headless request: train nothing, report the initial net (the CLI's zero count)
    max_epochs: int = whole(1, 1_000_000, default=200, flag="--epochs", parse=WholeText("epochs", 0),
                            help="epochs to train")
    samples: int = whole(10, 5000, default=240, flag="--samples", help="training samples")
    hidden_size: int = whole(1, 256, default=16, flag="--hidden", parse=HiddenText(),   # neurons in each hidden layer
                             into=lambda sizes: {"hidden_size": sizes[0], "hidden_layers": sizes[1]},
                             help="hidden neurons per layer: 16 (one hidden layer) or 16,16 (two: the original "
                                  "page's 64-16-16-2)")
    hidden_layers: int = whole(1, 2, default=1)             # 1: 64-H-2 (the default); 2: 64-H-H-2, the original page's
    confidence_threshold: float = number(0.5, 1.0, default=0.80)
    early_stop: bool = flag(default=False, flag="--early-stop",
                            help="stop when the loss on a validation split (the last sixth of the training samples, "
                                 "held out) stops improving")
    glow: float = number(0.1, 3.0, default=1.5)
    flow_speed: float = number(0.1, 3.0, default=1.5)
    synapse_opacity: float = number(0.0, 1.0, default=0.4)
    show_synapses: bool = flag(default=True)
    show_particles: bool = flag(default=True)
    show_math: bool = flag(default=True)
    decorations: bool = flag(default=False, flag="--decorations", view=True,
                             help="the original page's flow dots, particle arrows, lingering glows, highlights and "
                                  "state rings (any theme; --theme original is the page's look)")
    theme: str = text(default="midnight", flag="--theme", view=True, help="theme name or path to a theme .toml")
    optimizer: str = text(default="sgd", flag="--optimizer", help=_optimizer_help)
    # training under noise (network/noise.py); --noise sets the mode and the magnitude together
    noise_mode: str = choice(NOISE_MODES, default="none", flag="--noise", parse=_noise_text, into=_noise_keys,
                             help=_noise_help)
    noise_magnitude: float = number(0.0, 100.0, default=0.0)  # σ, a temperature or a fraction, by mode
    schedule: str = choice(SCHEDULES, default="constant", flag="--schedule",   # scales the noise over the updates
                           help="how the noise changes over the run")
    composition: str = choice(*COMPOSITIONS, default="explain", flag="--composition", view=True,
                              help="the layout, annotated or the wall's (the exhibit large, a few big words)")
    # shapes visitors drew and labelled (data/taught.py): trained on first, replayable from a scene or a kiosk log
    taught: tuple = parsed(parse_taught, default=(), write=_taught_toml)

    @staticmethod
    def check_names(values: dict) -> list[Problem]:
        """The optimizer must be one the network knows (its registry), and the noise's magnitude one its mode
        takes: checked with the other problems."""
        from network.noise import check_noise
        from network.optim import OPTIMIZERS
        problems = []
        name = values.get("optimizer")
        if isinstance(name, str) and name not in OPTIMIZERS:
            problems.append(Problem("optimizer", f"must be one of {', '.join(sorted(OPTIMIZERS))}, got {name!r}"))
        mode, magnitude = values.get("noise_mode", "none"), values.get("noise_magnitude", 0.0)
        if mode in NOISE_MODES and isinstance(magnitude, (int, float)):
            try:
                check_noise(mode, float(magnitude))
            except ValueError as error:
                problems.append(Problem("noise_magnitude", str(error)))
        return problems

    @property
    def noise_spec(self) -> NoiseSpec:
        """What the run trains under: the noise's mode and magnitude with the schedule that scales them (checked
        already, with the settings)."""
        from network.noise import check_noise
        return check_noise(self.noise_mode, self.noise_magnitude, self.schedule)


RANGES = ranges(NetworkSettings)
