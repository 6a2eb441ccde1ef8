"""A run's training data can grow between epochs (a visitor's taught shape), never its test set."""
import numpy as np
import pytest

from data import make_dataset
from data.shapes import Dataset
from network import MLP, TrainConfig, Trainer


def _grown(data: Dataset, extra: int) -> Dataset:
    return Dataset(np.concatenate((data.X_train[:extra], data.X_train)),
                   np.concatenate((data.y_train[:extra], data.y_train)), data.X_test, data.y_test)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_new_training_data_takes_effect_when_the_next_epoch_begins(backend):
    data = make_dataset(5)
    trainer = Trainer(MLP.create(5, 16), data, TrainConfig(max_epochs=6, backend=backend), seed=5)
    trainer.train(epochs=2)
    trainer.step(want_snapshot=False)              # mid-epoch: the epoch in hand finishes on the old data
    trainer.replace_training_data(_grown(data, 16))
    assert trainer.data is data and trainer.steps_per_epoch == 15
    trainer.train(epochs=1)
    assert trainer.epoch == 3 and trainer.step_count == 45
    trainer.train()
    assert trainer.epoch == 6 and trainer.step_count == 45 + 3 * 16       # 256 samples: 16 minibatches an epoch
    assert trainer.test_accuracy == pytest.approx(trainer.net.accuracy(data.X_test, data.y_test))
    assert trainer.train_accuracy == pytest.approx(trainer.net.accuracy(trainer.data.X_train, trainer.data.y_train))


def test_another_test_set_is_refused():
    data, other = make_dataset(5), make_dataset(6)
    trainer = Trainer(MLP.create(5, 16), data, TrainConfig(max_epochs=2), seed=5)
    with pytest.raises(ValueError, match="keeps the test set"):
        trainer.replace_training_data(Dataset(data.X_train, data.y_train, other.X_test, other.y_test))
