"""What the metric stream reports after every epoch of a run: typed step_metrics events (lab/stream.py).

    {"type": "step_metrics", "step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
     "grad_norm", "learning_rate", "optimizer", "noise", "schedule", "noise_level",
     ["hessian_trace", "hessian_trace_se", "hessian_top_eigenvalue", "hessian_min_eigenvalue" every `sharpness_every`
     epochs]}

train_loss is the epoch's mean minibatch loss (before each update), grad_norm the last minibatch's gradient norm
over all parameters, noise_level the noise's magnitude under its schedule at that update. Headless.
"""
from __future__ import annotations

import math
from typing import Callable

from data.seeding import rng_for
from lab.stream import step_metrics


class EpochMetrics:
    """Subscribe to a trainer: publish(event) after each of its epochs."""

    def __init__(self, trainer, publish: Callable[[dict], None], seed: int, sharpness_every: int = 0):
        self.trainer, self.publish, self.sharpness_every = trainer, publish, int(sharpness_every)
        self._rng = rng_for(seed, "sharpness")
        trainer.subscribe("epoch", self._on_epoch)

    def event(self, snapshot) -> dict:
        t = self.trainer
        norms = t.last_grad_norms
        values = dict(train_loss=snapshot.loss, test_loss=t.test_loss, train_accuracy=t.train_accuracy,
                      test_accuracy=t.test_accuracy, grad_norm=math.sqrt(sum(v * v for v in norms.values())),
                      learning_rate=t.lr, optimizer=t.config.optimizer, noise=t.noise.spec.label,
                      schedule=t.noise.spec.schedule, noise_level=t.noise_level)
        if self.sharpness_every and snapshot.epoch % self.sharpness_every == 0:
            from lab.sharpness import measure
            sharp = measure(t.net, t.data.X_train[:t.n_train], t.data.y_train[:t.n_train], self._rng)
            values.update(sharp.fields())
        return step_metrics(snapshot.step, snapshot.epoch, **values)

    def _on_epoch(self, snapshot) -> None:
        self.publish(self.event(snapshot))
