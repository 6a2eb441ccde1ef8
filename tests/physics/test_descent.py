"""Many balls at once: Langevin statistics, hand-checked optimizer steps, explosions, schedules, ensemble views."""
import math
import warnings

import numpy as np
import pytest

from data.surfaces import get_surface
from physics.descent import (MAX_BALLS, TRAIL_LENGTH, BallSettings, Balls, check_ball_count, count_basins,
                             height_histogram, random_starts)
from network.schedules import SCHEDULES, schedule_value, temperature_at


# ── schedules ────────────────────────────────────────────────────────────────────────────────────────────

def test_every_schedule_starts_at_one():
    for name in SCHEDULES:
        assert schedule_value(name, 0) == 1.0


@pytest.mark.parametrize("name, t, expected", [
    ("exponential", 100, math.exp(-0.5)), ("exponential", 1000, math.exp(-5.0)),
    ("polynomial", 100, 0.5), ("polynomial", 300, 0.25),
    ("linear", 250, 0.5), ("linear", 495, 0.01), ("linear", 5000, 0.01),
    ("constant", 12345, 1.0),
    ("cosine", 1000, 0.5), ("cosine", 2000, 0.0), ("cosine", 3000, 0.0),
    ("cyclical", 250, 0.0), ("cyclical", 125, 0.5), ("cyclical", 500, 1.0),
    ("inverse_anneal", 1000, 0.5), ("inverse_anneal", 3000, 0.25),
])
def test_known_schedule_values(name, t, expected):
    assert schedule_value(name, t) == pytest.approx(expected, abs=1e-12)


def test_schedules_are_vectorised_and_scale_with_t0():
    steps = np.array([[0, 100], [200, 300]])
    values = schedule_value("polynomial", steps)
    assert values.shape == (2, 2)
    np.testing.assert_allclose(values, [[1.0, 0.5], [1 / 3, 0.25]])
    np.testing.assert_allclose(temperature_at("polynomial", 2.0, steps), 2 * values)


def test_unknown_schedule_and_negative_step_are_one_line_errors():
    with pytest.raises(ValueError) as error:
        schedule_value("sawtooth", 0)
    assert "\n" not in str(error.value) and all(name in str(error.value) for name in SCHEDULES)
    with pytest.raises(ValueError, match="steps"):
        schedule_value("constant", [1, -1])


# ── settings ─────────────────────────────────────────────────────────────────────────────────────────────

def test_settings_report_every_problem_on_one_line():
    with pytest.raises(ValueError) as error:
        BallSettings(surface="moon", optimizer="lbfgs", noise_mode="pink", schedule="nope", learning_rate=0,
                     momentum=1.0, temperature=-1.0, noise=float("nan"))
    message = str(error.value)
    assert "\n" not in message
    for field in ("surface", "optimizer", "noise_mode", "schedule", "learning_rate", "momentum", "temperature",
                  "noise"):
        assert f"{field}:" in message


def test_ball_count_limits():
    assert check_ball_count(MAX_BALLS) == MAX_BALLS
    for bad in (0, -3, MAX_BALLS + 1, 2.5, True):
        with pytest.raises(ValueError, match="ball count"):
            check_ball_count(bad)


def test_random_starts_fill_the_start_box_clipped_to_the_domain():
    rng = np.random.default_rng(0)
    wide, narrow = random_starts(get_surface("complex"), 5000, rng), random_starts(get_surface("ackley"), 5000, rng)
    assert wide.shape == (2, 5000) and -10 <= wide.min() < -9.9 and 9.9 < wide.max() <= 10
    # ackley's drop square (half-width 2.5) keeps clear of the domain's edge, where a cold ball rolls straight out
    assert -2.5 <= narrow.min() < -2.49 and 2.49 < narrow.max() <= 2.5


# ── the physics ──────────────────────────────────────────────────────────────────────────────────────────

def test_langevin_sgd_on_the_bowl_has_the_exact_discrete_boltzmann_variance():
    temperature, learning_rate, n = 0.5, 0.01, 20_000
    settings = BallSettings(surface="bowl", optimizer="sgd", learning_rate=learning_rate, temperature=temperature)
    balls = Balls.at(settings, np.zeros(n), np.zeros(n), tracked=None)
    rng = np.random.default_rng(11)
    steps = 1200
    for _ in range(steps):
        balls.step(rng)
    # x' = q x + √(2ηT) ξ with q = 1 - 0.2η  ⇒  Var_t = 2ηT (1 - q^2t) / (1 - q²) → T / (0.2 (1 - 0.1η))
    stationary = temperature / (0.2 * (1 - 0.1 * learning_rate))
    q = 1 - 0.2 * learning_rate
    after_burn_in = stationary * (1 - q ** (2 * steps))  # 0.8% short of stationary after 1200 steps from 0
    assert stationary == pytest.approx(2 * learning_rate * temperature / (1 - q * q), rel=1e-12)
    assert balls.position.var() == pytest.approx(after_burn_in, rel=0.03)  # 40,000 samples: ~0.7% std error
    assert balls.position.var() == pytest.approx(stationary, rel=0.03)


