"""lab/sweep.py: seeds, the parallel sweep, resume, torn lines, interrupts, refused files. A fake job (instant,
deterministic) stands in for training; the verdicts are tested in test_predictions.py, the real job in
test_sweep_job.py."""
import csv
import math
import threading
from concurrent.futures import Executor, Future

import pytest

from lab import sweep
from lab.sweep import SweepError, parse_executor, parse_seeds, run_sweep
from lab.sweep_results import COLUMNS, read_results


def fake_job(seed, noise, optimizer, epochs, match_train_loss=None):
    """Noise helps a little, plus a per-seed wobble: deterministic in its arguments, like the real job."""
    magnitude = 0.0 if noise == "none" else float(noise.split(":")[1].split("@")[0])
    wobble = (seed * 7919 % 13) / 1000
    row = dict.fromkeys(COLUMNS)
    row.update({"seed": seed, "noise": noise, "noise_mode": noise.split(":")[0], "noise_magnitude": magnitude,
                "schedule": "constant", "optimizer": optimizer, "epochs": epochs,
                "match_train_loss": match_train_loss, "matched_epoch": 3, "measured_at": "match",
                "train_loss": 0.1 + wobble, "eval_loss": 0.4 - magnitude, "eval_accuracy": 0.8 + magnitude / 10 + wobble,
                "ece": 0.05, "eval_samples": 10_000, "hessian_trace": 50 - 10 * magnitude + 3 * wobble,
                "hessian_top_eigenvalue": 10 - 5 * magnitude + wobble, "hessian_trace_se": 1.0,
                "hessian_min_eigenvalue": -0.01, "early_escapes": seed % 2, "seconds": 0.001, "diverged": False})
    return row


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
    assert all(f"## Prediction {n}:" in summary for n in range(1, 6))
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
    def flaky(seed, noise, optimizer, epochs, match_train_loss):
        if seed == 1:
            raise RuntimeError("boom")
        return fake_job(seed, noise, optimizer, epochs, match_train_loss)
    result = run_sweep([0, 1], ["none"], ["sgd"], 2, str(tmp_path), job=flaky, executor=Inline(), progress=False)
    assert result["failed"] == 1 and "RuntimeError: boom" in result["failures"][0]
    again = run_sweep([0, 1], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline(), progress=False)
    assert (again["run"], again["skipped"], again["failed"]) == (1, 1, 0)


def test_a_file_with_other_columns_is_refused(tmp_path):
    (tmp_path / "results.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SweepError, match="not a sweep's results.csv"):
        run_sweep([0], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline())


def test_an_older_sweeps_file_is_refused_by_name(tmp_path):
    (tmp_path / "results.csv").write_text("seed,noise,optimizer,epochs,train_loss,hessian_top_eigenvalue\n")
    with pytest.raises(SweepError, match="older version of the sweep"):
        run_sweep([0], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline())


def test_a_different_match_target_is_another_grid(tmp_path):
    grid = dict(seeds=[0, 1], noises=["none"], optimizers=["sgd"], epochs=3, out_dir=str(tmp_path), job=fake_job,
                progress=False)
    run_sweep(**grid, match_train_loss=0.2, executor=Inline())
    again = run_sweep(**grid, match_train_loss=0.1, executor=Inline())
    assert (again["run"], again["skipped"]) == (2, 0)
    assert any("2 rows of results.csv are outside this grid" in note for note in again["notes"])
    rows, _ = read_results(tmp_path / "results.csv")
    assert sorted(r["match_train_loss"] for r in rows) == [0.1, 0.1, 0.2, 0.2]


def test_diverged_rows_read_back_whole_and_are_not_run_again(tmp_path):
    def diverging(seed, noise, optimizer, epochs, match_train_loss):
        row = dict.fromkeys(COLUMNS)
        row.update({"seed": seed, "noise": noise, "noise_mode": "none", "noise_magnitude": 0.0,
                    "schedule": "constant", "optimizer": optimizer, "epochs": epochs,
                    "match_train_loss": match_train_loss, "measured_at": "end", "seconds": 0.0, "diverged": True})
        return row
    grid = dict(seeds=[0, 1], noises=["none"], optimizers=["sgd"], epochs=3, out_dir=str(tmp_path), progress=False)
    run_sweep(**grid, job=diverging, executor=Inline())
    again = run_sweep(**grid, job=diverging, executor=Inline())
    rows, notes = read_results(tmp_path / "results.csv")
    assert (again["run"], again["skipped"], notes) == (0, 2, []) and all(r["diverged"] for r in rows)
    line = next(l for l in (tmp_path / "summary.md").read_text().splitlines() if l.startswith("| sgd | none |"))
    assert line.startswith("| sgd | none | – | – ± – |") and line.endswith("| 2 |")   # both diverged: no mean


def test_a_stray_quote_spoils_its_own_line_only(tmp_path):
    run_sweep([0, 1, 2], ["none"], ["sgd"], 3, str(tmp_path), job=fake_job, executor=Inline(), progress=False)
    path = tmp_path / "results.csv"
    lines = path.read_text().splitlines(keepends=True)
    spoiled = int(lines[1].split(",")[0])
    lines[1] = '"' + lines[1]                       # an unclosed quote on the first row
    path.write_text("".join(lines))
    rows, notes = read_results(path)
    assert sorted(r["seed"] for r in rows) == sorted({0, 1, 2} - {spoiled}) and len(notes) == 1 and "line 2" in notes[0]


def test_an_interrupted_sweep_leaves_the_file_it_names(tmp_path):
    with pytest.raises(KeyboardInterrupt) as caught:
        run_sweep([0, 1], ["none"], ["sgd"], 2, str(tmp_path), job=fake_job, executor=Inline(interrupt_at=1),
                  progress=False)
    result = caught.value.sweep_result
    assert result["run"] == 0 and (tmp_path / "results.csv").read_text().startswith("seed,noise,")
