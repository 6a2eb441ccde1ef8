"""Shapes a visitor taught the network: a drawing with the label they gave it, added to a run's training data.

In a scene file (a contract: kiosk logs print taught samples in this form, and any command replays them):
    taught = [{label = "square", pixels = "0000000000111100…"}, …]
`pixels` is the 8x8 drawing row by row, 64 characters of 0 and 1. Taught samples go first in the training set, each
TAUGHT_COPIES times, so the early stop's validation split (the last sixth) never holds one out. Pure data: no pygame.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from data.shapes import CLASS_NAMES, N_PIXELS, Dataset

MAX_TAUGHT = 64        # a scene file holds at most this many (a kiosk keeps far fewer: its playlist's teach_limit)
# A taught shape counts as this many training samples. One among 240 hardly moves the network: 10 networks taught one
# disc (as one sample) still called discs squares 9 times in 10 after 30 more epochs; as 8 samples, discs of every
# size 3-7 px were right in all 10 (tests/exhibits/network/test_teach.py holds the claim).
TAUGHT_COPIES = 8


class TaughtSample(NamedTuple):
    label: str     # "circle" or "square" (CLASS_NAMES)
    pixels: str    # 64 characters of 0/1, row by row

    @property
    def image(self) -> np.ndarray:
        """(64,) float64 of 0/1."""
        return np.frombuffer(self.pixels.encode("ascii"), dtype=np.uint8).astype(np.float64) - ord("0")

    @property
    def label_index(self) -> int:
        return CLASS_NAMES.index(self.label)

    def to_toml(self) -> str:
        return f'{{label = "{self.label}", pixels = "{self.pixels}"}}'


def taught_from_image(image, label: str | int) -> TaughtSample:
    """A taught sample from a drawing (64 values or 8x8, lit where >= 0.5) and a label (name or index)."""
    name = CLASS_NAMES[label] if isinstance(label, (int, np.integer)) else label
    lit = np.asarray(image, dtype=np.float64).reshape(N_PIXELS) >= 0.5
    return parse_taught([{"label": name, "pixels": "".join("1" if on else "0" for on in lit)}])[0]


def parse_taught(value) -> tuple[TaughtSample, ...]:
    """The scene key's value (a list of {label, pixels} tables, or TaughtSamples) as TaughtSamples; ValueError with
    one line naming the entry and what is wrong with it."""
    if isinstance(value, TaughtSample):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f'must be a list like [{{label = "square", pixels = "0101…"}}], got {type(value).__name__}')
    if len(value) > MAX_TAUGHT:
        raise ValueError(f"holds {len(value)} samples; at most {MAX_TAUGHT}")
    samples = []
    for number, entry in enumerate(value, start=1):
        if isinstance(entry, TaughtSample):
            entry = entry._asdict()
        if not isinstance(entry, dict):
            raise ValueError(f"entry {number} must be a table {{label = …, pixels = …}}, got {type(entry).__name__}")
        unknown = sorted(set(entry) - {"label", "pixels"})
        if unknown:
            raise ValueError(f"entry {number}: unknown key {unknown[0]!r} (known keys: label, pixels)")
        label, pixels = entry.get("label"), entry.get("pixels")
        if label not in CLASS_NAMES:
            raise ValueError(f"entry {number}: label must be one of {', '.join(CLASS_NAMES)}, got {label!r}")
        if not isinstance(pixels, str) or len(pixels) != N_PIXELS or set(pixels) - {"0", "1"}:
            got = f"{len(pixels)} characters" if isinstance(pixels, str) else type(pixels).__name__
            raise ValueError(f"entry {number}: pixels must be {N_PIXELS} characters of 0 and 1 (8 rows of 8), "
                             f"got {got}" + (" with other characters" if isinstance(pixels, str)
                                             and len(pixels) == N_PIXELS else ""))
        samples.append(TaughtSample(label, pixels))
    return tuple(samples)


def with_taught(data: Dataset, taught, copies: int = TAUGHT_COPIES) -> Dataset:
    """The data set with each taught sample, `copies` times over, first in its training set (the test set is never
    touched): (k · copies + n, 64), sample by sample."""
    if not taught:
        return data
    X = np.repeat(np.stack([sample.image for sample in taught]), copies, axis=0)      # (k · copies, 64)
    y = np.repeat(np.array([sample.label_index for sample in taught], dtype=np.int64), copies)
    return Dataset(np.concatenate((X, data.X_train)), np.concatenate((y, data.y_train)), data.X_test, data.y_test)
