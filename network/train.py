"""The Trainer: honest minibatches, immutable snapshots to subscribers, divergence caught at the door.

Early stop judges a validation split carved from the training data (its last max(10, n/6) samples, 40 of the
default 240), held out from training while early stop is on, and never the test set. It can be undone and redone:
turning it off after a stop trains on, turning it on again judges afresh. The split follows the switch from the
next epoch, like a batch-size change, so an epoch always trains on one set.

Batch size b means ceil(n/b) updates per epoch over a fresh shuffle from the run's "batches" stream. Subscribers
receive frozen `Snapshot`s after every step ("step"), every epoch ("epoch"), when a non-finite loss or weight
appears ("diverged") and when training ends ("finished"). With no step subscriber and a fused optimizer, whole
epochs run inside one numba call — same compiled step function, so the weights are bit-identical to stepping.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from data.seeding import rng_for
from data.shapes import Dataset
from network import kernels
from network.config import BACKENDS, TrainConfig  # noqa: F401  (TrainConfig: where callers have always found it)
from network.mlp import MLP, cross_entropy
from network.noise import PER_STEP, NoiseInjector, NoiseSpec
from network.optim import make_optimizer
from network.snapshots import History, Snapshot, frozen, layer_norms, sample_view

EVENT_KINDS = ("step", "epoch", "diverged", "finished")


class Trainer:
    def __init__(self, net: MLP, data: Dataset, config: TrainConfig = TrainConfig(), seed: int = 42):
        self.net = net
        self.data = data
        self.config = config
        self.seed = seed
        self.optimizer = make_optimizer(config.optimizer, config.lr)
        self._rng = rng_for(seed, "batches")
        # Its own stream: adding noise to a run never changes its data, initial weights or batch order.
        key = int(rng_for(seed, "noise").integers(2**62))
        self.noise = NoiseInjector(config.noise, key, net.n_parameters)
        self._X, self._y = data.X_train, data.y_train      # this epoch's training inputs and labels
        # The numba kernels read inputs as sparse rows (kernels.Rows): the data set's are built once, here.
        self._clean_rows = kernels.sparse(data.X_train)
        self._rows = self._clean_rows                       # this epoch's inputs, as sparse rows
        self._scored_rows = kernels.sparse(np.concatenate((data.X_train, data.X_test)))   # for report()
        self._scored_y = np.concatenate((data.y_train, data.y_test)).astype(np.int64)
        self._score_bounds = np.full(4, -1, dtype=np.int64)  # set on first use, and when the training count changes
        self._subscribers: dict[str, list[Callable[[Snapshot], None]]] = {k: [] for k in EVENT_KINDS}
        self.epoch = 0
        self.step_count = 0
        self.step_in_epoch = 0
        self.batch_size = config.batch_size
        self._order = np.empty(0, dtype=np.int64)
        self._epoch_loss_sum = 0.0
        self.last_loss = math.nan
        self._last_grad_norms = {name: 0.0 for name in layer_norms({k: np.zeros(1) for k in net.names})}
        self._grads_dirty = False
        self.train_accuracy = self.test_accuracy = self.test_loss = math.nan
        self.history = History()
        self.diverged = False
        self.dead = False            # every hidden ReLU silent on every training sample: it can never learn again
        self.stopped_early = False
        self.matched_epoch: int | None = None   # the first epoch whose training loss reached config.match_train_loss
        self._best_validation = math.inf
        self._epochs_since_best = 0
        self.validation_loss = self.validation_accuracy = math.nan
        self._training_count = self._count_for(config.early_stop)
        self.initial_weights = {k: v.copy() for k, v in net.parameters().items()}
        self._workspace = kernels.Workspace(net.hidden, self.batch_size, hidden_layers=net.hidden_layers)
        self.shown = (data.X_test[0], int(data.y_test[0]))
        self.evaluate()

    # -- subscriptions -----------------------------------------------------------------------------
    def subscribe(self, kind: str, callback: Callable[[Snapshot], None]) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event {kind!r}; one of {EVENT_KINDS}")
        self._subscribers[kind].append(callback)

    def show_sample(self, x: np.ndarray, label: int) -> None:
        """Choose the sample whose forward trace and deltas ride along in every snapshot."""
        self.shown = (np.asarray(x, dtype=np.float64).reshape(64), int(label))

    # -- settings that may change live -------------------------------------------------------------
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    def set_lr(self, lr: float) -> None:
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be > 0, got {lr}")
        self.optimizer.lr = float(lr)

    def set_batch_size(self, batch_size: int) -> None:
        """Takes effect from the next epoch, so an epoch always has ceil(n/b) updates of one size."""
        if batch_size < 1:
            raise ValueError(f"batch size must be >= 1, got {batch_size}")
        self._pending_batch_size = int(batch_size)

    @property
    def last_grad_norms(self) -> dict[str, float]:
        """Per-layer norms of the last batch's gradients, computed only when asked for (not in the hot loop)."""
        if self._grads_dirty:
            grads = self._workspace.grads() if self.config.backend == "numba" else self._numpy_grads
            self._last_grad_norms = layer_norms(grads)
            self._grads_dirty = False
        return self._last_grad_norms

    @property
    def n_validation(self) -> int:
        """Samples the early stop's validation split takes from the end of the training set."""
        return max(10, len(self.data.y_train) // 6)

    def _count_for(self, early_stop: bool) -> int:
        n = len(self.data.y_train)
        return n - self.n_validation if early_stop and n - self.n_validation >= 1 else n

    @property
    def n_train(self) -> int:
        """Samples trained on this epoch: all of the training set, or all but the validation split."""
        return self._training_count

    @property
    def holding_out(self) -> bool:
        return self._training_count < len(self.data.y_train)

    def set_early_stop(self, on: bool) -> None:
        """Switch early stop live. Off: a stopped run trains on (to max epochs). On: judged afresh from now."""
        if on == self.config.early_stop:
            return
        from dataclasses import replace
        self.config = replace(self.config, early_stop=bool(on))
        self.stopped_early = False
        self._best_validation, self._epochs_since_best = math.inf, 0

    def train_on(self, epochs: int) -> None:
        """Train at least `epochs` more (new data arrived): a run that had finished, or stopped early, resumes."""
        from dataclasses import replace
        self.stopped_early = False
        self._best_validation, self._epochs_since_best = math.inf, 0
        if self.config.max_epochs < self.epoch + epochs:
            self.config = replace(self.config, max_epochs=self.epoch + int(epochs))

    def set_max_epochs(self, max_epochs: int) -> None:
        from dataclasses import replace
        self.config = replace(self.config, max_epochs=int(max_epochs))

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.n_train / self.batch_size)

    @property
    def finished(self) -> bool:
        return (self.diverged or self.dead or self.stopped_early or self.epoch >= self.config.max_epochs
                or (self.matched_epoch is not None and self.config.stop_at_match))

    def train_loss(self) -> float:
        """The current weights' mean cross-entropy on the clean training samples (no noise, true labels; the
        validation split excluded while it is held out): what --match-train-loss compares with its target."""
        n = self.n_train
        with np.errstate(over="ignore", invalid="ignore"):
            return self.net.loss(self.data.X_train[:n], self.data.y_train[:n])

    def replace_training_data(self, data: Dataset) -> None:
        """Train on `data` from the next epoch (a visitor taught a shape: the data set with it added). The test set
        must stay the same: the run's test accuracy is still about the same samples."""
        if not np.array_equal(data.X_test, self.data.X_test):
            raise ValueError("replace_training_data keeps the test set; this data set has another")
        self._pending_data = data

    # -- training ----------------------------------------------------------------------------------
    def _begin_epoch(self) -> None:
        data = getattr(self, "_pending_data", None)
        if data is not None:
            self._pending_data = None
            self.data = data
            self._clean_rows = kernels.sparse(data.X_train)
            self._scored_rows = kernels.sparse(np.concatenate((data.X_train, data.X_test)))
            self._scored_y = np.concatenate((data.y_train, data.y_test)).astype(np.int64)
            self._score_bounds = np.full(4, -1, dtype=np.int64)
        pending = getattr(self, "_pending_batch_size", None)
        if pending is not None and pending != self.batch_size:
            self.batch_size = pending
            self._workspace = kernels.Workspace(self.net.hidden, self.batch_size, hidden_layers=self.net.hidden_layers)
        self._pending_batch_size = None
        self._training_count = self._count_for(self.config.early_stop)
        self._X, self._y = self.noise.epoch_data(self.data.X_train, self.data.y_train, self.epoch, self.step_count)
        self._rows = self._clean_rows if self._X is self.data.X_train else kernels.sparse(self._X)
        self._order = self._rng.permutation(self.n_train).astype(np.int64, copy=False)
        self.step_in_epoch = 0
        self._epoch_loss_sum = 0.0

    def _batch_bounds(self) -> tuple[int, int]:
        start = self.step_in_epoch * self.batch_size
        return start, min(start + self.batch_size, self.n_train)

    def step(self, want_snapshot: bool = True) -> Snapshot | None:
        """One minibatch update. Returns the step snapshot (None once finished, or when want_snapshot is False:
        a caller stepping many times per frame asks only for the last one — a snapshot costs a forward pass)."""
        if self.finished:
            return None
        if self.step_in_epoch == 0:
            self._begin_epoch()
        start, stop = self._batch_bounds()
        net = self.net
        if self.config.backend == "numba":
            ws = self._workspace
            params = tuple(net.parameters().values())
            gradients = kernels.batch_gradients_deep if ws.deep else kernels.batch_gradients
            loss = gradients(*self._rows, self._y, self._order, start, stop, *params, *ws.buffers())
            grads = ws.grads()
            if self.optimizer.fused:
                apply = kernels.sgd_apply_deep if ws.deep else kernels.sgd_apply
                apply(self.optimizer.lr, *params, *ws.gradient_buffers())
            else:
                self.noise.before_update(grads, self.step_count, fused=False)
                self.optimizer.step(net.parameters(), grads)
        else:
            idx = self._order[start:stop]
            with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is caught just below, as divergence
                loss, grads = net.loss_and_grads(self._X[idx], self._y[idx])
            self._numpy_grads = grads
            self.noise.before_update(grads, self.step_count, self.optimizer.fused)
            self.optimizer.step(net.parameters(), grads)
        self.noise.after_update(net.parameters(), self.step_count, self.optimizer.lr, self.optimizer.fused)
        self.step_count += 1
        self.step_in_epoch += 1
        self._epoch_loss_sum += loss * (stop - start)
        self.last_loss = float(loss)
        self._grads_dirty = True
        problem = self._divergence(loss)
        if problem:
            return self._diverge(f"{problem} at step {self.step_count}")
        snapshot = None
        if self._subscribers["step"]:
            snapshot = self.snapshot("step", loss)
            self._emit(snapshot)
        if self.step_in_epoch == self.steps_per_epoch:
            self._end_epoch(self._epoch_loss_sum / self.n_train)
        if snapshot is None and want_snapshot:
            snapshot = self.snapshot("step", loss)
        return snapshot

    def run_epoch(self) -> None:
        """Finish the current epoch (or run a whole one), fused in numba when nothing listens to steps."""
        if self.finished:
            return
        opt, deep = self.optimizer, self.net.hidden_layers == 2
        per_step_noise = self.noise.spec.per_step
        # SGD fuses everything (a second layer but for per-step noise); momentum and Adam(W) a plain 64-H-2 epoch.
        rule = getattr(opt, "kernel_rule", None) if not (deep or per_step_noise) else None
        fusable = (self.config.backend == "numba" and (opt.fused or rule is not None) and self.step_in_epoch == 0
                   and not self._subscribers["step"] and not (self.noise.spec.kind.acts == PER_STEP and deep))
        if not fusable:
            target = self.epoch + 1
            while self.epoch < target and not self.finished:
                self.step(want_snapshot=False)   # nobody reads it: a snapshot costs a forward pass
            return
        self._begin_epoch()
        ws, lr, steps = self._workspace, self.optimizer.lr, self.steps_per_epoch
        params = tuple(self.net.parameters().values())
        if rule is not None and not opt.fused:
            state, (c1s, c2s) = opt.gather(self.net.parameters()), opt.corrections(steps)
            beta1, beta2, eps, decay = opt.kernel_hyper()
            mean_loss = kernels.rule_epoch(*self._rows, self._y, self._order, self.batch_size, *params, lr,
                                           *ws.buffers(), kernels.RULES[rule], state, beta1, beta2, eps, c1s, c2s,
                                           decay)
            opt.scatter(self.net.parameters(), state, steps)
        elif self.noise.spec.per_step:    # one hidden layer (see fusable)
            scales = self.noise.step_scales(self.step_count, steps, lr)
            mean_loss = kernels.sgd_epoch_noisy(*self._rows, self._y, self._order, self.batch_size, *params, lr,
                                                *ws.buffers(), np.uint64(self.noise.key), self.step_count, scales)
        else:
            epoch = kernels.sgd_epoch_deep if ws.deep else kernels.sgd_epoch
            mean_loss = epoch(*self._rows, self._y, self._order, self.batch_size, *params, lr, *ws.buffers())
        self.step_count += steps
        self.step_in_epoch = steps
        self.last_loss = mean_loss = float(mean_loss)
        self._grads_dirty = True
        problem = self._divergence(mean_loss, self._score(params))
        if problem:
            self._diverge(f"{problem} in epoch {self.epoch + 1}")
            return
        self._take_scores()
        self._end_epoch(mean_loss, evaluated=True)

    @property
    def noise_level(self) -> float:
        """The noise's magnitude now (its schedule applied at the current update)."""
        return self.noise.spec.level(self.step_count)

    def train(self, epochs: int | None = None, on_epoch: Callable[[int], None] | None = None) -> None:
        """Run up to `epochs` more epochs (default: until max_epochs)."""
        target = self.config.max_epochs if epochs is None else min(self.epoch + epochs, self.config.max_epochs)
        while self.epoch < target and not self.finished:
            self.run_epoch()
            if on_epoch:
                on_epoch(self.epoch)

    def _score(self, params: tuple | None = None) -> bool:
        """numba: scores the current weights into the workspace (see _take_scores); returns whether every weight is
        finite (the kernel reads them all anyway)."""
        ws, n = self._workspace, self.n_train
        if self._score_bounds[1] != n:
            # Three parts of the scored rows: the training samples, the validation split, the test set.
            n_all = len(self.data.y_train)
            self._score_bounds = np.array((0, n, n_all, n_all + len(self.data.y_test)), dtype=np.int64)
        score = kernels.report_deep if ws.deep else kernels.report
        # The training part's loss is never shown (the epoch's mean loss is), so it is not computed: losses_from=1.
        return bool(score(*self._scored_rows, self._scored_y, self._score_bounds, 1,
                          *(params or self.net.parameters().values()), *ws.activations(), ws.scores))

    def _take_scores(self) -> None:
        (self.train_accuracy, _), validation, (self.test_accuracy, self.test_loss) = self._workspace.scores.tolist()
        if self.holding_out:
            self.validation_accuracy, self.validation_loss = validation

    def evaluate(self) -> None:
        """Exact train and test accuracy (and test loss) of the current weights."""
        net, data = self.net, self.data
        if self.config.backend == "numba":
            self._score()
            self._take_scores()
            return
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite weights are reported as divergence
            test_probs = net.predict_proba(data.X_test)
            self.test_accuracy = float(np.mean(test_probs.argmax(axis=1) == data.y_test))
            self.test_loss = cross_entropy(test_probs, data.y_test)
            n = self.n_train
            self.train_accuracy = net.accuracy(data.X_train[:n], data.y_train[:n])
            if self.holding_out:
                probs = net.predict_proba(data.X_train[n:])
                self.validation_accuracy = float(np.mean(probs.argmax(axis=1) == data.y_train[n:]))
                self.validation_loss = cross_entropy(probs, data.y_train[n:])

    def _end_epoch(self, mean_loss: float, evaluated: bool = False) -> None:
        self.epoch += 1
        self.step_in_epoch = 0
        if not evaluated:
            self.evaluate()
        self.history.append(mean_loss, self.train_accuracy, self.test_accuracy)
        if self._is_dead():
            self.dead = True
            self._diverge(f"every hidden neuron went silent (a dead network) in epoch {self.epoch}", dead=True)
            return
        target = self.config.match_train_loss
        if target is not None and self.matched_epoch is None and self.train_loss() <= target:
            self.matched_epoch = self.epoch
        if self.config.early_stop and self.holding_out:
            if self.validation_loss < self._best_validation - 1e-4:
                self._best_validation, self._epochs_since_best = self.validation_loss, 0
            else:
                self._epochs_since_best += 1
                self.stopped_early = self._epochs_since_best >= self.config.patience
        if self._subscribers["epoch"]:
            self._emit(self.snapshot("epoch", mean_loss))
        if self.finished and self._subscribers["finished"]:
            reason = ("early stop: validation loss stopped improving" if self.stopped_early
                      else "max epochs reached" if self.matched_epoch is None or not self.config.stop_at_match
                      else f"training loss reached {self.config.match_train_loss:g}")
            self._emit(self.snapshot("finished", mean_loss, reason))

    def _divergence(self, loss: float, finite: bool | None = None) -> str | None:
        """What ran away, if anything; `finite` is the weights' finiteness when already known."""
        if not math.isfinite(loss):
            return "non-finite loss"
        if not (self.net.is_finite() if finite is None else finite):
            return "non-finite weights"
        if loss > self.config.max_loss:
            return f"exploding loss ({loss:.3g})"
        return None

    def _is_dead(self) -> bool:
        """Every unit of a hidden layer silent (pre-activation ≤ 0) for every training sample: no gradient passes
        that layer again.
        A dead net predicts one class for everything, so the exact check (a forward pass) only runs when the
        training accuracy is exactly the majority class's share."""
        cached = getattr(self, "_majority", None)      # (n_train, the majority class's share of those samples)
        if cached is None or cached[0] != self.n_train:
            share = float(np.mean(self.data.y_train[:self.n_train]))
            cached = self._majority = (self.n_train, max(share, 1.0 - share))
        majority = cached[1]
        if abs(self.train_accuracy - majority) > 1e-12:
            return False
        with np.errstate(over="ignore", invalid="ignore"):
            trace = self.net.forward(self.data.X_train)
            return any(bool(np.all(z <= 0.0)) for z, _ in trace.hidden)

    def _diverge(self, message: str, dead: bool = False) -> Snapshot:
        """The run cannot go on: its loss or weights ran away (diverged), or its network died (dead). Either way
        the "diverged" event carries the message; listeners restart with the next seed."""
        self.diverged = self.diverged or not dead
        snapshot = Snapshot("diverged", self.epoch, self.step_count, self.step_in_epoch, self.steps_per_epoch,
                            self.batch_size, self.lr, self.last_loss, self.train_accuracy, self.test_accuracy,
                            self.test_loss, dict(self.last_grad_norms), {}, None, message)
        self._emit(snapshot)
        return snapshot

    def _emit(self, snapshot: Snapshot) -> None:
        for callback in self._subscribers[snapshot.kind]:
            callback(snapshot)

    def snapshot(self, kind: str = "step", loss: float | None = None, message: str = "") -> Snapshot:
        weights = {k: frozen(v) for k, v in self.net.parameters().items()}
        x, label = self.shown
        return Snapshot(kind, self.epoch, self.step_count, self.step_in_epoch, self.steps_per_epoch, self.batch_size,
                        self.lr, self.last_loss if loss is None else float(loss), self.train_accuracy,
                        self.test_accuracy, self.test_loss, dict(self.last_grad_norms), weights,
                        sample_view(self.net, x, label), message)
