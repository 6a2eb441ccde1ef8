"""`illumination experiment quantize`: prediction 4 — does dithered quantization at inference improve ECE and loss
over undithered rounding at the same bit depth? One job per seed (train, then score every bits × dither on the
seed's evaluation set; lab/quantize.py) on local processes or a Dask cluster; a table of means and one verdict per
bit depth. The same arguments give the same numbers (only "seconds" differs). Every bad value is refused by
argparse before any work: one line, exit 2.
"""
from __future__ import annotations

import argparse
import sys

from illumination.cli.args import add_executor_flags, bounded_whole, epochs_type, fail, report

DEFAULT_BITS = "2,3,4,6,8"
DEFAULT_DITHER = "none,uniform"
LOST = {"diverged": "diverged in training", "dead": "ended training dead (every hidden ReLU silent)"}


def _bits(text: str) -> list[int]:
    from lab.quantize import MAX_BITS, MIN_BITS
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and MIN_BITS <= int(part) <= MAX_BITS for part in parts):
        raise argparse.ArgumentTypeError(f"--bits takes whole numbers from {MIN_BITS} to {MAX_BITS} separated by "
                                         f"commas, got {text!r}")
    return list(dict.fromkeys(int(part) for part in parts))


def _dithers(text: str) -> list[str]:
    from lab.quantize import DITHERS
    names = [part.strip() for part in text.split(",")]
    unknown = [name for name in names if name not in DITHERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown dither {unknown[0]!r} in {text!r} (known: {', '.join(DITHERS)})")
    return list(dict.fromkeys(names))


def _optimizer(text: str) -> str:
    from network.optim import OPTIMIZERS
    if text not in OPTIMIZERS:
        raise argparse.ArgumentTypeError(f"unknown optimizer {text!r} (known: {', '.join(OPTIMIZERS)})")
    return text


def _checked(parse):
    """A lab.sweep parser as an argparse type: its SweepError becomes argparse's one-line error."""
    def convert(text: str) -> str:
        from lab.sweep import SweepError
        try:
            parse(text)
        except SweepError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text
    return convert


def register_experiments(experiments) -> None:
    from lab.sweep import parse_executor, parse_seeds
    from lab.quantize import DRAWS
    quantize = experiments.add_parser(
        "quantize", help="prediction 4: dithered vs undithered quantized inference, ECE and loss per bit depth")
    quantize.add_argument("--bits", type=_bits, default=_bits(DEFAULT_BITS),
                          help=f"bit depths, comma separated, each 2 to 16 (default {DEFAULT_BITS})")
    quantize.add_argument("--dither", type=_dithers, default=_dithers(DEFAULT_DITHER),
                          help=f"none (round) and/or uniform (round after U(-1/2, 1/2) noise, mean of --draws "
                               f"predictions) (default {DEFAULT_DITHER})")
    quantize.add_argument("--seeds", type=_checked(parse_seeds), default="0-29",
                          help="seeds: 0-29, 3, 0,2,5 or 0-4,10 (default 0-29)")
    quantize.add_argument("--epochs", type=epochs_type(), default=200,
                          help="epochs per run, 1 to 1,000,000 as train allows (default 200)")
    quantize.add_argument("--optimizer", type=_optimizer, default="sgd",
                          help="optimizer, at its default learning rate (default sgd)")
    quantize.add_argument("--draws", type=bounded_whole("draws", 1, 10_000), default=DRAWS,
                          help=f"K: dithered copies averaged per prediction (default {DRAWS})")
    add_executor_flags(quantize, _checked(parse_executor))
    quantize.add_argument("--json", action="store_true", help="print one JSON object")
    quantize.set_defaults(handler=quantize_command)


def quantize_command(args) -> int:
    from lab import quantize, sweep
    from lab.executors import flags_problem
    problem = flags_problem(args)
    if problem:
        return fail(problem)
    try:
        result = quantize.run_experiment(sweep.parse_seeds(args.seeds), args.bits, args.dither, args.optimizer,
                                         args.epochs, args.draws, executor=args.executor, workers=args.workers,
                                         timeout=args.timeout)
    except sweep.SweepError as error:          # an unreachable scheduler, a missing extra
        return fail(str(error))
    if args.json:
        report({"experiment": "quantize", **result}, True)
    else:
        print(format_result(result))
    errors = [entry for entry in result["failed"] if entry["reason"] not in LOST]
    for entry in result["failed"]:
        if entry not in errors:
            what = LOST[entry["reason"]]
            sys.stderr.write(f"illumination: note: seed {entry['seed']} {what}; left out of every mean and pair\n")
    if errors:
        return fail(f"{len(errors)} of {result['seeds']} seeds failed (first: seed {errors[0]['seed']}: "
                    f"{errors[0]['reason']})", 1)
    return 0


def _shown(value, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _p(value) -> str:
    """A p-value; 0 is below the bootstrap's resolution, so it is said as such, not as 0.000."""
    from lab.stats import RESAMPLES
    if value is None:
        return "—"
    return f"< {1 / RESAMPLES:.0e}" if value == 0 else f"{value:.3g}"


def _signed(value) -> str:
    return "—" if value is None else f"{value:+.4f}"


def format_result(result: dict) -> str:
    full = result["full_precision"]
    lines = [f"{result['seeds']} seeds × {result['epochs']} epochs ({result['optimizer']}), "
             f"{result['eval_samples']} evaluation shapes per seed, K = {result['draws']} dithered draws",
             f"{'bits':>5}  {'dither':<8} {'ECE':>7}  {'eval loss':>9}  {'eval accuracy':>13}",
             f"{'full':>5}  {'—':<8} {_shown(full['ece']):>7}  {_shown(full['eval_loss']):>9}  "
             f"{_shown(full['eval_accuracy']):>13}"]
    for row in result["rows"]:
        lines.append(f"{row['bits']:>5}  {row['dither']:<8} {_shown(row['ece']):>7}  {_shown(row['eval_loss']):>9}  "
                     f"{_shown(row['eval_accuracy']):>13}")
    for bits, verdict in result["verdicts"].items():
        parts = [f"Δ {c['metric']} {_signed(c['mean'])} [{_signed(c['low'])}, {_signed(c['high'])}] "
                 f"p_holm {_p(c['p_holm'])}" for c in result["comparisons"] if c["bits"] == bits]
        lines.append(f"{bits} bits: {verdict} (uniform − none: {'; '.join(parts)})")
    lines.append(result["rule"])
    return "\n".join(lines)
