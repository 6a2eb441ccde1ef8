"""What a Trainer hands out: frozen snapshots of the run (weights, the shown sample's forward trace and deltas,
metrics), per-layer gradient norms, and the bounded per-epoch history. NumPy only."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from network.mlp import MLP, ForwardTrace


def frozen(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, dtype=np.float64, copy=True)
    copy.setflags(write=False)
    return copy


@dataclass(frozen=True)
class SampleView:
    """The forward trace and the backward deltas of the one sample being shown (arrays are read-only)."""
    x: np.ndarray       # (64,)
    label: int
    z1: np.ndarray      # (H,) first hidden layer
    h1: np.ndarray      # (H,)
    logits: np.ndarray  # (2,)
    probs: np.ndarray   # (2,)
    loss: float         # this sample's cross-entropy
    dlogits: np.ndarray  # (2,) dL/dlogits = p - onehot(label)
    dz1: np.ndarray     # (H,) dL/dz1 through the chain rule
    z2: np.ndarray | None = None    # (H,) second hidden layer (None with one hidden layer)
    h2: np.ndarray | None = None
    dz2: np.ndarray | None = None

    @property
    def hidden_layers(self) -> int:
        return 1 if self.z2 is None else 2


@dataclass(frozen=True)
class Snapshot:
    kind: str                 # one of train.EVENT_KINDS
    epoch: int                # completed epochs
    step: int                 # updates so far in the whole run
    step_in_epoch: int        # updates so far in the current epoch
    steps_per_epoch: int
    batch_size: int
    lr: float
    loss: float               # the last batch's loss ("step") or the epoch's mean loss
    train_accuracy: float     # at the last epoch boundary (nan before the first evaluation)
    test_accuracy: float
    test_loss: float
    grad_norms: dict          # {"hidden": ‖(∂W1, ∂b1)‖, ("hidden2": ‖(∂W2, ∂b2)‖,) "output": ‖last (∂W, ∂b)‖}
    weights: dict             # read-only copies of W1, b1, W2, b2 (, W3, b3)
    sample: SampleView | None
    message: str = ""


def sample_view(net: MLP, x: np.ndarray, label: int) -> SampleView:
    trace: ForwardTrace = net.forward(x[None, :])
    _, dlogits, deltas = net.backward(trace, np.array([label]))
    probs = trace.probs[0]
    loss = -math.log(max(float(probs[label]), 1e-300))
    second = {}
    if trace.z2 is not None:
        second = {"z2": frozen(trace.z2[0]), "h2": frozen(trace.h2[0]), "dz2": frozen(deltas[1][0])}
    return SampleView(frozen(x), int(label), frozen(trace.z1[0]), frozen(trace.h1[0]), frozen(trace.logits[0]),
                      frozen(probs), loss, frozen(dlogits[0]), frozen(deltas[0][0]), **second)


def layer_norms(grads: dict[str, np.ndarray]) -> dict[str, float]:
    """‖(∂W, ∂b)‖ per layer: "hidden" (W1, b1), "hidden2" (W2, b2, with two hidden layers), "output" (the last)."""
    layers = len(grads) // 2
    names = ("hidden", "output") if layers == 2 else ("hidden", "hidden2", "output")
    return {name: math.sqrt(float(np.sum(grads[f"W{k}"] ** 2) + np.sum(grads[f"b{k}"] ** 2)))
            for k, name in enumerate(names, start=1)}


@dataclass
class History:
    """Per-epoch curves, bounded (a kiosk runs for days): only the newest `limit` epochs are kept."""
    limit: int = 2000
    loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)

    def append(self, loss: float, train_acc: float, test_acc: float) -> None:
        self.loss.append(loss)
        self.train_accuracy.append(train_acc)
        self.test_accuracy.append(test_acc)
        if len(self.loss) > self.limit:
            for series in (self.loss, self.train_accuracy, self.test_accuracy):
                del series[: len(series) - self.limit]
