"""Tests run headless: no display, no audio, a writable numba cache. Shared: the full-Hessian reference."""
import os
import tempfile

# As the app does (illumination/__init__.py), before NumPy loads: one BLAS thread, the same bits on any machine.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "illumination-numba-cache"))
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden frames in tests/golden/ from the current renderer")


# -- an independent reference for the sharpness tests ---------------------------------------------------------------
# Full Hessians of the mean cross-entropy, built column by column in plain NumPy (no numba, no R-operator), on the
# linear piece the weights are on: the ReLU masks (z > 0) are frozen at the base weights, so the function differenced
# is smooth (a softmax of polynomials in θ) and a central difference crosses no kink however close a pre-activation
# is to zero; its truncation error is O(ε²).


def unflatten(net, theta: np.ndarray) -> list[np.ndarray]:
    arrays, at = [], 0
    for p in net.parameters().values():
        arrays.append(theta[at:at + p.size].reshape(p.shape))
        at += p.size
    return arrays


def flat(net) -> np.ndarray:
    return np.concatenate([p.ravel() for p in net.parameters().values()])


def masks_at(net, X: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's ReLU mask (n, H) at the net's weights."""
    trace = net.forward(X)
    return [z > 0.0 for z, _ in trace.hidden]


def piece_gradient(net, X: np.ndarray, y: np.ndarray, theta: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
    """∇L at θ of the loss with every hidden unit's on/off pattern held at `masks` (a linear piece's formula)."""
    arrays = unflatten(net, theta)
    layers = [(arrays[k], arrays[k + 1]) for k in range(0, len(arrays), 2)]
    n = len(y)
    a, inputs = X, [X]
    for (W, b), mask in zip(layers[:-1], masks):
        a = (a @ W + b) * mask
        inputs.append(a)
    W, b = layers[-1]
    logits = a @ W + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = p.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        grads = [inputs[k].T @ delta, delta.sum(axis=0)] + grads
        if k:
            delta = (delta @ layers[k][0].T) * masks[k - 1]
    return np.concatenate([g.ravel() for g in grads])


def _full_hessian(net, X: np.ndarray, y: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """The (P, P) Hessian of the piece the weights are on, by central differences of piece_gradient, symmetrised."""
    y = np.asarray(y)
    theta, masks = flat(net), masks_at(net, X)
    columns = []
    for k in range(theta.size):
        step = np.zeros_like(theta)
        step[k] = eps
        columns.append((piece_gradient(net, X, y, theta + step, masks)
                        - piece_gradient(net, X, y, theta - step, masks)) / (2 * eps))
    H = np.array(columns).T
    return 0.5 * (H + H.T)


@pytest.fixture(scope="session")
def full_hessian():
    """full_hessian(net, X, y) -> the (P, P) Hessian of the piece the weights are on."""
    return _full_hessian
