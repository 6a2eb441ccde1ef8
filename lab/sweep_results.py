"""results.csv of a sweep: its columns and how a row is read back (every value typed, torn lines named).

The measurement columns (train_loss … hessian_min_eigenvalue) are taken where the run's clean training loss first
reached match_train_loss (measured_at "match"), or at the end if there was no target or it was never reached
(measured_at "end"); the final_* columns, the escapes and the late variance cover the whole run; the quant_*
columns (prediction 4) are filled for the no-noise runs only. An empty cell is None.
"""
from __future__ import annotations

import csv
import os

KEY = ("seed", "noise", "optimizer", "epochs", "match_train_loss")
COLUMNS = ("seed", "noise", "noise_mode", "noise_magnitude", "schedule", "optimizer", "epochs", "match_train_loss",
           "matched_epoch", "measured_at", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "eval_loss",
           "eval_accuracy", "ece", "eval_samples", "hessian_trace", "hessian_trace_se", "hessian_top_eigenvalue",
           "hessian_min_eigenvalue", "final_train_loss", "final_eval_loss", "final_eval_accuracy", "final_ece",
           "early_escapes", "escapes", "late_loss_variance", "quant_bits", "quant_ece", "quant_dithered_ece",
           "quant_eval_loss", "quant_dithered_eval_loss", "seconds", "diverged")
TEXT = {"noise", "noise_mode", "schedule", "optimizer", "measured_at"}
WHOLE = {"seed", "epochs", "matched_epoch", "eval_samples", "early_escapes", "escapes", "quant_bits"}


def cell(value) -> str:
    """How a value is written: None as an empty cell, everything else as str() (floats round-trip exactly)."""
    return "" if value is None else str(value)


def _convert(column: str, text: str):
    if column == "diverged":
        if text not in ("True", "False"):
            raise ValueError(text)
        return text == "True"
    if column in TEXT:
        return text
    if text == "":
        return None
    return int(text) if column in WHOLE else float(text)


def read_results(path) -> tuple[list[dict], list[str]]:
    """(rows, notes): every well-formed row of results.csv; a row that does not fit the header (a line torn by a
    crash) is left out and named in a note. A missing file is no rows; a file with other columns is a ValueError."""
    if not os.path.exists(path):
        return [], []
    if not os.path.isfile(path):        # a FIFO would hang the read, /dev/zero would fill the memory
        raise ValueError(f"{path} is not a regular file; choose another -o")
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            # Line by line: the writer never puts a newline inside a field, so a stray quote spoils one line only.
            lines = [next(csv.reader([line]), []) for line in handle]
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not a sweep's results.csv (byte {error.start} is not UTF-8); "
                         "choose another -o") from None
    if not lines:
        return [], []
    if tuple(lines[0]) != COLUMNS:
        if "hessian_top_eigenvalue" in lines[0]:
            raise ValueError(f"{path} was written by an older version of the sweep (without the evaluation set and "
                             "matched train loss); its rows cannot be mixed with new ones: choose another -o")
        raise ValueError(f"{path} is not a sweep's results.csv (its columns differ); choose another -o")
    rows, notes = [], []
    for number, fields in enumerate(lines[1:], start=2):
        try:
            if len(fields) != len(COLUMNS):
                raise ValueError
            rows.append({c: _convert(c, f) for c, f in zip(COLUMNS, fields)})
        except ValueError:
            if fields:
                notes.append(f"{path} line {number} does not match the header (a torn line?): ignored")
    return rows, notes
