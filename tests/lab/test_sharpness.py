"""Sharpness from exact Hessian-vector products (the R-operator), checked against full Hessians built independently
(conftest.full_hessian: NumPy, masks frozen, column by column) — on nets built to have pre-activations within 1e-4 of
a ReLU kink, where a finite-difference product breaks, for one and two hidden layers, and on the sweep's seeds."""
import numpy as np
import pytest

from data import make_dataset
from data.seeding import rng_for
from network import MLP, TrainConfig, Trainer
from network.optim import OPTIMIZERS
from lab.sharpness import FlatGradient, SharpnessMeter, extreme_eigenvalues, hutchinson_trace, measure

NEAR_KINK = 1e-6      # |pre-activation| planted on purpose: well inside a finite difference's reach


def trained(seed, layers=1, epochs=20, **config):
    data = make_dataset(seed)
    trainer = Trainer(MLP.create(seed, hidden_layers=layers), data, TrainConfig(max_epochs=epochs, **config),
                      seed=seed)
    trainer.train()
    return trainer.net, data.X_train[:trainer.n_train], data.y_train[:trainer.n_train]


def plant_kinks(net, X):
    """Shift each first-layer bias so that one sample's pre-activation of that unit sits NEAR_KINK from zero (on
    alternating sides), every unit of the first hidden layer: the net has 16 pre-activations at a kink's edge."""
    z = net.forward(X).z1                       # (n, H)
    for j in range(z.shape[1]):
        s = int(np.argmin(np.abs(z[:, j])))
        net.b1[j] += (NEAR_KINK if j % 2 else -NEAR_KINK) - z[s, j]
    return net


def spread(H, probes):
    """The Rademacher Hutchinson estimate's standard deviation for a symmetric H."""
    return np.sqrt(2 * (np.sum(H * H) - np.sum(np.diag(H) ** 2)) / probes)


@pytest.fixture(scope="module", params=[1, 2], ids=["64-16-2", "64-16-16-2"])
def kinked(request, full_hessian):
    net, X, y = trained(3, layers=request.param)
    plant_kinks(net, X)
    z = net.forward(X).z1
    assert np.sort(np.abs(z).min(axis=0)).max() <= NEAR_KINK * 1.01      # every unit has a sample at the kink
    return net, X, y, FlatGradient(net, X, y), full_hessian(net, X, y)


def test_the_flat_gradient_is_the_networks_own(kinked):
    net, X, y, gradient, _ = kinked
    _, grads = net.loss_and_grads(X, y)
    np.testing.assert_allclose(gradient(gradient.theta), np.concatenate([g.ravel() for g in grads.values()]),
                               rtol=1e-10, atol=1e-14)


def test_hessian_vector_products_match_the_full_hessian_at_the_kinks(kinked):
    _, _, _, gradient, H = kinked
    rng = np.random.default_rng(0)
    for v in [*rng.standard_normal((4, H.shape[0])), np.eye(H.shape[0])[0], np.eye(H.shape[0])[-1]]:
        exact = H @ v
        assert np.linalg.norm(gradient.hvp(v) - exact) <= 1e-6 * np.linalg.norm(exact)


def test_hessian_vector_products_are_linear(kinked):
    _, _, _, gradient, _ = kinked
    rng = np.random.default_rng(1)
    u, v = rng.standard_normal((2, gradient.theta.size))
    for a, b in ((1.0, 1.0), (3.5, -0.25), (1e-6, 1e4)):
        combined, parts = gradient.hvp(a * u + b * v), a * gradient.hvp(u) + b * gradient.hvp(v)
        assert np.linalg.norm(combined - parts) <= 1e-10 * np.linalg.norm(parts)
    assert np.array_equal(gradient.hvp(np.zeros_like(u)), np.zeros_like(u))


def test_a_finite_difference_product_breaks_at_these_kinks(kinked):
    """The net really is hard: the old product, a central difference with step 1e-5·(1 + ‖θ‖), is not linear here."""
    _, _, _, gradient, H = kinked
    v = np.random.default_rng(2).standard_normal(H.shape[0])
    eps = 1e-5 * (1.0 + np.linalg.norm(gradient.theta)) / np.linalg.norm(v)
    differenced = (gradient(gradient.theta + eps * v) - gradient(gradient.theta - eps * v)) / (2 * eps)
    assert np.linalg.norm(differenced - H @ v) > 1e-3 * np.linalg.norm(H @ v)


