"""The analytic surfaces: exact gradients, true global minima, and a basin that matches real descent."""
import numpy as np
import pytest

from data.surfaces import SURFACES, get_surface

NAMES = list(SURFACES)


def random_points(surface, n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(surface.lo, surface.hi, n), rng.uniform(surface.lo, surface.hi, n)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    surface = get_surface(name)
    x, z = random_points(surface, 400, seed=1)
    if name == "ackley":  # the cone's tip is not differentiable; stay clear of it
        keep = np.hypot(x, z) > 1e-2
        x, z = x[keep], z[keep]
    gx, gz = surface.gradient(x, z)
    h = 1e-6 * np.maximum(1.0, np.abs(np.stack([x, z])))
    fd_x = (surface.loss(x + h[0], z) - surface.loss(x - h[0], z)) / (2 * h[0])
    fd_z = (surface.loss(x, z + h[1]) - surface.loss(x, z - h[1])) / (2 * h[1])
    # round-off in the difference quotient is about 1e-16 * |L| / h; allow 1000 times that
    slack = 1e-13 * (1 + np.abs(surface.loss(x, z))) / h
    assert np.all(np.abs(gx - fd_x) <= 1e-6 * np.abs(fd_x) + slack[0])
    assert np.all(np.abs(gz - fd_z) <= 1e-6 * np.abs(fd_z) + slack[1])


@pytest.mark.parametrize("name", NAMES)
def test_functions_are_vectorised_over_any_shape(name):
    surface = get_surface(name)
    x, z = random_points(surface, 12, seed=2)
    grid_loss = surface.loss(x.reshape(3, 4), z.reshape(3, 4))
    gx, gz = surface.gradient(x.reshape(3, 4), z.reshape(3, 4))
    assert grid_loss.shape == gx.shape == gz.shape == (3, 4)
    assert grid_loss[1, 2] == surface.loss(x[6], z[6])
    assert gz[2, 3] == surface.gradient(x[11], z[11])[1]


@pytest.mark.parametrize("name", NAMES)
def test_stated_global_minimum_is_stationary_and_below_a_dense_grid(name):
    surface = get_surface(name)
    x_star, z_star, loss_star = surface.global_minimum
    assert surface.lo < x_star < surface.hi and surface.lo < z_star < surface.hi
    gx, gz = surface.gradient(x_star, z_star)
    assert abs(gx) < 1e-9 and abs(gz) < 1e-9
    _, _, heights = surface.height_grid(1201)
    assert loss_star <= heights.min() + 1e-12
    for x, z in surface.global_minima:  # symmetric copies share the value
        assert surface.loss(x, z) == pytest.approx(loss_star, abs=1e-12)


def test_unknown_surface_is_a_one_line_error_listing_names():
    with pytest.raises(ValueError) as error:
        get_surface("volcano")
    message = str(error.value)
    assert "\n" not in message and "volcano" in message
    assert all(name in message for name in NAMES)


def test_domain_and_non_finite_points_are_never_in_the_basin():
    for surface in SURFACES.values():
        outside = surface.hi + 1.0
        inside = surface.global_minima[0]
        verdict = surface.in_global_basin([inside[0], outside, np.nan, np.inf], [inside[1], 0.0, 0.0, 0.0])
        assert verdict.tolist() == [True, False, False, False]


def test_single_minimum_surfaces_drain_everywhere():
    for name in ("bowl", "rosenbrock"):
        surface = get_surface(name)
        x, z = random_points(surface, 1000, seed=3)
        assert surface.in_global_basin(x, z).all()


def _interval_around(derivative, centre, lo, hi):
    """The open interval between the zeros of a 1D derivative nearest to centre on each side (1D flow basin)."""
    axis = np.linspace(lo, hi, 400_001)
    sign = np.sign(derivative(axis))
    crossings = axis[:-1][sign[:-1] != sign[1:]]
    left, right = crossings[crossings < centre - 1e-3], crossings[crossings > centre + 1e-3]
    return (left.max() if left.size else lo, right.min() if right.size else hi)


def test_complex_basin_is_the_product_of_the_exact_1d_basins():
    surface = get_surface("complex")
    x_star, z_star = surface.global_minima[0]
    x_lo, x_hi = _interval_around(lambda x: 2 * np.cos(2 * x) + 0.2 * x, x_star, -20, 20)
    z_lo, z_hi = _interval_around(lambda z: -2 * np.sin(2 * z) + 0.2 * z, z_star, -20, 20)
    assert z_lo == pytest.approx(0.0, abs=1e-4)  # the two mirror minima are split by the ridge z = 0 ...
    x, z = random_points(surface, 20_000, seed=4)
    truth = (x > x_lo) & (x < x_hi) & (np.abs(z) < z_hi)  # ... and share the basin |z| < z_hi between them
    cell = 40 / 600
    clear = (np.minimum(np.abs(x - x_lo), np.abs(x - x_hi)) > 2 * cell) & (np.abs(np.abs(z) - z_hi) > 2 * cell) \
        & (np.abs(z) > 2 * cell)
    assert truth.sum() > 100
    np.testing.assert_array_equal(surface.in_global_basin(x[clear], z[clear]), truth[clear])


# learning rate and steps for plain T = 0 descent to settle on each surface (below 2 / largest curvature)
DESCENT = {"complex": (0.05, 1500), "rastrigin": (0.002, 1500), "ackley": (0.01, 1500),
           "neural": (0.1, 800), "saddle": (0.01, 2000), "plateau": (0.2, 4000)}


@pytest.mark.parametrize("name", list(DESCENT))
def test_basin_agrees_with_real_gradient_descent(name):
    surface = get_surface(name)
    learning_rate, steps = DESCENT[name]
    x0, z0 = random_points(surface, 2000, seed=5)
    x, z = x0.copy(), z0.copy()
    for _ in range(steps):
        gx, gz = surface.gradient(x, z)
        x -= learning_rate * gx
        z -= learning_rate * gz
    ended_global = np.zeros(x.shape, dtype=bool)
    for mx, mz in surface.global_minima:
        ended_global |= np.hypot(x - mx, z - mz) < 0.02 * (surface.hi - surface.lo)
    predicted = surface.in_global_basin(x0, z0)
    assert ended_global.sum() > 20  # the comparison is not empty
    assert np.mean(predicted == ended_global) >= 0.99