def test_langevin_momentum_noise_is_friction_matched():
    temperature, learning_rate, beta, curvature, n = 0.5, 0.01, 0.8, 0.2, 20_000
    settings = BallSettings(surface="bowl", optimizer="momentum", learning_rate=learning_rate, momentum=beta,
                            temperature=temperature)
    balls = Balls.at(settings, np.zeros(n), np.zeros(n), tracked=None)
    rng = np.random.default_rng(12)
    for _ in range(800):  # the slow mode decays as 0.99^t
        balls.step(rng)
    # (x, u)' = A (x, u) + (σ, σ) ξ with u' = βu - ηkx + σξ, x' = x + u', σ² = 2(1-β)ηT: solve Σ = AΣAᵀ + bbᵀ
    A = np.array([[1 - learning_rate * curvature, beta], [-learning_rate * curvature, beta]])
    b = np.full((2, 1), math.sqrt(2 * (1 - beta) * learning_rate * temperature))
    sigma = np.linalg.solve(np.eye(4) - np.kron(A, A), (b @ b.T).ravel()).reshape(2, 2)
    assert sigma[0, 0] == pytest.approx(temperature / curvature, rel=0.01)  # Boltzmann, up to O(η)
    assert balls.position.var() == pytest.approx(sigma[0, 0], rel=0.03)


# From (3, -2) on the bowl 0.1(x² + z²) (gradient 0.2x) with η = 0.1, β = 0.5, T = 0; worked by hand:
#   sgd       x1 = 3 - 0.1·0.6 = 2.94; x2 = 2.94 - 0.1·0.588 = 2.8812
#   momentum  u1 = -0.06, x1 = 2.94; u2 = 0.5·(-0.06) - 0.0588 = -0.0888, x2 = 2.8512
#   rmsprop   s1 = 0.01·0.36 = 0.0036, x1 = 3 - 0.1·0.6/(0.06 + 1e-8) = 2.00000016667;
#             s2 = 0.99·0.0036 + 0.01·0.4000000333² , x2 = x1 - 0.1·0.2·x1/(√s2 + 1e-8) = 1.44336987212
#   adam      m̂1 = 0.6, ŝ1 = 0.36 → x1 = 3 - 0.1·0.6/(0.6 + 1e-8) = 2.90000000167;
#             m2 = 0.5·0.3 + 0.5·0.58, v2 = 0.999·0.00036 + 0.001·0.58², m̂2 = m2/0.75, ŝ2 = v2/(1 - 0.999²)
#             → x2 = 2.80057841182
# and likewise for z from -2.
HAND_COMPUTED = {
    "sgd": ((2.94, -1.96), (2.8812, -1.9208)),
    "momentum": ((2.94, -1.96), (2.8512, -1.9008)),
    "rmsprop": ((2.0000001666666387, -1.0000002499999374), (1.4433698721208041, -0.5509870061178761)),
    "adam": ((2.9000000016666667, -1.9000000025), (2.8005784118153945, -1.8008860114517757)),
}


@pytest.mark.parametrize("optimizer", list(HAND_COMPUTED))
def test_first_two_noiseless_steps_match_hand_computation(optimizer):
    settings = BallSettings(surface="bowl", optimizer=optimizer, learning_rate=0.1, momentum=0.5)
    balls = Balls.at(settings, [3.0], [-2.0])
    rng = np.random.default_rng(0)
    state_before = rng.bit_generator.state
    for expected in HAND_COMPUTED[optimizer]:
        balls.step(rng)
        np.testing.assert_allclose(balls.position[:, 0], expected, rtol=1e-12)
    assert rng.bit_generator.state == state_before  # no noise level, no random numbers drawn


def test_uniform_kick_is_bounded_by_learning_rate_times_noise():
    n, noise, learning_rate = 5000, 2.0, 0.05
    settings = BallSettings(surface="bowl", optimizer="sgd", learning_rate=learning_rate, noise_mode="uniform",
                            noise=noise)
    balls = Balls.at(settings, np.full(n, 4.0), np.full(n, -4.0))
    balls.step(np.random.default_rng(1))
    kick = balls.position - np.array([[4.0 - learning_rate * 0.8], [-4.0 + learning_rate * 0.8]])
    assert np.abs(kick).max() <= learning_rate * noise
    assert np.abs(kick).max() > 0.95 * learning_rate * noise  # and it really spans ±η·n
    assert abs(kick.mean()) < 0.01 * learning_rate * noise


@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 1.0), ("momentum", 5.0), ("rmsprop", 100.0),
                                                       ("adam", 100.0), ("sgd", 1e300), ("sgd", 0.003),
                                                       ("adam", 1.0)])
