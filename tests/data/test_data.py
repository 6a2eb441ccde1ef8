import numpy as np
import pytest

from data import make_dataset, rng_for
from data.shapes import circle, square


def test_shapes_and_balance():
    X_train, y_train, X_test, y_test = make_dataset(42)
    assert X_train.shape == (240, 64) and y_train.shape == (240,)
    assert X_test.shape == (40, 64) and y_test.shape == (40,)
    assert y_train.sum() == 120 and y_test.sum() == 20  # balanced: label 0 circle, 1 square
    assert set(np.unique(X_train)) <= {0.0, 1.0}


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_dataset(7), make_dataset(7), make_dataset(8)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a.X_train, c.X_train)


def test_train_and_test_sets_come_from_different_streams():
    data = make_dataset(3)
    assert not any((data.X_test[i] == data.X_train).all(axis=1).any() for i in range(5))


def test_streams_are_independent_and_validated():
    assert rng_for(1, "init").random() != rng_for(1, "batches").random()
    assert rng_for(1, "init").random() == rng_for(1, "init").random()
    with pytest.raises(ValueError):
        rng_for(-1, "init")
    with pytest.raises(KeyError):
        rng_for(1, "nope")


def test_clean_shapes_look_like_their_class():
    rng = np.random.default_rng(0)
    squares = [square(rng) for _ in range(200)]
    circles = [circle(rng) for _ in range(200)]
    # A square (3–5 px wide) fills at least 9 pixels; its filled pixels sit in a compact block.
    assert min(s.sum() for s in squares) >= 6
    assert all(c.sum() > 0 for c in circles)
    # Circles have no filled corners of their bounding box more often than squares do.
    def corner_fill(img):
        ys, xs = np.nonzero(img)
        corners = [img[ys.min(), xs.min()], img[ys.min(), xs.max()], img[ys.max(), xs.min()], img[ys.max(), xs.max()]]
        return sum(int(c) for c in corners)
    assert np.mean([corner_fill(s) for s in squares]) > np.mean([corner_fill(c) for c in circles]) + 0.5


def test_n_test_follows_n_train():
    assert make_dataset(1, n_train=600).X_test.shape == (100, 64)
