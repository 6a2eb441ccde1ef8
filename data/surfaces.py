"""Analytic 2D loss surfaces L(x, z) for the Landscape exhibit: pure functions, no randomness.

Every surface is vectorised: `loss(x, z)` and `gradient(x, z)` take arrays of any one shape and return arrays of
that shape, and the gradient is the exact analytic derivative (tests check it against finite differences).
A surface lives on a square domain [lo, hi]²; balls that leave it are the caller's business (see
physics/descent.py).

The global basin. `in_global_basin(x, z)` answers: does the T = 0 gradient flow dx/dt = -∇L(x) started here
end at a global minimum? It is computed, not guessed:
  * For surfaces whose only stationary point is the global minimum (bowl, rosenbrock), every point flows there:
    the basin is the whole plane (restricted to the domain).
  * For the others it is computed once on a fine grid (BASIN_RESOLUTION² cells over the domain): each cell
    points a short way down the flow (see `flow_pointers`: the exact flow direction followed for a few cells,
    or the lowest neighbour near a minimum; always strictly downhill), the pointers are followed to their end,
    and a cell is in the global basin when it ends where the cell of a global minimum ends. For separable
    surfaces L = f(x) + g(z) (complex, rastrigin, saddle) x and z flow independently, so this is the product
    of two 1D basins up to a cell; elsewhere it matches real small-step gradient descent except within a few
    cells of the basin's edge (tests measure the agreement). Lookups use the nearest cell; points outside the
    domain or non-finite are never in the basin.

Surfaces and sources: "bowl" and "complex" are the 3D gradient-descent simulator's two landscapes on
[-20, 20]²; "rosenbrock", "rastrigin", "ackley" and "neural" are the thermodynamics notebook's, on its
[-3, 3]² view; "saddle" and "plateau" are ours (a mountain pass between two unequal valleys, and a nearly
flat green with a hidden hole).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

BASIN_RESOLUTION = 601  # cells per side of the basin grid: 1/15 apart on [-20, 20], 0.01 on [-3, 3]
TRACE_CELLS = 6        # each cell's pointer follows the flow this many cells ...
TRACE_SUBSTEPS = 4     # ... in this many straight steps

ArrayFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradientFunction = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Surface:
    name: str
    display_name: str
    formula: str
    description: str
    lo: float                       # the domain is the square [lo, hi]²
    hi: float
    loss_function: ArrayFunction    # (x, z) of one shape -> L of that shape
    gradient_function: GradientFunction  # (x, z) -> (dL/dx, dL/dz), each of that shape
    global_minima: tuple[tuple[float, float], ...]  # every point (x*, z*) where L is lowest (symmetric copies)
    unique_stationary_point: bool = False  # True: the minimum is L's only stationary point, so all flows end there
    # Defaults that make sense on this surface (measured: tests/data/test_surface_defaults.py): a learning rate at
    # which cold balls (momentum 0.8) descend without leaving the domain, the hottest temperature at which at most
    # 1% of them wander off it in 1,500 steps, and the half-width of the square balls are dropped in (centred on
    # the domain), kept clear of the edges where a ball would roll straight out.
    learning_rate: float = 0.01
    temperature_max: float = 4.0
    start_half_width: float = 10.0

    def loss(self, x, z) -> np.ndarray:
        return self.loss_function(np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64))

    def gradient(self, x, z) -> tuple[np.ndarray, np.ndarray]:
        return self.gradient_function(np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64))

    @property
    def global_minimum(self) -> tuple[float, float, float]:
        """(x*, z*, L*) of the first listed global minimum; the others (if any) have the same L*."""
        x_star, z_star = self.global_minima[0]
        return x_star, z_star, float(self.loss(x_star, z_star))

    def in_domain(self, x, z) -> np.ndarray:
        """Bool array: finite and inside [lo, hi]² (the edges count as inside)."""
        x, z = np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64)
        return (x >= self.lo) & (x <= self.hi) & (z >= self.lo) & (z <= self.hi)  # NaN compares False

    def height_grid(self, resolution: int = 201) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs (R,), zs (R,) spanning the domain edge to edge, heights (R, R) with heights[i, j] = L(xs[j], zs[i])."""
        axis = np.linspace(self.lo, self.hi, resolution)
        return axis, axis.copy(), self.loss(axis[None, :], axis[:, None])

    def in_global_basin(self, x, z) -> np.ndarray:
        """Bool array of the shape of x: does T = 0 gradient flow from (x, z) end at a global minimum?"""
        x, z = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64))
        inside = self.in_domain(x, z)
        if self.unique_stationary_point:
            return inside
        basin = _global_basin_cells(self)  # (R, R) bool, [row = z cell, column = x cell]
        scale = (BASIN_RESOLUTION - 1) / (self.hi - self.lo)
        column = np.rint((np.where(inside, x, self.lo) - self.lo) * scale).astype(np.intp)
        row = np.rint((np.where(inside, z, self.lo) - self.lo) * scale).astype(np.intp)
        return inside & basin[row, column]


