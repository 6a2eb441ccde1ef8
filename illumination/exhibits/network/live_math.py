"""Live math: the forward and backward pass written out with the real numbers of the shown sample.

Pure functions of a snapshot (no pygame), so tests can check every number against the network's own.
Numbers are shown to 4 significant digits. With a second hidden layer, step 3 goes through it (forward) and
step 2 chains back through it (backward). The steps shown are always the pass on screen (the scene's phase);
which of them is paced by the scene: a step moves on after MATH_HOLD_SECONDS on screen in all, so it can be
read while its numbers follow the sample on screen.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.shapes import CLASS_NAMES

FORWARD_STEPS = 5
BACKWARD_STEPS = 5
MATH_HOLD_SECONDS = 1.6    # a step is on screen this long in all (the original page held its text a whole phase)


def fmt(value: float) -> str:
    """4 significant digits, no '-0'."""
    text = f"{float(value):.4g}"
    return "0" if text in ("-0", "0") else text


@dataclass(frozen=True)
class MathStep:
    title: str
    lines: tuple[str, ...]
    values: dict  # the numbers shown, by name, exactly as computed (tests compare them)


def focus_neuron(snapshot) -> int:
    """The hidden neuron the math follows: the one firing hardest for this sample (lowest index on ties)."""
    return int(np.argmax(snapshot.sample.h1))


def output_weights(snapshot) -> tuple[str, np.ndarray]:
    """("W2", W2) with one hidden layer, ("W3", W3) with two: the weights into the outputs."""
    name = "W2" if snapshot.sample.z2 is None else "W3"
    return name, snapshot.weights[name]


def forward_steps(snapshot, drawing: bool = False) -> list[MathStep]:
    v, w = snapshot.sample, snapshot.weights
    j = focus_neuron(snapshot)
    lit = np.flatnonzero(v.x)
    weighted = float(v.x @ w["W1"][:, j])
    label = CLASS_NAMES[v.label]
    active = int(np.sum(v.h1 > 0))
    k = int(np.argmax(v.probs))
    if drawing:  # a visitor's drawing has no label: the last step is the verdict, not a loss
        last = MathStep("5 · verdict", ("no label until you teach it", f"argmax p = {CLASS_NAMES[k]}",
                                        f"confidence {fmt(v.probs[k])}"), {"k": k, "p": v.probs[k]})
    else:
        last = MathStep("5 · cross-entropy", (
            f"the answer is: {label}",
            f"L = −ln p[{label}] = −ln {fmt(v.probs[v.label])}",
            f"= {fmt(v.loss)}"), {"p_label": v.probs[v.label], "loss": v.loss})
    return [
        MathStep("1 · weighted sum", (
            f"z1[{j}] = Σ x·W1[:,{j}] + b1[{j}]",
            f"= {fmt(weighted)} + {fmt(w['b1'][j])}   ({len(lit)} lit pixels)",
            f"= {fmt(v.z1[j])}"), {"j": j, "z1": v.z1[j], "weighted": weighted, "b1": w["b1"][j]}),
        MathStep("2 · ReLU", (
            f"h1[{j}] = max(0, z1[{j}]) = max(0, {fmt(v.z1[j])})",
            f"= {fmt(v.h1[j])}",
            f"{active} of {len(v.h1)} hidden neurons fire"), {"j": j, "h1": v.h1[j], "active": active}),
        _output_step(v, w),
        MathStep("4 · softmax", (
            "p = exp(z) / Σ exp(z)",
            f"p[circle] = {fmt(v.probs[0])}",
            f"p[square] = {fmt(v.probs[1])}"), {"p0": v.probs[0], "p1": v.probs[1]}),
        last,
    ]


def _output_step(v, w) -> MathStep:
    values = {"z_0": v.logits[0], "z_1": v.logits[1]}
    if v.z2 is None:
        return MathStep("3 · output", (
            "z = h1·W2 + b2",
            f"z[circle] = {fmt(v.logits[0])}",
            f"z[square] = {fmt(v.logits[1])}"), values)
    m = int(np.argmax(v.h2))
    return MathStep("3 · hidden 2 → output", (
        f"h2[{m}] = max(0, h1·W2[:,{m}] + b2[{m}])",
        f"= {fmt(v.h2[m])}   ({int(np.sum(v.h2 > 0))} of {len(v.h2)} fire)",
        f"z = h2·W3 + b3 = [{fmt(v.logits[0])}, {fmt(v.logits[1])}]"), {**values, "m": m, "h2": v.h2[m]})


def _chain_step(v, w, j: int) -> MathStep:
    if v.z2 is None:
        W = w["W2"]
        return MathStep("2 · chain rule", (
            f"∂L/∂z1[{j}] = Σ ∂L/∂z·W2[{j},:] · ReLU'(z1[{j}])",
            f"= ({fmt(v.dlogits[0])}·{fmt(W[j, 0])} + {fmt(v.dlogits[1])}·{fmt(W[j, 1])}) · {int(v.z1[j] > 0)}",
            f"= {fmt(v.dz1[j])}"), {"j": j, "dz1": v.dz1[j]})
    m = int(np.argmax(np.abs(v.dz2)))
    return MathStep("2 · chain rule, twice", (
        f"via W3: ∂L/∂z2[{m}] = {fmt(v.dz2[m])}",
        f"∂L/∂z1[{j}] = Σ ∂L/∂z2·W2[{j},:] · ReLU'(z1[{j}])",
        f"= {fmt(v.dz1[j])}"), {"j": j, "dz1": v.dz1[j], "m": m, "dz2": v.dz2[m]})


# How each optimizer turns the batch gradient g into a step (optim.py); plain SGD's is spelled out with numbers.
UPDATE_RULES = {"momentum": "v ← 0.9·v + g;  w ← w − η·v", "rmsprop": "s ← 0.9·s + 0.1·g²;  w ← w − η·g/(√s + ε)",
                "adam": "w ← w − η·m̂/(√v̂ + ε)  (moments of g)", "adamw": "w ← w − η·m̂/(√v̂ + ε) − η·0.01·w",
                "normalized": "w ← w − η·g/‖g‖", "muon": "W ← W − η·orthogonalised momentum of g"}


def _update_step(w, i: int, j: int, grad_w: float, batch_size: int, lr: float, optimizer: str) -> MathStep:
    weight = w["W1"][i, j]
    if optimizer not in UPDATE_RULES:        # plain SGD: this sample's share of the step, exactly
        share = -lr * grad_w / batch_size
        return MathStep("4 · update", (
            f"W1[{i},{j}] −= η · mean over the batch of {batch_size}",
            f"this sample's share: −{fmt(lr)}·{fmt(grad_w)}/{batch_size}",
            f"= {fmt(share)}   (W1[{i},{j}] = {fmt(weight)})"), {"share": share, "w": weight})
    share = grad_w / batch_size               # its share of g; what the step makes of g is the optimizer's
    return MathStep(f"4 · update · {optimizer}", (
        f"sample's share of g: {fmt(grad_w)}/{batch_size}",        # g: the batch's mean gradient
        f"= {fmt(share)}   (W1[{i},{j}] = {fmt(weight)})",
        UPDATE_RULES[optimizer]), {"share": share, "w": weight})


def backward_steps(snapshot, batch_size: int, lr: float, optimizer: str = "sgd") -> list[MathStep]:
    v, w = snapshot.sample, snapshot.weights
    j = focus_neuron(snapshot)
    lit = np.flatnonzero(v.x)
    i = int(lit[0]) if len(lit) else 0
    grad_w = float(v.x[i] * v.dz1[j])
    norms = snapshot.grad_norms
    return [
        MathStep("1 · output error", (
            "∂L/∂z = ŷ − y",
            f"= [{fmt(v.dlogits[0])}, {fmt(v.dlogits[1])}]",
            f"(ŷ = [{fmt(v.probs[0])}, {fmt(v.probs[1])}], y = {CLASS_NAMES[v.label]})"),
            {"dz_0": v.dlogits[0], "dz_1": v.dlogits[1]}),
        _chain_step(v, w, j),
        MathStep("3 · weight gradient", (
            f"∂L/∂W1[{i},{j}] = x[{i}] · ∂L/∂z1[{j}]",
            f"= {fmt(v.x[i])} · {fmt(v.dz1[j])}",
            f"= {fmt(grad_w)}"), {"i": i, "j": j, "grad": grad_w}),
        _update_step(w, i, j, grad_w, batch_size, lr, optimizer),
        MathStep("5 · gradient norms", (
            "last batch, per layer:",
            f"|grad hidden| = {fmt(norms['hidden'])}",
            f"|grad output| = {fmt(norms['output'])}"), {"hidden": norms["hidden"], "output": norms["output"]}),
    ]


def pass_steps(snapshot, phase: str, batch_size: int, lr: float, drawing: bool = False,
               optimizer: str = "sgd") -> list[MathStep]:
    """The phase's steps (the scene paces which one is up), with this snapshot's numbers."""
    return (forward_steps(snapshot, drawing) if phase == "forward"
            else backward_steps(snapshot, batch_size, lr, optimizer))
