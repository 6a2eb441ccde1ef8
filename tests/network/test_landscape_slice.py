"""Loss slices through the live network, filter-normalised directions, and the path's PCA plane."""
import numpy as np
import pytest

from data import make_dataset
from network.landscape import (filter_normalised_direction, filter_normalised_directions, flatten_parameters,
                               grid_offsets, loss_slice, loss_slice_reference, parameter_count, trajectory_projection,
                               unflatten_parameters)
from network.mlp import MLP


@pytest.fixture(scope="module")
def data():
    dataset = make_dataset(7)
    return dataset.X_train, dataset.y_train


@pytest.fixture(scope="module")
def trained_net(data):
    """A net after 30 plain gradient steps, so biases and weights are all non-trivial."""
    X, y = data
    net = MLP.create(seed=7, hidden=12)
    for _ in range(30):
        _, grads = net.loss_and_grads(X, y)
        for name, parameter in net.parameters().items():
            parameter -= 0.5 * grads[name]
    assert np.abs(net.b1).min() > 0
    return net


def test_flatten_and_unflatten_round_trip(trained_net):
    flat = flatten_parameters(trained_net)
    assert flat.shape == (parameter_count(12),) == (64 * 12 + 12 + 12 * 2 + 2,)
    assert flat[0] == trained_net.W1[0, 0] and flat[64 * 12] == trained_net.b1[0] and flat[-1] == trained_net.b2[1]
    again = unflatten_parameters(flat, 12)
    for name, parameter in trained_net.parameters().items():
        np.testing.assert_array_equal(again.parameters()[name], parameter)
    with pytest.raises(ValueError):
        unflatten_parameters(flat[:-1], 12)


def test_directions_are_filter_normalised(trained_net):
    d1, d2 = filter_normalised_directions(trained_net, np.random.default_rng(3))
    assert not np.allclose(d1, d2)
    for flat in (d1, d2):
        direction = unflatten_parameters(flat, 12)
        for weights, bias, own_weights, own_bias in ((direction.W1, direction.b1, trained_net.W1, trained_net.b1),
                                                     (direction.W2, direction.b2, trained_net.W2, trained_net.b2)):
            for neuron in range(weights.shape[1]):
                direction_norm = np.linalg.norm(np.append(weights[:, neuron], bias[neuron]))
                weight_norm = np.linalg.norm(np.append(own_weights[:, neuron], own_bias[neuron]))
                assert direction_norm == pytest.approx(weight_norm, rel=1e-12)


def test_directions_are_reproducible_from_the_generator(trained_net):
    first = filter_normalised_direction(trained_net, np.random.default_rng(5))
    np.testing.assert_array_equal(first, filter_normalised_direction(trained_net, np.random.default_rng(5)))


def test_offsets_are_symmetric_with_an_exact_zero():
    offsets = grid_offsets(0.7, 51)
    assert offsets[25] == 0.0 and offsets[0] == -0.7 and offsets[-1] == 0.7
    np.testing.assert_array_equal(offsets, -offsets[::-1])


def test_slice_centre_is_the_net_loss(trained_net, data):
    X, y = data
    d1, d2 = filter_normalised_directions(trained_net, np.random.default_rng(4))
    alphas, betas, losses = loss_slice(trained_net, X, y, d1, d2, span=1.0, resolution=51)
    assert alphas.shape == betas.shape == (51,) and losses.shape == (51, 51)
    assert losses[25, 25] == pytest.approx(trained_net.loss(X, y), abs=1e-12)


@pytest.mark.parametrize("row, column", [(0, 0), (3, 40), (50, 17), (25, 49)])
def test_slice_matches_an_explicitly_perturbed_net(trained_net, data, row, column):
    X, y = data
    d1, d2 = filter_normalised_directions(trained_net, np.random.default_rng(4))
    alphas, betas, losses = loss_slice(trained_net, X, y, d1, d2, span=0.8, resolution=51)
    moved = unflatten_parameters(flatten_parameters(trained_net) + alphas[column] * d1 + betas[row] * d2, 12)
    assert losses[row, column] == pytest.approx(moved.loss(X, y), abs=1e-12)


def test_the_numpy_reference_works_in_chunks_smaller_than_a_row(trained_net, data, monkeypatch):
    import network.landscape as landscape
    X, y = data
    d1, d2 = filter_normalised_directions(trained_net, np.random.default_rng(6))
    whole = loss_slice_reference(trained_net, X, y, d1, d2, resolution=9)[2]
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 1)  # one grid point at a time
    np.testing.assert_allclose(loss_slice_reference(trained_net, X, y, d1, d2, resolution=9)[2], whole, rtol=1e-14)


def _on_the_kinks(net: MLP, X: np.ndarray) -> MLP:
    """A copy of net whose hidden biases put sample 0's pre-activations exactly at 0 (units 0-3), and sample 1's
    a hair either side of 0 (units 4-7): the ReLU kinks themselves, at the centre of the plane."""
    kinked = unflatten_parameters(flatten_parameters(net), net.hidden)
    kinked.b1[:4] = -(X[0] @ kinked.W1[:, :4])
    kinked.b1[4:8] = -(X[1] @ kinked.W1[:, 4:8]) + np.array([1e-12, -1e-12, 1e-300, -1e-300])
    return kinked


