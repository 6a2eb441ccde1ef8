"""Every optimizer in the registry: known first steps, descent on a quadratic, and real training."""
import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.optim import OPTIMIZERS, Optimizer, make_optimizer, newton_schulz, register

ALL = ("sgd", "momentum", "rmsprop", "adam", "adamw", "normalized", "muon")


def test_the_registry_has_every_optimizer_and_new_ones_join_by_registering():
    assert set(ALL) <= set(OPTIMIZERS)

    @register
    class Halved(Optimizer):
        name = "test-halved"

        def step(self, params, grads):
            for key, grad in grads.items():
                params[key] -= 0.5 * self.lr * grad

    try:
        assert isinstance(make_optimizer("test-halved", 0.1), Halved)
    finally:
        del OPTIMIZERS["test-halved"]
    with pytest.raises(ValueError, match="unknown optimizer 'nope'; choose one of: adam, adamw"):
        make_optimizer("nope", 0.1)


def one_step(name, w, g, lr=0.1):
    params = {"W1": np.array(w, dtype=float), "b1": np.array([1.0, -2.0])}
    grads = {"W1": np.array(g, dtype=float), "b1": np.array([0.5, 0.25])}
    make_optimizer(name, lr).step(params, grads)
    return params


W = [[1.0, -1.0], [0.5, 2.0]]
G = [[0.2, -0.4], [0.1, 0.3]]


@pytest.mark.parametrize("name", ["sgd", "momentum"])
def test_first_step_of_sgd_and_momentum_is_minus_lr_g(name):
    np.testing.assert_allclose(one_step(name, W, G)["W1"], np.array(W) - 0.1 * np.array(G))


def test_first_steps_of_the_adaptive_ones():
    g = np.array(G)
    # Adam: m̂ = g and v̂ = g² after one step, so the update is lr·g/(|g| + ε) ≈ lr·sign(g).
    np.testing.assert_allclose(one_step("adam", W, G)["W1"], np.array(W) - 0.1 * g / (np.abs(g) + 1e-8))
    # AdamW: the same, after w ← w − lr·λ·w on the weights (λ = 0.01); biases are not decayed.
    decayed = np.array(W) * (1 - 0.1 * 0.01)
    np.testing.assert_allclose(one_step("adamw", W, G)["W1"], decayed - 0.1 * g / (np.abs(g) + 1e-8))
    np.testing.assert_allclose(one_step("adamw", W, G)["b1"], one_step("adam", W, G)["b1"])
    # RMSprop: s = (1 − ρ)g² with ρ = 0.99, so the update is lr·g/(√(1 − ρ)·|g| + ε).
    np.testing.assert_allclose(one_step("rmsprop", W, G)["W1"], np.array(W) - 0.1 * g / (0.1 * np.abs(g) + 1e-8))
    # Normalized: a step of length lr over all parameters together.
    everything = np.sqrt(np.sum(g * g) + 0.5 ** 2 + 0.25 ** 2)
    np.testing.assert_allclose(one_step("normalized", W, G)["W1"], np.array(W) - 0.1 * g / everything)


def test_muons_newton_schulz_approximates_the_polar_factor():
    rng = np.random.default_rng(0)
    for shape in ((64, 16), (16, 16), (16, 2)):
        G = rng.normal(size=shape)
        X = newton_schulz(G)
        U, _, Vt = np.linalg.svd(G, full_matrices=False)
        polar = U @ Vt
        assert X.shape == G.shape
        assert np.sum(X * polar) / (np.linalg.norm(X) * np.linalg.norm(polar)) > 0.95
        singular = np.linalg.svd(X, compute_uv=False)
        assert 0.6 < singular.min() and singular.max() < 1.25


