"""`illumination train` under noise: --noise/--schedule/--optimizer, --sharpness, and the metric stream (a JSON
Lines file and a real WebSocket client on loopback)."""
import json
import socket

import numpy
import pytest
from websockets.sync.client import connect

from data import make_dataset
from illumination.cli import main
from network import MLP, TrainConfig, Trainer
from network.noise import parse_noise
from lab.epoch_metrics import EpochMetrics
from lab.stream import MetricStream


def run(capsys, *argv):
    code = main(["train", *argv])
    captured = capsys.readouterr()
    return code, captured


def test_noise_and_sharpness_in_the_report(capsys):
    code, out = run(capsys, "--noise", "sgld:1e-4", "--schedule", "cosine", "--optimizer", "adamw", "--lr", "0.003",
                    "--epochs", "30", "--sharpness", "--json")
    result = json.loads(out.out)
    assert code == 0 and result["noise"] == "sgld:0.0001" and result["schedule"] == "cosine"
    assert result["optimizer"] == "adamw" and result["hessian_probes"] == 20
    assert result["hessian_top_eigenvalue"] > 0 and result["hessian_trace"] != 0


def test_the_metrics_file_has_one_typed_event_per_epoch(capsys, tmp_path):
    path = tmp_path / "m.jsonl"
    code, _ = run(capsys, "--noise", "label_noise:0.1", "--epochs", "12", "--metrics-out", str(path),
                  "--sharpness-every", "5")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert code == 0 and [e["epoch"] for e in events] == list(range(1, 13))
    assert all(e["type"] == "step_metrics" and e["noise"] == "label_noise:0.1" for e in events)
    assert [e["epoch"] for e in events if "hessian_trace" in e] == [5, 10]
    assert events[-1]["step"] == 12 * 15


@pytest.mark.parametrize("argv, message", [
    (["--noise", "jitter:0.1"], "unknown noise mode 'jitter'"),
    (["--schedule", "warm"], "schedule"),
    (["--optimizer", "lion"], "optimizer: must be one of adam, adamw, momentum, muon, normalized, rmsprop, sgd"),
    (["--serve-metrics", "99999"], "port 99999 is out of range"),
    (["--metrics-out", "/no/such/dir/m.jsonl"], "--metrics-out"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    try:
        code = main(["train", "--epochs", "1", *argv])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_port_in_use_is_refused_before_training(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = run(capsys, "--epochs", "1", "--serve-metrics", str(port))
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in out.err


def test_a_real_websocket_client_receives_a_runs_epochs():
    data = make_dataset(6)
    trainer = Trainer(MLP.create(6), data, TrainConfig(max_epochs=8, noise=parse_noise("input_jitter:0.2")), seed=6)
    with MetricStream(serve="127.0.0.1:0") as stream:
        EpochMetrics(trainer, stream.publish, seed=6)
        host, port = stream.address
        with connect(f"ws://{host}:{port}", open_timeout=5) as client:
            trainer.train()
            events = [json.loads(client.recv(timeout=5)) for _ in range(8)]
    assert [e["epoch"] for e in events] == list(range(1, 9))
    assert events[-1]["test_accuracy"] == trainer.test_accuracy and events[-1]["noise_level"] == 0.2


def test_the_window_refuses_a_bad_metrics_file_before_opening(capsys):
    code = main(["run", "--metrics-out", "/no/such/dir/m.jsonl"])
    err = capsys.readouterr().err
    assert code == 2 and "--metrics-out" in err and "does not exist" in err


def test_the_reported_sharpness_is_the_full_hessians(capsys, full_hessian):
    """The command the README quotes, against the full 1,074 × 1,074 Hessian of the same run's weights, built
    independently: the top eigenvalue within 1%, the trace within four of the estimate's own standard errors."""
    code, out = run(capsys, "--seed", "3", "--epochs", "100", "--sharpness", "--json")
    result = json.loads(out.out)
    data = make_dataset(3)
    trainer = Trainer(MLP.create(3), data, TrainConfig(max_epochs=100), seed=3)
    trainer.train()
    H = full_hessian(trainer.net, data.X_train[:trainer.n_train], data.y_train[:trainer.n_train])
    eigenvalues = numpy.linalg.eigvalsh(H)
    assert code == 0 and result["hessian_iterations"] == 30
    assert result["hessian_top_eigenvalue"] == pytest.approx(eigenvalues[-1], rel=0.01)
    assert abs(result["hessian_trace"] - numpy.trace(H)) < 4 * result["hessian_trace_se"]
    assert eigenvalues[0] <= result["hessian_min_eigenvalue"] + 1e-9
