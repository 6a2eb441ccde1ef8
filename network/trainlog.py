"""The training log: the original page's console reports, as events a person or a machine can read.

    init       seed, architecture, parameter count, data sizes, settings; the untrained net's test accuracy and
               loss and its prediction for test sample 0
    progress   every 10 epochs: mean loss, train / test accuracy, Σ|Δθ| since the last report and since init
    sample     every 20 epochs: the prediction for test sample 0
    finished   the final metrics, why it ended, the weight that moved furthest, and the "prediction evolution"
               (test sample 0 at epochs 1, 25, 50, 75, 100, then every 100)
    diverged   what ran away, and when
    taught     a visitor's shape entered the training data: its label and pixels (a scene file's `taught` entry,
               to replay it) and the epoch (sent by the exhibit that was taught, not by the trainer)

Each event is a dict ({"event": …, …}: `--json-log` writes them as JSON Lines) and `describe(event)` is its
readable line (`--log`). Subscribes to a Trainer's events; imports no pygame.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from data.shapes import CLASS_NAMES
from network.proof import total_change, tracked_weight

PROGRESS_EVERY = 10
SAMPLE_EVERY = 20


def milestone(epoch: int) -> bool:
    return epoch in (1, 25, 50, 75) or (epoch > 0 and epoch % 100 == 0)


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


class TrainingLog:
    """Attach to a trainer: `TrainingLog(trainer, sink, seed)` calls sink(event) for each report."""

    def __init__(self, trainer, sink: Callable[[dict], None], seed: int):
        self.trainer, self.sink, self.seed = trainer, sink, int(seed)
        self._last_params = {k: v.copy() for k, v in trainer.net.parameters().items()}
        self.evolution: list[dict] = []
        trainer.subscribe("epoch", self._on_epoch)
        trainer.subscribe("finished", self._on_finished)
        trainer.subscribe("diverged", self._on_diverged)
        net, data = trainer.net, trainer.data
        self.sink({"event": "init", "seed": self.seed,
                   "architecture": "-".join(str(n) for n in (64, *[net.hidden] * net.hidden_layers, 2)),
                   "parameters": net.n_parameters, "train_samples": int(len(data.y_train)),
                   "test_samples": int(len(data.y_test)), "max_epochs": trainer.config.max_epochs,
                   "learning_rate": trainer.lr, "batch_size": trainer.batch_size,
                   "early_stop": trainer.config.early_stop, "test_accuracy": _number(trainer.test_accuracy),
                   "test_loss": _number(trainer.test_loss), **self._prediction(0)})

    def _prediction(self, epoch: int) -> dict:
        """The network's answer for test sample 0 (the sample the page followed through the run)."""
        data = self.trainer.data
        with np.errstate(all="ignore"):
            probs = self.trainer.net.predict_proba(data.X_test[:1])[0]
        return {"epoch": epoch, "sample_label": CLASS_NAMES[int(data.y_test[0])],
                "predicted": CLASS_NAMES[int(np.argmax(probs))],
                "probabilities": {CLASS_NAMES[k]: _number(probs[k]) for k in range(len(probs))}}

    def _on_epoch(self, snapshot) -> None:
        t, epoch = self.trainer, snapshot.epoch
        if milestone(epoch):
            self.evolution.append(self._prediction(epoch))
        if epoch % PROGRESS_EVERY == 0:
            params = t.net.parameters()
            self.sink({"event": "progress", "epoch": epoch, "loss": _number(snapshot.loss),
                       "train_accuracy": _number(t.train_accuracy), "test_accuracy": _number(t.test_accuracy),
                       "weight_change": total_change(params, self._last_params),
                       "weight_change_total": total_change(params, t.initial_weights)})
            self._last_params = {k: v.copy() for k, v in params.items()}
        if epoch % SAMPLE_EVERY == 0:
            self.sink({"event": "sample", **self._prediction(epoch)})

    def _on_finished(self, snapshot) -> None:
        t = self.trainer
        params = t.net.parameters()
        tracked = tracked_weight(params, t.initial_weights)
        self.sink({"event": "finished", "epoch": snapshot.epoch, "reason": snapshot.message,
                   "loss": _number(snapshot.loss), "train_accuracy": _number(t.train_accuracy),
                   "test_accuracy": _number(t.test_accuracy), "test_loss": _number(t.test_loss),
                   "weight_change_total": total_change(params, t.initial_weights),
                   "tracked_weight": {"name": tracked.label, "initial": tracked.initial, "now": tracked.now,
                                      "change": tracked.change},
                   "prediction_evolution": list(self.evolution)})

    def _on_diverged(self, snapshot) -> None:
        self.sink({"event": "diverged", "epoch": snapshot.epoch, "step": snapshot.step, "message": snapshot.message})


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _probabilities(event: dict) -> str:
    return ", ".join(f"{name} {p:.4f}" if p is not None else f"{name} —"
                     for name, p in event["probabilities"].items())


def describe(event: dict) -> list[str]:
    """The readable lines of one event (the page's console, without its quirks)."""
    kind = event["event"]
    if kind == "init":
        return [f"training · seed {event['seed']} · {event['architecture']} ({event['parameters']:,} parameters) · "
                f"{event['train_samples']} training / {event['test_samples']} test samples",
                f"  max {event['max_epochs']} epochs · learning rate {event['learning_rate']:g} · batch "
                f"{event['batch_size']}" + (" · early stop on a validation split" if event["early_stop"] else ""),
                f"  untrained: test accuracy {_percent(event['test_accuracy'])} · test sample 0 (a "
                f"{event['sample_label']}) → {event['predicted']} ({_probabilities(event)})"]
    if kind == "progress":
        loss = "—" if event["loss"] is None else f"{event['loss']:.4f}"
        return [f"epoch {event['epoch']:>4} · loss {loss} · train {_percent(event['train_accuracy'])} · test "
                f"{_percent(event['test_accuracy'])} · Σ|Δθ| {event['weight_change']:.4f} since the last report "
                f"({event['weight_change_total']:.4f} in all)"]
    if kind == "sample":
        return [f"           test sample 0 (a {event['sample_label']}) → {event['predicted']} "
                f"({_probabilities(event)})"]
    if kind == "finished":
        tracked = event["tracked_weight"]
        lines = [f"finished at epoch {event['epoch']}: {event['reason']}",
                 f"  train {_percent(event['train_accuracy'])} · test {_percent(event['test_accuracy'])} · "
                 f"Σ|Δθ| {event['weight_change_total']:.4f} since init",
                 f"  moved furthest: {tracked['name']} {tracked['initial']:.6f} → {tracked['now']:.6f} "
                 f"(|Δ| {tracked['change']:.6f})",
                 "  prediction evolution, test sample 0:"]
        lines += [f"    epoch {m['epoch']:>4}: {m['predicted']} ({_probabilities(m)})"
                  for m in event["prediction_evolution"]]
        return lines
    if kind == "diverged":
        return [f"diverged at epoch {event['epoch']} (step {event['step']}): {event['message']}"]
    if kind == "taught":
        return [f"taught at epoch {event['epoch']}: a {event['label']} ({event['taught_samples']} taught shape"
                f"{'s' if event['taught_samples'] != 1 else ''} in training) · "
                f"{{label = \"{event['label']}\", pixels = \"{event['pixels']}\"}}"]
    return [str(event)]