def test_huge_learning_rate_explodes_balls_without_nan_or_warnings(optimizer, learning_rate):
    settings = BallSettings(surface="rosenbrock", optimizer=optimizer, learning_rate=learning_rate, temperature=1.0)
    balls = Balls(settings, 500, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            balls.step(rng)
        dead = balls.exploded.copy()
        frozen = balls.position[:, dead].copy()
        balls.step(rng)
        counts = balls.basin_counts()
        losses = balls.losses()
    assert dead.sum() > 0
    assert np.isfinite(balls.position).all() and np.isfinite(balls.velocity).all()
    assert np.isfinite(balls.square_average).all() and np.isfinite(losses).all()
    assert balls.surface.in_domain(balls.x, balls.z).all()
    np.testing.assert_array_equal(balls.position[:, dead], frozen)  # exploded balls stay where they left
    assert balls.exploded[dead].all()
    assert counts.exploded == balls.exploded.sum()
    assert counts.in_global_basin + counts.elsewhere + counts.exploded == 500


def test_respawn_gives_exploded_balls_fresh_starts():
    settings = BallSettings(surface="rosenbrock", optimizer="sgd", learning_rate=1.0)
    balls = Balls(settings, 200, np.random.default_rng(4))
    balls.step(np.random.default_rng(5))
    dead = balls.exploded.copy()
    assert balls.respawn_exploded(np.random.default_rng(6)) == dead.sum() > 0
    assert not balls.exploded.any() and (balls.velocity[:, dead] == 0).all()


def test_trail_keeps_the_last_thousand_points_with_their_temperatures():
    settings = BallSettings(surface="complex", temperature=2.0, schedule="exponential")
    balls = Balls(settings, 3, np.random.default_rng(7), tracked=1)
    rng = np.random.default_rng(8)
    for _ in range(TRAIL_LENGTH + 249):
        balls.step(rng)
    trail = balls.trail()
    assert trail.x.shape == trail.temperature.shape == (TRAIL_LENGTH,)
    assert trail.x[-1] == balls.x[1] and trail.z[-1] == balls.z[1]
    assert trail.loss[-1] == pytest.approx(balls.losses()[1])
    # the newest point arrived with step t = 1248, the oldest kept one with step t = 249
    assert trail.temperature[-1] == pytest.approx(2.0 * math.exp(-0.005 * 1248))
    assert trail.temperature[0] == pytest.approx(2.0 * math.exp(-0.005 * 249))
    log = balls.last_log
    assert log.step == TRAIL_LENGTH + 249 and log.x == balls.x[1] and log.temperature == trail.temperature[-1]


def test_log_entry_holds_the_gradient_that_drove_the_step():
    balls = Balls.at(BallSettings(surface="complex", optimizer="sgd"), [1.0, 2.0], [0.5, 0.0], tracked=0)
    gx, gz = get_surface("complex").gradient(1.0, 0.5)
    balls.step(np.random.default_rng(0))
    log = balls.last_log
    assert (log.step, log.gx, log.gz) == (1, gx, gz)
    assert (log.x, log.z) == (1.0 - 0.01 * gx, 0.5 - 0.01 * gz)
    assert log.loss == get_surface("complex").loss(log.x, log.z)
    assert len(balls.trail().x) == 2  # the start and one step


# ── ensemble views ───────────────────────────────────────────────────────────────────────────────────────

def test_basin_counts_split_balls_three_ways():
    surface = get_surface("complex")
    (x1, z1), (x2, z2) = surface.global_minima
    x = np.array([x1, x2, x1 + np.pi, x1, x1])  # both global minima, two other pits, an exploded ball
    z = np.array([z1, z2, z1, z1, 8.0])
    exploded = np.array([False, False, False, True, False])  # (the exploded one sits on a global minimum)
    counts = count_basins(surface, x, z, exploded)
    assert (counts.in_global_basin, counts.elsewhere, counts.exploded) == (2, 2, 1)


def test_boltzmann_height_density_on_the_bowl_is_exponential():
    # Under exp(-L/T) on the plane, L = 0.1 r² is exponential with mean T: density e^(-L/T) / T.
    surface, temperature = get_surface("bowl"), 0.7
    edges = np.linspace(0.0, 3.0, 16)
    samples = np.random.default_rng(9).exponential(temperature, 1_000_000)
    ensemble, boltzmann = height_histogram(surface, samples, temperature, edges)
    exact = (np.exp(-edges[:-1] / temperature) - np.exp(-edges[1:] / temperature)) / np.diff(edges)
    # the grid's cells are counted whole by their centre height: ~3% aliasing per bin at the default 601²
    np.testing.assert_allclose(boltzmann, exact, rtol=0.04)
    np.testing.assert_allclose(ensemble, exact, rtol=0.05)  # 1e6 samples: the last bin holds ~4,600 of them
    wide = np.linspace(0.0, 80.0, 401)  # covering every height on the domain: all the mass is there
    assert np.sum(height_histogram(surface, samples, temperature, wide)[1] * np.diff(wide)) == pytest.approx(1.0)


def test_boltzmann_at_zero_temperature_is_all_at_the_minimum():
    surface = get_surface("complex")
    edges = np.linspace(-1.0, 2.0, 7)
    _, boltzmann = height_histogram(surface, np.array([0.0]), 0.0, edges)
    assert boltzmann[0] * 0.5 == 1.0 and boltzmann[1:].sum() == 0  # L* = -0.706 lies in [-1, -0.5)
