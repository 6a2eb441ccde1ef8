"""Many balls rolling down a 2D loss surface at once, with noise: the physics of the Landscape exhibit.

State is a handful of (2, N) arrays — row 0 is x, row 1 is z — so a step costs the same few NumPy calls for
1 ball or 10,000. One step of every ball:

  1. g = ∇L(x, z) from the surface's analytic gradient.
  2. Uniform mode (the 3D simulator's noise, kept faithfully): g ← g + n(t)·U(-1, 1) per component, a uniform
     kick of magnitude n(t) = noise · schedule(t) added to the gradient before the optimizer sees it. Its
     variance n²/3 per component makes sgd and momentum behave like Langevin at T_eq = η n² / (6(1-β)):
     with the simulator's η = 0.01 and β = 0.8, the top of its noise slider (n = 5) is only T_eq ≈ 0.21.
  3. The optimizer (network/optim.py's registry, its `roll`) turns g into a displacement Δ; in Langevin mode Gaussian noise ξ ~ N(0, I) enters at
     temperature T(t) = T0 · schedule(t), placed so that the stationary density is ∝ exp(-L / T):
       sgd       Δ = -η g + √(2ηT) ξ                                   (overdamped Langevin, exactly)
       momentum  u ← βu - η g + √(2(1-β)ηT) ξ;  Δ = u                   (u is the simulator's velocity: the
                 position change per step. Heavy-ball moves η/(1-β) per unit gradient, so the kick is scaled
                 by √(1-β) — friction-matched noise as in stochastic-gradient Hamiltonian Monte Carlo; β = 0
                 gives the sgd line.)
       rmsprop   s ← ρs + (1-ρ) g²;  P = 1/(√s + ε);  Δ = -η P g + √(2ηT P) ξ
       adam      m ← β1 m + (1-β1) g;  s ← β2 s + (1-β2) g²;  bias-corrected m̂, ŝ;  P = 1/(√ŝ + ε);
                 Δ = -η P m̂ + √(2ηT P) ξ
                 (preconditioned Langevin: the noise goes into the position update, shaped by the same P, and
                 never into the moment estimates. The correction term for a P that follows the ball's own
                 gradients is neglected, so the law is only roughly Boltzmann: on the bowl at T = 0.5 the
                 ensemble's Var(x) settles near 2.8 for adam and 3.6 for rmsprop instead of 2.5. A ball
                 whose gradients have all been exactly 0 has P = 1/ε and explodes at its first warm step.)
     β is the `momentum` setting (adam's β1); ρ, β2 and ε are the optimizer class's own (RMSprop.rho = 0.99,
     Adam.beta2 = 0.999, eps = 1e-8), the same the network trains with.
  4. x ← x + Δ, unless the result is non-finite or outside the domain: then the ball is marked `exploded` and
     frozen where it was (its last in-domain position, optimizer buffers zeroed). Frozen balls never move
     again (until `respawn_exploded`), so the state never holds NaN or inf; callers count them.

Random numbers come only from the Generator handed to `step` / the constructor; no noise is drawn while the
noise level is 0.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from data.surfaces import SURFACES, Surface, get_surface
from network.optim import ROLLING
from network.schedules import SCHEDULES, schedule_value

NOISE_MODES = ("langevin", "uniform")
MAX_BALLS = 100_000
TRAIL_LENGTH = 1000
START_BOX = (-10.0, 10.0)  # the simulator's random start square, intersected with the surface's domain


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


@dataclass(frozen=True)
class BallSettings:
    surface: str = "complex"
    optimizer: str = "momentum"
    learning_rate: float = 0.01   # η; the exhibit's slider spans 0.001–0.1, any value > 0 is accepted
    momentum: float = 0.8         # β in [0, 1): heavy-ball momentum, adam's β1; unused by sgd and rmsprop
    noise_mode: str = "langevin"
    temperature: float = 0.0      # T0 ≥ 0, Langevin mode
    schedule: str = "constant"    # name in network.schedules.SCHEDULES
    noise: float = 0.0            # uniform-kick magnitude ≥ 0, uniform mode

    def __post_init__(self):
        problems = []
        if self.surface not in SURFACES:
            problems.append(f"surface: unknown {self.surface!r}, choose one of {', '.join(SURFACES)}")
        if self.optimizer not in ROLLING:
            problems.append(f"optimizer: unknown {self.optimizer!r}, choose one of {', '.join(ROLLING)}")
        if self.noise_mode not in NOISE_MODES:
            problems.append(f"noise_mode: unknown {self.noise_mode!r}, choose one of {', '.join(NOISE_MODES)}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule: unknown {self.schedule!r}, choose one of {', '.join(SCHEDULES)}")
        if not (_is_number(self.learning_rate) and self.learning_rate > 0):
            problems.append(f"learning_rate: must be a finite number > 0, got {self.learning_rate!r}")
        if not (_is_number(self.momentum) and 0 <= self.momentum < 1):
            problems.append(f"momentum: must be in [0, 1), got {self.momentum!r}")
        for field in ("temperature", "noise"):
            value = getattr(self, field)
            if not (_is_number(value) and value >= 0):
                problems.append(f"{field}: must be a finite number >= 0, got {value!r}")
        if problems:
            raise ValueError("; ".join(problems))

    def noise_level(self, step) -> float:
        """T(step) in Langevin mode, the kick magnitude n(step) in uniform mode."""
        base = self.temperature if self.noise_mode == "langevin" else self.noise
        return base * schedule_value(self.schedule, step) if base > 0 else 0.0


def check_ball_count(count) -> int:
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= MAX_BALLS:
        raise ValueError(f"ball count must be an integer from 1 to {MAX_BALLS:,}, got {count!r}")
    return int(count)


def random_starts(surface: Surface, count: int, rng: np.random.Generator) -> np.ndarray:
    """(2, count) positions uniform in START_BOX² ∩ the surface's drop square (its start_half_width about the
    domain's centre, clear of the edges) ∩ the domain."""
    centre = (surface.lo + surface.hi) / 2
    low = max(START_BOX[0], surface.lo, centre - surface.start_half_width)
    high = min(START_BOX[1], surface.hi, centre + surface.start_half_width)
    return rng.uniform(low, high, size=(2, count))


