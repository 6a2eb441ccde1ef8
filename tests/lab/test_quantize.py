"""lab/quantize.py and `illumination experiment quantize`: the quantizer against hand computation, unbiased and
deterministic dither, 8-bit inference as calibrated as full precision, the network left untouched, the command's
JSON contract (the same numbers on processes and on a real Dask cluster), and bad input as one line, exit 2."""
import contextlib
import io
import json
from concurrent.futures import Executor, Future

import numpy as np
import pytest

from data import make_dataset
from illumination.cli import main
from lab.calibration import eval_set, scores
from lab.quantize import DRAWS, dither_stream, levels, quantize, quantized_proba, run_experiment, run_job
from network.mlp import MLP
from network.optim import OPTIMIZERS
from network.train import TrainConfig, Trainer


@pytest.fixture(scope="module")
def trained():
    """Seed 0's network after the lab's 200 SGD epochs, and its evaluation set."""
    net = MLP.create(0)
    trainer = Trainer(net, make_dataset(0), TrainConfig(lr=OPTIMIZERS["sgd"].learning_rate, optimizer="sgd",
                                                        max_epochs=200), seed=0)
    trainer.train()
    assert not (trainer.diverged or trainer.dead)
    return net, *eval_set(0)


def test_8_bits_without_dither_is_as_calibrated_as_full_precision(trained):
    net, X, y = trained
    full = scores(net.predict_proba(X), y)["ece"]
    eight = scores(quantized_proba(net, X, 8, "none"), y)["ece"]
    assert abs(eight - full) < 0.01


def test_quantize_matches_a_hand_computation():
    w = np.array([1.2, -0.5, 0.25, 0.0, -0.9])
    # 2 bits: L = 1, scale = 1.2 → w/scale = 1, -0.417, 0.208, 0, -0.75 → 1, 0, 0, 0, -1
    assert np.allclose(quantize(w, 2), [1.2, 0.0, 0.0, 0.0, -1.2])
    # 3 bits: L = 3, scale = 0.4 → 3, -1.25, 0.625, 0, -2.25 → 3, -1, 1, 0, -2
    assert np.allclose(quantize(w, 3), [1.2, -0.4, 0.4, 0.0, -0.8])
    assert [levels(b) for b in (2, 3, 4, 8, 16)] == [1, 3, 7, 127, 32767]
    matrix = np.array([[2.9, -1.0], [0.5, -6.0]])            # the peak may be negative; shape is kept
    q = quantize(matrix, 4)                                  # L = 7, scale = 6/7 → 3.38, -1.17, 0.58, -7
    assert q.shape == (2, 2) and np.allclose(q, np.array([[3, -1], [1, -7]]) * 6 / 7)
    assert np.abs(quantize(w, 16) - w).max() <= 1.2 / 32767 / 2 + 1e-15
    assert quantize(w, 3) is not w and w[1] == -0.5          # a new array; the input untouched


def test_a_zero_tensor_stays_zero_with_or_without_dither():
    assert np.array_equal(quantize(np.zeros(5), 4), np.zeros(5))
    assert np.array_equal(quantize(np.zeros((3, 2)), 2, np.random.default_rng(0)), np.zeros((3, 2)))


def test_dithered_values_stay_on_the_grid_within_the_clip():
    w = np.tile([1.0, -1.0, 0.3, -0.7], (5000, 1))            # copies share the scale: same peak
    q = quantize(w, 3, np.random.default_rng(1)) / (1.0 / 3)  # in units of scale, L = 3
    assert np.allclose(q, np.round(q)) and q.min() >= -3 - 1e-12 and q.max() <= 3 + 1e-12
    assert set(np.round(q[:, 2]).astype(int)) == {0, 1} and set(np.round(q[:, 0]).astype(int)) == {3}


@pytest.mark.parametrize("bits", [1, 0, 17, -3, 2.5, True, "8", None])
def test_bits_outside_2_to_16_are_refused(bits):
    with pytest.raises(ValueError, match="bits must be a whole number from 2 to 16"):
        quantize(np.ones(3), bits)


def test_dithered_rounding_is_unbiased_on_average():
    w = np.array([0.9, -0.31, 0.05, 0.47, -0.9, 0.0123])
    many = quantize(np.tile(w, (40_000, 1)), 3, np.random.default_rng(7))   # scale 0.3, L = 3
    # Each element's dithered rounding has sd ≤ scale/2, so its mean of 40,000 has sd ≤ 0.00075: 6 sd below.
    assert np.abs(many.mean(axis=0) - w).max() < 0.0045
    plain = quantize(w, 3)
    assert np.abs(plain - w).max() > 0.1                      # while plain rounding is off by up to scale/2


