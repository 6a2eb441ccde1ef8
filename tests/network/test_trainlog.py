"""The training log: the original page's reports, from the trainer's own events."""
import json

import numpy as np
import pytest

from data import make_dataset
from illumination.cli import main
from network import MLP, TrainConfig, Trainer
from network.trainlog import TrainingLog, describe


def test_events_follow_the_run_and_carry_its_numbers():
    data = make_dataset(5)
    trainer = Trainer(MLP.create(5, hidden_layers=2), data, TrainConfig(max_epochs=50), seed=5)
    events = []
    TrainingLog(trainer, events.append, seed=5)
    trainer.train()
    kinds = [e["event"] for e in events]
    assert kinds[0] == "init" and kinds[-1] == "finished"
    assert [e["epoch"] for e in events if e["event"] == "progress"] == [10, 20, 30, 40, 50]
    assert [e["epoch"] for e in events if e["event"] == "sample"] == [20, 40]
    init, finished = events[0], events[-1]
    assert init["architecture"] == "64-16-16-2" and init["parameters"] == 1346
    assert finished["test_accuracy"] == trainer.test_accuracy and finished["reason"] == "max epochs reached"
    assert [m["epoch"] for m in finished["prediction_evolution"]] == [1, 25, 50]
    probs = trainer.net.predict_proba(data.X_test[:1])[0]
    assert finished["prediction_evolution"][-1]["probabilities"]["circle"] == probs[0]
    progress = [e for e in events if e["event"] == "progress"]
    assert abs(sum(e["weight_change"] for e in progress) - progress[-1]["weight_change_total"]) \
        <= progress[-1]["weight_change_total"]      # per-report changes are parts of a path, each > 0
    assert all(e["weight_change"] > 0 for e in progress)
    assert finished["weight_change_total"] == progress[-1]["weight_change_total"]
    for event in events:
        assert describe(event) and all(isinstance(line, str) for line in describe(event))
        json.dumps(event)                       # every event is plain JSON


def test_a_divergence_is_logged():
    data = make_dataset(2)
    trainer = Trainer(MLP.create(2), data, TrainConfig(lr=1e6, max_epochs=5), seed=2)
    events = []
    TrainingLog(trainer, events.append, seed=2)
    trainer.train()
    assert events[-1]["event"] == "diverged" and "exploding loss" in events[-1]["message"]
    assert describe(events[-1])[0].startswith("diverged at epoch 0")


def test_train_log_and_json_log_on_the_command_line(capsys):
    assert main(["train", "--epochs", "20", "--log"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("training · seed 42 · 64-16-2 (1,074 parameters)")
    assert "epoch   10 · loss" in out and "finished at epoch 20: max epochs reached" in out
    assert main(["train", "--epochs", "20", "--json-log", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)                # stdout stays one JSON object
    events = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events][:2] == ["init", "progress"]
    assert events[-1]["event"] == "finished" and events[-1]["test_accuracy"] == result["test_accuracy"]


def test_train_with_two_hidden_layers_reports_the_pages_parameter_count(capsys, tmp_path):
    target = tmp_path / "w.npz"
    assert main(["train", "--hidden", "16,16", "--epochs", "5", "--json", "--save-weights", str(target)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["parameters"] == 1346 and result["architecture"] == "64-16-16-2"
    with np.load(target, allow_pickle=False) as saved:
        assert sorted(saved.files) == ["W1", "W2", "W3", "b1", "b2", "b3"]
        assert saved["W2"].shape == (16, 16) and saved["W3"].shape == (16, 2)
    with pytest.raises(SystemExit) as refused:
        main(["train", "--hidden", "16,8"])
    assert refused.value.code == 2 and "both hidden layers have one size" in capsys.readouterr().err
