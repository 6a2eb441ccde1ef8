"""Statistics a reviewer accepts: paired differences over seeds, percentile-bootstrap intervals, Holm's correction.

A comparison is a list of paired differences (one per seed, e.g. noise − none). Its 95% interval is the percentile
bootstrap of the mean (B resamples of the seeds with replacement); its p-value is the bootstrap's two-sided
p = min(1, 2 · min(P*(mean ≤ 0), P*(mean ≥ 0))), so the 1 − α interval excludes 0 exactly when p < α (up to the
resampling's resolution, 1/B). Holm's step-down adjusts the p-values of every comparison in one summary together
(family-wise error ≤ α). The verdict of a comparison with a predicted sign:
    supported     Holm-adjusted p ≤ α and the mean difference has the predicted sign
    refuted       Holm-adjusted p ≤ α and the mean difference has the other sign
    inconclusive  otherwise (the corrected interval contains 0), or fewer than MIN_PAIRS pairs
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

ALPHA = 0.05
RESAMPLES = 20_000     # p-values resolve to 1/20,000: enough for Holm's smallest threshold with ~100 comparisons
MIN_PAIRS = 5


def bootstrap_means(differences, rng: np.random.Generator, resamples: int = RESAMPLES) -> np.ndarray:
    """(resamples,) means of the differences resampled with replacement."""
    d = np.asarray(differences, dtype=np.float64)
    picks = rng.integers(0, len(d), size=(resamples, len(d)))
    return d[picks].mean(axis=1)


def bootstrap_interval(differences, rng: np.random.Generator, level: float = 1 - ALPHA,
                       resamples: int = RESAMPLES) -> tuple[float, float]:
    """The percentile-bootstrap interval of the mean at `level` (0.95 → the 2.5% and 97.5% quantiles)."""
    means = bootstrap_means(differences, rng, resamples)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def holm(p_values) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input's order: sort ascending, multiply the i-th smallest
    (i from 0) by m − i, carry the running maximum, cap at 1. Reject H_i at level α when adjusted p_i ≤ α."""
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


@dataclass
class Comparison:
    """One paired comparison: what − against, per seed, predicted to have `sign` (+1 or −1)."""
    name: str                      # e.g. "sgd · input_jitter:0.1 − none · top eigenvalue"
    differences: list[float]       # one per seed that pairs up (both runs usable)
    sign: int                      # the prediction's direction
    mean: float = math.nan
    sd: float = math.nan
    low: float = math.nan          # 95% percentile-bootstrap interval of the mean (uncorrected)
    high: float = math.nan
    p: float = math.nan            # the bootstrap's two-sided p (uncorrected)
    p_holm: float = math.nan       # Holm-adjusted across the summary's comparisons
    verdict: str = "inconclusive"
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.differences)


def measure(comparison: Comparison, rng: np.random.Generator) -> Comparison:
    """Fill in mean, sd, the 95% interval and the uncorrected p of one comparison (nothing with < 2 pairs)."""
    d = np.asarray(comparison.differences, dtype=np.float64)
    if len(d) >= 1:
        comparison.mean = float(d.mean())
    if len(d) >= 2:
        comparison.sd = float(d.std(ddof=1))
        means = bootstrap_means(d, rng)
        low, high = np.quantile(means, [ALPHA / 2, 1 - ALPHA / 2])
        comparison.low, comparison.high = float(low), float(high)
        comparison.p = float(min(1.0, 2.0 * min(np.mean(means <= 0.0), np.mean(means >= 0.0))))
    return comparison


def decide(comparisons: list[Comparison], rng: np.random.Generator) -> list[Comparison]:
    """Measure every comparison (in the given order, one generator: the summary is reproducible), Holm-adjust
    the p-values of those with at least MIN_PAIRS pairs together, and give each its verdict."""
    for comparison in comparisons:
        measure(comparison, rng)
    testable = [c for c in comparisons if c.n >= MIN_PAIRS and math.isfinite(c.p)]
    for comparison, adjusted in zip(testable, holm([c.p for c in testable])):
        comparison.p_holm = adjusted
        if adjusted <= ALPHA and comparison.mean != 0:
            comparison.verdict = "supported" if comparison.mean * comparison.sign > 0 else "refuted"
    for comparison in comparisons:
        if comparison.n < MIN_PAIRS:
            comparison.notes.append(f"only {comparison.n} seeds pair up (at least {MIN_PAIRS} are needed)")
    return comparisons


def combined(verdicts) -> str:
    """A prediction that needs several comparisons: supported if all are, refuted if any is, else inconclusive."""
    verdicts = list(verdicts)
    if verdicts and all(v == "supported" for v in verdicts):
        return "supported"
    return "refuted" if "refuted" in verdicts else "inconclusive"