def test_lanczos_finds_the_largest_and_the_smallest_eigenvalue(kinked):
    _, _, _, gradient, H = kinked
    eigenvalues = np.linalg.eigvalsh(H)
    top, bottom = extreme_eigenvalues(gradient, 30, np.random.default_rng(3))
    assert top == pytest.approx(eigenvalues[-1], rel=1e-3)
    assert bottom < 0 and eigenvalues[0] <= bottom + 1e-9                # a Ritz value lies inside the spectrum
    assert bottom == pytest.approx(eigenvalues[0], rel=0.05)


def test_hutchinson_estimates_the_trace_within_its_spread(kinked):
    _, _, _, gradient, H = kinked
    estimate = hutchinson_trace(gradient, 300, np.random.default_rng(4))
    assert abs(estimate - np.trace(H)) < 4 * spread(H, 300)


def test_the_trace_reports_its_own_standard_error(kinked):
    """The reported standard error is the probes' sample sd / √probes. vᵀHv is heavy-tailed here (kurtosis ~11),
    so a sample sd over 1,000 probes is within ~5% of the true one (sd of the sd): 25% is five of those."""
    net, X, y, _, H = kinked
    sharp = measure(net, X, y, np.random.default_rng(5), probes=1000)
    assert sharp.hessian_trace_se == pytest.approx(spread(H, 1000), rel=0.25)


def test_an_exact_lanczos_on_a_tiny_spectrum_stops_early():
    """A net whose Hessian has few distinct eigenvalues: Lanczos reaches an invariant subspace and stops cleanly."""
    net = MLP.create(1)
    net.W2[:] = 0.0                                  # logits = b2: the loss depends on b2 and W2 only
    X = np.zeros((4, 64))
    X[:, 0] = 1.0
    gradient = FlatGradient(net, X, np.array([0, 1, 0, 1]))
    top, bottom = extreme_eigenvalues(gradient, 200, np.random.default_rng(0))
    assert np.isfinite(top) and np.isfinite(bottom) and top >= bottom


@pytest.mark.parametrize("seed", range(10))
def test_the_sweeps_baseline_seeds_against_their_full_hessians(seed, full_hessian):
    """The default sweep's baseline (SGD at its usual rate, 200 epochs, no noise): measure() — the numbers the sweep
    publishes — gives the top eigenvalue within 1% and the trace within 4 of its spreads."""
    net, X, y = trained(seed, epochs=200, lr=OPTIMIZERS["sgd"].learning_rate, optimizer="sgd")
    H = full_hessian(net, X, y)
    eigenvalues = np.linalg.eigvalsh(H)
    sharp = measure(net, X, y, rng_for(seed, "sharpness"))
    assert sharp.hessian_top_eigenvalue == pytest.approx(eigenvalues[-1], rel=0.01)
    assert eigenvalues[0] <= sharp.hessian_min_eigenvalue + 1e-9
    assert abs(sharp.hessian_trace - np.trace(H)) < 4 * spread(H, sharp.probes)


def test_measure_is_reproducible_and_works_with_two_hidden_layers():
    data = make_dataset(5)
    for layers in (1, 2):
        trainer = Trainer(MLP.create(5, hidden_layers=layers), data, TrainConfig(max_epochs=10), seed=5)
        trainer.train()
        a = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))
        b = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))
        assert a == b and a.probes == 20 and a.iterations == 30
        assert a.hessian_top_eigenvalue > 0 > a.hessian_min_eigenvalue or a.hessian_min_eigenvalue >= 0
        assert a.hessian_top_eigenvalue >= a.hessian_min_eigenvalue and np.isfinite(a.hessian_trace)


def test_a_diverged_net_measures_as_nan_not_an_error():
    net = MLP.create(2)
    net.W1[0, 0] = np.inf
    data = make_dataset(2)
    sharp = measure(net, data.X_train, data.y_train, np.random.default_rng(0))
    assert np.isnan(sharp.hessian_top_eigenvalue) and np.isnan(sharp.hessian_min_eigenvalue)


def test_the_live_meter_spreads_a_measurement_over_updates_and_measures_the_weights_it_began_with():
    data = make_dataset(5)
    trainer = Trainer(MLP.create(5), data, TrainConfig(max_epochs=40), seed=5)
    trainer.train(10)
    expected = measure(trainer.net, data.X_train, data.y_train, np.random.default_rng(7))   # the weights now
    meter = SharpnessMeter(np.random.default_rng(7), every=1.0, steps_per_update=10)
    for update in range(5):                      # 20 probes + 30 Lanczos steps = 50 products, 10 an update
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
