"""The live network's loss on a 2D plane through its current weights, and its path projected onto a plane.

A slice is L(θ + α·d1 + β·d2) over a grid of (α, β), θ the MLP's parameters flattened in the order
W1 (64, H), b1 (H,), W2 (H, 2), b2 (2,) — P = 64H + H + 2H + 2 numbers. Random directions are filter-
normalised (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): drawn N(0, 1) with the
parameters' shapes, then each neuron's incoming weights — a column of W1 with its entry of b1 (65 numbers),
or a column of W2 with its entry of b2 (H + 1 numbers) — are rescaled to the norm of that same neuron's
incoming weights (and bias) in the current net. The bias is treated as one more incoming weight, from an input
that is always 1. A scale-invariant view: a slice of a net and of the same net with rescaled neurons look alike.

The fast slice. The first layer is linear in the offsets:
    Z1(α, β) = X(W1 + αD1 + βE1) + (b1 + αd1 + βe1) = Z0 + α·ZA + β·ZB        each (n, H)
so Z0, ZA, ZB are computed once and every grid point costs one ReLU and one small product. With two classes the
cross-entropy of a sample is softplus(margin), margin = z2[other] - z2[label], so the second layer reduces to
three H-vectors (the W2 column difference of θ, d1 and d2). The grid goes row by row (Z0 + β·ZB once per
row), each row in chunks of α small enough to stay in cache.
"""
from __future__ import annotations

import numpy as np

from network.mlp import MLP, N_INPUTS, N_OUTPUTS

CHUNK_ELEMENTS = 1 << 18  # grid points per chunk x samples x hidden units: ~2 MB of float64, a row at 51


def parameter_count(hidden: int) -> int:
    return N_INPUTS * hidden + hidden + hidden * N_OUTPUTS + N_OUTPUTS


def flatten_parameters(net: MLP) -> np.ndarray:
    """(P,) copy of W1, b1, W2, b2, each flattened in C order, in that order."""
    return np.concatenate([net.W1.ravel(), net.b1, net.W2.ravel(), net.b2])


def unflatten_parameters(flat: np.ndarray, hidden: int) -> MLP:
    """The MLP whose flatten_parameters is `flat` (P,); the arrays are copies."""
    flat = np.asarray(flat, dtype=np.float64)
    if flat.shape != (parameter_count(hidden),):
        raise ValueError(f"expected {parameter_count(hidden)} parameters for hidden={hidden}, got shape {flat.shape}")
    ends = np.cumsum([N_INPUTS * hidden, hidden, hidden * N_OUTPUTS])
    W1, b1, W2, b2 = np.split(flat, ends)
    return MLP(W1.reshape(N_INPUTS, hidden).copy(), b1.copy(), W2.reshape(hidden, N_OUTPUTS).copy(), b2.copy())


