"""lab/trajectory.py: the escape-event rule on constructed series (each clause of the definition can fail),
the late-training variance, and the recorder on a real run."""
import numpy as np
import pytest

from data import make_dataset
from data.seeding import rng_for
from lab.sharpness import FlatGradient, extreme_eigenvalues
from lab.trajectory import Trajectory, escape_events, late_variance, top_eigenvalue
from network.mlp import MLP
from network.train import TrainConfig, Trainer

CHECKS = list(range(0, 21, 2))        # a check every 2 epochs over 20 epochs


def flat_losses(value=0.5, epochs=20):
    return [value] * (epochs + 1)


def test_a_halving_eigenvalue_with_a_loss_that_rises_then_falls_is_one_escape():
    eig = [8.0] * 11
    eig[4:] = [3.0] * 7                     # between the checks at epochs 6 and 8: 8 falls to 3 (≤ half)
    loss = flat_losses()
    loss[7] = 0.6                           # after epoch 7 the loss rose, and by epoch 8 it fell back
    # The scan starts an event at the earliest check it qualifies from: epoch 0 is within 10 epochs of 8.
    assert escape_events(CHECKS, eig, loss) == [(0, 8)]


@pytest.mark.parametrize("case", ["no rise", "rise without fall", "drop too small", "too slow", "negative"])
def test_each_clause_of_the_definition_can_refuse_an_event(case):
    eig, loss = [8.0] * 11, flat_losses()
    eig[4:] = [3.0] * 7
    loss[7] = 0.6
    if case == "no rise":
        loss[7] = 0.5
    elif case == "rise without fall":
        loss[7:] = [0.6, 0.7] + [0.7] * 12
    elif case == "drop too small":
        eig[4:] = [4.5] * 7                 # 8 → 4.5 is more than half
    elif case == "too slow":
        eig = list(np.linspace(8.0, 3.0, 11))   # half only after more than 10 epochs from any check
        loss = [0.5 + 0.05 * np.sin(e) for e in range(21)]
    elif case == "negative":
        eig = [-1.0] * 4 + [-3.0] * 7
    assert escape_events(CHECKS, eig, loss) == []


def test_one_crossing_counts_once_and_two_crossings_twice():
    eig = [8.0, 8.0, 3.0, 3.0, 3.0, 8.0, 8.0, 3.0, 3.0, 3.0, 3.0]
    loss = flat_losses()
    loss[3], loss[13] = 0.6, 0.6
    assert escape_events(CHECKS, eig, loss) == [(0, 4), (10, 14)]


def test_late_variance_is_the_variance_of_the_last_quarter():
    losses = [1.0] + [0.5] * 15 + [0.1, 0.3, 0.1, 0.3, 0.2]          # 20 epochs: the last 5
    assert late_variance(losses) == pytest.approx(np.var([0.1, 0.3, 0.1, 0.3, 0.2], ddof=1))


def test_top_eigenvalue_is_lanczos_on_exact_products():
    data, net = make_dataset(0), MLP.create(0)
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    assert top_eigenvalue(net, data.X_train, data.y_train, rng_a) == \
        extreme_eigenvalues(FlatGradient(net, data.X_train, data.y_train), 20, rng_b)[0]


def test_the_recorder_follows_a_real_run():
    trainer = Trainer(MLP.create(0), make_dataset(0), TrainConfig(max_epochs=12), seed=0)
    recorder = Trajectory(rng_for(0, "trajectory"))
    recorder.begin(trainer)
    while not trainer.finished:
        trainer.train(1)
        recorder.after_epoch(trainer)
    assert len(recorder.losses) == 13 and recorder.check_epochs == [0, 2, 4, 6, 8, 10, 12]
    assert recorder.losses[-1] == trainer.train_loss() and recorder.losses[-1] < recorder.losses[0]
    fields = recorder.fields(12)
    assert set(fields) == {"early_escapes", "escapes", "late_loss_variance"} and fields["late_loss_variance"] >= 0