def _exact_loss(net: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy from the forward pass's logits by log-sum-exp (MLP.loss floors p at 1e-300, so it
    tops out at 690 per sample; the slice does not)."""
    logits = net.forward(X).logits                                   # (n, 2)
    return float(np.mean(np.logaddexp(logits[:, 0], logits[:, 1]) - logits[np.arange(len(y)), y]))


@pytest.mark.parametrize("case", ["trained", "kinks", "huge margins", "one point", "even grid"])
def test_the_compiled_slice_is_the_numpy_reference_and_an_explicit_loss_everywhere(trained_net, data, case):
    X, y = data
    net, span, resolution = trained_net, 0.8, 51
    d1, d2 = filter_normalised_directions(trained_net, np.random.default_rng(5))
    if case == "kinks":
        net = _on_the_kinks(trained_net, X)
        d2 = np.zeros_like(d2)                         # along β nothing moves: every row crosses the kinks alike
    elif case == "huge margins":                       # margins of thousands: softplus must neither overflow nor 0
        net = unflatten_parameters(flatten_parameters(trained_net), trained_net.hidden)
        net.W2 *= 1e3
        net.b2 *= 1e3
    elif case == "one point":
        resolution = 1
    elif case == "even grid":
        span, resolution = 3.0, 8
    compiled = loss_slice(net, X, y, d1, d2, span=span, resolution=resolution)
    reference = loss_slice_reference(net, X, y, d1, d2, span=span, resolution=resolution)
    for mine, theirs in zip(compiled, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=0)
    alphas, betas, losses = compiled
    assert np.isfinite(losses).all()
    for row, column in {(0, 0), (resolution // 2, resolution // 2), (resolution - 1, resolution // 3)}:
        moved = unflatten_parameters(flatten_parameters(net) + alphas[column] * d1 + betas[row] * d2, net.hidden)
        assert losses[row, column] == pytest.approx(_exact_loss(moved, X, y), rel=1e-12)
    if case == "kinks":                                # the centre really sits on the kinks
        assert (X[0] @ net.W1[:, :4] + net.b1[:4] == 0).all()


def test_trajectory_in_a_known_plane_is_recovered():
    rng = np.random.default_rng(8)
    P, T = 300, 60
    basis, _ = np.linalg.qr(rng.standard_normal((P, 2)))        # (P, 2) orthonormal: the true plane
    final = rng.standard_normal(P)
    t = np.linspace(0, 1, T)
    plane_coords = np.stack([3 * (1 - t) ** 2, np.sin(6 * t) * (1 - t)], axis=1)  # (T, 2), ends at (0, 0)
    history = final + plane_coords @ basis.T                    # (T, P)
    coords, directions, explained = trajectory_projection(history)
    assert coords.shape == (T, 2) and directions.shape == (2, P) and explained.shape == (2,)
    assert explained.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(basis @ (basis.T @ directions.T), directions.T, atol=1e-10)  # same plane
    np.testing.assert_allclose(coords @ directions + final, history, atol=1e-10)
    assert (coords[0] >= 0).all() and np.allclose(coords[-1], 0)


def test_off_plane_wandering_lowers_the_explained_share():
    rng = np.random.default_rng(9)
    history = np.cumsum(rng.standard_normal((40, 50)), axis=0)  # a random walk fills many directions
    _, _, explained = trajectory_projection(history)
    assert 0.3 < explained.sum() < 0.99 and explained[0] >= explained[1]
    with pytest.raises(ValueError):
        trajectory_projection(history[:1])


def test_the_gram_route_agrees_with_an_svd_on_a_real_training_path():
    from data import make_dataset
    from network.landscape import flatten_parameters
    from network.train import TrainConfig, Trainer
    trainer = Trainer(MLP.create(5), make_dataset(5), TrainConfig(max_epochs=120), seed=5)
    path = [flatten_parameters(trainer.net)]
    while not trainer.finished:
        trainer.train(1)
        path.append(flatten_parameters(trainer.net))
    history = np.array(path)                                   # (121, 1074)
    coords, directions, explained = trajectory_projection(history)
    offsets = history - history[-1]
    _, singular, right = np.linalg.svd(offsets, full_matrices=False)     # the reference
    signs = np.sign(np.sum(directions * right[:2], axis=1))
    assert np.allclose(directions, signs[:, None] * right[:2], atol=1e-9)
    assert np.allclose(coords, offsets @ directions.T) and np.allclose(directions @ directions.T, np.eye(2))
    assert np.allclose(explained, singular[:2] ** 2 / np.sum(singular ** 2), rtol=1e-9)


def test_a_path_along_one_line_still_gets_two_orthonormal_directions():
    line = np.outer(np.linspace(1.0, 0.0, 6), np.arange(1.0, 11.0))            # six points on one ray
    coords, directions, explained = trajectory_projection(line)
    assert np.allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    assert explained[0] == pytest.approx(1.0) and explained[1] == pytest.approx(0.0, abs=1e-12)
