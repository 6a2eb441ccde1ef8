"""The Network exhibit's settings: every field is a flat scene-file key (a contract: scenes and scripts use them).

The ranges are what a person may set; the desktop sliders use narrower, friendlier ones (controls.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from illumination.core.settings import COMPOSITIONS, SettingsMixin, ranges
from network.noise import NOISE_MODES
from network.schedules import SCHEDULES
from themes.schema import choice, flag, number, text, whole


@dataclass(frozen=True)
class NetworkSettings(SettingsMixin):
    exhibit = "network"

    seed: int = whole(0, 2**32 - 1, default=42)
    learning_rate: float = number(1e-9, 1e9, default=0.05)  # huge values on purpose: divergence is part of the show
    batch_size: int = whole(1, 1000, default=16)
    speed: float = number(0.01, 300.0, default=3.0)         # training epochs per second of (simulated) time
    max_epochs: int = whole(1, 1_000_000, default=200)
    samples: int = whole(10, 5000, default=240)
    hidden_size: int = whole(1, 256, default=16)            # neurons in each hidden layer
    hidden_layers: int = whole(1, 2, default=1)             # 1: 64-H-2 (the default); 2: 64-H-H-2, the original page's
    confidence_threshold: float = number(0.5, 1.0, default=0.80)
    early_stop: bool = flag(default=False)
    glow: float = number(0.1, 3.0, default=1.5)
    flow_speed: float = number(0.1, 3.0, default=1.5)
    synapse_opacity: float = number(0.0, 1.0, default=0.4)
    show_synapses: bool = flag(default=True)
    show_particles: bool = flag(default=True)
    show_math: bool = flag(default=True)
    decorations: bool = flag(default=False)                 # the original page's flow dots, arrows, highlights …
    theme: str = text(default="midnight")
    optimizer: str = text(default="sgd")
    noise_mode: str = choice(*NOISE_MODES, default="none")  # training under noise (network/noise.py)
    noise_magnitude: float = number(0.0, 100.0, default=0.0)  # σ, a temperature or a fraction, by mode
    schedule: str = choice(*SCHEDULES, default="constant")  # scales the noise over the update count
    composition: str = choice(*COMPOSITIONS, default="explain")

    @staticmethod
    def check_names(values: dict) -> list[str]:
        """The optimizer must be one the network knows (its registry, checked with the other problems)."""
        from network.noise import check_noise
        from network.optim import OPTIMIZERS
        problems = []
        name = values.get("optimizer")
        if isinstance(name, str) and name not in OPTIMIZERS:
            problems.append(f"optimizer: must be one of {', '.join(sorted(OPTIMIZERS))}, got {name!r}")
        mode, magnitude = values.get("noise_mode", "none"), values.get("noise_magnitude", 0.0)
        if mode in NOISE_MODES and isinstance(magnitude, (int, float)):
            try:
                check_noise(mode, float(magnitude))
            except ValueError as error:
                problems.append(f"noise_magnitude: {error}")
        return problems

    @property
    def noise(self) -> str:
        """The noise as a spec, "none" or "MODE:MAGNITUDE" (what the trainer and the sweep read)."""
        from network.noise import check_noise
        return check_noise(self.noise_mode, self.noise_magnitude).label


RANGES = ranges(NetworkSettings)
