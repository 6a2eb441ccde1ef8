"""The from-scratch network and everything that trains it. NumPy + numba only; never imports pygame."""
from network.mlp import MLP, ForwardTrace, cross_entropy, softmax
from network.optim import OPTIMIZERS, Optimizer, make_optimizer
from network.train import BACKENDS, EVENT_KINDS, SampleView, Snapshot, TrainConfig, Trainer

__all__ = ["BACKENDS", "EVENT_KINDS", "MLP", "OPTIMIZERS", "ForwardTrace", "Optimizer", "SampleView", "Snapshot",
           "TrainConfig", "Trainer", "cross_entropy", "make_optimizer", "softmax"]
