"""lab/sweep_job.py, the real job: it measures where the training loss first reaches the target (the same weights a
run stopped there has, bit for bit), reports every column, and says when the target was never reached."""
import numpy as np
import pytest

from data import make_dataset
from data.seeding import rng_for
from lab.calibration import generalisation
from lab.sharpness import measure
from lab.sweep_job import parse_condition, run_job
from lab.sweep_results import COLUMNS
from network.mlp import MLP
from network.optim import OPTIMIZERS
from network.train import TrainConfig, Trainer


def test_the_job_measures_the_weights_a_run_stopped_at_the_target_has():
    row = run_job(2, "input_jitter:0.1", "adamw", 80, 0.2)
    assert set(row) == set(COLUMNS) and row["measured_at"] == "match" and row["eval_samples"] >= 10_000
    stopped = Trainer(MLP.create(2), make_dataset(2),
                      TrainConfig(lr=OPTIMIZERS["adamw"].learning_rate, optimizer="adamw", max_epochs=80,
                                  noise=parse_condition("input_jitter:0.1"), match_train_loss=0.2), seed=2)
    stopped.train()
    assert stopped.epoch == row["matched_epoch"] < 80
    expected = {**generalisation(stopped.net, 2),
                **measure(stopped.net, stopped.data.X_train, stopped.data.y_train, rng_for(2, "sharpness")).fields()}
    assert {k: row[k] for k in expected} == expected and row["train_loss"] == stopped.train_loss()
    # The run went on to the end: the final scores differ from the matched ones, and the trajectory is whole.
    assert row["final_eval_loss"] != row["eval_loss"] and row["late_loss_variance"] >= 0


def test_a_target_never_reached_is_measured_at_the_end_and_marked():
    row = run_job(0, "none", "sgd", 6, 0.01)
    assert (row["measured_at"], row["matched_epoch"]) == ("end", None)
    assert row["eval_loss"] == row["final_eval_loss"] and row["quant_bits"] == 4      # a `none` run is quantized


def test_a_scheduled_condition_trains_under_its_schedule():
    assert parse_condition("sgld:3e-2@cyclical").schedule == "cyclical"
    assert parse_condition("sgld:3e-2").schedule == "constant"
    row = run_job(0, "sgld:3e-2@cosine", "sgd", 4, None)
    assert row["schedule"] == "cosine" and row["noise_mode"] == "sgld" and row["quant_bits"] is None


def test_the_job_is_a_pure_function_of_its_arguments():
    first, second = run_job(1, "label_noise:0.1", "sgd", 10, 0.3), run_job(1, "label_noise:0.1", "sgd", 10, 0.3)
    first.pop("seconds"), second.pop("seconds")
    assert first == second


@pytest.mark.parametrize("bad, fragment", [("sgld:1e-3@", "a schedule name must follow @"),
                                           ("sgld:1e-3@warm", "unknown schedule")])
def test_a_bad_condition_is_a_value_error(bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_condition(bad)
