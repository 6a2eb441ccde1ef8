"""Standard normal numbers by Marsaglia and Tsang's ziggurat (256 layers), counter-based and free of numba.

Number n of the stream `key` is a pure function of (key, n): it reads the 64-bit words
splitmix64(key + 256·n + d) for d = 0, 1, 2, …, one word per try, one more for a wedge test, and two per
tail try. So any number can be drawn on its own, in any order, and `kernels._normal` (numba, one number at a time)
draws the very same numbers as `gaussians` here (NumPy, vectorised).

Why a ziggurat: Box–Muller needs a log, a square root, a sine and a cosine for every pair (~40 ns here). The
ziggurat accepts 98.8% of tries with one hash, one multiply and one comparison. A number still undecided after
its 256 words (the chance is below 1e-100) keeps its last candidate.
"""
from __future__ import annotations

import numpy as np

LAYERS = 256
TAIL = 3.6541528853610088      # r: where the base layer's tail begins (Marsaglia & Tsang, 256 layers)
AREA = 4.92867323399e-3        # v: the area of every layer
WORDS = 256                    # words per number: d runs over 0 … 255


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (257,): layer i spans 0 … X[i] (X[0] is the base layer's width with its tail folded in), X[256] = 0;
    HEIGHT (257,) = exp(−X²/2); INSIDE (256,) = X[i+1]/X[i], the share of layer i that lies under the curve."""
    x = np.zeros(LAYERS + 1)
    x[0] = AREA / np.exp(-0.5 * TAIL * TAIL)
    x[1] = TAIL
    for i in range(1, LAYERS - 1):
        x[i + 1] = np.sqrt(-2.0 * np.log(AREA / x[i] + np.exp(-0.5 * x[i] * x[i])))
    height = np.exp(-0.5 * x * x)
    return x, height, x[1:] / x[:-1]


X, HEIGHT, INSIDE = _tables()
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0    # 2^-53: a word's top 53 bits as a uniform in [0, 1)


def splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def unit(words: np.ndarray) -> np.ndarray:
    return (words >> np.uint64(11)).astype(np.float64) * _UNIT


def gaussians(key: int, start: int, count: int) -> np.ndarray:
    """Standard normals number start … start + count − 1 of the stream `key`."""
    if count <= 0:
        return np.zeros(0)
    with np.errstate(over="ignore"):
        base = np.uint64(key) + np.arange(start, start + count, dtype=np.uint64) * np.uint64(WORDS)
    out = np.zeros(count)
    used = np.zeros(count, dtype=np.uint64)     # words read so far, per number

    def word(which: np.ndarray) -> np.ndarray:
        value = splitmix(base[which] + used[which])
        used[which] += np.uint64(1)
        return value

    trying = np.arange(count)
    while trying.size:
        w = word(trying)
        layer = (w & np.uint64(LAYERS - 1)).astype(np.intp)
        negative = ((w >> np.uint64(8)) & np.uint64(1)) == 1
        u = unit(w)
        z = u * X[layer]
        out[trying] = np.where(negative, -z, z)          # the candidate, returned if accepted (or out of words)
        rejected = u >= INSIDE[layer]
        in_tail = rejected & (layer == 0)
        _tail(out, trying[in_tail], negative[in_tail], word, used)
        in_wedge = rejected & (layer > 0)
        in_wedge[in_wedge] = used[trying[in_wedge]] < WORDS
        wedge, layer = trying[in_wedge], layer[in_wedge]
        # The wedge: a point of layer i beyond X[i+1] is under the curve exp(−z²/2) with a fresh height.
        height = HEIGHT[layer] + unit(word(wedge)) * (HEIGHT[layer + 1] - HEIGHT[layer])
        missed = height >= np.exp(-0.5 * out[wedge] * out[wedge])
        trying = wedge[missed & (used[wedge] < WORDS)]
    return out


def _tail(out: np.ndarray, which: np.ndarray, negative: np.ndarray, word, used: np.ndarray) -> None:
    """Marsaglia's tail beyond TAIL: a = −ln(u1)/r, b = −ln(u2), accepted when 2b > a²; then ±(r + a)."""
    while which.size:
        room = used[which] + np.uint64(1) < WORDS
        which, negative = which[room], negative[room]
        if not which.size:
            return
        a = -np.log1p(-unit(word(which))) / TAIL
        b = -np.log1p(-unit(word(which)))
        accepted = 2.0 * b > a * a
        value = TAIL + a[accepted]
        out[which[accepted]] = np.where(negative[accepted], -value, value)
        which, negative = which[~accepted], negative[~accepted]
