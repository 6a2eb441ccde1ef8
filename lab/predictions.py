"""The seed's five predictions, as paired comparisons over seeds from a sweep's rows (lab/stats.py decides them).

Each prediction becomes groups of comparisons (a group is one verdict: "sgd · input_jitter:0.1"). Every comparison
with a predicted sign joins one Holm family for the whole summary; `context` comparisons are shown with their
intervals but decide nothing. Pairs are by seed: both runs exist, did not diverge, have the metric, and (where the
prediction says "at matched train loss") both were measured where their training loss reached the target.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from data.seeding import rng_for
from lab.stats import Comparison, combined, decide

METRIC_NAMES = {"hessian_top_eigenvalue": "top eigenvalue", "hessian_trace": "Hessian trace",
                "hessian_min_eigenvalue": "most negative eigenvalue", "eval_loss": "eval loss",
                "eval_accuracy": "eval accuracy", "ece": "ECE", "early_escapes": "early escapes",
                "escapes": "escapes (whole run)", "late_loss_variance": "late-training loss variance",
                "final_eval_accuracy": "final eval accuracy", "quant_ece": "ECE", "quant_eval_loss": "eval loss"}


@dataclass
class Group:
    label: str
    comparisons: list[Comparison] = field(default_factory=list)
    context: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return combined(c.verdict for c in self.comparisons)


@dataclass
class Prediction:
    number: int
    title: str
    rule: str
    groups: list[Group] = field(default_factory=list)
    untestable: str = ""          # why this grid cannot test it (and how to), when it cannot

    def tally(self) -> str:
        if self.untestable:
            return f"prediction {self.number}: cannot be tested by this grid"
        verdicts = [g.verdict for g in self.groups]
        counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("supported", "refuted", "inconclusive")
                           if verdicts.count(v))
        return f"prediction {self.number}: {counts}"


def _usable(row, metric, matched) -> bool:
    value = row.get(metric)
    return (not row["diverged"] and value is not None and math.isfinite(value)
            and (not matched or row["measured_at"] == "match"))


def differences(rows, a: tuple[str, str], b: tuple[str, str], metric: str, matched: bool,
                metric_b: str | None = None) -> list[float]:
    """metric of condition a − metric_b (default: the same) of condition b, paired by seed, in seed order.
    A condition is (optimizer, noise)."""
    metric_b = metric_b or metric
    first = {r["seed"]: r for r in rows if (r["optimizer"], r["noise"]) == a and _usable(r, metric, matched)}
    second = {r["seed"]: r for r in rows if (r["optimizer"], r["noise"]) == b and _usable(r, metric_b, matched)}
    return [first[s][metric] - second[s][metric_b] for s in sorted(first.keys() & second.keys())]


def _compare(rows, a, b, metric, sign, matched, label=None, metric_b=None) -> Comparison:
    name = label or f"{a[0]} · {a[1]} − {b[0]} · {b[1]}: Δ {METRIC_NAMES.get(metric, metric)}"
    return Comparison(name, differences(rows, a, b, metric, matched, metric_b), sign)


def _unreached(rows, optimizer, noise) -> str | None:
    cell = [r for r in rows if r["optimizer"] == optimizer and r["noise"] == noise and not r["diverged"]]
    missed = sum(r["measured_at"] != "match" for r in cell)
    return f"{missed} of {len(cell)} runs of {optimizer} · {noise} never reached the target loss" if missed else None


def _constant(noise: str) -> bool:
    return "@" not in noise or noise.endswith("@constant")


def prediction_1(rows, noises, optimizers, target) -> Prediction:
    p = Prediction(1, "moderate noise → lower sharpness and lower eval loss at matched train loss",
                   "each noise (constant schedule) against `none` for the same optimizer, both measured where "
                   "their training loss first reached the target: Δ top eigenvalue < 0 and Δ eval loss < 0 "
                   "(both needed); Δ eval accuracy, Δ ECE and Δ trace are shown as context")
    if target is None:
        p.untestable = "the grid has no --match-train-loss target, so no train loss is matched"
    elif "none" not in noises:
        p.untestable = "the grid has no `none` baseline: add none to --noise"
    for o in optimizers:
        for n in [n for n in noises if n != "none" and _constant(n)] if not p.untestable else []:
            a, b = (o, n), (o, "none")
            group = Group(f"{o} · {n}", [_compare(rows, a, b, "hessian_top_eigenvalue", -1, True),
                                         _compare(rows, a, b, "eval_loss", -1, True)],
                          [_compare(rows, a, b, m, s, True) for m, s in
                           (("eval_accuracy", +1), ("ece", -1), ("hessian_trace", -1))])
            group.notes += [note for note in (_unreached(rows, o, n), _unreached(rows, o, "none")) if note]
            p.groups.append(group)
    if not p.untestable and not p.groups:
        p.untestable = "the grid has no noise with a constant schedule besides `none`"
    return p


def prediction_2(rows, noises, optimizers) -> Prediction:
    p = Prediction(2, "cyclical or annealed temperature → more early escapes from sharp basins, stiller late "
                      "training", "each scheduled noise (NOISE@cyclical, NOISE@cosine …) against the same noise at a "
                      "constant level, same optimizer, over whole runs: Δ early escape events > 0 and Δ late-training "
                      "loss variance < 0 (both needed); escapes over the whole run as context")
    for o in optimizers:
        for n in noises:
            base = n.split("@", 1)[0]
            if _constant(n) or base not in noises:
                continue
            a, b = (o, n), (o, base)
            p.groups.append(Group(f"{o} · {n} vs {base}", [_compare(rows, a, b, "early_escapes", +1, False),
                                                           _compare(rows, a, b, "late_loss_variance", -1, False)],
                                  [_compare(rows, a, b, "escapes", +1, False)]))
    if not p.groups:
        p.untestable = ("the grid has no scheduled noise beside its constant twin (e.g. --noise "
                        "sgld:3e-2,sgld:3e-2@cyclical,sgld:3e-2@cosine)")
    return p


def label_levels(rows, noises) -> list[tuple[float, str]]:
    """(magnitude, noise) of the constant label-noise levels in the grid; `none` is level 0."""
    levels = {0.0: "none"} if "none" in noises else {}
    for noise in noises:
        if noise.startswith("label_noise:") and _constant(noise):
            levels.setdefault(float(noise.split(":", 1)[1].split("@", 1)[0]), noise)
    return sorted(levels.items())


def prediction_3(rows, noises, optimizers) -> Prediction:
    p = Prediction(3, "stochastic resonance: an intermediate label-noise band beats zero and high label noise",
                   "the intermediate label-noise level with the best mean final eval accuracy, against 0 (`none`) and "
                   "against the highest level, same optimizer, paired by seed: Δ final eval accuracy > 0 against "
                   "both (choosing the best level first favours it a little)")
    levels = label_levels(rows, noises)
    if len(levels) < 3 or levels[0][0] != 0:
        p.untestable = ("it needs `none` and at least two label-noise levels (e.g. --noise "
                        "none,label_noise:0.05,label_noise:0.1,label_noise:0.2)")
        return p
    for o in optimizers:
        def mean_accuracy(noise):
            values = [r["final_eval_accuracy"] for r in rows if r["optimizer"] == o and r["noise"] == noise
                      and _usable(r, "final_eval_accuracy", False)]
            return sum(values) / len(values) if values else -math.inf
        best = max((noise for _, noise in levels[1:-1]), key=mean_accuracy)
        p.groups.append(Group(f"{o} · best intermediate {best}", [
            _compare(rows, (o, best), (o, other), "final_eval_accuracy", +1, False,
                     f"{o} · {best} − {o} · {other}: Δ final eval accuracy against {other}")
            for other in (levels[0][1], levels[-1][1])]))
    return p


def prediction_4(rows, noises, optimizers) -> Prediction:
    bits = next((r["quant_bits"] for r in rows if r.get("quant_bits")), None)
    p = Prediction(4, "dithered quantization at inference → better calibration (ECE) and lower eval loss than "
                      "undithered at equal bit depth",
                   f"each `none` run's final network quantized to {bits or 'b'} bits at inference, dithered (softmax "
                   "averaged over the dither draws) − undithered, paired within each run: Δ ECE < 0 and Δ eval loss "
                   "< 0 (both needed). `illumination experiment quantize` sweeps the bit depth")
    if "none" not in noises:
        p.untestable = "the grid has no `none` runs to quantize"
        return p
    for o in optimizers:
        run = (o, "none")
        p.groups.append(Group(f"{o} · none at {bits} bits", [
            _compare(rows, run, run, "quant_dithered_ece", -1, False, f"{o}: dithered − plain: Δ ECE", "quant_ece"),
            _compare(rows, run, run, "quant_dithered_eval_loss", -1, False, f"{o}: dithered − plain: Δ eval loss",
                     "quant_eval_loss")]))
    return p


def prediction_5(rows, noises, optimizers, target) -> Prediction:
    p = Prediction(5, "Langevin dynamics (SGLD) → flatter minima than SGD and AdamW at similar train loss",
                   "SGD under `sgld:T` (SGLD) against plain SGD and plain AdamW, both measured where their training "
                   "loss first reached the target: Δ Hessian trace < 0 and Δ largest algebraic eigenvalue < 0 "
                   "(both needed); the most negative eigenvalue is shown apart, as context")
    sgld = [n for n in noises if n.startswith("sgld:") and _constant(n)]
    if target is None:
        p.untestable = "the grid has no --match-train-loss target, so no train loss is matched"
    elif not sgld or "sgd" not in optimizers or "none" not in noises:
        p.untestable = "it needs the sgd optimizer with both `none` and an `sgld:T` noise (and adamw to compare)"
    for n in sgld if not p.untestable else []:
        for baseline in [o for o in ("sgd", "adamw") if o in optimizers]:
            a, b = ("sgd", n), (baseline, "none")
            group = Group(f"SGLD ({n}) vs {baseline}", [_compare(rows, a, b, "hessian_trace", -1, True),
                                                        _compare(rows, a, b, "hessian_top_eigenvalue", -1, True)],
                          [_compare(rows, a, b, "hessian_min_eigenvalue", -1, True)])
            group.notes += [note for note in (_unreached(rows, "sgd", n), _unreached(rows, baseline, "none")) if note]
            p.groups.append(group)
    return p


def judge(rows, noises, optimizers, target) -> list[Prediction]:
    """All five predictions, their comparisons decided together: one bootstrap generator, one Holm family."""
    predictions = [prediction_1(rows, noises, optimizers, target), prediction_2(rows, noises, optimizers),
                   prediction_3(rows, noises, optimizers), prediction_4(rows, noises, optimizers),
                   prediction_5(rows, noises, optimizers, target)]
    family = [c for p in predictions for g in p.groups for c in g.comparisons]
    decide(family, rng_for(0, "bootstrap"))
    context = [c for p in predictions for g in p.groups for c in g.context]
    decide(context, rng_for(1, "bootstrap"))         # intervals only: a context comparison's verdict is not shown
    return predictions
