"""Procedural 8x8 circles (label 0) and squares (label 1), a pure function of a seed.

Follows the original generator's parameters (seeds/README.md): circles of radius 1.5–3.2 px with an
ellipse factor 0.8–1.2 per axis and a soft (coin-flip) rim; squares 3–5 px per side rotated up to
±0.3 rad; then 8% of pixels flipped and 15% of "on" pixels redrawn by a coin flip. The noise is what
makes this small problem hard: the network memorises the training set long before it generalises.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.seeding import rng_for

SIDE = 8
N_PIXELS = SIDE * SIDE
CLASS_NAMES = ("circle", "square")
FLIP_PROBABILITY = 0.08
REDRAW_ON_PROBABILITY = 0.15

# Pixel centres, shape (8, 8): row index is y, column index is x.
_YS, _XS = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)


@dataclass(frozen=True)
class Dataset:
    X_train: np.ndarray  # (n_train, 64) float64 in {0, 1}
    y_train: np.ndarray  # (n_train,) int64 in {0, 1}
    X_test: np.ndarray   # (n_test, 64)
    y_test: np.ndarray   # (n_test,)

    def __iter__(self):  # lets callers unpack: X_train, y_train, X_test, y_test = make_dataset(42)
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))


def circle(rng: np.random.Generator) -> np.ndarray:
    cx, cy = rng.uniform(2, 6, size=2)
    radius = rng.uniform(1.5, 3.2)
    stretch_x, stretch_y = rng.uniform(0.8, 1.2, size=2)
    distance = np.hypot((_XS - cx) * stretch_x, (_YS - cy) * stretch_y)
    rim_coin = rng.random((SIDE, SIDE)) < 0.5  # the anti-aliased rim: a pixel near the edge is a coin flip
    return (distance < radius - 0.5) | ((distance < radius + 0.5) & rim_coin)


def square(rng: np.random.Generator) -> np.ndarray:
    cx, cy = rng.uniform(3, 5, size=2)
    width, height = rng.uniform(3, 5, size=2)
    angle = rng.uniform(-0.3, 0.3)
    dx, dy = _XS - cx, _YS - cy
    # Rotate each pixel into the square's own frame.
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    return (np.abs(u) <= width / 2) & (np.abs(v) <= height / 2)


def add_noise(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    flipped = image ^ (rng.random(image.shape) < FLIP_PROBABILITY)
    redraw = flipped & (rng.random(image.shape) < REDRAW_ON_PROBABILITY)
    coin = rng.random(image.shape) < 0.5
    return np.where(redraw, coin, flipped)


def make_images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n noisy images with balanced labels in shuffled order: X (n, 64) float64, y (n,) int64."""
    labels = rng.permutation(np.arange(n) % 2)
    images = np.empty((n, N_PIXELS), dtype=np.float64)
    for i, label in enumerate(labels):
        shape = square(rng) if label == 1 else circle(rng)
        images[i] = add_noise(shape, rng).ravel()
    return images, labels.astype(np.int64)


def make_dataset(seed: int, n_train: int = 240, n_test: int | None = None) -> Dataset:
    """Training and test sets of one seed; the test set (default max(40, n_train // 6)) comes from its own stream."""
    if n_train < 2:
        raise ValueError(f"n_train must be at least 2, got {n_train}")
    n_test = max(40, n_train // 6) if n_test is None else n_test
    X_train, y_train = make_images(n_train, rng_for(seed, "train_data"))
    X_test, y_test = make_images(n_test, rng_for(seed, "test_data"))
    return Dataset(X_train, y_train, X_test, y_test)


EVAL_SAMPLES = 10_000


def make_eval_set(seed: int, n: int = EVAL_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """The lab's held-out evaluation set of one seed: n shapes (balanced, shuffled) from their own stream, never
    trained on and never the exhibit's 40-sample test set. X (n, 64) float64, y (n,) int64.
    (8x8 noisy shapes can repeat by chance: an eval image may equal a training image pixel for pixel; that is a
    fresh draw from the same distribution, as a test set should be.)"""
    if n < 1:
        raise ValueError(f"an evaluation set needs at least 1 sample, got {n}")
    return make_images(n, rng_for(seed, "eval_data"))


def image_of(x: np.ndarray) -> np.ndarray:
    """A flat (64,) sample as its (8, 8) image."""
    return np.asarray(x).reshape(SIDE, SIDE)