@dataclass(frozen=True)
class Trail:
    """The tracked ball's recent path, oldest first, up to TRAIL_LENGTH points; each array has shape (n,)."""
    x: np.ndarray
    z: np.ndarray
    loss: np.ndarray
    temperature: np.ndarray  # the noise level of the step that arrived there (T in Langevin mode, n in uniform)


@dataclass(frozen=True)
class LogEntry:
    """The tracked ball after `step` steps: position and loss after the move; gradient at where it moved from."""
    step: int
    x: float
    z: float
    loss: float
    gx: float           # ∇L before any noise: the simulator's "Grad [gx, gz]"
    gz: float
    temperature: float  # noise level used by that step (T in Langevin mode, n in uniform mode)


@dataclass(frozen=True)
class BasinCounts:
    in_global_basin: int
    elsewhere: int
    exploded: int


class Balls:
    """N balls on one surface: position (2, N), optimizer buffers (2, N), exploded (N,), one tracked ball."""

    def __init__(self, settings: BallSettings, count: int, rng: np.random.Generator, tracked: int | None = 0,
                 line_z: float | None = None):
        self.settings = settings
        self.surface = get_surface(settings.surface)
        self.optimizer = ROLLING[settings.optimizer]
        # line_z: hold every ball on the line z = line_z (a 1D valley: the z part of each move is dropped)
        self.line_z = None if line_z is None else float(line_z)
        self._reset_state(self._starts(check_ball_count(count), rng), tracked)

    def _starts(self, count: int, rng: np.random.Generator) -> np.ndarray:
        starts = random_starts(self.surface, count, rng)
        if self.line_z is not None:
            starts[1] = self.line_z
        return starts

    @classmethod
    def at(cls, settings: BallSettings, x, z, tracked: int | None = 0) -> "Balls":
        """Balls starting at given positions x (N,), z (N,) instead of random ones."""
        balls = cls.__new__(cls)
        balls.settings, balls.surface, balls.line_z = settings, get_surface(settings.surface), None
        balls.optimizer = ROLLING[settings.optimizer]
        position = np.array([np.atleast_1d(x), np.atleast_1d(z)], dtype=np.float64)
        check_ball_count(position.shape[1])
        if not np.all(balls.surface.in_domain(position[0], position[1])):
            raise ValueError(f"start positions must lie in the domain [{balls.surface.lo}, {balls.surface.hi}]²")
        balls._reset_state(position, tracked)
        return balls

    def _reset_state(self, position: np.ndarray, tracked: int | None):
        count = position.shape[1]
        if tracked is not None and not 0 <= tracked < count:
            raise ValueError(f"tracked ball must be in [0, {count}), got {tracked}")
        self.position = position                      # (2, N) row 0 x, row 1 z
        self.velocity = np.zeros_like(position)       # (2, N) momentum's u / adam's first moment m
        self.square_average = np.zeros_like(position)  # (2, N) rmsprop's / adam's second moment s
        self.first_decay_power = np.ones(count)       # (N,) β^k after k steps since (re)start: adam's bias
        self.second_decay_power = np.ones(count)      # (N,) β2^k                               correction
        self.exploded = np.zeros(count, dtype=bool)   # (N,)
        self.step_count = 0
        self.tracked = tracked
        self._trail = np.empty((4, TRAIL_LENGTH))     # rows x, z, loss, temperature; a ring buffer
        self._trail_size = self._trail_next = 0
        self.last_log: LogEntry | None = None
        if tracked is not None:
            x, z = self.position[:, tracked]
            self._remember(x, z, self.settings.noise_level(0))

    @property
    def count(self) -> int:
        return self.position.shape[1]

    @property
    def x(self) -> np.ndarray:
        return self.position[0]

    @property
    def z(self) -> np.ndarray:
        return self.position[1]

    @property
    def noise_level(self) -> float:
        """The noise level the next step will use."""
        return self.settings.noise_level(self.step_count)

    def losses(self) -> np.ndarray:
        """(N,) L at every ball, exploded ones included (they are frozen inside the domain, so finite)."""
        return self.surface.loss(self.position[0], self.position[1])

    def step(self, rng: np.random.Generator) -> None:
        settings = self.settings
        level = self.noise_level
        gx, gz = self.surface.gradient(self.position[0], self.position[1])
        gradient = np.stack((gx, gz))                                          # (2, N)
        drive = gradient
        if settings.noise_mode == "uniform" and level > 0:
            drive = gradient + level * rng.uniform(-1.0, 1.0, size=gradient.shape)
        temperature = level if settings.noise_mode == "langevin" else 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            displacement, velocity, square_average = self._optimizer_step(drive, temperature, rng)
            if self.line_z is not None:  # on a line: only x moves, and only x keeps a memory
                displacement[1] = velocity[1] = square_average[1] = 0.0
            proposed = self.position + displacement
        moving = ~self.exploded & self.surface.in_domain(proposed[0], proposed[1])  # (N,); NaN is never inside
        if moving.all():  # the usual case: no masking needed
            self.position, self.velocity, self.square_average = proposed, velocity, square_average
        else:
            self.exploded |= ~moving
            self.position = np.where(moving, proposed, self.position)
            self.velocity = np.where(moving, velocity, 0.0)
            self.square_average = np.where(moving, square_average, 0.0)
        if self.optimizer.bias_corrected:
            self.first_decay_power = np.where(moving, self.first_decay_power * settings.momentum, 1.0)
            self.second_decay_power = np.where(moving, self.second_decay_power * self.optimizer.beta2, 1.0)
        self.step_count += 1
        if self.tracked is not None:
            i = self.tracked
            x, z = self.position[:, i]
            loss = self._remember(x, z, level)
            self.last_log = LogEntry(self.step_count, float(x), float(z), loss, float(gx[i]), float(gz[i]), level)

    def _optimizer_step(self, g: np.ndarray, temperature: float, rng: np.random.Generator):
        """(displacement, new velocity, new square average), each (2, N), for gradient g (2, N)."""
        kick = rng.standard_normal(g.shape) if temperature > 0 else None      # ξ (2, N)
        return self.optimizer.roll(g, self.settings.learning_rate, self.settings.momentum, temperature, kick,
                                   self.velocity, self.square_average, self.first_decay_power,
                                   self.second_decay_power)

    def _remember(self, x: float, z: float, level: float) -> float:
        loss = float(self.surface.loss(x, z))
        self._trail[:, self._trail_next] = (x, z, loss, level)
        self._trail_next = (self._trail_next + 1) % TRAIL_LENGTH
        self._trail_size = min(self._trail_size + 1, TRAIL_LENGTH)
        return loss

    def trail(self) -> Trail:
        if self._trail_size < TRAIL_LENGTH:
            rows = self._trail[:, :self._trail_size].copy()
        else:
            rows = np.roll(self._trail, -self._trail_next, axis=1)
        return Trail(*rows)

    def drop(self, x: float, z: float) -> None:
        """Put the tracked ball at (x, z), at rest (its optimizer buffers emptied, as a fresh start), and start its
        trail there: a visitor's touch. On a line (a valley) the ball stays on it."""
        if self.tracked is None:
            raise ValueError("these balls track no ball to drop")
        z = self.line_z if self.line_z is not None else z
        if not (self.surface.in_domain(x, z) and np.isfinite(x) and np.isfinite(z)):
            raise ValueError(f"a ball must be dropped inside the domain [{self.surface.lo}, {self.surface.hi}]², "
                             f"got ({x}, {z})")
        i = self.tracked
        self.position[:, i] = (x, z)
        self.velocity[:, i] = self.square_average[:, i] = 0.0
        self.first_decay_power[i] = self.second_decay_power[i] = 1.0
        self.exploded[i] = False
        self._trail_size = self._trail_next = 0
        self._remember(float(x), float(z), self.noise_level)

    def respawn_exploded(self, rng: np.random.Generator) -> int:
        """Give every exploded ball a fresh random start and empty buffers; returns how many."""
        dead = np.flatnonzero(self.exploded)
        if dead.size:
            self.position[:, dead] = self._starts(dead.size, rng)
            self.velocity[:, dead] = 0.0
            self.square_average[:, dead] = 0.0
            self.first_decay_power[dead] = 1.0
            self.second_decay_power[dead] = 1.0
            self.exploded[dead] = False
        return int(dead.size)

    def basin_counts(self) -> BasinCounts:
        return count_basins(self.surface, self.position[0], self.position[1], self.exploded)


