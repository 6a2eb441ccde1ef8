"""Early stop: judged on a validation split carved from the training data (never the test set), and undoable."""
import dataclasses

import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer


@pytest.fixture(scope="module")
def data():
    return make_dataset(1)


def stopped_trainer(data, **config):
    trainer = Trainer(MLP.create(1), data, TrainConfig(max_epochs=400, early_stop=True, patience=5, **config), seed=1)
    trainer.train()
    assert trainer.stopped_early and trainer.finished and trainer.epoch < 400
    return trainer


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_the_validation_split_is_held_out_from_training(data, backend):
    trainer = Trainer(MLP.create(1), data, TrainConfig(max_epochs=3, early_stop=True, backend=backend), seed=1)
    assert trainer.n_validation == 40 and trainer.n_train == 200
    seen = set()
    trainer.subscribe("step", lambda snapshot: seen.update(trainer._order.tolist()))
    trainer.train()
    assert seen == set(range(200))              # every training sample, none of the 40 held out
    n = trainer.n_train
    assert trainer.train_accuracy == trainer.net.accuracy(data.X_train[:n], data.y_train[:n])
    assert trainer.validation_accuracy == pytest.approx(trainer.net.accuracy(data.X_train[n:], data.y_train[n:]))
    assert trainer.validation_loss == pytest.approx(trainer.net.loss(data.X_train[n:], data.y_train[n:]))


def test_without_early_stop_every_training_sample_trains(data):
    trainer = Trainer(MLP.create(1), data, TrainConfig(max_epochs=1), seed=1)
    assert trainer.n_train == 240 and not trainer.holding_out


def test_the_test_set_never_decides(data):
    """Scrambling the test set's labels changes nothing about when the run stops."""
    scrambled = dataclasses.replace(data, y_test=1 - data.y_test)
    assert stopped_trainer(data).epoch == stopped_trainer(scrambled).epoch


def test_turning_early_stop_off_after_a_stop_trains_on_and_on_again_can_stop_again(data):
    trainer = stopped_trainer(data)
    stopped_at = trainer.epoch
    trainer.set_max_epochs(500)
    assert trainer.finished                      # more epochs alone do not undo a plateau
    trainer.set_early_stop(False)
    assert not trainer.finished
    trainer.train(epochs=10)
    assert trainer.epoch == stopped_at + 10 and trainer.n_train == 240    # the split rejoined training
    trainer.set_early_stop(True)
    trainer.train()
    assert trainer.stopped_early and stopped_at + 10 < trainer.epoch < 500


def test_the_window_resumes_when_early_stop_is_switched_off():
    from illumination.core.loop import advance_until
    from illumination.exhibits.network.scene import NetworkScene
    from illumination.exhibits.network.settings import NetworkSettings
    scene = NetworkScene(NetworkSettings(seed=1, early_stop=True, max_epochs=400, speed=50.0))
    advance_until(scene, 400)
    assert scene.trainer.stopped_early
    epoch = scene.trainer.epoch
    assert "turn Early stop off" in scene.step_once()
    scene.apply_settings(scene.settings.replace(early_stop=False))
    advance_until(scene, epoch + 3)
    assert scene.trainer.epoch >= epoch + 3 and not scene.trainer.stopped_early
    assert np.isfinite(scene.trainer.train_accuracy)
