"""lab/stats.py against known answers: Holm on the textbook example, the bootstrap interval where its answer is
known (a constant difference; a large normal sample against the t-interval; coverage over many samples)."""
import math

import numpy as np
import pytest

from lab.stats import Comparison, bootstrap_interval, combined, decide, holm, measure


def test_holm_on_the_textbook_example():
    # Holm (1979), as in every textbook: p = 0.01, 0.04, 0.03, 0.005 with α = 0.05. Sorted: 0.005·4 = 0.02,
    # 0.01·3 = 0.03, 0.03·2 = 0.06, then 0.04·1 = 0.04 carried up to 0.06: H4 and H1 are rejected, H2 and H3 not.
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [a <= 0.05 for a in adjusted] == [True, False, False, True]


def test_holm_caps_at_one_and_keeps_order_with_ties():
    assert holm([0.5, 0.5, 0.9]) == pytest.approx([1.0, 1.0, 1.0])
    assert holm([0.001]) == [0.001]
    assert holm([]) == []


def test_a_constant_difference_has_a_zero_width_interval_and_is_decided():
    rng = np.random.default_rng(0)
    assert bootstrap_interval([0.25] * 30, rng) == (0.25, 0.25)
    c = measure(Comparison("constant", [0.25] * 30, sign=+1), rng)
    assert (c.low, c.high, c.p) == (0.25, 0.25, 0.0)


def test_the_interval_of_a_large_normal_sample_matches_the_t_interval():
    data = np.random.default_rng(1).normal(0.3, 1.0, size=2000)
    low, high = bootstrap_interval(data, np.random.default_rng(2))
    half = 1.9612 * data.std(ddof=1) / math.sqrt(len(data))      # t(0.975, 1999)
    assert low == pytest.approx(data.mean() - half, abs=0.004) and high == pytest.approx(data.mean() + half, abs=0.004)


def test_the_95_percent_interval_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(400):
        sample = rng.normal(0.3, 1.0, size=30)
        low, high = bootstrap_interval(sample, rng, resamples=2000)
        covered += low <= 0.3 <= high
    # The percentile bootstrap is known to run a little narrow at n = 30 (about 93-94%); 400 trials: ±2.4 points.
    assert 0.89 <= covered / 400 <= 0.98


def test_verdicts_follow_the_corrected_interval():
    rng = np.random.default_rng(4)
    clear_down = Comparison("falls", list(rng.normal(-1.0, 0.2, 30)), sign=-1)
    clear_up = Comparison("rises against the prediction", list(rng.normal(1.0, 0.2, 30)), sign=-1)
    unclear = Comparison("noise", list(rng.normal(0.0, 1.0, 30)), sign=-1)
    few = Comparison("too few", [-1.0, -1.1, -0.9], sign=-1)
    decide([clear_down, clear_up, unclear, few], rng)
    assert (clear_down.verdict, clear_up.verdict, unclear.verdict, few.verdict) == \
        ("supported", "refuted", "inconclusive", "inconclusive")
    assert math.isnan(few.p_holm) and "only 3 seeds pair up" in few.notes[0]
    assert clear_down.p_holm >= clear_down.p and unclear.p_holm >= unclear.p


def test_a_barely_significant_comparison_alone_is_decided_but_not_among_many():
    rng = np.random.default_rng(5)
    base = np.random.default_rng(6).normal(size=30)
    differences = list((base - base.mean()) / base.std(ddof=1) + 0.45)      # t = 0.45·√30 ≈ 2.46: p near 0.02
    alone = decide([Comparison("alone", differences, +1)], rng)[0]
    crowd = [Comparison(f"null {i}", list(np.random.default_rng(10 + i).normal(0, 1, 30)), +1) for i in range(9)]
    among = decide([Comparison("among", differences, +1)] + crowd, np.random.default_rng(5))[0]
    assert 0.005 < alone.p < 0.05 and alone.verdict == "supported"
    assert among.p == pytest.approx(alone.p) and among.verdict == "inconclusive"


def test_combined_verdicts():
    assert combined(["supported", "supported"]) == "supported"
    assert combined(["supported", "refuted"]) == "refuted"
    assert combined(["supported", "inconclusive"]) == "inconclusive"
    assert combined([]) == "inconclusive"
