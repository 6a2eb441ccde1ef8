import math

import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.mlp import cross_entropy, softmax


@pytest.fixture(scope="module")
def data():
    return make_dataset(42)


def test_create_shapes_and_parameter_count():
    net = MLP.create(seed=42)
    assert net.W1.shape == (64, 16) and net.b1.shape == (16,)
    assert net.W2.shape == (16, 2) and net.b2.shape == (2,)
    assert all(p.dtype == np.float64 for p in net.parameters().values())
    assert net.n_parameters == 1074
    assert np.abs(net.W1).max() <= math.sqrt(2 / 64) and np.abs(net.W2).max() <= math.sqrt(2 / 16)
    assert not net.b1.any() and not net.b2.any()
    np.testing.assert_array_equal(net.W1, MLP.create(seed=42).W1)
    assert not np.array_equal(net.W1, MLP.create(seed=43).W1)


def test_forward_trace(data):
    net = MLP.create(1)
    trace = net.forward(data.X_train[:5])
    np.testing.assert_allclose(trace.z1, data.X_train[:5] @ net.W1 + net.b1)
    np.testing.assert_array_equal(trace.h1, np.maximum(trace.z1, 0))
    np.testing.assert_allclose(trace.probs.sum(axis=1), 1.0)
    assert trace.probs.shape == (5, 2)


def test_softmax_is_stable_for_huge_logits():
    p = softmax(np.array([[1000.0, -1000.0], [5.0, 5.0]]))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p, [[1, 0], [0.5, 0.5]])
    assert math.isfinite(cross_entropy(p, np.array([1, 0])))


def test_gradients_match_central_finite_differences(data, gradient_errors):
    net = MLP.create(5)
    # Train briefly so ReLUs are in a generic state, then check every parameter's gradient.
    Trainer(net, data, TrainConfig(max_epochs=3, backend="numpy"), seed=5).train()
    X, y = data.X_train[:12], data.y_train[:12]
    for name, error in gradient_errors(net, X, y).items():
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


def test_numba_and_numpy_paths_agree_after_an_epoch(data):
    nets = {}
    for backend in ("numba", "numpy"):
        nets[backend] = MLP.create(9)
        Trainer(nets[backend], data, TrainConfig(max_epochs=1, backend=backend), seed=9).train()
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(nets["numba"].parameters()[name], nets["numpy"].parameters()[name], rtol=1e-10, atol=1e-14)
    assert not np.array_equal(nets["numba"].W1, MLP.create(9).W1)  # it did train


def test_fused_epoch_equals_stepping_one_batch_at_a_time(data):
    fused, stepped = MLP.create(3), MLP.create(3)
    Trainer(fused, data, TrainConfig(max_epochs=4), seed=3).train()
    trainer = Trainer(stepped, data, TrainConfig(max_epochs=4), seed=3)
    trainer.subscribe("step", lambda snapshot: None)  # a step listener forces the per-batch path
    trainer.train()
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(fused.parameters()[name], stepped.parameters()[name])


@pytest.mark.parametrize("batch_size, expected", [(16, 15), (4, 60), (32, 8), (7, 35), (240, 1), (1000, 1)])
def test_batch_size_sets_updates_per_epoch(data, batch_size, expected):
    trainer = Trainer(MLP.create(1), data, TrainConfig(batch_size=batch_size, max_epochs=2), seed=1)
    steps = []
    trainer.subscribe("step", lambda s: steps.append(s.step_in_epoch))
    trainer.run_epoch()
    assert len(steps) == expected == trainer.steps_per_epoch
    assert steps == list(range(1, expected + 1))


