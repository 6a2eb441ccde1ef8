"""Shared by the network tests."""
import numpy as np
import pytest


def _gradient_errors(net, X, y, eps=1e-6) -> dict:
    """Per parameter array: the relative error between the analytic gradient and central finite differences of
    the loss, one coordinate at a time."""
    _, grads = net.loss_and_grads(X, y)
    errors = {}
    for name, param in net.parameters().items():
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = net.loss(X, y)
            param[index] = saved - eps
            minus = net.loss(X, y)
            param[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        scale = max(np.linalg.norm(numeric) + np.linalg.norm(grads[name]), 1e-12)
        errors[name] = np.linalg.norm(numeric - grads[name]) / scale
    return errors


@pytest.fixture
def gradient_errors():
    return _gradient_errors

