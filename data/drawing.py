"""A visitor's drawing, brought to where the network can judge it. Pure NumPy (no pygame).

The training shapes are small and central: squares 3–5 px a side, circles 3–6.4 px across, within a pixel or two of
the middle (data/shapes.py). A visitor draws big (a filled 6x6 square, the whole pad) and anywhere, and the network,
which never saw such a picture, answers from outside everything it learned (a trained net called a filled 6x6 square
a circle, 100% sure). So before the network looks, the drawing is moved and scaled: its centre of mass to the middle,
its larger side to TARGET_EXTENT pixels. The visitor sees both pictures: what they drew and what the network sees.

At 4 px every filled square, 3 to 8 px, becomes the same 4x4 square, and every filled disc of 3 to 7 px the same
rounded 4x4 (an 8 px disc a small diamond): one taught disc speaks for all of them.

Scaling resamples the drawing as a picture of lit squares: every output pixel looks at SUPERSAMPLE² points spread
over its own area, mapped back into the drawing, and is lit when at least half of them land on lit pixels (a sparse
scatter, thinned below that everywhere, keeps its best-covered pixels). The
middle may fall on a pixel or between two (CENTRES): whichever leaves the fewest pixels in doubt.
"""
from __future__ import annotations

import numpy as np

from data.shapes import N_PIXELS, SIDE

TARGET_EXTENT = 4.0        # px: the larger side of a normalised drawing
SUPERSAMPLE = 4            # sample points per output pixel and axis
CENTRES = (3.0, 3.5, 4.0)  # where the centre of mass may land, per axis
_OFFSETS = (np.arange(SUPERSAMPLE) + 0.5) / SUPERSAMPLE - 0.5     # (S,) within a pixel, about its centre


def normalise_drawing(pixels) -> np.ndarray:
    """(64,) float64 of 0/1: the drawing (64 values or 8x8; lit where >= 0.5) centred on its centre of mass, its
    larger side scaled to TARGET_EXTENT pixels. An empty drawing stays empty."""
    lit = np.asarray(pixels, dtype=np.float64).reshape(SIDE, SIDE) >= 0.5
    if not lit.any():
        return np.zeros(N_PIXELS)
    rows, cols = np.nonzero(lit)
    extent = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1     # lit pixels across, 1..8
    scale = extent / TARGET_EXTENT                                          # drawing pixels per output pixel
    best_doubt, best = np.inf, None
    for middle_y in CENTRES:
        for middle_x in CENTRES:
            coverage = _coverage(lit, rows.mean(), cols.mean(), middle_y, middle_x, scale)
            doubt = float(np.minimum(coverage, 1.0 - coverage).sum())
            if doubt < best_doubt - 1e-12:
                best_doubt, best = doubt, coverage
    # lit where at least half covered; a sparse scatter, which scaling down thins below that everywhere, keeps the
    # pixels at least half as covered as its best one (a drawing never vanishes)
    return (best >= min(0.5, 0.5 * best.max())).astype(np.float64).reshape(N_PIXELS)


def _coverage(lit: np.ndarray, centre_y: float, centre_x: float, middle_y: float, middle_x: float,
              scale: float) -> np.ndarray:
    """(8, 8) the share of each output pixel's sample points that land on lit drawing pixels."""
    grid = np.arange(SIDE)[:, None] + _OFFSETS[None, :]                        # (8, S) sample points per axis
    row_of = np.floor(centre_y + (grid - middle_y) * scale + 0.5).astype(int)  # drawing pixel i covers [i-½, i+½)
    col_of = np.floor(centre_x + (grid - middle_x) * scale + 0.5).astype(int)
    row_in, col_in = (row_of >= 0) & (row_of < SIDE), (col_of >= 0) & (col_of < SIDE)
    hits = lit[np.clip(row_of, 0, SIDE - 1)[:, :, None, None], np.clip(col_of, 0, SIDE - 1)[None, None, :, :]]
    hits &= row_in[:, :, None, None] & col_in[None, None, :, :]               # (8, S, 8, S)
    return hits.mean(axis=(1, 3))


def nearest_distance(image, X: np.ndarray) -> int:
    """How many pixels the image (64,) differs in from the closest row of X (n, 64): 0 means it was trained on."""
    image = np.asarray(image, dtype=np.float64).reshape(1, N_PIXELS) >= 0.5
    return int(np.min(np.count_nonzero((np.asarray(X) >= 0.5) != image, axis=1)))


def familiar_distance(X_train: np.ndarray, X_test: np.ndarray, share: float = 0.95) -> int:
    """The distance to the nearest training shape that `share` of the test shapes stay within: a drawing farther
    than this is unlike anything the network was trained on (the shapes are noisy: a fresh one is rarely 0 away)."""
    distances = [nearest_distance(x, X_train) for x in X_test]
    return int(np.quantile(distances, share, method="higher"))
