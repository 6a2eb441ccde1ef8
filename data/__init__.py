"""Procedural data: pure functions of a seed. Never imports pygame."""
from data.seeding import STREAMS, rng_for
from data.shapes import CLASS_NAMES, EVAL_SAMPLES, N_PIXELS, SIDE, Dataset, image_of, make_dataset, make_eval_set

__all__ = ["CLASS_NAMES", "EVAL_SAMPLES", "N_PIXELS", "SIDE", "STREAMS", "Dataset", "image_of", "make_dataset",
           "make_eval_set", "rng_for"]
