"""How a run trains: the Trainer's settings, checked when made (one line per problem)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from network.noise import NoiseSpec

BACKENDS = ("numba", "numpy")


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 0.05
    batch_size: int = 16
    max_epochs: int = 200
    optimizer: str = "sgd"
    backend: str = "numba"
    early_stop: bool = False
    patience: int = 15  # epochs without a validation-loss gain > 0.0001 before an early stop
    # A mean cross-entropy above this is an exploding loss: p(correct) < e^-50 on average. Sane runs never come
    # near it (chance is ln 2 ≈ 0.69), so it only fires once the weights have blown up.
    max_loss: float = 50.0
    noise: NoiseSpec = NoiseSpec()   # mode, magnitude and schedule (network/noise.py: check_noise, parse_noise)
    # Stop when the training loss (mean cross-entropy of the current weights on the clean training samples, checked
    # after every epoch) first reaches this; None: train to max_epochs. With stop_at_match False the first epoch
    # at the target is only recorded (Trainer.matched_epoch) and training goes on.
    match_train_loss: float | None = None
    stop_at_match: bool = True

    def __post_init__(self):
        problems = []
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            problems.append(f"lr must be a finite number > 0, got {self.lr!r}")
        if not (isinstance(self.batch_size, int) and self.batch_size >= 1):
            problems.append(f"batch_size must be an integer >= 1, got {self.batch_size!r}")
        if not (isinstance(self.max_epochs, int) and self.max_epochs >= 0):
            problems.append(f"max_epochs must be an integer >= 0, got {self.max_epochs!r}")
        if self.backend not in BACKENDS:
            problems.append(f"backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.match_train_loss is not None and not (isinstance(self.match_train_loss, (int, float))
                                                      and math.isfinite(self.match_train_loss)
                                                      and self.match_train_loss > 0):
            problems.append(f"match_train_loss must be a finite number > 0, got {self.match_train_loss!r}")
        if not isinstance(self.noise, NoiseSpec):
            problems.append(f"noise must be a NoiseSpec (network.noise.parse_noise makes one), got {self.noise!r}")
        if problems:
            raise ValueError("; ".join(problems))
