"""lab/predictions.py and the summary: each of the five predictions on synthetic rows whose answer is known, the
matched-loss pairing, one Holm family, and a summary that states every rule."""
import zlib

import numpy as np
import pytest

from lab.predictions import judge
from lab.sweep_report import summary_text
from lab.sweep_results import COLUMNS

SEEDS = list(range(30))


def row(seed, noise, optimizer="sgd", **values):
    r = dict.fromkeys(COLUMNS)
    r.update(seed=seed, noise=noise, optimizer=optimizer, epochs=50, match_train_loss=0.15, matched_epoch=20,
             measured_at="match", diverged=False, noise_mode=noise.split(":")[0], schedule="constant")
    r.update(values)
    return r


def wobble(seed, scale=1.0):
    return scale * float(np.random.default_rng(seed).normal())


def grid(effects, noises=("none", "input_jitter:0.1"), optimizers=("sgd",)):
    """Rows whose value of each metric is base + effects[(optimizer, noise)][metric] + a per-seed, per-metric
    wobble (sd 0.1): paired differences are the effect ± a wobble of sd ≈ 0.14."""
    rows = []
    for o in optimizers:
        for n in noises:
            for s in SEEDS:
                shift = effects.get((o, n), {})
                values = {m: 1.0 + shift.get(m, 0.0) + wobble(zlib.crc32(repr((s, m, o, n)).encode()), 0.1)
                          for m in ("hessian_top_eigenvalue", "hessian_trace", "hessian_min_eigenvalue", "eval_loss",
                                    "eval_accuracy", "ece", "early_escapes", "escapes", "late_loss_variance",
                                    "final_eval_accuracy", "quant_ece", "quant_dithered_ece", "quant_eval_loss",
                                    "quant_dithered_eval_loss")}
                rows.append(row(s, n, o, **values))
    return rows


def verdicts(predictions, number):
    return {g.label: g.verdict for g in predictions[number - 1].groups}


@pytest.mark.parametrize("eigen, loss, verdict", [(-0.5, -0.5, "supported"), (+0.5, -0.5, "refuted"),
                                                  (-0.5, 0.0, "inconclusive")])
def test_prediction_1(eigen, loss, verdict):
    rows = grid({("sgd", "input_jitter:0.1"): {"hessian_top_eigenvalue": eigen, "eval_loss": loss}})
    result = judge(rows, ["none", "input_jitter:0.1"], ["sgd"], 0.15)
    assert verdicts(result, 1) == {"sgd · input_jitter:0.1": verdict}
    top = result[0].groups[0].comparisons[0]
    assert top.n == 30 and top.mean == pytest.approx(eigen, abs=0.08) and top.low < top.mean < top.high


def test_prediction_1_pairs_only_runs_measured_at_the_target_and_says_who_missed_it():
    rows = grid({("sgd", "input_jitter:0.1"): {"hessian_top_eigenvalue": -0.5, "eval_loss": -0.5}})
    for r in rows[30:40]:                   # ten noisy runs never reached the target: measured at the end
        r["measured_at"], r["matched_epoch"] = "end", None
    rows[15]["diverged"] = True             # and one baseline (seed 15) diverged
    group = judge(rows, ["none", "input_jitter:0.1"], ["sgd"], 0.15)[0].groups[0]
    assert group.comparisons[0].n == 19
    assert "10 of 30 runs of sgd · input_jitter:0.1 never reached the target loss" in group.notes


def test_without_a_target_predictions_1_and_5_say_why_they_cannot_be_tested():
    rows = grid({}, noises=("none", "sgld:1e-3"), optimizers=("sgd", "adamw"))
    result = judge(rows, ["none", "sgld:1e-3"], ["sgd", "adamw"], None)
    assert "no --match-train-loss target" in result[0].untestable and "no --match-train-loss" in result[4].untestable


