"""The proof readouts: the weight that moved furthest, and the total change, from the arrays themselves."""
import numpy as np

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.proof import total_change, tracked_weight


def test_the_tracked_weight_is_the_one_that_moved_furthest():
    initial = {"W1": np.zeros((2, 3)), "b1": np.zeros(3)}
    now = {"W1": np.array([[0.1, -0.7, 0.0], [0.2, 0.0, 0.3]]), "b1": np.array([0.0, 0.5, -0.6])}
    tracked = tracked_weight(now, initial)
    assert (tracked.name, tracked.index, tracked.now, tracked.initial) == ("W1", (0, 1), -0.7, 0.0)
    assert tracked.label == "W1[0,1]" and abs(tracked.change - 0.7) < 1e-15
    assert abs(total_change(now, initial) - 2.4) < 1e-12


def test_training_moves_the_tracked_weight_and_the_total():
    data = make_dataset(3)
    trainer = Trainer(MLP.create(3, hidden_layers=2), data, TrainConfig(max_epochs=5), seed=3)
    before = tracked_weight(trainer.net.parameters(), trainer.initial_weights)
    assert before.change == 0.0 and total_change(trainer.net.parameters(), trainer.initial_weights) == 0.0
    trainer.train()
    after = tracked_weight(trainer.net.parameters(), trainer.initial_weights)
    deltas = [np.abs(trainer.net.parameters()[k] - trainer.initial_weights[k]).max() for k in trainer.net.names]
    assert after.change == max(deltas) > 0