def test_dither_is_deterministic_per_seed_and_bit_depth(trained):
    net, X, _ = trained
    a = quantize(np.linspace(-1, 1, 50), 4, np.random.default_rng(3))
    assert np.array_equal(a, quantize(np.linspace(-1, 1, 50), 4, np.random.default_rng(3)))
    assert not np.array_equal(a, quantize(np.linspace(-1, 1, 50), 4, np.random.default_rng(4)))
    first = quantized_proba(net, X[:500], 4, "uniform", 3, dither_stream(0, 4))
    assert np.array_equal(first, quantized_proba(net, X[:500], 4, "uniform", 3, dither_stream(0, 4)))
    assert not np.array_equal(first, quantized_proba(net, X[:500], 4, "uniform", 3, dither_stream(1, 4)))
    assert not np.array_equal(first, quantized_proba(net, X[:500], 4, "uniform", 3, dither_stream(0, 5)))
    assert np.allclose(first.sum(axis=1), 1.0) and DRAWS == 16


def test_the_network_is_not_mutated(trained):
    net, X, _ = trained
    before = {name: (array, array.copy()) for name, array in net.parameters().items()}
    quantized_proba(net, X[:200], 2, "uniform", 4, np.random.default_rng(0))
    quantized_proba(net, X[:200], 2, "none")
    for name, (array, copy) in before.items():
        assert getattr(net, name) is array and np.array_equal(array, copy)


def test_a_job_scores_full_precision_and_every_cell_and_reports_divergence():
    job = run_job(1, [3, 8], ["none", "uniform"], "sgd", 5, draws=2)
    assert not job["diverged"] and job["full_precision"]["eval_samples"] == 10_000
    assert [(r["bits"], r["dither"]) for r in job["rows"]] == [(3, "none"), (3, "uniform"), (8, "none"), (8, "uniform")]
    assert job == run_job(1, [3, 8], ["none", "uniform"], "sgd", 5, draws=2)


# -- the command ---------------------------------------------------------------------------------------------------

GRID = ("--seeds", "0-4", "--epochs", "20", "--bits", "3,8", "--draws", "4", "--json")
ROW_KEYS = {"bits", "dither", "ece", "eval_loss", "eval_accuracy"}
TOP_KEYS = {"experiment", "rows", "full_precision", "draws", "seeds", "eval_samples", "comparisons", "verdicts",
            "rule", "seconds", "failed"}


def run(capsys, *argv):
    try:
        code = main(["experiment", "quantize", *argv])
    except SystemExit as stop:    # a flag argparse refuses ends the same way: one line, exit 2
        code = stop.code
    return code, capsys.readouterr()


@pytest.fixture(scope="module")
def on_processes():
    """The grid's JSON, twice, on one local worker process (module-scoped: the Dask test compares with it)."""
    outputs = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["experiment", "quantize", *GRID, "--workers", "1"])
        assert code == 0, err.getvalue()
        outputs.append(json.loads(out.getvalue()))
    return outputs


def without_time(result):
    return {key: value for key, value in result.items() if key != "seconds"}


def test_json_has_the_contract_and_is_identical_across_runs(on_processes):
    first, second = on_processes
    assert TOP_KEYS <= set(first) and first["experiment"] == "quantize"
    assert (first["draws"], first["seeds"], first["eval_samples"], first["failed"]) == (4, 5, 10_000, [])
    assert [(r["bits"], r["dither"]) for r in first["rows"]] == [(3, "none"), (3, "uniform"), (8, "none"),
                                                                  (8, "uniform")]
    assert all(ROW_KEYS <= set(r) and r["seeds"] == 5 for r in first["rows"])
    assert {"ece", "eval_loss", "eval_accuracy"} <= set(first["full_precision"])
    assert [(c["bits"], c["metric"]) for c in first["comparisons"]] == [(3, "ece"), (3, "eval_loss"),
                                                                        (8, "ece"), (8, "eval_loss")]
    for c in first["comparisons"]:
        assert {"mean", "low", "high", "p", "p_holm", "verdict", "n"} <= set(c) and c["n"] == 5
        assert c["verdict"] in ("supported", "refuted", "inconclusive") and c["p_holm"] >= c["p"]
    assert set(first["verdicts"]) == {"3", "8"} and "Holm" in first["rule"]
    assert without_time(first) == without_time(second)


def test_the_readable_table_has_a_row_per_cell_and_a_verdict_per_bit_depth(capsys):
    code, out = run(capsys, "--seeds", "0-1", "--epochs", "5", "--bits", "4", "--draws", "2", "--workers", "1")
    lines = out.out.splitlines()
    assert code == 0 and lines[1].split() == ["bits", "dither", "ECE", "eval", "loss", "eval", "accuracy"]
    assert [line.split()[:2] for line in lines[2:5]] == [["full", "—"], ["4", "none"], ["4", "uniform"]]
    assert lines[5].startswith("4 bits: inconclusive (uniform − none: Δ ece ")   # 2 seeds: too few to decide