def steepest_neighbour_pointers(heights: np.ndarray) -> np.ndarray:
    """For a (R, C) height grid, (R, C) flat indices: each cell's strictly lowest of 8 neighbours, else itself."""
    rows, columns = heights.shape
    padded = np.pad(heights, 1, constant_values=np.inf)  # (R+2, C+2): the outside is never lower
    best_height = heights.copy()
    flat = np.arange(rows * columns).reshape(rows, columns)
    pointer = flat.copy()
    for d_row in (-1, 0, 1):
        for d_column in (-1, 0, 1):
            if d_row == 0 and d_column == 0:
                continue
            neighbour = padded[1 + d_row: 1 + d_row + rows, 1 + d_column: 1 + d_column + columns]
            lower = neighbour < best_height
            best_height = np.where(lower, neighbour, best_height)
            pointer = np.where(lower, flat + d_row * columns + d_column, pointer)
    return pointer


def follow_pointers(pointer: np.ndarray) -> np.ndarray:
    """Where each chain of pointers ends, by doubling (pointer <- pointer[pointer]); the chains must not cycle."""
    shape, pointer = pointer.shape, pointer.ravel()
    while True:
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            return pointer.reshape(shape)
        pointer = jumped


def flow_pointers(surface: "Surface", resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Heights (R, R) of the basin grid and each cell's pointer (R, R) one short stretch down the gradient flow.

    From each cell centre the flow line is traced for TRACE_CELLS cells of arc length in TRACE_SUBSTEPS Euler
    steps along -∇L/|∇L| and snapped to the nearest cell; only the end is rounded, so the 45° bias of
    neighbour-to-neighbour descent does not build up along long flow lines. A traced target is used only if it
    is strictly lower than the cell; otherwise (near a minimum, or where ∇L = 0) the cell points to its lowest
    neighbour if that is strictly lower, else to itself. Every pointer goes strictly downhill: no cycles.
    """
    xs, zs, heights = surface.height_grid(resolution)
    cell = xs[1] - xs[0]
    x, z = np.broadcast_arrays(xs[None, :], zs[:, None])
    x, z = x.copy(), z.copy()
    step = TRACE_CELLS * cell / TRACE_SUBSTEPS
    for _ in range(TRACE_SUBSTEPS):
        gx, gz = surface.gradient(x, z)
        norm = np.hypot(gx, gz)
        scale = np.divide(step, norm, out=np.zeros_like(norm), where=norm > 0)
        x -= scale * gx
        z -= scale * gz
    column = np.clip(np.rint((x - surface.lo) / cell), 0, resolution - 1).astype(np.intp)
    row = np.clip(np.rint((z - surface.lo) / cell), 0, resolution - 1).astype(np.intp)
    traced = row * resolution + column
    pointer = np.where(heights.ravel()[traced] < heights, traced, steepest_neighbour_pointers(heights))
    return heights, pointer


@functools.lru_cache(maxsize=16)      # the registry's surfaces (8) and a few registered later: bounded for a kiosk
def _global_basin_cells(surface: Surface) -> np.ndarray:
    """(R, R) bool flow basin of the surface's global minima on the BASIN_RESOLUTION grid (built once, ~0.2 s)."""
    _, pointer = flow_pointers(surface, BASIN_RESOLUTION)
    sinks = follow_pointers(pointer)
    scale = (BASIN_RESOLUTION - 1) / (surface.hi - surface.lo)
    global_sinks = [sinks[round((z - surface.lo) * scale), round((x - surface.lo) * scale)]
                    for x, z in surface.global_minima]
    basin = np.isin(sinks, global_sinks)
    basin.setflags(write=False)
    return basin


# ── the surfaces ──────────────────────────────────────────────────────────────────────────────────────────

def _bowl(x, z):
    return 0.1 * (x * x + z * z)


def _bowl_gradient(x, z):
    return 0.2 * x, 0.2 * z


def _complex(x, z):
    return np.sin(2 * x) + np.cos(2 * z) + 0.1 * (x * x + z * z) + 1.0


def _complex_gradient(x, z):
    return 2 * np.cos(2 * x) + 0.2 * x, -2 * np.sin(2 * z) + 0.2 * z


def _rosenbrock(x, z):
    return (1 - x) ** 2 + 100 * (z - x * x) ** 2


def _rosenbrock_gradient(x, z):
    valley = z - x * x
    return -2 * (1 - x) - 400 * x * valley, 200 * valley


RASTRIGIN_A = 10.0


def _rastrigin(x, z):
    return 2 * RASTRIGIN_A + x * x - RASTRIGIN_A * np.cos(2 * np.pi * x) + z * z - RASTRIGIN_A * np.cos(2 * np.pi * z)


def _rastrigin_gradient(x, z):
    return (2 * x + 2 * np.pi * RASTRIGIN_A * np.sin(2 * np.pi * x),
            2 * z + 2 * np.pi * RASTRIGIN_A * np.sin(2 * np.pi * z))


def _ackley(x, z):
    radius = np.sqrt(0.5 * (x * x + z * z))
    ripple = 0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * z))
    return -20 * np.exp(-0.2 * radius) - np.exp(ripple) + np.e + 20