def count_basins(surface: Surface, x: np.ndarray, z: np.ndarray, exploded: np.ndarray) -> BasinCounts:
    """Balls (N,) in the global minimum's basin, elsewhere, and exploded (never counted in a basin)."""
    return counts_of(in_deepest_basin(surface, x, z, exploded), exploded)


def in_deepest_basin(surface: Surface, x: np.ndarray, z: np.ndarray, exploded: np.ndarray) -> np.ndarray:
    """(N,) bool: which balls lie in the global minimum's basin (an exploded ball lies in none)."""
    return surface.in_global_basin(x, z) & ~exploded


def counts_of(in_basin: np.ndarray, exploded: np.ndarray) -> BasinCounts:
    """The basin counts of balls whose basin membership (N,) and explosions (N,) are known."""
    n_exploded = int(np.count_nonzero(exploded))
    n_in_basin = int(np.count_nonzero(in_basin))
    return BasinCounts(n_in_basin, len(exploded) - n_exploded - n_in_basin, n_exploded)


@functools.lru_cache(maxsize=16)
def _sorted_cell_heights(surface: Surface, resolution: int) -> np.ndarray:
    """(R²,) L at the centres of an R x R grid of equal cells covering the domain, in increasing order."""
    cell = (surface.hi - surface.lo) / resolution
    axis = surface.lo + cell * (np.arange(resolution) + 0.5)
    heights = np.sort(surface.loss(axis[None, :], axis[:, None]), axis=None)
    heights.setflags(write=False)
    return heights


