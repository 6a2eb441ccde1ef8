"""One seed, many independent streams.

A run's integer seed names a `numpy.random.SeedSequence`; every consumer (data, initial weights,
minibatch order, particles, noise …) takes its own child stream by a fixed purpose number. Streams
never share state, so adding a new consumer never changes what the others draw — and nothing is
ever seeded globally.
"""
from __future__ import annotations

import numpy as np

# Purpose numbers are part of the reproducibility contract: never renumber, only append.
STREAMS = {
    "train_data": 0,
    "test_data": 1,
    "init": 2,
    "batches": 3,
    "particles": 4,
    "noise": 5,
    "landscape": 6,
    "landscape_directions": 7,  # the real network's loss plane (exhibits/landscape/probe.py)
    "sharpness": 8,             # Hutchinson probes and the Lanczos start (lab/sharpness.py)
    "eval_data": 9,             # the lab's large held-out evaluation set (data/shapes.make_eval_set)
    "quantize": 10,             # dither draws of quantized inference (lab/quantize.py)
    "trajectory": 11,           # the sharpness checks along a sweep run (lab/trajectory.py)
    "bootstrap": 12,            # the resamples of a lab summary's intervals (lab/stats.py)
    "soak_visitors": 13,        # the kiosk soak's simulated visitors (illumination/modes/kiosk/visitors.py)
}


def rng_for(seed: int, purpose: str) -> np.random.Generator:
    """The generator for one purpose of one run: the child `STREAMS[purpose]` of SeedSequence(seed)."""
    if purpose not in STREAMS:
        raise KeyError(f"unknown random stream {purpose!r}; known: {', '.join(STREAMS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    sequence = np.random.SeedSequence(int(seed), spawn_key=(STREAMS[purpose],))
    return np.random.Generator(np.random.PCG64(sequence))
