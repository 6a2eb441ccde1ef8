"""A live run's taught shapes: a visitor's drawing, labelled by them, added to the training data as it trains.

The scene owns one `Teaching`. Each taught sample enters the training set from the next epoch (TAUGHT_COPIES times:
data/taught.py), a finished run trains on for TEACH_EPOCHS more, and after every epoch the network's probability of
each taught label is recorded, so the wall can show a sample's confidence climbing epoch by epoch. At most `limit`
samples are kept (the playlist's teach_limit): the oldest leaves, and the network trains without it from then on.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from data.shapes import Dataset
from data.taught import TAUGHT_COPIES, TaughtSample, with_taught

TEACH_EPOCHS = 60            # epochs a run trains on after a visitor teaches it (a finished run resumes)
DEFAULT_TEACH_LIMIT = 8      # taught samples kept at once
HISTORY_EPOCHS = 400         # confidence points kept per taught sample


class Teaching:
    def __init__(self, data: Dataset, taught: tuple[TaughtSample, ...]):
        """data: the run's data set, with `taught` (the scene file's) already in it, TAUGHT_COPIES each."""
        skip = len(taught) * TAUGHT_COPIES
        self.base = Dataset(data.X_train[skip:], data.y_train[skip:], data.X_test, data.y_test)   # the seed's own
        self.samples: list[TaughtSample] = list(taught)
        self.history: list[deque] = [deque(maxlen=HISTORY_EPOCHS) for _ in taught]    # (epoch, probability) each
        self.taught_count = 0        # samples taught live, this run
        self._epoch: int | None = None

    def add(self, sample: TaughtSample, trainer, limit: int = DEFAULT_TEACH_LIMIT) -> None:
        self.samples.append(sample)
        self.history.append(deque(maxlen=HISTORY_EPOCHS))
        self.taught_count += 1
        drop = len(self.samples) - max(1, limit)
        if drop > 0:
            del self.samples[:drop], self.history[:drop]
        trainer.replace_training_data(with_taught(self.base, self.samples))
        trainer.train_on(TEACH_EPOCHS)
        self._epoch = None
        self.observe(trainer)

    def observe(self, trainer) -> None:
        """One confidence point per taught sample and epoch (call after training; cheap when nothing changed)."""
        if not self.samples or trainer.epoch == self._epoch or trainer.diverged:
            return
        self._epoch = trainer.epoch
        probabilities = trainer.net.predict_proba(np.stack([sample.image for sample in self.samples]))   # (k, 2)
        for sample, history, p in zip(self.samples, self.history, probabilities):
            history.append((trainer.epoch, float(p[sample.label_index])))

    def confidence(self) -> list[float | None]:
        """The latest probability of each taught sample's label (None before its first point)."""
        return [history[-1][1] if history else None for history in self.history]
