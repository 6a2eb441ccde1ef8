"""A sweep: every (seed, noise, optimizer) combination trained by one job function, in parallel, headless.

Jobs run on a concurrent.futures executor: local processes by default, or an existing Dask cluster
(`dask:tcp://HOST:8786`, through distributed.Client's executor). Each finished row is appended to results.csv at
once (one write, flushed and fsynced), so Ctrl-C or SIGTERM keeps every finished row; a re-run skips the
combinations already there. The report (results.png, summary.md) comes from results.csv (lab/sweep_report.py).
Never imports pygame; the job imports lab.sweep_job inside the worker, so it pickles by reference.
"""
from __future__ import annotations

import csv
import io
import os
import sys
import time
from concurrent.futures import Executor, as_completed

from lab.executors import SweepError, open_executor, parse_executor, stop as _stop  # noqa: F401 (callers' names)
from lab.sweep_report import write_report
from lab.sweep_results import COLUMNS, KEY, cell, read_results

MAX_SEEDS = 10_000


def default_job(seed: int, noise: str, optimizer: str, epochs: int, match_train_loss: float | None) -> dict:
    """The real job, imported inside the worker (a process or a Dask worker) so this function pickles by name."""
    from lab.sweep_job import run_job
    return run_job(seed, noise, optimizer, epochs, match_train_loss)


def parse_seeds(text: str) -> list[int]:
    """"0-9", "3", "0,2,5", "0-4,10" → the seeds in order, each once."""
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not (low.isdigit() and (high.isdigit() if dash else True)):
            raise SweepError(f"--seeds takes whole numbers and ranges like 0-9 or 0-4,10, got {text!r}")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise SweepError(f"--seeds range {part!r} runs backwards (write {last}-{first})")
        if last >= 2**32:
            raise SweepError(f"seeds must be from 0 to {2**32 - 1:,}, got {last}")
        if len(seeds) + last - first + 1 > MAX_SEEDS:
            raise SweepError(f"--seeds {text!r} is more than {MAX_SEEDS:,} seeds")
        seeds += range(first, last + 1)
    return list(dict.fromkeys(seeds))


def canonical_conditions(noises) -> list[str]:
    """Each condition in its one spelling (lab.sweep_job.condition_name), each once, in the order given."""
    from lab.sweep_job import condition_name
    return list(dict.fromkeys(condition_name(noise) for noise in noises))


def parse_names(text: str, what: str) -> list[str]:
    names = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        raise SweepError(f"{what} needs at least one name")
    return names


def validate(noises, optimizers, parse_noise=None, optimizer_names=None) -> None:
    """Every noise condition (MODE:MAGNITUDE, optionally @SCHEDULE) and optimizer name is known."""
    if parse_noise is None:
        from lab.sweep_job import parse_condition as parse_noise
    if optimizer_names is None:
        from network.optim import OPTIMIZERS as optimizer_names
    for noise in noises:
        try:
            parse_noise(noise)
        except ValueError as error:
            raise SweepError(f"--noise {noise!r}: {error}") from None
    for name in optimizers:
        if name not in optimizer_names:
            raise SweepError(f"unknown optimizer {name!r} (known: {', '.join(optimizer_names)})")


class Results:
    """results.csv, appended one whole row per write() (header first in a new file), flushed and fsynced."""

    def __init__(self, path: str):
        self.path = path
        self.rows, self.notes = read_results(path)   # ValueError for a file with other columns, or not a file
        size = os.path.getsize(path) if os.path.exists(path) else 0
        self.prefix = "" if size else self._line(COLUMNS)
        if not size:
            self.append(None)            # the header now: an interrupted sweep still leaves the file it names
        else:
            with open(path, "rb") as handle:
                handle.seek(-1, os.SEEK_END)
                self.prefix = "" if handle.read(1) == b"\n" else "\n"   # a torn last line stays a line of its own

    @staticmethod
    def _line(values) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue()

    def append(self, row: dict | None) -> None:
        """One row (None: nothing but what must come before a row: the header, or a newline after a torn line)."""
        text = self.prefix + ("" if row is None else self._line(cell(row[c]) for c in COLUMNS))
        data = text.encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)    # one system call: an interrupt lands before or after the row, not inside it
            os.fsync(fd)
        finally:
            os.close(fd)
        self.prefix = ""
        if row is not None:
            self.rows.append(row)