def _ackley_gradient(x, z):
    radius = np.sqrt(0.5 * (x * x + z * z))
    # d/dx of -20 exp(-0.2 r) is 2 x exp(-0.2 r) / r: bounded but undefined at r = 0 (the cusp); we use 0 there.
    cone = np.divide(2 * np.exp(-0.2 * radius), radius, out=np.zeros_like(radius), where=radius > 0)
    ripple = np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * z)))
    return cone * x + np.pi * np.sin(2 * np.pi * x) * ripple, cone * z + np.pi * np.sin(2 * np.pi * z) * ripple


def _neural_bumps(x, z):
    return np.exp(-((x - 1) ** 2 + (z - 0.5) ** 2)), np.exp(-((x + 0.5) ** 2 + (z + 1) ** 2))


def _neural(x, z):
    bump_a, bump_b = _neural_bumps(x, z)
    return 0.5 * (x * x + z * z) + 0.1 * np.sin(5 * x) * np.sin(5 * z) + 0.3 * bump_a + 0.2 * bump_b


def _neural_gradient(x, z):
    bump_a, bump_b = _neural_bumps(x, z)
    return (x + 0.5 * np.cos(5 * x) * np.sin(5 * z) - 0.6 * (x - 1) * bump_a - 0.4 * (x + 0.5) * bump_b,
            z + 0.5 * np.sin(5 * x) * np.cos(5 * z) - 0.6 * (z - 0.5) * bump_a - 0.4 * (z + 1) * bump_b)


SADDLE_TILT = 0.3


def _saddle(x, z):
    return 0.5 * x * x + (z * z - 1) ** 2 + SADDLE_TILT * z


def _saddle_gradient(x, z):
    return x, 4 * z * (z * z - 1) + SADDLE_TILT


PLATEAU_HOLE = (2.5, 2.5)   # centre of the narrow hole
PLATEAU_HOLE_WIDTH_SQUARED = 0.32  # 2σ² for σ = 0.4


def _plateau_parts(x, z):
    dip = np.exp(-(x * x + z * z) / 8)  # the broad shallow dip at the centre (σ = 2)
    hole = np.exp(-((x - PLATEAU_HOLE[0]) ** 2 + (z - PLATEAU_HOLE[1]) ** 2) / PLATEAU_HOLE_WIDTH_SQUARED)
    return dip, hole


def _plateau(x, z):
    dip, hole = _plateau_parts(x, z)
    return 1 + 0.005 * (x * x + z * z) - 0.3 * dip - 1.2 * hole


