"""Procedural data: pure functions of a seed. Never imports pygame."""
from data.seeding import STREAMS, rng_for
from data.shapes import CLASS_NAMES, N_PIXELS, SIDE, Dataset, image_of, make_dataset

__all__ = ["CLASS_NAMES", "N_PIXELS", "SIDE", "STREAMS", "Dataset", "image_of", "make_dataset", "rng_for"]
