"""The escape experiment: reproducible, row-independent, validated, and showing the effect it claims."""
import math

import numpy as np
import pytest

from physics.descent import MAX_BALLS
from lab.escape import escape_table, format_table, schedule_table

SMALL = dict(balls=300, steps=400)


def test_same_seed_gives_a_bit_identical_table():
    first = escape_table(noises=(0, 1), **SMALL)
    second = escape_table(noises=(0, 1), **SMALL)
    assert first == second
    assert [row["noise"] for row in first] == [0.0, 1.0]
    assert set(first[0]) == {"noise", "global_basin_fraction", "global_basin_fraction_of_survivors",
                             "mean_final_loss", "exploded", "boltzmann_basin_mass"}
    assert escape_table(noises=(0, 1), seed=1, **SMALL) != first


@pytest.mark.parametrize("noise_mode", ["langevin", "uniform"])
def test_a_row_does_not_depend_on_the_other_levels_requested(noise_mode):
    alone = escape_table(noises=(2.0,), noise_mode=noise_mode, **SMALL)
    among_others = escape_table(noises=(4.0, 0.0, 2.0), noise_mode=noise_mode, **SMALL)
    assert among_others[2] == alone[0]
    assert among_others[1] == escape_table(noises=(-0.0,), noise_mode=noise_mode, **SMALL)[0]


def test_schedule_rows_are_reproducible_and_independent():
    both = schedule_table(schedules=("exponential", "constant"), **SMALL)
    assert [row["schedule"] for row in both] == ["exponential", "constant"]
    assert schedule_table(schedules=("constant",), **SMALL)[0] == both[1]
    assert schedule_table(schedules=("exponential", "constant"), **SMALL) == both


@pytest.mark.parametrize("arguments", [
    dict(surface="volcano"), dict(schedule="sawtooth"), dict(optimizer="lbfgs"), dict(noise_mode="pink"),
    dict(noises=(0.5, -1.0)), dict(noises=(math.nan,)), dict(balls=0), dict(balls=MAX_BALLS + 1),
    dict(balls=2.5), dict(steps=-1), dict(seed=-3), dict(learning_rate=0.0), dict(momentum=1.0),
])
def test_bad_arguments_are_one_line_value_errors(arguments):
    with pytest.raises(ValueError) as error:
        escape_table(**{**SMALL, **arguments})
    assert str(error.value) and "\n" not in str(error.value)


def test_bad_schedule_table_arguments_are_one_line_value_errors():
    for arguments in (dict(schedules=("constant", "nope")), dict(temperature=-0.1), dict(balls=0)):
        with pytest.raises(ValueError) as error:
            schedule_table(**{**SMALL, **arguments})
        assert "\n" not in str(error.value)


def test_moderate_noise_puts_more_balls_in_the_global_basin_than_none():
    cold, warm, hot = escape_table(noises=(0.0, 0.5, 4.0), balls=400, steps=1500)
    assert cold["global_basin_fraction"] < 0.12          # cold descent stops in the nearest pit ...
    assert warm["global_basin_fraction"] > 0.4           # ... moderate heat finds the deepest one ...
    assert hot["global_basin_fraction"] < warm["global_basin_fraction"] - 0.2  # ... too much heat wanders off
    assert warm["mean_final_loss"] < cold["mean_final_loss"]


def test_exploded_balls_count_as_outside_the_basin():
    row, = escape_table(surface="rosenbrock", optimizer="sgd", learning_rate=0.003, noises=(0.0,), **SMALL)
    assert 0 < row["exploded"] < SMALL["balls"]
    # rosenbrock drains everywhere, so every ball that did not explode is in the basin
    assert row["global_basin_fraction"] == pytest.approx(1 - row["exploded"] / SMALL["balls"])
    assert row["global_basin_fraction_of_survivors"] == 1.0      # ... counted over the survivors alone
    assert math.isfinite(row["mean_final_loss"])


def test_all_exploded_gives_nan_mean_loss():
    row, = escape_table(surface="rosenbrock", optimizer="sgd", learning_rate=10.0, noises=(0.0,), balls=50,
                        steps=5)
    assert row["exploded"] == 50 and row["global_basin_fraction"] == 0 and math.isnan(row["mean_final_loss"])
    assert math.isnan(row["global_basin_fraction_of_survivors"])


def test_format_table_lines_up_columns():
    text = format_table([{"noise": 0.0, "exploded": 3}, {"noise": 0.5, "exploded": 12}])
    lines = text.splitlines()
    assert len(lines) == 3 and len({len(line) for line in lines}) == 1
    assert np.array_equal([line.split()[1] for line in lines[1:]], ["3", "12"])


def test_the_boltzmann_mass_of_the_global_basin():
    from lab.escape import boltzmann_basin_mass
    # The bowl has one basin (all the mass); on complex the mass grows as T falls, towards 1 at T = 0.
    assert boltzmann_basin_mass("bowl", 0.5) == pytest.approx(1.0)
    masses = [boltzmann_basin_mass("complex", t) for t in (4.0, 2.0, 0.5, 0.1)]
    assert masses == sorted(masses) and 0.0 < masses[0] < masses[-1] < 1.0
    # An independent Monte Carlo: exp(−L/T)-weighted uniform points on the domain, 400k of them (sd ~0.002).
    from data.surfaces import get_surface
    surface, rng = get_surface("complex"), np.random.default_rng(0)
    x, z = rng.uniform(surface.lo, surface.hi, (2, 400_000))
    weights = np.exp(-surface.loss(x, z) / 0.5)
    estimate = weights[surface.in_global_basin(x, z)].sum() / weights.sum()
    assert boltzmann_basin_mass("complex", 0.5) == pytest.approx(estimate, abs=0.01)


def test_langevin_balls_approach_the_boltzmann_mass_with_more_steps():
    """2,000 steps at T = 0.5 fall short of the equilibrium mass; 20,000 come closer (the README's caveat)."""
    short, = escape_table(balls=1000, steps=2000, noises=(0.5,))
    long, = escape_table(balls=1000, steps=20000, noises=(0.5,))
    target = short["boltzmann_basin_mass"]
    assert abs(long["global_basin_fraction"] - target) < abs(short["global_basin_fraction"] - target)
