"""The real network's landscape: the live 64-16-2 MLP trains on circles and squares while we measure the loss
around its current weights. Pure NumPy (no pygame); the scene owns one probe when the "network" view is shown.

- The slice: mean cross-entropy over the training samples on a RESOLUTION² plane through the current weights θ,
  θ + α·d1 + β·d2 with α, β in [-SPAN, SPAN], along two filter-normalised random directions (Li et al. 2018:
  each neuron's share of a direction rescaled to the norm of that neuron's incoming weights). The Gaussian
  draws are made once per run; the rescaling follows the weights as they grow, so the plane stays the same
  "shape" of plane. Taken after every epoch and computed when first read (about 20 ms at 51²,
  network/landscape.py), so epochs no frame shows cost nothing.
- The path: the weights after every epoch, projected on the top-2 principal directions of that history
  (centred at the latest weights), with the share of the path each direction explains.
- plane = "path" (the gallery's): once the path has PATH_PLANE_FROM epochs, the slice is measured on that path
  plane instead (Li et al.'s own picture), spanning the path with a margin, so the path lies on the loss it
  descended: `path_on_slice` is True and path_coords are in the slice's (α, β) units.
"""
from __future__ import annotations

import numpy as np

from data.seeding import rng_for
from network.landscape import flatten_parameters, loss_slice, trajectory_projection, unflatten_parameters

RESOLUTION = 51
SPAN = 1.0
HIDDEN = 16
BATCH = 16
MAX_PATH = 400      # epochs of weight history kept for the path (the oldest are thinned out beyond that)
PATH_PLANE_FROM = 3  # epochs of path before the "path" plane replaces the random one
PATH_MARGIN = 1.25   # the path plane spans the path's farthest point times this


def _rescaled(raw: list[np.ndarray], net) -> np.ndarray:
    """(P,) the raw Gaussian draws (per layer, (fan_in + 1, neurons)) rescaled to the net's neuron norms."""
    parts = []
    for draw, (weights, bias) in zip(raw, ((net.W1, net.b1), (net.W2, net.b2))):
        incoming = np.vstack([weights, bias[None, :]])
        scaled = draw * (np.linalg.norm(incoming, axis=0) / np.linalg.norm(draw, axis=0))
        parts.append((scaled[:-1].ravel(), scaled[-1]))
    (D1, e1), (D2, e2) = parts
    return np.concatenate([D1, e1, D2, e2])


def _measure(flat: np.ndarray, path: list[np.ndarray], plane: str, raw, data) -> dict:
    """The slice and the path's projection for the weights `flat` (P,) and the path so far (oldest first)."""
    net = unflatten_parameters(flat, HIDDEN)
    found = {"path_coords": np.zeros((1, 2)), "path_explained": np.zeros(2)}
    if len(path) >= 2:
        found["path_coords"], path_directions, found["path_explained"] = trajectory_projection(np.array(path))
    found["path_on_slice"] = plane == "path" and len(path) >= PATH_PLANE_FROM
    if found["path_on_slice"]:
        found["directions"] = (path_directions[0], path_directions[1])
        span = PATH_MARGIN * max(float(np.abs(found["path_coords"]).max()), 1e-6)
    else:
        found["directions"] = (_rescaled(raw[0], net), _rescaled(raw[1], net))
        span = SPAN
    found["alphas"], found["betas"], found["losses"] = loss_slice(net, data.X_train, data.y_train,
                                                                  *found["directions"], span=span,
                                                                  resolution=RESOLUTION)
    return found


class NetworkProbe:
    def __init__(self, seed: int, learning_rate: float, plane: str = "random"):
        from data import make_dataset
        from network import MLP, TrainConfig, Trainer
        self.data = make_dataset(seed)
        net = MLP.create(seed, HIDDEN)
        self.trainer = Trainer(net, self.data, TrainConfig(lr=learning_rate, batch_size=BATCH, max_epochs=10**6,
                                                           backend="numpy"), seed=seed)
        rng = rng_for(seed, "landscape_directions")
        shapes = [(64 + 1, HIDDEN), (HIDDEN + 1, 2)]
        self._raw = [[rng.standard_normal(shape) for shape in shapes] for _ in range(2)]  # d1's layers, d2's
        self.plane = plane
        self.path = [flatten_parameters(net)]           # (P,) per epoch, oldest first
        self.version = 0                                # grows with every measurement (views cache by it)
        self.measure()

    @property
    def net(self):
        return self.trainer.net

    def set_learning_rate(self, learning_rate: float) -> None:
        self.trainer.set_lr(learning_rate)

    def step(self, measure: bool = True) -> bool:
        """One minibatch; True when it ended an epoch (the path grows; the slice and path are measured anew
        unless measure is False: a caller stepping many epochs in one frame measures once, at the end)."""
        epoch = self.trainer.epoch
        self.trainer.step(want_snapshot=False)
        if self.trainer.epoch == epoch:
            return False
        self.path.append(flatten_parameters(self.net))
        if len(self.path) > MAX_PATH:
            del self.path[1:MAX_PATH:2]                 # keep the start, thin the rest
        if measure:
            self.measure()
        return True

    def measure(self) -> None:
        """Take the weights and path as they are now; the slice and projection are computed from them when first
        read (a headless soak steps many epochs between two drawn frames: only the drawn ones cost a slice)."""
        self.version += 1
        self._taken = (flatten_parameters(self.net), list(self.path), self.plane)  # the path's arrays never change
        self._measured = None

    def _measurement(self) -> dict:
        if self._measured is None:
            self._measured = _measure(*self._taken, self._raw, self.data)
        return self._measured

    path_coords = property(lambda self: self._measurement()["path_coords"])            # (T, 2)
    path_explained = property(lambda self: self._measurement()["path_explained"])      # (2,)
    path_on_slice = property(lambda self: self._measurement()["path_on_slice"])
    directions = property(lambda self: self._measurement()["directions"])              # two (P,)
    alphas = property(lambda self: self._measurement()["alphas"])                      # (R,)
    betas = property(lambda self: self._measurement()["betas"])                        # (R,)
    losses = property(lambda self: self._measurement()["losses"])                      # (R, R): rows β, columns α

    @property
    def centre_loss(self) -> float:
        """The slice at (0, 0): the live network's loss on the training set."""
        return float(self.losses[RESOLUTION // 2, RESOLUTION // 2])

    @property
    def diverged(self) -> bool:
        """The run cannot go on: its loss ran away, or its network died (every hidden ReLU silent). Either way
        the trainer takes no more steps."""
        return bool(self.trainer.diverged or self.trainer.dead)
