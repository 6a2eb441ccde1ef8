"""64-H-H-2: the original page's network (a second hidden layer), on the NumPy reference and the numba path."""
import math

import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.mlp import parameter_names


@pytest.fixture(scope="module")
def data():
    return make_dataset(42)


def test_shapes_names_and_the_pages_parameter_count():
    net = MLP.create(seed=42, hidden=16, hidden_layers=2)
    assert net.names == parameter_names(2) == ("W1", "b1", "W2", "b2", "W3", "b3")
    assert [p.shape for p in net.parameters().values()] == [(64, 16), (16,), (16, 16), (16,), (16, 2), (2,)]
    assert net.n_parameters == 1346
    assert np.abs(net.W2).max() <= math.sqrt(2 / 16) and np.abs(net.W3).max() <= math.sqrt(2 / 16)
    assert net.output_weights[0] is net.W3
    # The same "init" stream, drawn layer after layer: W1 is the one-layer network's W1.
    np.testing.assert_array_equal(net.W1, MLP.create(seed=42).W1)
    with pytest.raises(ValueError, match="hidden_layers must be 1 or 2"):
        MLP.create(hidden_layers=3)
    with pytest.raises(ValueError, match="W2 must have shape"):
        MLP(net.W1, net.b1, np.zeros((16, 8)), net.b2, net.W3, net.b3)


def test_forward_goes_through_both_hidden_layers(data):
    net = MLP.create(3, hidden_layers=2)
    trace = net.forward(data.X_train[:5])
    np.testing.assert_allclose(trace.z2, trace.h1 @ net.W2 + net.b2)
    np.testing.assert_array_equal(trace.h2, np.maximum(trace.z2, 0))
    np.testing.assert_allclose(trace.logits, trace.h2 @ net.W3 + net.b3)
    assert len(trace.hidden) == 2


def test_gradients_match_central_finite_differences(data, gradient_errors):
    net = MLP.create(5, hidden=8, hidden_layers=2)
    Trainer(net, data, TrainConfig(max_epochs=3, backend="numpy"), seed=5).train()   # ReLUs in a generic state
    X, y = data.X_train[:12], data.y_train[:12]
    for name, error in gradient_errors(net, X, y).items():
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


def test_numba_agrees_with_numpy_and_the_fused_epoch_with_stepping(data):
    nets = {}
    for backend in ("numba", "numpy"):
        nets[backend] = MLP.create(9, hidden_layers=2)
        Trainer(nets[backend], data, TrainConfig(max_epochs=2, backend=backend), seed=9).train()
    for name in parameter_names(2):
        np.testing.assert_allclose(nets["numba"].parameters()[name], nets["numpy"].parameters()[name],
                                   rtol=1e-10, atol=1e-14)
    assert not np.array_equal(nets["numba"].W3, MLP.create(9, hidden_layers=2).W3)   # it did train
    fused, stepped = MLP.create(3, hidden_layers=2), MLP.create(3, hidden_layers=2)
    Trainer(fused, data, TrainConfig(max_epochs=3), seed=3).train()
    trainer = Trainer(stepped, data, TrainConfig(max_epochs=3), seed=3)
    trainer.subscribe("step", lambda snapshot: None)     # the per-batch path
    trainer.train()
    for name in parameter_names(2):
        assert fused.parameters()[name].tobytes() == stepped.parameters()[name].tobytes()


def test_same_seed_same_weights_bit_for_bit_and_it_learns(data):
    runs = []
    for _ in range(2):
        trainer = Trainer(MLP.create(42, hidden_layers=2), data, TrainConfig(), seed=42)
        trainer.train()
        runs.append(trainer)
    for name in parameter_names(2):
        assert runs[0].net.parameters()[name].tobytes() == runs[1].net.parameters()[name].tobytes()
    assert runs[0].train_accuracy >= 0.95 and runs[0].test_accuracy >= 0.65


def test_snapshots_carry_the_second_layer(data):
    trainer = Trainer(MLP.create(4, hidden_layers=2), data, TrainConfig(max_epochs=2), seed=4)
    snapshot = trainer.step()
    v = snapshot.sample
    assert v.hidden_layers == 2 and v.z2.shape == v.h2.shape == v.dz2.shape == (16,)
    trace = trainer.net.forward(v.x[None, :])
    np.testing.assert_array_equal(v.h2, trace.h2[0])
    # dL/dz1 = (dL/dz2 · W2ᵀ) ⊙ ReLU'(z1), with dL/dz2 = (dlogits · W3ᵀ) ⊙ ReLU'(z2)
    w = snapshot.weights
    np.testing.assert_allclose(v.dz2, (v.dlogits @ w["W3"].T) * (v.z2 > 0))
    np.testing.assert_allclose(v.dz1, (v.dz2 @ w["W2"].T) * (v.z1 > 0))
    assert set(snapshot.grad_norms) == {"hidden", "hidden2", "output"}
    assert set(snapshot.weights) == set(parameter_names(2))


def test_a_silent_second_layer_is_a_dead_network(data):
    net = MLP.create(6, hidden_layers=2)
    net.b2[:] = -100.0                      # no unit of hidden 2 can fire: no gradient passes it again
    trainer = Trainer(net, data, TrainConfig(max_epochs=5), seed=6)
    trainer.train()
    assert trainer.dead and trainer.epoch == 1
