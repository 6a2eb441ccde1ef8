"""The Landscape exhibit's state: balls rolling on a loss surface under learning rate, momentum, noise and
temperature (the physics is physics/descent.py), a trail and data log of the first ball, and the histories the
plots read. `update(dt)` steps the balls at `speed` steps per second of the clock and draws every random number;
the view only reads. A ball that leaves the surface (or goes non-finite) is counted as exploded, shown as such,
and starts again from a fresh random point: no crash, no NaN.

The `view` setting picks what runs: "3d" and "map" show the same balls on the plane; "valley" holds them on
the line z = z* through the deepest point (seed 002's one-dimensional lesson); "network" trains the real
MLP instead and measures the loss around it (probe.py). The camera (camera.py) is the visitor's viewpoint:
pointer input changes it, a reset keeps it.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from data.seeding import rng_for
from illumination.core.scene import Scene
from illumination.exhibits.landscape.camera import Camera
from physics.descent import Balls, BallSettings, counts_of, in_deepest_basin

HISTORY = 2000              # steps of loss and temperature the plots keep
EXPLODED_NOTICE_S = 2.0     # how long "exploded" stays on screen
MAX_STEPS_PER_UPDATE = 400  # catch-up cap after a stall
RESTART_AFTER_DIVERGENCE_S = 4.0    # the network view: how long "the loss ran away" shows before the next seed
PLUCK_SPACING_S = 0.3       # balls crossing the deepest basin's rim are heard as plucks, at most one this often


class LandscapeScene(Scene):
    name = "landscape"

    def __init__(self, settings):
        super().__init__(settings)
        self.time = 0.0
        self.camera = Camera()
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        super().reset(seed)
        s = self.settings
        self.rng = rng_for(s.seed, "landscape")         # starts, noise and respawns: one stream of this run
        line_z = None
        if s.view == "valley":
            line_z = self._valley_line(s)
        self.balls = Balls(self.ball_settings(), s.balls, self.rng, tracked=0, line_z=line_z)
        self.probe = None
        if s.view == "network":
            from illumination.exhibits.landscape.probe import NetworkProbe
            self.probe = NetworkProbe(s.seed, s.learning_rate, "path" if s.composition == "gallery" else "random")
        self._due = 0.0
        self.diverged_for: float | None = None          # the network view: seconds since its training diverged
        self.explosions = 0
        self.exploded_for: float | None = None          # seconds since the last explosion was shown
        self.loss_history = np.full(HISTORY, np.nan)    # (HISTORY,) ring of the tracked ball's loss
        # Crossings of the deepest basin's rim (the sound's plucks): who was inside at the last look (N,) bool,
        # balls that left ("out") or came in ("in") since the last pluck, and the last plucks (number, scene
        # time, "out"/"in", balls) at most one every PLUCK_SPACING_S
        self._inside: np.ndarray | None = None
        self._crossed = {"out": 0, "in": 0}
        self.plucks: deque = deque(maxlen=8)
        self.pluck_count = 0
        self._note_crossings()                          # the first look: who starts inside
        self.temperature_history = np.full(HISTORY, np.nan)
        self._record()

    @staticmethod
    def _valley_line(settings) -> float:
        from data.surfaces import get_surface
        return get_surface(settings.surface).global_minimum[1]

    def ball_settings(self) -> BallSettings:
        s = self.settings
        return BallSettings(surface=s.surface, optimizer=s.optimizer, learning_rate=s.learning_rate,
                            momentum=s.momentum, noise_mode=s.noise_mode, temperature=s.temperature,
                            schedule=s.schedule, noise=s.noise)

    def apply_settings(self, settings) -> None:
        """Learning rate, momentum, noise and schedule change live; a new seed, surface, ball count or
        optimizer (whose buffers mean something else) starts the balls afresh, and so does a move into or out
        of the valley or the network view (other physics). 3d ↔ map keeps the run: same balls, seen anew."""
        old, self.settings = self.settings, settings
        kind = {"3d": "plane", "map": "plane"}
        if ((old.seed, old.surface, old.balls, old.optimizer, kind.get(old.view, old.view))
                != (settings.seed, settings.surface, settings.balls, settings.optimizer,
                    kind.get(settings.view, settings.view))):
            self.reset()
        else:
            self.balls.settings = self.ball_settings()
            if self.probe is not None:
                self.probe.set_learning_rate(settings.learning_rate)
                plane = "path" if settings.composition == "gallery" else "random"
                if plane != self.probe.plane:       # the gallery draws the path's plane, explain a random one
                    self.probe.plane = plane
                    self.probe.measure()

    # -- what the modes and the view read -----------------------------------------------------------
    @property
    def surface(self):
        return self.balls.surface

    @property
    def finished(self) -> bool:
        return self.position() >= self.settings.max_steps

    def position(self) -> float:
        """Steps so far: the balls' steps, or the network's minibatch steps in the network view."""
        return self.probe.trainer.step_count if self.probe is not None else self.balls.step_count

    def run_seconds(self) -> float:
        return self.settings.max_steps / self.settings.speed

    def basin_counts(self):
        """The balls' basin counts, counted once per step (10,000 balls cost ~1 ms; the gallery's words read them
        every frame): remembered until the balls step, respawn or the run restarts."""
        if getattr(self, "_counts_key", None) != self._counts_now():
            self._counts_key, self._counts = self._counts_now(), self.balls.basin_counts()
        return self._counts

    def _counts_now(self) -> tuple:
        """What the basin counts depend on: the run, its balls, their step and their respawns."""
        return self.run, id(self.balls), self.balls.step_count, self.explosions

    def _note_crossings(self) -> None:
        """After the balls moved: which crossed the deepest basin's rim, out or in, since the last look (one
        basin test of every ball, which also gives this step's basin counts)."""
        balls = self.balls
        inside = in_deepest_basin(balls.surface, balls.x, balls.z, balls.exploded)          # (N,)
        self._counts_key, self._counts = self._counts_now(), counts_of(inside, balls.exploded)
        if self._inside is not None and self._inside.shape == inside.shape:
            self._crossed["out"] += int(np.count_nonzero(self._inside & ~inside))
            self._crossed["in"] += int(np.count_nonzero(~self._inside & inside))
        self._inside = inside
        crossed = self._crossed["out"] + self._crossed["in"]
        if crossed and (not self.plucks or self.time - self.plucks[-1][1] >= PLUCK_SPACING_S):
            kind = "out" if self._crossed["out"] >= self._crossed["in"] else "in"
            self.pluck_count += 1
            self.plucks.append((self.pluck_count, self.time, kind, crossed))
            self._crossed = {"out": 0, "in": 0}

    def status(self) -> dict:
        counts = self.basin_counts()
        log = self.balls.last_log
        if self.probe is not None:
            trainer = self.probe.trainer
            return {"seed": self.settings.seed, "step": trainer.step_count, "view": "network", "epoch": trainer.epoch,
                    "loss": self.probe.centre_loss, "train_accuracy": trainer.train_accuracy,
                    "test_accuracy": trainer.test_accuracy, "finished": self.finished}
        return {"seed": self.settings.seed, "step": self.balls.step_count, "surface": self.settings.surface,
                "balls": self.balls.count, "in_global_basin": counts.in_global_basin,
                "temperature": self.balls.noise_level, "loss": None if log is None else log.loss,
                "explosions": self.explosions, "finished": self.finished}

    def caption(self) -> str:
        if self.probe is not None:
            trainer = self.probe.trainer
            return (f"seed {self.settings.seed}   ·   the real network's landscape   ·   epoch {trainer.epoch}, "
                    f"training loss {self.probe.centre_loss:.3f}")
        counts = self.basin_counts()
        where = (f"{counts.in_global_basin:,} of {self.balls.count:,} balls in the deepest basin"
                 if self.balls.count > 1 else
                 ("the ball found the deepest basin" if counts.in_global_basin else "the ball rests in a side valley"))
        return f"seed {self.settings.seed}   ·   {self.surface.display_name}   ·   {where}"

    def benchmark_figures(self) -> dict:
        return {"steps": self.balls.step_count, "balls": self.balls.count}

    # -- update ---------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        dt = max(0.0, float(dt))
        self.time += dt
        if self.exploded_for is not None:
            self.exploded_for += dt
            if self.exploded_for >= EXPLODED_NOTICE_S:
                self.exploded_for = None
                self.message = ""
        if self.diverged_for is not None:
            # A diverged network cannot train on (its steps are no-ops: the run would never reach its end), so as
            # the Network exhibit does, the message shows a while and the run starts again with the next seed.
            self.diverged_for += dt
            if self.diverged_for >= RESTART_AFTER_DIVERGENCE_S:
                self.message = ""
                self.reset(seed=(self.settings.seed + 1) % 2**32)
                self.mark("restarted")
            return
        if self.paused or self.finished:
            return
        self._due += self.settings.speed * dt
        steps = min(int(self._due), MAX_STEPS_PER_UPDATE, self.settings.max_steps - int(self.position()))
        self._due -= int(self._due)
        if self.probe is not None:
            # the real network: many minibatches a frame at high speed, but one measurement of its landscape
            ended = [self.probe.step(measure=False) for _ in range(steps)]
            if any(ended):
                self.probe.measure()
            self._check_probe()
            self.note_trained()
            return
        for _ in range(steps):
            self._step()
        if steps:
            self._note_crossings()
        self.note_trained()

    def drop_ball(self, x: float, z: float) -> str:
        """A visitor's touch: ball 1 (the one with the trail) is put down at rest at (x, z) and rolls from there;
        returns what happened, in words."""
        self.balls.drop(x, z)
        self.mark("dropped")
        self._note_crossings()
        return f"ball 1 dropped at ({x:.2f}, {z:.2f}), height {float(self.surface.loss(x, z)):.3g}"

    def step_once(self) -> str | None:
        if self.finished:
            return "The run has reached its last step: Reset, or raise Max steps, to go on."
        self._step()
        return None

    def _step(self) -> None:
        if self.probe is not None:
            self.probe.step()
            self._check_probe()
            return
        self.balls.step(self.rng)
        if self.balls.exploded.any():
            count = self.balls.respawn_exploded(self.rng)
            self.explosions += count
            self.exploded_for = 0.0
            self.message = (f"{count} ball{'s' if count > 1 else ''} exploded (left the surface) and "
                            f"started again" if self.balls.count > 1 else "The ball exploded (left the surface) "
                            "and starts again from a new random point")
        self._record()

    def _check_probe(self) -> None:
        if self.probe.diverged and self.diverged_for is None:
            self.divergences += 1
            self.diverged_for = 0.0
            what = ("Every hidden neuron went silent" if self.probe.trainer.dead
                    else "The network's loss ran away")
            self.message = (f"{what} at this learning rate (lower it). Starting again with seed "
                            f"{(self.settings.seed + 1) % 2**32} …")

    def _record(self) -> None:
        log = self.balls.last_log
        slot = self.balls.step_count % HISTORY
        loss = float(self.surface.loss(*self.balls.position[:, 0])) if log is None else log.loss
        self.loss_history[slot] = loss if math.isfinite(loss) else np.nan
        self.temperature_history[slot] = self.balls.noise_level

    def history(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, losses, temperatures) of the tracked ball, oldest first, each (K,) with K ≤ HISTORY."""
        n = self.balls.step_count + 1
        steps = np.arange(max(0, n - HISTORY), n)
        return steps, self.loss_history[steps % HISTORY], self.temperature_history[steps % HISTORY]
