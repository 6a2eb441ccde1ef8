"""The from-scratch network and everything that trains it. NumPy + numba only; never imports pygame.

The names below load on first use (PEP 562), so a settings check does not pay for
numba's import (~0.4 s) before a window has even opened."""
from importlib import import_module

_HOMES = {"MLP": "network.mlp", "ForwardTrace": "network.mlp", "cross_entropy": "network.mlp",
          "softmax": "network.mlp", "OPTIMIZERS": "network.optim", "Optimizer": "network.optim",
          "make_optimizer": "network.optim", "BACKENDS": "network.train", "EVENT_KINDS": "network.train",
          "SampleView": "network.snapshots", "Snapshot": "network.snapshots", "TrainConfig": "network.train",
          "Trainer": "network.train"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'network' has no attribute {name!r}")