def test_prediction_2_scheduled_against_constant():
    noises = ["sgld:3e-2", "sgld:3e-2@cyclical", "sgld:3e-2@cosine"]
    rows = grid({("sgd", "sgld:3e-2@cyclical"): {"early_escapes": 0.5, "late_loss_variance": -0.5},
                 ("sgd", "sgld:3e-2@cosine"): {"early_escapes": -0.5, "late_loss_variance": -0.5}}, noises)
    assert verdicts(judge(rows, noises, ["sgd"], 0.15), 2) == {
        "sgd · sgld:3e-2@cyclical vs sgld:3e-2": "supported", "sgd · sgld:3e-2@cosine vs sgld:3e-2": "refuted"}


def test_prediction_3_the_best_intermediate_level_against_zero_and_the_highest():
    noises = ["none", "label_noise:0.05", "label_noise:0.1", "label_noise:0.4"]
    rows = grid({("sgd", "label_noise:0.1"): {"final_eval_accuracy": 0.5},
                 ("sgd", "label_noise:0.05"): {"final_eval_accuracy": 0.2}}, noises)
    result = judge(rows, noises, ["sgd"], 0.15)
    assert verdicts(result, 3) == {"sgd · best intermediate label_noise:0.1": "supported"}
    too_few = judge(rows, ["none", "label_noise:0.1"], ["sgd"], 0.15)[2]
    assert "at least two label-noise levels" in too_few.untestable


def test_prediction_4_pairs_dithered_with_plain_within_each_run():
    rows = grid({("sgd", "none"): {"quant_dithered_ece": -0.5, "quant_dithered_eval_loss": -0.5}}, ("none",))
    for r in rows:
        r["quant_bits"] = 4
    result = judge(rows, ["none"], ["sgd"], 0.15)
    assert verdicts(result, 4) == {"sgd · none at 4 bits": "supported"}


def test_prediction_5_sgld_against_sgd_and_adamw():
    noises, optimizers = ["none", "sgld:1e-3"], ["sgd", "adamw"]
    rows = grid({("sgd", "sgld:1e-3"): {"hessian_trace": -0.5, "hessian_top_eigenvalue": -0.5},
                 ("adamw", "none"): {"hessian_trace": -1.0, "hessian_top_eigenvalue": -1.0}}, noises, optimizers)
    assert verdicts(judge(rows, noises, optimizers, 0.15), 5) == {"SGLD (sgld:1e-3) vs sgd": "supported",
                                                                 "SGLD (sgld:1e-3) vs adamw": "refuted"}


def test_one_holm_family_across_the_predictions():
    noises, optimizers = ["none", "input_jitter:0.1", "sgld:1e-3"], ["sgd", "adamw"]
    predictions = judge(grid({}, noises, optimizers), noises, optimizers, 0.15)
    family = [c for p in predictions for g in p.groups for c in g.comparisons]
    ps = sorted(c.p for c in family)
    smallest = min(family, key=lambda c: c.p)
    assert len(family) > 10 and smallest.p_holm == pytest.approx(min(1.0, len(family) * ps[0]))


def test_the_summary_states_every_rule_and_has_five_sections():
    noises = ["none", "input_jitter:0.1"]
    rows = grid({("sgd", "input_jitter:0.1"): {"hessian_top_eigenvalue": -0.5, "eval_loss": -0.5}}, noises)
    predictions = judge(rows, noises, ["sgd"], 0.15)
    text = summary_text(rows, SEEDS, noises, ["sgd"], 50, 0.15, predictions)
    assert "**Headline:** 60 of 60 runs (30 seeds, 50 epochs, matched at training loss 0.15): prediction 1: " \
           "1 supported" in text
    assert all(f"## Prediction {n}:" in text for n in range(1, 6)) and "Holm-adjusted p ≤ 0.05" in text
    assert "Cannot be tested by this grid:** the grid has no scheduled noise" in text
    assert "- sgd · input_jitter:0.1: **supported**" in text and "| sgd | none | 30/30 |" in text
