"""The Network exhibit's state: a live trainer, the forward → backward phase cycle, particles, sparkles.

Everything shown comes from the trainer's real snapshots: the shown sample's forward trace and
deltas, the weights, the curves. `update(dt)` advances training on the injected clock and spawns
particles from the real signals; drawing lives in view.py and never changes this state.
"""
from __future__ import annotations

import math

import numpy as np

from data.drawing import normalise_drawing
from data.seeding import rng_for
from data.taught import taught_from_image
from illumination.core.draw.colour import smoothstep
from illumination.core.draw.particles import ParticlePool
from illumination.core.scene import Scene
from illumination.exhibits.network import flows
from illumination.exhibits.network.live_math import MATH_HOLD_SECONDS
from illumination.exhibits.network.teaching import DEFAULT_TEACH_LIMIT, Teaching
from illumination.exhibits.network.trainer import make_trainer

GRID_SAMPLES = 20
SHARPNESS_EVERY_S = 1.0      # under noise, the sharpness meter is measured this often (about 8 ms of work each: bench sharpness)
SHARPNESS_STEPS_PER_UPDATE = 8   # Hessian-vector products per update (about 1.5 ms): a measurement spans 5 updates
SPARKLE_CAPACITY = 256
RESTART_AFTER_DIVERGENCE_S = 4.0


