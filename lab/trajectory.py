"""Prediction 2's measurements along one run: escape events from sharp basins, and how still late training is.

An **escape event** (operational definition, also in docs/lab.md): at a sharpness check at epoch e the top
Hessian eigenvalue is λ(e) > 0; within the next ESCAPE_WINDOW_EPOCHS epochs a later check finds λ ≤ ½·λ(e), and
between the two checks the training loss first rose above its value at e (by more than LOSS_RISE, relative) and
then fell below that peak by the later check. A falling curvature with a loss that only goes down is ordinary
descent into a flatter region, not an escape. After an event, the search resumes at the later check, so one
crossing counts once. **Early** events are those that begin in the first EARLY_FRACTION of the run's epochs.

**Late-training variance**: the variance of the training loss over the last LATE_FRACTION of the epochs.

The top eigenvalue comes from Lanczos on exact Hessian-vector products (lab/sharpness.py), CHECK_ITERATIONS
steps every CHECK_EVERY epochs; the training loss is the clean one (Trainer.train_loss) after every epoch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CHECK_EVERY = 2              # epochs between sharpness checks
CHECK_ITERATIONS = 20        # Lanczos steps per check (the top Ritz value converges first)
ESCAPE_WINDOW_EPOCHS = 10    # "within a few epochs"
ESCAPE_DROP = 0.5            # the eigenvalue falls to at most half
LOSS_RISE = 0.01             # the loss must rise by more than 1% of its value at the start of the window
EARLY_FRACTION = 0.25
LATE_FRACTION = 0.25


def top_eigenvalue(net, X: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                   iterations: int = CHECK_ITERATIONS) -> float:
    """The largest algebraic eigenvalue of the loss Hessian at the net's weights on (X, y)."""
    from lab.sharpness import FlatGradient, extreme_eigenvalues
    return extreme_eigenvalues(FlatGradient(net, X, y), iterations, rng)[0]


def escape_events(check_epochs, eigenvalues, losses, window: int = ESCAPE_WINDOW_EPOCHS) -> list[tuple[int, int]]:
    """(start epoch, end epoch) of every escape event. check_epochs (k,) ascending epochs of the sharpness checks,
    eigenvalues (k,) the top eigenvalue at each; losses (E + 1,) the training loss after each epoch, losses[0]
    at initialisation."""
    checks = np.asarray(check_epochs, dtype=np.int64)
    lam = np.asarray(eigenvalues, dtype=np.float64)
    loss = np.asarray(losses, dtype=np.float64)
    events, i = [], 0
    while i < len(checks):
        found = None
        if np.isfinite(lam[i]) and lam[i] > 0:
            start = checks[i]
            for j in range(i + 1, len(checks)):
                end = checks[j]
                if end - start > window:
                    break
                if not lam[j] <= ESCAPE_DROP * lam[i]:
                    continue
                between = loss[start + 1:end + 1]            # the losses after epochs start+1 … end
                peak = int(np.argmax(between)) if len(between) else 0
                rose = len(between) and between[peak] > loss[start] * (1 + LOSS_RISE)
                if rose and between[-1] < between[peak]:
                    found = j
                    break
        if found is None:
            i += 1
        else:
            events.append((int(checks[i]), int(checks[found])))
            i = found
    return events


def late_variance(losses, fraction: float = LATE_FRACTION) -> float:
    """Variance (ddof 1) of the training loss over the last `fraction` of the epochs (losses[0] is the start)."""
    after = np.asarray(losses, dtype=np.float64)[1:]
    tail = after[len(after) - max(2, int(round(fraction * len(after)))):]
    return float(np.var(tail, ddof=1)) if len(tail) >= 2 else float("nan")


@dataclass
class Trajectory:
    """Recorded by the sweep job while it trains: call `after_epoch(trainer)` once per epoch."""
    rng: np.random.Generator
    every: int = CHECK_EVERY
    losses: list[float] = field(default_factory=list)        # (E + 1,): after each epoch, [0] before training
    check_epochs: list[int] = field(default_factory=list)
    eigenvalues: list[float] = field(default_factory=list)

    def begin(self, trainer) -> None:
        """Record the starting point (epoch 0) before training."""
        self.after_epoch(trainer)

    def after_epoch(self, trainer) -> float:
        """Record the training loss (returned) and, every `every` epochs, the top eigenvalue."""
        loss = trainer.train_loss()
        self.losses.append(loss)
        if trainer.epoch % self.every == 0:
            n = trainer.n_train
            self.check_epochs.append(trainer.epoch)
            self.eigenvalues.append(top_eigenvalue(trainer.net, trainer.data.X_train[:n], trainer.data.y_train[:n],
                                                   self.rng))
        return loss

    def fields(self, epochs: int) -> dict:
        """{"early_escapes", "escapes", "late_loss_variance"} over a run planned for `epochs` epochs."""
        events = escape_events(self.check_epochs, self.eigenvalues, self.losses)
        early = [e for e in events if e[0] <= EARLY_FRACTION * epochs]
        return {"early_escapes": len(early), "escapes": len(events), "late_loss_variance": late_variance(self.losses)}
