"""Print Full Diagnostics: the run's health in numbers, computed from the live network and its data.

Everything is recomputed from the current weights at the moment it is asked for (not the last epoch's
cached metrics), in plain NumPy, so each number can be checked by hand:

    accuracy / loss      the whole training and test sets through net.forward
    weight norms         ‖(W, b)‖ per layer (W1, b1 · [W2, b2 ·] the output layer), Frobenius
    gradient norms       the trainer's last minibatch, per layer (same grouping)
    dead ReLU            hidden units (of each hidden layer) never > 0 on any training sample
    tracked weight       the one that moved furthest since init: now, initial, |Δ| (network/proof.py)
    recent epochs        the last 10 epochs' mean training loss and test accuracy
    confusion matrix     test set, rows = true class, columns = predicted class
    weight change        ‖θ − θ₀‖ (L2) and Σ|θ − θ₀| (L1) since the run's initial weights
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data.shapes import CLASS_NAMES
from network.mlp import cross_entropy
from network.proof import TrackedWeight, total_change, tracked_weight

LAYER_NAMES = {1: ("hidden", "output"), 2: ("hidden", "hidden2", "output")}


@dataclass(frozen=True)
class Diagnostics:
    seed: int
    epoch: int
    max_epochs: int
    step: int
    batch_size: int
    learning_rate: float
    batch_loss: float            # the last minibatch's mean cross-entropy (nan before the first step)
    train_loss: float            # mean cross-entropy of the whole training set, current weights
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    weight_norms: dict           # {"hidden": ‖W1, b1‖, ("hidden2": ‖W2, b2‖,) "output": ‖last W, b‖}
    grad_norms: dict             # {"hidden": …, "output": …} of the last minibatch
    dead_relu: int
    hidden: int
    confusion: tuple             # ((circle→circle, circle→square), (square→circle, square→square)) on the test set
    weight_change_l2: float
    weight_change_l1: float
    parameters: int
    dead_by_layer: tuple = ()    # dead units per hidden layer
    tracked: TrackedWeight | None = None
    recent_losses: tuple = ()    # the last 10 epochs' mean training loss, oldest first
    recent_test_accuracies: tuple = ()


def _norm(*arrays: np.ndarray) -> float:
    return math.sqrt(sum(float(np.sum(np.square(a))) for a in arrays))


def diagnose(trainer, seed: int) -> Diagnostics:
    net, data = trainer.net, trainer.data
    with np.errstate(all="ignore"):  # a diverged run is reported as it is (nan), not as warnings
        train = net.forward(data.X_train)
        test = net.forward(data.X_test)
    predicted = test.probs.argmax(axis=1)
    confusion = np.zeros((2, 2), dtype=np.int64)
    np.add.at(confusion, (data.y_test, predicted), 1)
    params = net.parameters()
    delta = [params[k] - trainer.initial_weights[k] for k in net.names]
    dead = tuple(int(np.sum(~(z > 0.0).any(axis=0))) for z, _ in train.hidden)
    return Diagnostics(
        seed=int(seed),
        epoch=trainer.epoch,
        max_epochs=trainer.config.max_epochs,
        step=trainer.step_count,
        batch_size=trainer.batch_size,
        learning_rate=trainer.lr,
        batch_loss=float(trainer.last_loss),
        train_loss=cross_entropy(train.probs, data.y_train),
        test_loss=cross_entropy(test.probs, data.y_test),
        train_accuracy=float(np.mean(train.probs.argmax(axis=1) == data.y_train)),
        test_accuracy=float(np.mean(predicted == data.y_test)),
        weight_norms={name: _norm(W, b) for name, (W, b) in zip(LAYER_NAMES[net.hidden_layers], net.layers())},
        grad_norms=dict(trainer.last_grad_norms),
        dead_relu=sum(dead),
        hidden=net.hidden,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        weight_change_l2=_norm(*delta),
        weight_change_l1=total_change(params, trainer.initial_weights),
        parameters=net.n_parameters,
        dead_by_layer=dead,
        tracked=tracked_weight(params, trainer.initial_weights),
        recent_losses=tuple(float(v) for v in trainer.history.loss[-10:]),
        recent_test_accuracies=tuple(float(v) for v in trainer.history.test_accuracy[-10:]),
    )


_NORM_ROWS = {2: (("hidden", "hidden W1, b1"), ("output", "output W2, b2")),
              3: (("hidden", "hidden W1, b1"), ("hidden2", "hidden 2 W2, b2"), ("output", "output W3, b3"))}


def _g(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.6g}"


def format_diagnostics(d: Diagnostics) -> list[str]:
    """The report, one line per string (monospace-aligned): printed to the console and shown as an overlay."""
    (cc, cs), (sc, ss) = d.confusion
    width = max(len(CLASS_NAMES[0]), len(CLASS_NAMES[1]), 6)
    return [
        f"DIAGNOSTICS · seed {d.seed} · epoch {d.epoch}/{d.max_epochs} · step {d.step}",
        f"batch size {d.batch_size} · learning rate {d.learning_rate:g} · {d.parameters:,} parameters",
        "",
        f"loss       last batch {_g(d.batch_loss)}",
        f"           train set  {_g(d.train_loss)}   test set {_g(d.test_loss)}",
        f"accuracy   train {d.train_accuracy * 100:.2f}%   test {d.test_accuracy * 100:.2f}%",
        "",
        "norms              weights      gradient (last batch)",
        *(f"  {label:<16} {d.weight_norms[name]:<12.6g} {d.grad_norms.get(name, 0.0):.6g}"
          for name, label in _NORM_ROWS[len(d.weight_norms)]),
        "",
        f"dead ReLU units    {d.dead_relu} of {d.hidden * max(len(d.dead_by_layer), 1)} (never active on the training set)"
        + (f": hidden 1 {d.dead_by_layer[0]}, hidden 2 {d.dead_by_layer[1]}" if len(d.dead_by_layer) == 2 else ""),
        f"weight change      L2 {d.weight_change_l2:.6g}   sum |Δθ| {d.weight_change_l1:.6g}   (since init)",
        *([f"tracked weight     {d.tracked.label}: now {d.tracked.now:.8f}  initial {d.tracked.initial:.8f}  "
           f"|Δ| {d.tracked.change:.8f}"] if d.tracked else []),
        "",
        "last epochs        " + (" ".join(f"{v:.4f}" for v in d.recent_losses) or "—") + "   (mean loss)",
        "                   " + (" ".join(f"{v * 100:.1f}%" for v in d.recent_test_accuracies) or "—")
        + "   (test accuracy)",
        "",
        "confusion (test set; rows = true, columns = predicted)",
        f"  {'':<{width}}  {CLASS_NAMES[0]:>{width}}  {CLASS_NAMES[1]:>{width}}",
        f"  {CLASS_NAMES[0]:<{width}}  {cc:>{width}}  {cs:>{width}}",
        f"  {CLASS_NAMES[1]:<{width}}  {sc:>{width}}  {ss:>{width}}",
    ]
