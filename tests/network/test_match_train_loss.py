"""The matched-loss stop: a run stops at the first epoch whose clean training loss reaches the target, checked
against an independent epoch-by-epoch run; with stop_at_match off it records that epoch and trains on."""
import pytest

from data import make_dataset
from network.mlp import MLP
from network.noise import parse_noise
from network.train import TrainConfig, Trainer


def run(seed=0, **config):
    trainer = Trainer(MLP.create(seed), make_dataset(seed), TrainConfig(**config), seed=seed)
    trainer.train()
    return trainer


@pytest.mark.parametrize("noise", ["none", "label_noise:0.1"])
def test_the_run_stops_at_the_first_epoch_at_the_target(noise):
    spec = parse_noise(noise)
    stopped = run(max_epochs=300, match_train_loss=0.2, noise=spec)
    # Independently: the same run, epoch by epoch, with the loss computed from scratch after each.
    data = make_dataset(0)
    reference = Trainer(MLP.create(0), data, TrainConfig(max_epochs=300, noise=spec), seed=0)
    losses = []
    while not reference.finished:
        reference.train(1)
        losses.append(reference.net.loss(data.X_train, data.y_train))
    first = next(epoch for epoch, loss in enumerate(losses, start=1) if loss <= 0.2)
    assert stopped.matched_epoch == stopped.epoch == first
    assert losses[first - 2] > 0.2 >= stopped.train_loss() == losses[first - 1]


def test_a_target_never_reached_runs_to_max_epochs():
    trainer = run(max_epochs=20, match_train_loss=1e-6)
    assert trainer.epoch == 20 and trainer.matched_epoch is None


def test_without_stopping_the_match_is_recorded_and_training_goes_on():
    trainer = run(max_epochs=150, match_train_loss=0.2, stop_at_match=False)
    stopped = run(max_epochs=150, match_train_loss=0.2)
    assert trainer.epoch == 150 and trainer.matched_epoch == stopped.epoch < 150


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1"])
def test_a_bad_target_is_refused(bad):
    with pytest.raises(ValueError, match="match_train_loss must be a finite number > 0"):
        TrainConfig(match_train_loss=bad)