def test_events_carry_immutable_snapshots(data):
    trainer = Trainer(MLP.create(2), data, TrainConfig(max_epochs=2), seed=2)
    seen = {"step": [], "epoch": [], "finished": []}
    for kind in seen:
        trainer.subscribe(kind, seen[kind].append)
    trainer.train()
    assert len(seen["step"]) == 30 and len(seen["epoch"]) == 2 and len(seen["finished"]) == 1
    last = seen["epoch"][-1]
    assert last.epoch == 2 and last.step == 30
    assert 0 <= last.train_accuracy <= 1 and 0 <= last.test_accuracy <= 1
    assert set(last.grad_norms) == {"hidden", "output"} and last.grad_norms["hidden"] > 0
    with pytest.raises(ValueError):
        last.weights["W1"][0, 0] = 1.0  # read-only copy
    with pytest.raises(Exception):
        last.epoch = 5  # frozen dataclass
    # The snapshot kept the weights of its moment, not the live arrays.
    first = seen["step"][0]
    assert not np.array_equal(first.weights["W1"], trainer.net.W1)
    sample = last.sample
    trace = trainer.net.forward(sample.x[None, :])
    np.testing.assert_allclose(sample.probs, trace.probs[0])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_exploding_loss_is_reported_as_divergence(data, backend):
    trainer = Trainer(MLP.create(4), data, TrainConfig(lr=1e6, max_epochs=50, backend=backend), seed=4)
    events = []
    trainer.subscribe("diverged", events.append)
    trainer.train()
    assert trainer.diverged and len(events) == 1
    assert "exploding loss" in events[0].message
    assert trainer.epoch < 50 and trainer.finished


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("listen_to_steps", [False, True])
def test_non_finite_weights_are_reported_never_propagated(data, backend, listen_to_steps):
    net = MLP.create(4)
    net.W2[3, 1] = np.inf
    trainer = Trainer(net, data, TrainConfig(max_epochs=5, backend=backend), seed=4)
    events, steps = [], []
    trainer.subscribe("diverged", events.append)
    if listen_to_steps:
        trainer.subscribe("step", steps.append)
    trainer.train()
    assert trainer.diverged and len(events) == 1 and "non-finite" in events[0].message
    assert steps == []  # no step snapshot with non-finite numbers ever reached a listener
    assert trainer.step() is None  # and training does not go on


def test_same_seed_same_weights_bit_for_bit(data):
    a, b = MLP.create(11), MLP.create(11)
    Trainer(a, data, TrainConfig(max_epochs=5), seed=11).train()
    Trainer(b, data, TrainConfig(max_epochs=5), seed=11).train()
    for name in ("W1", "b1", "W2", "b2"):
        assert a.parameters()[name].tobytes() == b.parameters()[name].tobytes()


def test_batch_size_change_applies_from_the_next_epoch(data):
    trainer = Trainer(MLP.create(1), data, TrainConfig(batch_size=16, max_epochs=5), seed=1)
    trainer.step()
    trainer.set_batch_size(4)
    trainer.run_epoch()
    assert trainer.step_count == 15
    trainer.run_epoch()
    assert trainer.step_count == 15 + 60


def test_momentum_optimizer_trains(data):
    trainer = Trainer(MLP.create(1), data, TrainConfig(optimizer="momentum", lr=0.01, max_epochs=30), seed=1)
    before = trainer.net.loss(data.X_train, data.y_train)
    trainer.train()
    assert trainer.net.loss(data.X_train, data.y_train) < before * 0.5


def test_early_stop_when_validation_loss_plateaus(data):
    trainer = Trainer(MLP.create(1), data, TrainConfig(max_epochs=500, early_stop=True, patience=5), seed=1)
    trainer.train()
    assert trainer.stopped_early and trainer.epoch < 500


def test_default_run_learns():
    data = make_dataset(42)
    trainer = Trainer(MLP.create(42), data, TrainConfig(), seed=42)
    trainer.train()
    assert trainer.train_accuracy >= 0.98
    assert trainer.test_accuracy >= 0.65


def test_a_dead_network_is_detected_and_ends_the_run_calmly():
    """lr 0.5 with batch 1 silences every hidden ReLU on every sample: no gradient reaches W1 again."""
    from illumination.exhibits.network.settings import NetworkSettings
    from illumination.exhibits.network.trainer import make_trainer
    trainer = make_trainer(NetworkSettings(seed=42, learning_rate=0.5, batch_size=1, max_epochs=50))
    events = []
    trainer.subscribe("diverged", events.append)
    trainer.train()
    assert trainer.dead and not trainer.diverged and trainer.finished and trainer.epoch < 50
    X, net = trainer.data.X_train, trainer.net
    assert np.all(X @ net.W1 + net.b1 <= 0)                          # truly dead, checked independently
    assert len(events) == 1 and "silent" in events[0].message
    healthy = make_trainer(NetworkSettings(seed=42, max_epochs=30))
    healthy.train()
    assert not healthy.dead and healthy.epoch == 30


def test_the_window_restarts_a_dead_network_with_the_next_seed():
    from illumination.core.clock import FixedClock
    from illumination.exhibits.network.scene import NetworkScene
    from illumination.exhibits.network.settings import NetworkSettings
    scene = NetworkScene(NetworkSettings(seed=42, learning_rate=0.5, batch_size=1, speed=10.0))
    clock = FixedClock(30)
    messages = []
    for _ in range(30 * 20):
        scene.update(clock.tick())
        if scene.diverged_for is not None:
            messages.append(scene.message)
        if scene.settings.seed != 42:
            break
    assert scene.divergences >= 1 and scene.settings.seed == 43
    assert messages and "Every hidden neuron went silent" in messages[0] and "seed 43" in messages[0]