class NetworkScene(Scene):
    name = "network"
    #: a visitor's own 8x8 drawing as the network sees it (read-only (64,) float64 of 0/1, normalised) shown instead
    #: of the test samples, or None; `drawn` is the drawing as the visitor made it
    drawing: np.ndarray | None = None
    drawn: np.ndarray | None = None

    def __init__(self, settings):
        super().__init__(settings)
        self.time = 0.0              # seconds of clock time this scene has lived (drives rotations)
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Start a fresh run of the current settings (optionally another seed): data, weights, training."""
        super().reset(seed)          # a new run number: the view rebuilds its tiles and caches for the new data
        s = self.settings
        self.trainer = make_trainer(s)
        self.data = self.trainer.data
        self.teaching = Teaching(self.data, s.taught)
        self.rng = rng_for(s.seed, "particles")
        self.particles = ParticlePool()
        self.sparkles = np.zeros((SPARKLE_CAPACITY, 5))  # neuron layer, neuron index, angle, age, life
        self.sparkles[:, 4] = 0.0
        self._steps_due = 0.0
        self.phase = "forward"
        self.phase_t = 0.0
        self.cycles = 0
        self.shown_index = 0
        self.diverged_for = None     # seconds since a divergence, or None
        self.message = ""
        # Live math: which step is up (of which phase's steps), paced to be read; its numbers are the shown sample's.
        from lab.sharpness import SharpnessMeter
        self.sharpness_meter = SharpnessMeter(rng_for(s.seed, "sharpness"), SHARPNESS_EVERY_S,
                                              SHARPNESS_STEPS_PER_UPDATE)
        self.math_steps = {"forward": 0, "backward": 0}     # the step each pass is at
        self._math_held = {"forward": 0.0, "backward": 0.0}  # how long each pass's step has been on screen
        self.trainer.subscribe("diverged", self._on_diverged)
        if self.log_sink is not None:
            self._log_run()
        if self.metrics_sink is not None:
            self._stream_run()
        self._show(0)
        self.grid_probs = self.trainer.net.predict_proba(self.data.X_test[:GRID_SAMPLES])

    def attach_log(self, sink) -> None:
        super().attach_log(sink)
        if sink is not None:
            self._log_run()

    def attach_metrics(self, publish) -> None:
        super().attach_metrics(publish)
        if publish is not None:
            self._stream_run()

    def _stream_run(self) -> None:
        from lab.epoch_metrics import EpochMetrics
        EpochMetrics(self.trainer, self.metrics_sink, self.settings.seed)

    def _log_run(self) -> None:
        from network.trainlog import TrainingLog
        TrainingLog(self.trainer, self.log_sink, self.settings.seed)

    def apply_settings(self, settings) -> None:
        """Live changes (learning rate, batch size, visuals); a new seed, data size or net size restarts the run."""
        old, self.settings = self.settings, settings
        restart = ("seed", "samples", "hidden_size", "hidden_layers", "optimizer", "noise_mode", "noise_magnitude",
                   "schedule", "taught")    # the noise is part of the run: a new one starts it again, reproducibly
        if any(getattr(old, key) != getattr(settings, key) for key in restart):
            self.reset()
            return
        self.trainer.set_lr(settings.learning_rate)
        self.trainer.set_batch_size(settings.batch_size)
        self.trainer.set_max_epochs(settings.max_epochs)
        self.trainer.set_early_stop(settings.early_stop)     # off after a stop: it trains on
        if not settings.show_particles:
            self.particles.clear()

    # -- what the view reads -----------------------------------------------------------------------
    @property
    def snapshot(self):
        """The latest finite snapshot (weights, the shown sample's trace and deltas, metrics)."""
        return self._snapshot

    @property
    def finished(self) -> bool:
        return self.trainer.finished and not self.trainer.diverged

    @property
    def ended(self) -> bool:
        return self.trainer.finished

    def position(self) -> float:
        return self.trainer.epoch

    def run_seconds(self) -> float:
        return self.settings.max_epochs / self.settings.speed

    @property
    def phase_seconds(self) -> float:
        """How long one phase lasts: faster training, faster rhythm (about 0.9 s at the default 3 epochs/s)."""
        s = self.settings
        # Never under 0.45 s: at 300 epochs/s the run races, but the passes keep a rhythm the eye can follow.
        return min(max(1.6 / math.sqrt(max(s.speed, 0.01)) * 1.5 / s.flow_speed, 0.45), 6.0)

    @property
    def progress(self) -> float:
        return min(self.phase_t / self.phase_seconds, 1.0)

    def status(self) -> dict:
        t = self.trainer
        return {"seed": self.settings.seed, "epoch": t.epoch, "step": t.step_count, "loss": t.last_loss,
                "train_accuracy": t.train_accuracy, "test_accuracy": t.test_accuracy,
                "finished": self.finished, "diverged": t.diverged, "dead": t.dead, "divergences": self.divergences}

    def caption(self) -> str:
        accuracy = self.trainer.test_accuracy
        if math.isfinite(accuracy) and not self.trainer.diverged:
            return f"seed {self.settings.seed}   ·   test accuracy {accuracy:.1%}"
        return f"seed {self.settings.seed}"

    def diagnostics(self) -> list[str]:
        from illumination.exhibits.network.diagnostics import diagnose, format_diagnostics
        self.last_diagnostics = diagnose(self.trainer, self.settings.seed)
        return format_diagnostics(self.last_diagnostics)

    def provoke_divergence(self) -> bool:
        self.trainer.set_lr(1e6)     # a real divergence: the loss runs away and the run restarts itself
        return True

    def benchmark_figures(self) -> dict:
        return {"epochs_trained": self.trainer.epoch, "particles_at_end": self.particles.count}

    def drawing_verdict(self) -> tuple[str, str] | None:
        """What the live network says of the visitor's drawing: (verdict, detail), or None with no drawing. When
        what the visitor drew is farther from every training shape than 95% of the test shapes are, the detail says
        it is unlike anything the network learned (and that it judges it centred and small); otherwise it names the
        learned shape nearest to what the network sees."""
        if self.drawing is None:
            return None
        from data.drawing import nearest_distance
        from data.shapes import CLASS_NAMES
        probs = np.asarray(self._snapshot.sample.probs)
        k = int(probs.argmax())
        verdict = f"It's a {CLASS_NAMES[k]}, {probs[k] * 100:.0f}% sure"
        drawn_distance = nearest_distance(self.drawn, self.data.X_train)
        if drawn_distance > self.familiar_distance():
            return verdict, (f"unlike anything it learned ({drawn_distance} pixels from the nearest shape): "
                             "it judges it centred and 4 pixels across")
        seen = np.asarray(self.drawing, dtype=np.float64).reshape(64) > 0.5
        taught = [t for t in self.teaching.samples if np.array_equal(t.image > 0.5, seen)]
        if taught:          # it has been taught this very picture: that, not a 0-pixel neighbour, is the reason
            return verdict, f"you taught it this shape, as a {taught[-1].label}"
        index, distance = self.nearest_training_shape()
        return verdict, (f"nearest learned shape: a {CLASS_NAMES[int(self.teaching.base.y_train[index])]}, "
                         f"{distance} pixel{'s' if distance != 1 else ''} away")

    def familiar_distance(self) -> int:
        """Pixels from the nearest training shape that 95% of this run's test shapes stay within (data/drawing.py)."""
        if getattr(self, "_familiar", None) is None or self._familiar[0] is not self.data:
            from data.drawing import familiar_distance
            self._familiar = (self.data, familiar_distance(self.data.X_train, self.data.X_test))
        return self._familiar[1]

    def nearest_training_shape(self) -> tuple[int, int]:
        """(index, pixels that differ) of the seed's own training image (taught shapes aside) closest to the
        drawing the network sees: why the network says what it says."""
        drawing = np.asarray(self.drawing, dtype=np.float64).reshape(64) > 0.5
        differences = np.count_nonzero((self.teaching.base.X_train > 0.5) != drawing, axis=1)     # (n,)
        index = int(np.argmin(differences))
        return index, int(differences[index])

    # -- update ------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        dt = max(0.0, float(dt))
        self.time += dt
        if self.diverged_for is not None:
            self.diverged_for += dt
            self.particles.advance(dt)
            if self.diverged_for >= RESTART_AFTER_DIVERGENCE_S:
                self.reset(seed=(self.settings.seed + 1) % 2**32)
                self.mark("restarted")
            return
        if not self.paused:
            self._train(dt)
            if self.diverged_for is not None:
                return
            self.note_trained()
            self._advance_phase(dt)
            self._pace_math(dt)
            self._measure_sharpness(dt)
            if self.settings.show_particles:
                self._spawn_particles(dt)
        self.particles.advance(0.0 if self.paused else dt)
        flows.age_sparkles(self.sparkles, 0.0 if self.paused else dt)

    def step_once(self) -> str | None:
        """One minibatch while paused (the Step action)."""
        t = self.trainer
        if t.stopped_early:
            return "Stopped early (validation loss stopped improving): turn Early stop off to train on."
        if t.finished:
            return "Training has finished: raise Max epochs to go on, or Reset."
        snapshot = self.trainer.step()
        if snapshot is not None and self.diverged_for is None:
            self._take(snapshot)
        return None

    def _train(self, dt: float) -> None:
        t = self.trainer
        if t.finished:
            return
        per_second = self.settings.speed * t.steps_per_epoch
        self._steps_due += per_second * dt
        # Cap the catch-up after a stall: a tenth of a second's worth at this speed, and at least 4 epochs.
        steps = min(int(self._steps_due), int(per_second * 0.1) + 4 * t.steps_per_epoch + 8)
        self._steps_due -= int(self._steps_due)
        while steps > 0 and not t.finished:
            if t.step_in_epoch == 0 and steps >= t.steps_per_epoch:
                # A whole epoch in one numba call (the same compiled step: bit-identical weights); at 300
                # epochs/s a frame trains several.
                steps -= t.steps_per_epoch
                t.run_epoch()
            else:
                steps -= 1
                t.step(want_snapshot=False)
        if not t.diverged and t.step_count != self._snapshot.step:
            self._take(t.snapshot())

    def _take(self, snapshot) -> None:
        self._snapshot = snapshot
        self.data = self.trainer.data          # grows when a visitor teaches
        self.teaching.observe(self.trainer)
        self.grid_probs = self.trainer.net.predict_proba(self.data.X_test[:GRID_SAMPLES])

    def _show(self, index: int) -> None:
        self.shown_index = index % min(GRID_SAMPLES, len(self.data.y_test))
        if self.drawing is not None:
            # The trainer's sample view needs a label; a drawing has none, so it gets the network's own
            # verdict (refreshed every cycle). Only its forward trace (x, z1, h1, z2, probs) is shown.
            verdict = int(np.argmax(self.trainer.net.predict_proba(self.drawing)[0]))
            self.trainer.show_sample(self.drawing, verdict)
            self._snapshot = self.trainer.snapshot()
            return
        self.trainer.show_sample(self.data.X_test[self.shown_index], int(self.data.y_test[self.shown_index]))
        self._snapshot = self.trainer.snapshot()

    def _on_diverged(self, snapshot) -> None:
        self.divergences += 1
        self.diverged_for = 0.0
        what = ("Every hidden neuron went silent" if self.trainer.dead
                else f"The loss ran away at epoch {snapshot.epoch} ({snapshot.message})")
        self.message = f"{what}. Starting again with seed {(self.settings.seed + 1) % 2**32} …"

    @property
    def noisy(self) -> bool:
        return self.trainer.noise.spec.active

    @property
    def sharpness(self):
        """network/sharpness.Sharpness of recent weights, measured under noise (None before the first)."""
        return self.sharpness_meter.value

    def _measure_sharpness(self, dt: float) -> None:
        if not self.noisy or self.trainer.finished and self.sharpness is not None:
            self.sharpness_meter.pause()
            return
        self.sharpness_meter.update(dt, self.trainer)

    @property
    def math_phase(self) -> str:
        """The pass the live math explains: always the pass on screen (the header's title and the particles)."""
        return self.phase

    @property
    def math_index(self) -> int:
        """The step of that pass the live math shows."""
        return self.math_steps[self.phase]

    def _pace_math(self, dt: float) -> None:
        """A step moves on once it has been on screen MATH_HOLD_SECONDS in all. A phase shorter than that shows
        the same step again the next time its pass comes round, so the math never leaves its pass."""
        self._math_held[self.phase] += dt
        if self._math_held[self.phase] < MATH_HOLD_SECONDS:
            return
        self._math_held[self.phase] = 0.0
        self.math_steps[self.phase] += 1

    def _advance_phase(self, dt: float) -> None:
        self.phase_t += dt
        if self.phase_t < self.phase_seconds:
            return
        self.phase_t = 0.0
        if self.phase == "forward" and not self.trainer.finished and self.drawing is None:
            self.phase = "backward"
            flows.spawn_sparkles(self.sparkles, self.rng, self._snapshot.sample)
        else:
            # A new cycle shows the next sample of the prediction grid, with the current weights.
            # A drawing has no label (teaching adds a copy to the training data): it only flows forward.
            self.phase = "forward"
            self.cycles += 1
            self._show(self.shown_index + (self.drawing is None))

    # -- particles and sparkles (flows.py decides what is born; the random numbers are drawn in update) --
    SPAWN_WINDOWS = flows.SPAWN_WINDOWS

    def connection_signals(self) -> list[np.ndarray]:
        """The shown sample's per-connection signal for the current phase (see flows.connection_signals)."""
        return flows.connection_signals(self._snapshot, self.phase)

    def _spawn_particles(self, dt: float) -> None:
        if self.trainer.finished and self.phase == "backward":
            return
        flows.spawn_particles(self.particles, self.rng, self.connection_signals(), self.phase, self.progress,
                              flow=self.settings.flow_speed / 1.5, travel=max(self.phase_seconds * 0.45, 0.15),
                              dt=dt)

    def show_drawing(self, x: np.ndarray | None) -> None:
        """Show a visitor's drawing (64 values in [0, 1], row-major 8x8) flowing forward through the live network
        instead of the test samples; None goes back to them. The network sees it normalised (data/drawing.py:
        centred, 4 px across, like the shapes it learned): `drawn` is what the visitor drew, `drawing` what the
        network sees. It enters the training data only when taught (teach); its forward trace follows the
        weights as they learn."""
        if x is None:
            if self.drawing is not None:
                self.drawing = self.drawn = None
                self._show(self.shown_index)
            return
        x = np.asarray(x, dtype=np.float64)
        if x.size != 64 or not np.all(np.isfinite(x)):
            raise ValueError(f"a drawing is 64 finite values (8x8), got shape {x.shape}")
        drawn = (x.reshape(64) >= 0.5).astype(np.float64)
        drawing = normalise_drawing(drawn)
        drawn.setflags(write=False)
        drawing.setflags(write=False)
        self.drawn, self.drawing = drawn, drawing
        if self.phase == "backward":  # there is no gradient to show for a drawing: start a forward pass
            self.phase, self.phase_t = "forward", 0.0
        self._show(self.shown_index)

    def teach(self, label: int, limit: int = DEFAULT_TEACH_LIMIT):
        """Add the drawing the network sees, with the visitor's label (0 circle, 1 square), to the training data
        from the next epoch; the run trains on. Returns the TaughtSample, or None (no drawing, or a diverged run)."""
        if self.drawing is None or not self.drawing.any() or self.diverged_for is not None:
            return None
        sample = taught_from_image(self.drawing, int(label))
        self.teaching.add(sample, self.trainer, limit)
        if self.log_sink is not None:       # the training log says so, in a form a scene file replays
            self.log_sink({"event": "taught", "seed": self.settings.seed, "epoch": self.trainer.epoch,
                           "label": sample.label, "pixels": sample.pixels,
                           "taught_samples": len(self.teaching.samples)})
        return sample

    def layer_reveal(self) -> tuple[float, ...]:
        """How far the forward signal has reached each layer after the inputs: (hidden, [hidden 2,] output),
        1 = fully lit."""
        deep = self._snapshot.sample.z2 is not None
        if self.phase == "backward":
            return (1.0, 1.0, 1.0) if deep else (1.0, 1.0)
        p = self.progress
        if deep:
            return (0.35 + 0.65 * smoothstep(0.2, 0.4, p), 0.35 + 0.65 * smoothstep(0.45, 0.65, p),
                    0.35 + 0.65 * smoothstep(0.7, 0.9, p))
        return 0.35 + 0.65 * smoothstep(0.25, 0.55, p), 0.35 + 0.65 * smoothstep(0.6, 0.9, p)

    def gradient_reveal(self) -> tuple[float, ...]:
        """How far the backward signal has reached each layer, from the outputs back: (output, [hidden 2,] hidden)."""
        deep = self._snapshot.sample.z2 is not None
        if self.phase != "backward":
            return (0.0, 0.0, 0.0) if deep else (0.0, 0.0)
        p = self.progress
        if deep:
            return smoothstep(0.0, 0.2, p), smoothstep(0.25, 0.45, p), smoothstep(0.45, 0.65, p)
        return smoothstep(0.0, 0.25, p), smoothstep(0.35, 0.65, p)