def _incoming(weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(fan_in + 1, neurons): each column is one neuron's incoming weights with its bias appended."""
    return np.vstack([weights, bias[None, :]])


def filter_normalised_direction(net: MLP, rng: np.random.Generator) -> np.ndarray:
    """(P,) a random direction, N(0, 1) rescaled neuron by neuron to the net's own incoming-weight norms."""
    layers = []
    for weights, bias in ((net.W1, net.b1), (net.W2, net.b2)):
        current = _incoming(weights, bias)                              # (fan_in + 1, neurons)
        direction = rng.standard_normal(current.shape)
        direction *= np.linalg.norm(current, axis=0) / np.linalg.norm(direction, axis=0)
        layers.append((direction[:-1], direction[-1]))
    (D1, e1), (D2, e2) = layers
    return np.concatenate([D1.ravel(), e1, D2.ravel(), e2])


def filter_normalised_directions(net: MLP, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two independent filter-normalised directions (P,) each, drawn in that order from rng."""
    return filter_normalised_direction(net, rng), filter_normalised_direction(net, rng)


def grid_offsets(span: float, resolution: int) -> np.ndarray:
    """(R,) evenly spaced from -span to span, symmetric bit for bit, exactly 0 in the middle when R is odd."""
    steps = 2 * np.arange(resolution) - (resolution - 1)
    return span * steps / max(resolution - 1, 1)


def loss_slice(net: MLP, X: np.ndarray, y: np.ndarray, d1: np.ndarray, d2: np.ndarray, span: float = 1.0,
               resolution: int = 51) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """alphas (R,), betas (R,), losses (R, R) with losses[i, j] = mean cross-entropy at θ + alphas[j]·d1 + betas[i]·d2.

    Rows follow β and columns α, like an image (and like Surface.height_grid's z and x). Compiled
    (network/slice_kernel.py); loss_slice_reference is the same slice in NumPy, kept to test it against.
    """
    from network.slice_kernel import slice_losses
    Z0, ZA, ZB, sign, w, c, alphas, betas = _slice_terms(net, X, y, d1, d2, span, resolution)
    return alphas, betas, slice_losses(Z0, ZA, ZB, sign, w, c, alphas, betas, np.empty((resolution, resolution)))


def _slice_terms(net, X, y, d1, d2, span, resolution):
    """What both slices start from: Z0, ZA, ZB (n, H), sign (n,), w (3, H), c (3,), alphas (R,), betas (R,)."""
    if not (isinstance(resolution, (int, np.integer)) and resolution >= 1):
        raise ValueError(f"resolution must be an integer >= 1, got {resolution!r}")
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))                   # (n, 64)
    y = np.asarray(y)
    hidden = net.hidden
    base, along_1, along_2 = net, unflatten_parameters(d1, hidden), unflatten_parameters(d2, hidden)
    Z0 = X @ base.W1 + base.b1                                           # (n, H)
    ZA = X @ along_1.W1 + along_1.b1                                     # (n, H)
    ZB = X @ along_2.W1 + along_2.b1                                     # (n, H)
    # margin = z2[other] - z2[label] = sign · (h1 · w + c) with w = W2[:, 1] - W2[:, 0], c = b2[1] - b2[0];
    # along the plane w and c move linearly too: w(α, β) = w0 + α·wA + β·wB, c(α, β) likewise
    sign = np.where(y == 0, 1.0, -1.0)                                   # (n,)
    w = np.stack([m.W2[:, 1] - m.W2[:, 0] for m in (base, along_1, along_2)])  # (3, H): w0, wA, wB
    c = np.array([m.b2[1] - m.b2[0] for m in (base, along_1, along_2)])        # (3,):   c0, cA, cB

    alphas, betas = grid_offsets(span, resolution), grid_offsets(span, resolution)
    return Z0, ZA, ZB, sign, w, c, alphas, betas


def loss_slice_reference(net: MLP, X: np.ndarray, y: np.ndarray, d1: np.ndarray, d2: np.ndarray, span: float = 1.0,
                         resolution: int = 51) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """loss_slice in NumPy: whole rows of the grid at once (what the compiled one is tested against)."""
    Z0, ZA, ZB, sign, w, c, alphas, betas = _slice_terms(net, X, y, d1, d2, span, resolution)
    hidden = net.hidden
    losses = np.empty((resolution, resolution))
    chunk = min(resolution, max(1, CHUNK_ELEMENTS // (X.shape[0] * hidden)))  # alphas per chunk
    buffer = np.empty((chunk, X.shape[0], hidden))                       # (K, n, H), reused
    for row, beta in enumerate(betas):
        row_base = Z0 + beta * ZB                                        # (n, H): Z1 at α = 0 on this row
        for start in range(0, resolution, chunk):
            a = alphas[start:start + chunk]                              # (K,)
            hidden_out = buffer[:len(a)]
            np.multiply(ZA, a[:, None, None], out=hidden_out)            # Z1 = α·ZA + (Z0 + β·ZB)
            hidden_out += row_base
            np.maximum(hidden_out, 0.0, out=hidden_out)                  # ReLU: h1 (K, n, H)
            weights = w[0] + a[:, None] * w[1] + beta * w[2]             # (K, H): w(α, β) per grid point
            bias = c[0] + a * c[1] + beta * c[2]                         # (K,)
            # (K, n): K stacked small products, not one tall one: a tall product goes multi-threaded in the
            # BLAS, which costs ten times more on a busy 2-core machine.
            margin = (hidden_out @ weights[:, :, None])[:, :, 0] + bias[:, None]
            losses[row, start:start + chunk] = np.logaddexp(0.0, sign * margin).mean(axis=1)
    return alphas, betas, losses


def trajectory_projection(weight_history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project a training path onto its top-2 principal directions about the final weights (Li et al. 2018).

    weight_history (T, P): flattened parameters, oldest first, T ≥ 2. Returns coords (T, 2) — the path in the
    plane, the final weights at (0, 0) — directions (2, P), orthonormal, and explained (2,): the share of the
    path's squared distance from the final weights that each direction captures (PCA centred at the end, not
    at the mean). Signs are fixed so that the first snapshot has coordinates ≥ 0. Pass the directions to
    loss_slice to draw the path over the loss around the final net.
    """
    history = np.asarray(weight_history, dtype=np.float64)
    if history.ndim != 2 or history.shape[0] < 2 or history.shape[1] < 2:
        raise ValueError(f"weight_history must have shape (T >= 2, P >= 2), got {history.shape}")
    offsets = history - history[-1]                                      # (T, P)
    # The top-2 right singular vectors from the T × T Gram matrix (T ≤ a few hundred epochs ≪ P = 1,074): its
    # eigenvectors u give the directions uᵀ·offsets / s, four times cheaper than an SVD at T = 400. When the
    # path does not span two directions (s₂ ≈ 0: two snapshots, a straight line) the SVD says which to take.
    eigenvalues, vectors = np.linalg.eigh(offsets @ offsets.T)           # ascending
    singular = np.sqrt(np.clip(eigenvalues[::-1], 0.0, None))            # (T,) descending
    if singular[1] > 1e-6 * singular[0]:
        directions = (vectors[:, ::-1][:, :2].T @ offsets) / singular[:2, None]   # (2, P)
    else:
        directions = np.linalg.svd(offsets, full_matrices=False)[2][:2].copy()
    coords = offsets @ directions.T                                      # (T, 2)
    flip = np.where(coords[0] < 0, -1.0, 1.0)                            # (2,)
    directions *= flip[:, None]
    coords *= flip[None, :]
    total = float(np.sum(singular ** 2))
    explained = singular[:2] ** 2 / total if total > 0 else np.zeros(2)
    return coords, directions, explained
