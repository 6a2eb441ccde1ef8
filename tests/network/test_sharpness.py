"""Sharpness from Hessian-vector products, checked against the full 1,074 × 1,074 Hessian built by finite
differences of gradients, column by column, on a small case."""
import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.sharpness import FlatGradient, SharpnessMeter, hutchinson_trace, measure, top_eigenvalue


@pytest.fixture(scope="module")
def small():
    data = make_dataset(3)
    trainer = Trainer(MLP.create(3), data, TrainConfig(max_epochs=20), seed=3)
    trainer.train()
    X, y = data.X_train[:40], data.y_train[:40]
    gradient = FlatGradient(trainer.net, X, y)
    n = gradient.theta.size
    assert n == 1074
    h = 1e-5
    columns = []
    for k in range(n):                                  # the full Hessian, one central difference per column
        e = np.zeros(n)
        e[k] = h
        columns.append((gradient(gradient.theta + e) - gradient(gradient.theta - e)) / (2 * h))
    H = np.array(columns).T
    return trainer.net, X, y, gradient, 0.5 * (H + H.T)


def test_the_flat_gradient_is_the_networks_own(small):
    net, X, y, gradient, _ = small
    _, grads = net.loss_and_grads(X, y)
    np.testing.assert_allclose(gradient(gradient.theta), np.concatenate([g.ravel() for g in grads.values()]),
                               rtol=1e-10, atol=1e-14)


def test_hessian_vector_products_match_the_full_hessian(small):
    _, _, _, gradient, H = small
    rng = np.random.default_rng(0)
    for _ in range(5):
        v = rng.standard_normal(H.shape[0])
        exact = H @ v
        assert np.linalg.norm(gradient.hvp(v) - exact) <= 1e-4 * np.linalg.norm(exact)


def test_power_iteration_finds_the_top_eigenvalue(small):
    _, _, _, gradient, H = small
    eigenvalues = np.linalg.eigvalsh(H)
    largest = eigenvalues[np.argmax(np.abs(eigenvalues))]
    assert top_eigenvalue(gradient, 100, np.random.default_rng(1)) == pytest.approx(largest, rel=0.01)


def test_hutchinson_estimates_the_trace_within_its_spread(small):
    _, _, _, gradient, H = small
    probes = 300
    spread = np.sqrt(2 * (np.sum(H * H) - np.sum(np.diag(H) ** 2)) / probes)   # the Rademacher estimate's sd
    estimate = hutchinson_trace(gradient, probes, np.random.default_rng(2))
    assert abs(estimate - np.trace(H)) < 4 * spread


def test_measure_is_reproducible_and_works_with_two_hidden_layers():
    data = make_dataset(5)
    for layers in (1, 2):
        trainer = Trainer(MLP.create(5, hidden_layers=layers), data, TrainConfig(max_epochs=10), seed=5)
        trainer.train()
        a = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))
        b = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))
        assert a == b and a.probes == 20 and a.iterations == 20
        assert a.hessian_top_eigenvalue > 0 and np.isfinite(a.hessian_trace)


def test_the_live_meter_spreads_a_measurement_over_updates_and_measures_the_weights_it_began_with():
    data = make_dataset(5)
    trainer = Trainer(MLP.create(5), data, TrainConfig(max_epochs=40), seed=5)
    trainer.train(10)
    expected = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))   # the weights now
    meter = SharpnessMeter(np.random.default_rng(7), every=1.0, steps_per_update=8)
    for update in range(5):                      # 20 probes + 20 iterations = 40 products, 8 an update
        assert meter.value is None
        meter.update(1 / 60, trainer)
        trainer.train(1)                         # training goes on between the steps
    assert meter.value == expected               # ...but the measurement is of the weights it began with
    meter.update(0.5, trainer)                   # the next one is due a second after the last began
    assert meter._steps is None
    meter.update(0.5, trainer)
    assert meter._steps is not None
    meter.pause()
    assert meter._steps is None and meter.value == expected
