"""Generalisation on the lab's large evaluation set: mean cross-entropy, accuracy and expected calibration error.

ECE (Guo et al. 2017): sort the predictions into 15 equal-width bins of confidence (the top class's probability,
in [0.5, 1] for two classes, but the bins span [0, 1] as usual); ECE = Σ_b (n_b / n) · |accuracy_b − mean
confidence_b|. A bin holds confidences in (lo, hi]; the first bin also holds 0.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from network.mlp import cross_entropy

ECE_BINS = 15


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """probs (n, classes) rows summing to 1, labels (n,) ints → ECE in [0, 1]."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    # Bin b holds (b/B, (b+1)/B]: ceil(c·B) − 1, with 0 in bin 0.
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    gap = np.bincount(which, weights=correct, minlength=bins) - np.bincount(which, weights=confidence, minlength=bins)
    return float(np.abs(gap).sum() / len(labels))


def scores(probs: np.ndarray, labels: np.ndarray) -> dict:
    """{"eval_loss", "eval_accuracy", "ece", "eval_samples"} of predicted probabilities (n, 2) against labels."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    return {"eval_loss": cross_entropy(probs, labels),
            "eval_accuracy": float(np.mean(probs.argmax(axis=1) == labels)),
            "ece": expected_calibration_error(probs, labels), "eval_samples": int(len(labels))}


@lru_cache(maxsize=4)
def eval_set(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The seed's evaluation set (data.make_eval_set), made once per process: a sweep runs many jobs per seed."""
    from data import make_eval_set
    X, y = make_eval_set(seed)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def generalisation(net, seed: int) -> dict:
    """The network's scores on the seed's evaluation set (≥ 10,000 shapes, never trained on)."""
    X, y = eval_set(seed)
    with np.errstate(over="ignore", invalid="ignore"):
        return scores(net.predict_proba(X), y)
