"""lab/sweep.py and lab/sweep_report.py: seeds, the parallel sweep, resume, torn lines, interrupts, and
the summary's verdicts on synthetic rows. A fake job (instant, deterministic) stands in for training."""
import csv
import math
import threading
from concurrent.futures import Executor, Future

import pytest

from lab import sweep, sweep_report
from lab.sweep import SweepError, parse_executor, parse_seeds, run_sweep
from lab.sweep_report import COLUMNS, prediction_1, prediction_2, read_results, summary_text


def fake_job(seed, noise, optimizer, epochs):
    """Noise helps a little, plus a per-seed wobble: deterministic in its arguments, like the real job."""
    magnitude = 0.0 if noise == "none" else float(noise.split(":")[1])
    wobble = (seed * 7919 % 13) / 1000
    return {"seed": seed, "noise": noise, "noise_mode": noise.split(":")[0], "noise_magnitude": magnitude,
            "optimizer": optimizer, "epochs": epochs, "train_loss": 0.1 + wobble, "test_loss": 0.3,
            "train_accuracy": 0.99, "test_accuracy": 0.8 + magnitude / 10 + wobble,
            "hessian_trace": 50 - 10 * magnitude + 3 * wobble, "hessian_top_eigenvalue": 10 - 5 * magnitude + wobble,
            "hessian_trace_se": 1.0, "hessian_min_eigenvalue": -0.01, "seconds": 0.001, "diverged": False}


def data_rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.parametrize("text, seeds", [("0-9", list(range(10))), ("3", [3]), ("0,2,5", [0, 2, 5]),
                                         ("0-4,10", [0, 1, 2, 3, 4, 10]), (" 1 , 1-2", [1, 2])])
def test_seeds_ranges_and_lists(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text, fragment", [("", "whole numbers"), ("a-3", "whole numbers"), ("-1", "whole numbers"),
                                            ("0-", "whole numbers"), ("1,,2", "whole numbers"),
                                            ("9-0", "backwards"), ("4294967296", "from 0 to"),
                                            ("0-20000", "more than 10,000")])
def test_malformed_seeds_are_one_clear_error(text, fragment):
    with pytest.raises(SweepError, match=fragment) as caught:
        parse_seeds(text)
    assert "\n" not in str(caught.value)


def test_executor_specs():
    assert parse_executor("process") == ("process", None)
    assert parse_executor("dask:tcp://10.0.0.1:8786") == ("dask", "tcp://10.0.0.1:8786")
    for bad in ("thread", "dask:", "dask:10.0.0.1", "dask:tcp://"):
        with pytest.raises(SweepError, match="unknown executor"):
            parse_executor(bad)


def test_validate_names_every_unknown_noise_and_optimizer():
    def parse(spec):
        if spec != "none" and spec.split(":")[0] != "sgld":
            raise ValueError(f"unknown noise mode {spec.split(':')[0]!r}")
    sweep.validate(["none", "sgld:1e-4"], ["sgd"], parse_noise=parse, optimizer_names={"sgd": 0})
    with pytest.raises(SweepError, match="--noise 'wind:1'.*unknown noise mode 'wind'"):
        sweep.validate(["wind:1"], ["sgd"], parse_noise=parse, optimizer_names={"sgd": 0})
    with pytest.raises(SweepError, match="unknown optimizer 'sgdd'"):
        sweep.validate(["none"], ["sgdd"], parse_noise=parse, optimizer_names={"sgd": 0})