def test_nan_never_reaches_the_json(capsys):
    code, out = run(capsys, "--seeds", "2", "--epochs", "3", "--bits", "2", "--draws", "2", "--workers", "1",
                    "--json")
    result = json.loads(out.out, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert code == 0 and result["comparisons"][0]["p"] is None and result["rows"][0]["ece_low"] is None


def test_the_same_numbers_on_a_real_dask_cluster(capsys, on_processes):
    import distributed
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1",
                                  protocol="tcp://", dashboard_address=None) as cluster:
        code, out = run(capsys, *GRID, "--executor", f"dask:{cluster.scheduler_address}")
    assert code == 0, out.err
    assert without_time(json.loads(out.out)) == without_time(on_processes[0])


@pytest.mark.parametrize("argv, fragment", [
    (["--bits", "1,4"], "--bits takes whole numbers from 2 to 16"),
    (["--bits", "4,17"], "--bits takes whole numbers from 2 to 16"),
    (["--bits", "4,x"], "--bits takes whole numbers from 2 to 16"),
    (["--bits", ""], "--bits takes whole numbers from 2 to 16"),
    (["--dither", "none,gauss"], "unknown dither 'gauss'"),
    (["--dither", ""], "unknown dither ''"),
    (["--draws", "0"], "draws must be >= 1"),
    (["--draws", "many"], "draws must be a whole number"),
    (["--optimizer", "sgdd"], "unknown optimizer 'sgdd'"),
    (["--seeds", "9-0"], "runs backwards"),
    (["--epochs", "0"], "epochs must be >= 1"),
    (["--executor", "thread"], "unknown executor 'thread'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    code, out = run(capsys, *argv)
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and out.out == ""


class Inline(Executor):
    """Runs each job at submit, in this process."""

    def submit(self, fn, *args):
        future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as error:
            future.set_exception(error)
        return future


def fake_job(seed, bits, dithers, optimizer, epochs, draws):
    """Seed 1 diverges, seed 2 dies, seed 3 raises; the rest: dither lowers ECE and loss by 0.01 ± a wobble."""
    if seed == 3:
        raise RuntimeError("boom")
    if seed in (1, 2):
        return {"seed": seed, "diverged": seed == 1, "dead": seed == 2, "full_precision": None, "rows": []}
    wobble = (seed * 7919 % 13) / 10_000
    cell = lambda gain: {"ece": 0.1 - gain + wobble, "eval_loss": 0.5 - gain + wobble, "eval_accuracy": 0.8,
                         "eval_samples": 10_000}
    return {"seed": seed, "diverged": False, "dead": False, "full_precision": cell(0.0),
            "rows": [{"bits": b, "dither": d, **cell(0.01 if d == "uniform" else 0.0)} for b in bits for d in dithers]}


def test_diverged_dead_and_failing_seeds_are_reported_and_left_out():
    result = run_experiment(range(10), [4], ["none", "uniform"], "sgd", 5, 2, job=fake_job, executor=Inline(),
                            progress=False)
    assert result["failed"] == [{"seed": 1, "reason": "diverged"}, {"seed": 2, "reason": "dead"},
                                {"seed": 3, "reason": "RuntimeError: boom"}]
    assert result["rows"][0]["seeds"] == 7 and result["full_precision"]["seeds"] == 7
    assert [c["n"] for c in result["comparisons"]] == [7, 7] and result["verdicts"] == {4: "supported"}
    assert result["comparisons"][0]["mean"] == pytest.approx(-0.01) and result["comparisons"][0]["high"] < 0


def test_the_command_notes_lost_seeds_and_exits_1_when_a_job_fails(capsys, monkeypatch):
    import lab.quantize
    real = lab.quantize.run_experiment
    monkeypatch.setattr(lab.quantize, "run_experiment", lambda *args, **kwargs: real(
        *args, **{**kwargs, "job": fake_job, "executor": Inline(), "progress": False}))
    code, out = run(capsys, "--seeds", "0-9", "--bits", "4", "--json")
    assert code == 1 and json.loads(out.out)["verdicts"] == {"4": "supported"}
    assert out.err.splitlines() == [
        "illumination: note: seed 1 diverged in training; left out of every mean and pair",
        "illumination: note: seed 2 ended training dead (every hidden ReLU silent); left out of every mean and pair",
        "illumination: error: 1 of 10 seeds failed (first: seed 3: RuntimeError: boom)"]