def height_histogram(surface: Surface, heights: np.ndarray, temperature: float, bin_edges: np.ndarray,
                     grid_resolution: int = 601) -> tuple[np.ndarray, np.ndarray]:
    """Densities over height bins (B,) for increasing bin_edges (B+1,): the balls' heights (N,), and Boltzmann's.

    Both are probability densities of L (mass per unit height; mass outside the bins is dropped, not
    renormalised). The Boltzmann reference is the density of L(x, z) when (x, z) has density ∝ exp(-L / T) on
    the domain: exp(-L / T) on a grid of equal cells, each cell's weight binned by its centre height (cached per
    surface, ~10 ms a call at 601²; on the bowl each bin is within ~3% of the exact law). At T = 0 all the
    mass is at L*. Pass the heights of live balls only (exploded ones are frozen where they left).
    """
    bin_edges = np.asarray(bin_edges, dtype=np.float64)
    widths = np.diff(bin_edges)
    heights = np.asarray(heights, dtype=np.float64).ravel()
    counts, _ = np.histogram(heights, bins=bin_edges)
    ensemble = counts / (max(heights.size, 1) * widths)
    if temperature > 0:
        grid = _sorted_cell_heights(surface, grid_resolution)
        cumulative = np.concatenate([[0.0], np.cumsum(np.exp(-(grid - grid[0]) / temperature))])  # (R² + 1,)
        mass_below = cumulative[np.searchsorted(grid, bin_edges)]                                 # (B+1,)
        boltzmann = np.diff(mass_below) / (cumulative[-1] * widths)
    else:
        mass, _ = np.histogram([surface.global_minimum[2]], bins=bin_edges)
        boltzmann = mass / widths
    return ensemble, boltzmann
