"""A visitor's drawing normalised to the training shapes' size and place (data/drawing.py)."""
import numpy as np
import pytest

from data import make_dataset
from data.drawing import familiar_distance, nearest_distance, normalise_drawing

YS, XS = np.mgrid[0:8, 0:8]


def square(side: int, top: int, left: int) -> np.ndarray:
    image = np.zeros((8, 8))
    image[top:top + side, left:left + side] = 1
    return image


def disc(diameter: int, top: int, left: int) -> np.ndarray:
    middle = (diameter - 1) / 2
    return (np.hypot(YS - top - middle, XS - left - middle) < diameter / 2 - 0.25).astype(float)


def pictures(make, sizes) -> set[str]:
    """Every normalised picture of the shape at every size and every place it fits, corners and edges included."""
    return {"".join(str(int(v)) for v in normalise_drawing(make(size, top, left)))
            for size in sizes for top in range(9 - size) for left in range(9 - size)}


def test_every_filled_square_from_3_to_8_px_anywhere_becomes_one_centred_4x4_square():
    assert pictures(square, range(3, 9)) == {"".join(str(int(v)) for v in square(4, 2, 2).ravel())}


def test_every_filled_disc_from_3_to_7_px_becomes_one_rounded_picture_unlike_the_square():
    found = pictures(disc, range(3, 8))
    assert len(found) == 1
    image = np.array([int(c) for c in found.pop()]).reshape(8, 8)
    rows, cols = np.nonzero(image)
    assert rows.max() - rows.min() + 1 == 4 and cols.max() - cols.min() + 1 == 4     # 4 px across
    assert image.sum() < 16                                                            # its corners are off


def test_the_whole_pad_and_a_single_pixel_are_scaled_too_and_nothing_leaves_the_pad():
    full = normalise_drawing(np.ones(64)).reshape(8, 8)
    assert np.array_equal(full, square(4, 2, 2))
    dot = np.zeros((8, 8))
    dot[0, 7] = 1                                                    # a corner pixel: the domain's very edge
    assert np.array_equal(normalise_drawing(dot).reshape(8, 8), square(4, 2, 2))
    assert not normalise_drawing(np.zeros(64)).any()


@pytest.mark.parametrize("seed", range(6))
def test_any_drawing_comes_out_binary_never_empty_near_the_middle_and_small(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        drawing = rng.random((8, 8)) < rng.uniform(0.05, 0.6)
        out = normalise_drawing(drawing).reshape(8, 8)
        assert set(np.unique(out)) <= {0.0, 1.0}
        if drawing.any():                          # a sparse scatter too: it never vanishes
            rows, cols = np.nonzero(out)
            assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 <= 6
            assert 1.5 <= rows.mean() <= 5.5 and 1.5 <= cols.mean() <= 5.5


def test_distance_to_the_nearest_training_shape():
    data = make_dataset(2)
    assert nearest_distance(data.X_train[7], data.X_train) == 0
    flipped = data.X_train[7].copy()
    flipped[:3] = 1 - flipped[:3]
    assert nearest_distance(flipped, data.X_train[7:8]) == 3
    familiar = familiar_distance(data.X_train, data.X_test)
    distances = sorted(nearest_distance(x, data.X_train) for x in data.X_test)
    assert sum(d <= familiar for d in distances) >= 0.95 * len(distances)
    assert sum(d < familiar for d in distances) < 0.95 * len(distances)       # and it is the smallest such