def test_a_sweep_on_processes_writes_csv_plot_and_summary_then_resumes(tmp_path):
    grid = dict(seeds=[0, 1, 2], noises=["none", "input_jitter:0.1"], optimizers=["sgd", "adamw"], epochs=5)
    result = run_sweep(**grid, out_dir=str(tmp_path), job=fake_job, workers=2, progress=False)
    assert (result["combinations"], result["run"], result["skipped"], result["failed"]) == (12, 12, 0, 0)
    rows = data_rows(tmp_path / "results.csv")
    assert len(rows) == 12 and all(len(r) == len(COLUMNS) for r in rows)
    assert (tmp_path / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("# Sweep summary\n\n**Headline:** 12 of 12 runs") and "| adamw | input_jitter:0.1 |" in summary
    # a re-run with one more seed runs only the new seed's four combinations
    again = run_sweep(**{**grid, "seeds": [0, 1, 2, 3]}, out_dir=str(tmp_path), job=fake_job, workers=2,
                      progress=False)
    assert (again["combinations"], again["run"], again["skipped"]) == (16, 4, 12)
    assert len(data_rows(tmp_path / "results.csv")) == 16


def test_a_torn_last_line_is_ignored_with_a_note_and_rerun(tmp_path):
    grid = dict(seeds=[0, 1], noises=["none"], optimizers=["sgd"], epochs=3, out_dir=str(tmp_path), job=fake_job,
                executor=Inline(), progress=False)
    run_sweep(**grid)
    path = tmp_path / "results.csv"
    text = path.read_text()
    path.write_text(text[:-9])        # the last row loses its end, newline included, as in a crash mid-write
    rows, notes = read_results(path)
    assert len(rows) == 1 and len(notes) == 1 and "line 3 does not match the header" in notes[0]
    result = run_sweep(**{**grid, "executor": Inline()})
    assert (result["run"], result["skipped"]) == (1, 1) and any("torn" in note for note in result["notes"])
    rows, notes = read_results(path)
    assert sorted(r["seed"] for r in rows) == [0, 1] and len(notes) == 1   # the new row is on its own line


class Inline(Executor):
    """Runs each job at submit. The job numbered `interrupt_at` ends a moment later as a Ctrl-C would in the
    parent's loop, after the finished ones are written; the jobs after it never start (still pending)."""

    def __init__(self, interrupt_at=None):
        self.calls, self.interrupt_at, self.stopped = 0, interrupt_at, False

    def submit(self, fn, *args):
        future = Future()
        self.calls += 1
        if self.interrupt_at and self.calls >= self.interrupt_at:
            if self.calls == self.interrupt_at:
                threading.Timer(0.2, future.set_exception, (KeyboardInterrupt(),)).start()
            return future
        try:
            future.set_result(fn(*args))
        except Exception as error:
            future.set_exception(error)
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.stopped = True


def test_an_interrupt_keeps_every_finished_row_and_writes_the_report(tmp_path):
    executor = Inline(interrupt_at=3)
    with pytest.raises(KeyboardInterrupt) as caught:
        run_sweep([0, 1, 2, 3, 4], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=executor,
                  progress=False)
    result = caught.value.sweep_result
    assert executor.stopped and result["interrupted"] and result["run"] == 2 and result["combinations"] == 5
    assert sorted(r[0] for r in data_rows(tmp_path / "results.csv")) == ["0", "1"]   # in the order they finished
    assert "**Headline:** 2 of 5 runs" in (tmp_path / "summary.md").read_text()


def test_a_failing_job_is_counted_and_retried_next_time(tmp_path):
    def flaky(seed, noise, optimizer, epochs):
        if seed == 1:
            raise RuntimeError("boom")
        return fake_job(seed, noise, optimizer, epochs)
    result = run_sweep([0, 1], ["none"], ["sgd"], 2, str(tmp_path), job=flaky, executor=Inline(), progress=False)
    assert result["failed"] == 1 and "RuntimeError: boom" in result["failures"][0]
    again = run_sweep([0, 1], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline(), progress=False)
    assert (again["run"], again["skipped"], again["failed"]) == (1, 1, 0)


def test_a_file_with_other_columns_is_refused(tmp_path):
    (tmp_path / "results.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SweepError, match="not a sweep's results.csv"):
        run_sweep([0], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline())


# --- the verdicts, on synthetic rows ------------------------------------------------------------------------------

def row(seed, noise, optimizer="sgd", accuracy=0.8, eigenvalue=10.0, loss=0.1, diverged=False):
    mode, _, magnitude = noise.partition(":")
    return {"seed": seed, "noise": noise, "noise_mode": mode, "noise_magnitude": float(magnitude or 0),
            "optimizer": optimizer, "epochs": 5, "train_loss": loss, "test_loss": 0.3, "train_accuracy": 0.99,
            "test_accuracy": accuracy, "hessian_trace": 5 * eigenvalue, "hessian_top_eigenvalue": eigenvalue,
            "hessian_trace_se": 0.5, "hessian_min_eigenvalue": -0.01, "seconds": 0.1, "diverged": diverged}


def pair(accuracy_gain, eigenvalue_change, loss_change=0.0, seeds=5, spread=0.01):
    """Rows for none and input_jitter:0.1 whose paired differences are the given shifts ± spread."""
    rows = []
    for s in range(seeds):
        wobble = spread * (s - (seeds - 1) / 2)
        rows.append(row(s, "none", accuracy=0.8 + s / 100, eigenvalue=10 + s))
        rows.append(row(s, "input_jitter:0.1", accuracy=0.8 + s / 100 + accuracy_gain + wobble,
                        eigenvalue=10 + s + eigenvalue_change - wobble * 10, loss=0.1 + loss_change))
    return rows


@pytest.mark.parametrize("rows, verdict, why", [
    (pair(0.05, -2.0), "supported", "higher test accuracy"),
    (pair(-0.05, 2.0), "contradicted", "lower test accuracy"),
    (pair(0.05, 2.0), "inconclusive", "not both clear"),
    (pair(0.001, -2.0, spread=0.05), "inconclusive", "not both clear"),   # a small gain in a wide spread
    (pair(0.05, -2.0, loss_change=0.2), "inconclusive", "not matched"),
    (pair(0.05, -2.0, seeds=1), "inconclusive", "fewer than 2 seeds"),
])
def test_prediction_1_verdicts(rows, verdict, why):
    result = prediction_1(rows, "sgd", "input_jitter:0.1")
    assert result["verdict"] == verdict and why in result["why"]


def test_prediction_1_effects_are_paired_by_seed():
    result = prediction_1(pair(0.05, -2.0), "sgd", "input_jitter:0.1")
    assert result["accuracy"]["n"] == 5 and math.isclose(result["accuracy"]["mean"], 0.05)
    assert math.isclose(result["accuracy"]["sd"], 0.0158, rel_tol=0.01) and result["accuracy"]["d"] > 3
    assert result["matched"] and result["eigenvalue"]["d"] < -3


def test_diverged_runs_are_left_out_of_the_pairs():
    rows = pair(0.05, -2.0)
    rows[1] = {**rows[1], "diverged": True, "test_accuracy": math.nan}
    assert prediction_1(rows, "sgd", "input_jitter:0.1")["accuracy"]["n"] == 4


def label_rows(accuracies, seeds=4):
    return [row(s, noise, accuracy=acc + s / 100 + (s % 2) / 200)
            for noise, acc in accuracies.items() for s in range(seeds)]


def test_prediction_2_needs_three_label_levels_and_says_how_to_test_it():
    rows = label_rows({"none": 0.8, "label_noise:0.1": 0.85})
    assert prediction_2(rows, "sgd", ["none", "label_noise:0.1"]) is None
    text = summary_text(rows, [0, 1, 2, 3], ["none", "label_noise:0.1"], ["sgd"], 5,
                        lambda o: f"illumination experiment sweep --optimizer {o} …")
    assert "prediction 2 cannot be tested with this grid" in text.split("\n")[2]
    assert "sgd: cannot be tested with this grid" in text and "`illumination experiment sweep --optimizer sgd …`" in text


@pytest.mark.parametrize("middle, verdict", [(0.9, "supported"), (0.7, "contradicted"), (0.8, "inconclusive")])
def test_prediction_2_verdicts(middle, verdict):
    noises = ["none", "label_noise:0.1", "label_noise:0.2", "label_noise:0.4"]
    rows = label_rows(dict(zip(noises, (0.8, middle - 0.05, middle, 0.78))))
    result = prediction_2(rows, "sgd", noises)
    assert result["verdict"] == verdict and (result["zero"], result["high"]) == ("none", "label_noise:0.4")
    assert result["best"] == "label_noise:0.2"


def test_the_summary_states_its_rules_and_every_verdict():
    text = summary_text(pair(0.05, -2.0), [0, 1, 2, 3, 4], ["none", "input_jitter:0.1"], ["sgd"], 5, str)
    assert "**Headline:** 10 of 10 runs (5 epochs, 5 seeds): prediction 1 (moderate noise → flatter minima, better test " \
        "accuracy) supported in 1 of 1 comparisons, contradicted in 0, inconclusive in 0; prediction 2" in text
    assert f"|mean Δ train loss| < {sweep_report.LOSS_TOLERANCE}" in text and "Cohen's d" in text
    # t(0.975, 4) = 2.776: 0.05 ± 2.776 · 0.01581 / √5 and −2 ± 2.776 · 0.1581 / √5
    assert ("| sgd | input_jitter:0.1 | +0.05 ± 0.01581 (n 5, d +3.162, 95% [+0.03037, +0.06963]) | −2 ± 0.1581 "
            "(n 5, d −12.65, 95% [−2.196, −1.804]) |") in text
    assert "| yes | supported (" in text and text.count("|d|") == 1     # no stray pipe inside a table cell


def _t_cdf(x, df):
    """Student's t CDF by integrating its density (an independent check of the quantile table)."""
    import numpy as np
    grid = np.linspace(0.0, x, 200_001)
    density = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2)) * (1 + grid ** 2 / df) ** (
        -(df + 1) / 2)
    return 0.5 + float(np.sum((density[1:] + density[:-1]) / 2 * np.diff(grid)))


@pytest.mark.parametrize("df", [1, 2, 9, 29, 30, 31, 60, 150])
def test_the_interval_factor_is_students_t(df):
    assert _t_cdf(sweep_report.t_975(df), df) == pytest.approx(0.975, abs=2e-4)


def test_a_paired_effect_carries_its_95_percent_interval():
    rows = [row(s, "none", accuracy=0.8) for s in range(4)]
    rows += [row(s, "sgld:1e-4", accuracy=0.8 + d) for s, d in enumerate((0.05, 0.1, 0.0, 0.05))]
    effect = sweep_report.paired(rows, "sgd", "sgld:1e-4", "none", "test_accuracy")
    half = 3.182 * 0.040824829 / 2                      # t(0.975, 3) · sd / √4
    assert effect["low"] == pytest.approx(0.05 - half) and effect["high"] == pytest.approx(0.05 + half)
