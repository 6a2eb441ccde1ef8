"""lab/calibration.py: ECE against a hand computation, its edge cases, and the evaluation set's contract."""
import numpy as np
import pytest

from data import make_dataset, make_eval_set
from lab.calibration import expected_calibration_error, generalisation, scores
from network.mlp import MLP


def test_ece_by_hand():
    # Five predictions of the class-1 probability; labels. Top-class confidences: 0.9, 0.9, 0.6, 0.8, 0.55.
    p1 = np.array([0.9, 0.1, 0.6, 0.8, 0.45])
    probs = np.column_stack([1 - p1, p1])
    labels = np.array([1, 0, 0, 1, 0])
    # Bins of width 1/15: 0.9 → (0.8667, 0.9333] (bin 13), 0.8 → (0.7333, 0.8] (bin 11),
    # 0.6 → (0.5333, 0.6] (bin 8), 0.55 → (0.5333, 0.6] (bin 8).
    # bin 13: two predictions, both right: |1 − 0.9| · 2/5 = 0.04
    # bin 11: one, right: |1 − 0.8| · 1/5 = 0.04
    # bin 8: 0.6 predicts 1 (wrong, label 0), 0.55 predicts 0 (right): |0.5 − 0.575| · 2/5 = 0.03
    assert expected_calibration_error(probs, labels) == pytest.approx(0.04 + 0.04 + 0.03)


def test_ece_is_zero_for_a_calibrated_and_one_minus_accuracy_for_a_confident_wrong_model():
    probs = np.array([[0.75, 0.25]] * 4)
    assert expected_calibration_error(probs, np.array([0, 0, 0, 1])) == pytest.approx(0.0)
    certain_wrong = np.array([[1.0, 0.0]] * 3)
    assert expected_calibration_error(certain_wrong, np.array([1, 1, 1])) == pytest.approx(1.0)


def test_a_confidence_on_a_bin_edge_goes_to_the_lower_bin():
    # 0.6 = 9/15 exactly: bin (8/15, 9/15], with 0.55 (both right), not with 0.62 (wrong) in (9/15, 10/15].
    probs = np.array([[0.4, 0.6], [0.45, 0.55], [0.62, 0.38]])
    labels = np.array([1, 1, 1])
    lower = (abs(1.0 - (0.6 + 0.55) / 2) * 2 + abs(0.0 - 0.62)) / 3           # 0.49
    upper = (abs(1.0 - 0.55) + abs(0.5 - (0.6 + 0.62) / 2) * 2) / 3           # 0.2233: had 0.6 gone up
    assert expected_calibration_error(probs, labels) == pytest.approx(lower) and lower != pytest.approx(upper)


def test_scores_match_an_independent_computation():
    rng = np.random.default_rng(0)
    p1 = rng.uniform(0, 1, 500)
    probs, labels = np.column_stack([1 - p1, p1]), rng.integers(0, 2, 500)
    result = scores(probs, labels)
    assert result["eval_loss"] == pytest.approx(-np.mean(np.log(np.where(labels == 1, p1, 1 - p1))))
    assert result["eval_accuracy"] == pytest.approx(np.mean((p1 > 0.5) == (labels == 1)))
    assert result["eval_samples"] == 500


def test_the_evaluation_set_is_large_balanced_reproducible_and_apart_from_the_training_data():
    X, y = make_eval_set(3)
    assert X.shape == (10_000, 64) and y.mean() == 0.5
    X2, _ = make_eval_set(3)
    assert np.array_equal(X, X2) and not np.array_equal(X[:100], make_eval_set(4)[0][:100])
    data = make_dataset(3)
    training = {row.tobytes() for row in np.concatenate([data.X_train, data.X_test])}
    assert sum(row.tobytes() in training for row in X) == 0


def test_generalisation_reports_every_key_on_the_eval_set():
    result = generalisation(MLP.create(0), 0)
    assert set(result) == {"eval_loss", "eval_accuracy", "ece", "eval_samples"}
    assert result["eval_samples"] >= 10_000 and 0 <= result["ece"] <= 1