def test_muon_orthogonalises_weights_and_uses_momentum_on_biases():
    params = one_step("muon", W, G)
    g = np.array(G)
    # First step: buffer = g, Nesterov update = g + 0.95·g; weights get it orthogonalised (√max(1, 2/2) = 1).
    np.testing.assert_allclose(params["W1"], np.array(W) - 0.1 * newton_schulz(1.95 * g))
    np.testing.assert_allclose(params["b1"], np.array([1.0, -2.0]) - 0.1 * 1.95 * np.array([0.5, 0.25]))


@pytest.mark.parametrize("name", ALL)
def test_descent_on_a_quadratic(name):
    """f = ½‖W − T‖² + ½‖b − t‖²: every optimizer brings it far down (lr tuned per family)."""
    rng = np.random.default_rng(1)
    target = {"W1": rng.normal(size=(6, 4)), "b1": rng.normal(size=4)}
    params = {"W1": np.zeros((6, 4)), "b1": np.zeros(4)}
    lr = {"sgd": 0.1, "momentum": 0.05, "normalized": 0.05}.get(name, 0.02)
    optimizer = make_optimizer(name, lr)

    def loss():
        return sum(0.5 * float(np.sum((params[k] - target[k]) ** 2)) for k in params)

    start = loss()
    for _ in range(400):
        optimizer.step(params, {k: params[k] - target[k] for k in params})
    assert loss() < 0.02 * start, (name, loss(), start)


@pytest.mark.parametrize("name", ALL)
def test_each_optimizer_trains_the_network(name):
    data = make_dataset(4)
    lr = {"sgd": 0.05, "momentum": 0.02, "normalized": 0.05, "muon": 0.02}.get(name, 0.003)
    trainer = Trainer(MLP.create(4), data, TrainConfig(optimizer=name, lr=lr, max_epochs=25), seed=4)
    before = trainer.net.loss(data.X_train, data.y_train)
    trainer.train()
    assert trainer.net.loss(data.X_train, data.y_train) < 0.7 * before
    assert trainer.train_accuracy > 0.75


def _trained(name, backend="numba", listen_during=(), epochs=6):
    """A run with optimizer `name`; listen_during: epochs during which a step listener forces the per-batch path."""
    from network.optim import OPTIMIZERS
    data = make_dataset(4)
    trainer = Trainer(MLP.create(4), data, TrainConfig(max_epochs=epochs, optimizer=name, backend=backend,
                                                      lr=OPTIMIZERS[name].learning_rate), seed=4)
    listening: list = []
    for epoch in range(epochs):
        if (epoch in listen_during) != bool(listening):
            if listening:
                trainer._subscribers["step"].remove(listening.pop())
            else:
                listening.append(lambda snapshot: None)
                trainer.subscribe("step", listening[0])
        trainer.train(1)
    return trainer


@pytest.mark.parametrize("name", ["momentum", "adam", "adamw"])
def test_momentum_and_adam_run_fused_in_numba_bit_for_bit_as_stepped_and_close_to_numpy(name, monkeypatch):
    from network import kernels
    epochs, fused_epoch = [], kernels.rule_epoch
    monkeypatch.setattr(kernels, "rule_epoch", lambda *args: epochs.append(1) or fused_epoch(*args))
    fused = _trained(name)
    assert len(epochs) == 6                                 # every epoch ran in the fused kernel
    stepped = _trained(name, listen_during=range(6))
    assert len(epochs) == 6
    mixed = _trained(name, listen_during=(2, 3))           # fused, then per batch, then fused: one shared state
    reference = _trained(name, backend="numpy")
    for key in fused.net.names:
        assert fused.net.parameters()[key].tobytes() == stepped.net.parameters()[key].tobytes()
        assert fused.net.parameters()[key].tobytes() == mixed.net.parameters()[key].tobytes()
        np.testing.assert_allclose(fused.net.parameters()[key], reference.net.parameters()[key], rtol=1e-7, atol=1e-9)
    assert fused.optimizer.t == stepped.optimizer.t == mixed.optimizer.t
    assert fused.test_accuracy > 0.6