def _plateau_gradient(x, z):
    dip, hole = _plateau_parts(x, z)
    pull = 2.4 / PLATEAU_HOLE_WIDTH_SQUARED * hole
    return (0.01 * x + 0.075 * x * dip + pull * (x - PLATEAU_HOLE[0]),
            0.01 * z + 0.075 * z * dip + pull * (z - PLATEAU_HOLE[1]))


# Minima found by Newton's method on the analytic gradient (to the last digit), then checked against a dense grid.
_COMPLEX_X, _COMPLEX_Z = -0.747964956635879, 1.495728216700288
_NEURAL_MIN = (-0.2571077109517863, 0.2413054904875455)
_SADDLE_Z = -1.0355787140888537
_PLATEAU_MIN = 2.491395536163614

SURFACES: dict[str, Surface] = {s.name: s for s in (
    Surface("bowl", "Simple bowl", "0.1(x² + z²)",
            "One convex valley: every start rolls to the single minimum at the centre.",
            -20.0, 20.0, _bowl, _bowl_gradient, ((0.0, 0.0),), unique_stationary_point=True),
    Surface("complex", "Complex landscape", "sin 2x + cos 2z + 0.1(x² + z²) + 1",
            "A bowl rippled into many pits; two mirror-image deepest pits near the centre (z → -z symmetry).",
            -20.0, 20.0, _complex, _complex_gradient, ((_COMPLEX_X, _COMPLEX_Z), (_COMPLEX_X, -_COMPLEX_Z))),
    Surface("rosenbrock", "Rosenbrock banana", "(1 - x)² + 100(z - x²)²",
            "A long, narrow, curved valley: easy to fall into, slow to follow to its minimum at (1, 1).",
            -3.0, 3.0, _rosenbrock, _rosenbrock_gradient, ((1.0, 1.0),), unique_stationary_point=True,
            learning_rate=1e-4, temperature_max=0.3, start_half_width=2.5),
    Surface("rastrigin", "Rastrigin egg crate", "20 + x² - 10 cos 2πx + z² - 10 cos 2πz",
            "A regular grid of local minima around the global one at the origin: a trap for cold descent.",
            -3.0, 3.0, _rastrigin, _rastrigin_gradient, ((0.0, 0.0),),
            learning_rate=0.003, temperature_max=1.0, start_half_width=2.5),
    Surface("ackley", "Ackley crater", "-20 exp(-0.2 √(½(x² + z²))) - exp(½(cos 2πx + cos 2πz)) + e + 20",
            "A nearly flat, bumpy plain around one deep, sharp crater at the origin.",
            -3.0, 3.0, _ackley, _ackley_gradient, ((0.0, 0.0),),
            learning_rate=0.01, temperature_max=0.2, start_half_width=2.5),
    Surface("neural", "Neural loss",
            "0.5(x² + z²) + 0.1 sin 5x sin 5z + 0.3 e^-((x-1)² + (z-½)²) + 0.2 e^-((x+½)² + (z+1)²)",
            "A bowl with small ripples and two soft hills: several good-enough minima, one best.",
            -3.0, 3.0, _neural, _neural_gradient, (_NEURAL_MIN,),
            temperature_max=0.2),
    Surface("saddle", "Mountain pass", "0.5x² + (z² - 1)² + 0.3z",
            "Two valleys joined by a saddle near the origin; the lower valley is at z ≈ -1.04.",
            -2.5, 2.5, _saddle, _saddle_gradient, ((0.0, _SADDLE_Z),),
            temperature_max=0.2),
    Surface("plateau", "Plateau and hole",
            "1 + 0.005(x² + z²) - 0.3 e^-(x² + z²)/8 - 1.2 e^-((x-2.5)² + (z-2.5)²)/0.32",
            "A nearly flat green: a broad shallow dip at the centre catches descent; the true minimum is a "
            "narrow hole near (2.5, 2.5).",
            -6.0, 6.0, _plateau, _plateau_gradient, ((_PLATEAU_MIN, _PLATEAU_MIN),),
            temperature_max=0.03, start_half_width=4.0),
)}


def register_surface(surface: Surface) -> Surface:
    """Make a surface available everywhere by its name: the Landscape's settings, menu and CLI read SURFACES."""
    SURFACES[surface.name] = surface
    return surface


def get_surface(name: str) -> Surface:
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; choose one of: {', '.join(SURFACES)}") from None