def _check_output(out_dir: str) -> None:
    """-o must be a directory we can write files in: made if missing, and tried with a real file, before any run."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        if not os.path.isdir(out_dir):
            raise NotADirectoryError(20, "not a directory")
        probe = os.path.join(out_dir, f".sweep-{os.getpid()}.probe")
        with open(probe, "w", encoding="utf-8") as handle:
            handle.write("ok")
        os.remove(probe)
    except OSError as error:
        raise SweepError(f"cannot write the sweep's files in {out_dir}: {error.strerror or error}") from None


def run_sweep(seeds, noises, optimizers, epochs: int, out_dir: str, *, match_train_loss: float | None = None,
              job=None, executor="process", workers: int | None = None, timeout: float = 10.0,
              progress: bool = True) -> dict:
    """Run every combination not yet in out_dir/results.csv, then write the report. `executor` is "process",
    "dask:ADDRESS" or an Executor instance (shut down here). Returns counts, seconds, paths and notes. On
    KeyboardInterrupt the report is written from the finished rows and the interrupt raised again, carrying
    that result as its `sweep_result`."""
    started = time.perf_counter()
    _check_output(out_dir)
    pool = close = None
    if isinstance(executor, str) and parse_executor(executor)[0] == "dask":
        # a scheduler that cannot be used refuses before results.csv is created or touched
        pool, close = open_executor(executor, None, timeout)
    try:
        results = Results(os.path.join(out_dir, "results.csv"))
    except (ValueError, OSError) as error:
        if close is not None:
            close()
        if isinstance(error, ValueError):
            raise SweepError(str(error)) from None
        raise SweepError(f"cannot write {os.path.join(out_dir, 'results.csv')}: {error.strerror or error}") from None
    done = {tuple(row[k] for k in KEY) for row in results.rows}
    # Seed by seed: a worker's consecutive jobs share the seed's evaluation set (made once per process).
    grid = [(s, n, o, epochs, match_train_loss) for s in seeds for o in optimizers for n in noises]
    todo = [combo for combo in grid if combo not in done]
    failures: list[str] = []

    def summary(ran: int, interrupted: bool) -> dict:
        report = write_report(out_dir, seeds, noises, optimizers, epochs, match_train_loss)
        return {"combinations": len(grid), "run": ran, "skipped": len(grid) - len(todo), "failed": len(failures),
                "interrupted": interrupted, "seconds": round(time.perf_counter() - started, 2),
                "results": results.path, "plot": report["plot"], "summary": report["summary"],
                "headline": report["headline"], "verdicts": report["verdicts"], "notes": report["notes"],
                "failures": failures}

    ran = 0
    if not todo and close is not None:
        close()
    if todo:
        if isinstance(executor, Executor):
            pool, close = executor, lambda: None
        elif pool is None:
            pool, close = open_executor(executor, min(workers or os.cpu_count() or 1, len(todo)), timeout)
        futures = {}
        try:
            from tqdm import tqdm
            with tqdm(total=len(todo), desc="sweep", unit="run", file=sys.stderr, leave=False,
                      disable=True if os.environ.get("CI") or not progress else None) as bar:
                futures = {pool.submit(job or default_job, *combo): combo for combo in todo}
                for future in as_completed(futures):
                    combo = futures.pop(future)
                    try:
                        row = {**future.result(), **dict(zip(KEY, combo))}   # the grid's own values win
                        missing = [c for c in COLUMNS if c not in row]
                        if missing:
                            raise ValueError(f"the job's row lacks {', '.join(missing)}")
                    except Exception as error:   # reported, and retried by the next run (no row was written)
                        failures.append(f"seed {combo[0]} {combo[1]} {combo[2]}: {type(error).__name__}: {error}")
                    else:
                        results.append(row)
                        ran += 1
                    bar.update()
        except KeyboardInterrupt as interrupt:
            _stop(pool, futures)
            close()
            interrupt.sweep_result = summary(ran, True)
            raise
        pool.shutdown(wait=True)
        close()
    return summary(ran, False)
