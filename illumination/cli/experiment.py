"""`illumination experiment escape`: does noise let descent escape local minima? Counted, not shown.
`illumination experiment sweep`: train every seed × noise × optimizer, and say whether the predictions hold.

Headless and pygame-free: the ensembles run in lab/escape.py. One table row per noise level (or per
cooling schedule with --schedule): the fraction of balls that end in the global minimum's basin and their
mean final loss. The same arguments give a bit-identical table. The sweep runs in lab/sweep.py (in parallel
processes, or on a Dask cluster) and writes results.csv, results.png and summary.md (lab/sweep_report.py).
"""
from __future__ import annotations

import argparse
import math
import os
import sys

from illumination.cli.args import (add_executor_flags, bounded_whole, epochs_type, fail, positive_float, report,
                                   seed_type, setting_type)

DEFAULT_NOISE = "0,0.5,1,2,4"
SCHEDULE_T0 = 2.0           # escape --schedule's starting noise level unless --temperature says
# The default grid answers four of the five predictions (the fourth, quantization, from its no-noise runs):
# input jitter and a mild SGLD at matched loss (1, 5), a hot SGLD constant, cyclical and annealed (2), and a
# band of label noise (3).
SWEEP_NOISE = ("none,input_jitter:0.1,sgld:0.001,sgld:0.03,sgld:0.03@cyclical,sgld:0.03@cosine,label_noise:0.05,"
               "label_noise:0.1,label_noise:0.2")
SWEEP_SEEDS = "0-29"
SWEEP_MATCH = 0.15
SWEEP_OPTIMIZERS = "sgd,adamw"


def _numbers(text: str) -> list[float]:
    """--noise: levels in the Landscape's range for its noise (--temperature and --noise: 0 to 100), as snapshot
    --exhibit landscape checks them."""
    from illumination.exhibits.landscape.settings import LandscapeSettings
    from themes.schema import fields_of, plain
    meta = fields_of(LandscapeSettings)["temperature"].metadata
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"noise must be numbers separated by commas, got {text!r}") from None
    if not values or not all(math.isfinite(v) and meta["low"] <= v <= meta["high"] for v in values):
        raise argparse.ArgumentTypeError(f"noise levels must be finite numbers from {plain(meta['low'])} to "
                                         f"{plain(meta['high'])}, got {text!r}")
    return values


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("--schedule needs at least one schedule name")
    return names


def _checked(parse):
    """A lab.sweep parser as an argparse type: its SweepError becomes argparse's one-line error."""
    def convert(text: str):
        from lab.sweep import SweepError
        try:
            return parse(text)
        except SweepError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return convert


def _seeds(text: str) -> str:
    from lab.sweep import parse_seeds
    _checked(parse_seeds)(text)
    return text


def _executor(text: str) -> str:
    from lab.sweep import parse_executor
    _checked(parse_executor)(text)
    return text


def _match(text: str) -> float | None:
    """--match-train-loss: a finite loss > 0, or none."""
    if text.strip().lower() == "none":
        return None
    return positive_float("--match-train-loss")(text)


def _listed(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def register_experiments(experiments) -> None:
    # The names in the help are read from the registries now, so a newly registered one shows.
    from data.surfaces import SURFACES
    from network.noise import NOISE_MODES
    from network.optim import ROLLING
    from network.schedules import SCHEDULES
    from physics.descent import NOISE_MODES as BALL_NOISE
    from illumination.exhibits.landscape.settings import LandscapeSettings
    from lab.escape import MAX_STEPS as ESCAPE_MAX_STEPS
    escape = experiments.add_parser("escape", help="how many balls reach the global basin, per noise level")
    escape.add_argument("--surface", default="complex", help=f"loss surface: {_listed(SURFACES)} (default complex)")
    escape.add_argument("--balls", type=setting_type(LandscapeSettings, "balls"), default=1000,
                        help="balls per row (1 to 100,000)")
    escape.add_argument("--steps", type=bounded_whole("steps", 0, ESCAPE_MAX_STEPS), default=2000,
                        help=f"steps each ball takes, 0 to {ESCAPE_MAX_STEPS:,} (default 2000)")
    escape.add_argument("--noise", type=_numbers,
                        help=f"noise levels, comma separated, each 0 to 100 (default {DEFAULT_NOISE}): the "
                             "temperature T0 in langevin mode, the kick size in uniform mode; not with --schedule")
    escape.add_argument("--schedule", type=_names,
                        help="compare cooling schedules instead (e.g. exponential,polynomial,linear,constant) "
                             "at --temperature")
    escape.add_argument("--temperature", type=setting_type(LandscapeSettings, "temperature"),
                        help=f"with --schedule only: the starting noise level, 0 to 100 (default {SCHEDULE_T0:g})")
    escape.add_argument("--noise-mode", default="langevin",
                        help=f"{_listed(BALL_NOISE)} (default langevin; uniform: the seed's kick)")
    escape.add_argument("--optimizer", default="momentum", help=f"{_listed(ROLLING)} (default momentum)")
    escape.add_argument("--lr", type=setting_type(LandscapeSettings, "learning_rate"), default=0.01,
                        help="learning rate, 1e-05 to 10 (default 0.01)")
    escape.add_argument("--momentum", type=setting_type(LandscapeSettings, "momentum"), default=0.8,
                        help="momentum β, 0 to 0.999 (default 0.8)")
    escape.add_argument("--seed", type=seed_type, default=0, help="one seed for every stream (default 0)")
    escape.add_argument("--json", action="store_true", help="print one JSON object")
    escape.set_defaults(handler=escape_command)

    sweep = experiments.add_parser("sweep", help="train every seed × noise × optimizer; results.csv, a plot and "
                                                 "summary.md on whether the predictions hold")
    sweep.add_argument("--seeds", type=_seeds, default=SWEEP_SEEDS,
                       help=f"seeds: 0-9, 3, 0,2,5 or 0-4,10 (default {SWEEP_SEEDS})")
    sweep.add_argument("--noise", default=SWEEP_NOISE,
                       help=f"noise conditions, comma separated: none or MODE:MAGNITUDE, optionally @SCHEDULE "
                            f"(sgld:3e-2@cyclical); MODE one of "
                            f"{', '.join(mode for mode in NOISE_MODES if mode != 'none')}; SCHEDULE one of "
                            f"{', '.join(SCHEDULES)} (default {SWEEP_NOISE})")
    sweep.add_argument("--optimizer", default=SWEEP_OPTIMIZERS,
                       help=f"optimizers, comma separated (default {SWEEP_OPTIMIZERS})")
    sweep.add_argument("--epochs", type=epochs_type(), default=200,
                       help="epochs per run, 1 to 1,000,000 as train allows (default 200)")
    sweep.add_argument("--match-train-loss", type=_match, default=SWEEP_MATCH, metavar="LOSS",
                       help=f"measure each run where its clean training loss first reaches LOSS (default "
                            f"{SWEEP_MATCH}); runs that never reach it are measured at the end and reported as "
                            f"such; 'none' measures every run at the end")
    sweep.add_argument("-o", "--output", default="results",
                       help="directory for results.csv, results.png and summary.md (default results); "
                            "a re-run skips the combinations already in its results.csv")
    add_executor_flags(sweep, _executor)
    sweep.add_argument("--json", action="store_true", help="print one JSON object")
    sweep.set_defaults(handler=sweep_command)


def escape_command(args) -> int:
    from tqdm import tqdm
    from illumination.core.settings import SettingsError
    from physics.descent import check_ball_count
    from lab.escape import escape_table, format_table, schedule_table
    # A flag for the other kind of table would be ignored: refused instead (README: a flag that does not apply).
    if args.schedule and args.noise is not None:
        return fail("--noise does not apply with --schedule (every schedule starts at --temperature)")
    if not args.schedule and args.temperature is not None:
        return fail("--temperature applies only with --schedule (without it, --noise gives the levels)")
    if args.schedule:
        args.temperature = SCHEDULE_T0 if args.temperature is None else args.temperature
    else:
        args.noise = _numbers(DEFAULT_NOISE) if args.noise is None else args.noise
    common = dict(surface=args.surface, balls=args.balls, steps=args.steps, seed=args.seed,
                  noise_mode=args.noise_mode, optimizer=args.optimizer, learning_rate=args.lr,
                  momentum=args.momentum)
    levels = args.schedule if args.schedule else args.noise
    rows = []
    try:
        # Validate every argument before the first ensemble runs (a one-ball, zero-step table is free).
        check_ball_count(args.balls)
        if args.schedule:
            schedule_table(**{**common, "balls": 1, "steps": 0}, temperature=args.temperature,
                           schedules=args.schedule)
        else:
            escape_table(**{**common, "balls": 1, "steps": 0}, noises=args.noise)
        # Each row is independent of the others (its own stream), so rows are run one at a time for the bar.
        for level in tqdm(levels, desc="escape", unit="row", file=sys.stderr, leave=False,
                          disable=True if os.environ.get("CI") else None):
            if args.schedule:
                rows += schedule_table(**common, temperature=args.temperature, schedules=(level,))
            else:
                rows += escape_table(**common, noises=(level,))
    except ValueError as error:
        raise SettingsError([str(error)]) from None
    result = {"experiment": "escape", **common, "rows": rows}
    if args.schedule:
        result["temperature"] = args.temperature
    if args.json:
        return report(result, True)
    what = f"temperature T0 {args.temperature:g}, " if args.schedule else ""
    print(f"{args.balls} balls × {args.steps} steps on {args.surface} ({args.optimizer}, lr {args.lr:g}, "
          f"{args.noise_mode} noise, {what}seed {args.seed}); global basin = where noiseless descent reaches "
          f"the lowest minimum")
    print(format_table(rows))
    return 0


def sweep_command(args) -> int:
    from lab import sweep
    from lab.executors import flags_problem
    problem = flags_problem(args)
    if problem:
        return fail(problem)
    seeds = sweep.parse_seeds(args.seeds)   # checked by argparse already
    try:
        noises = sweep.parse_names(args.noise, "--noise")
        optimizers = sweep.parse_names(args.optimizer, "--optimizer")
        sweep.validate(noises, optimizers)          # every name known before the first job runs
        noises = sweep.canonical_conditions(noises)  # sgld:1e-4 and sgld:0.0001 are one condition
        result = sweep.run_sweep(seeds, noises, optimizers, args.epochs, args.output,
                                 match_train_loss=args.match_train_loss, executor=args.executor,
                                 workers=args.workers, timeout=args.timeout)
    except sweep.SweepError as error:
        return fail(str(error))
    except KeyboardInterrupt as interrupt:     # the finished rows are in results.csv; say what was written
        if getattr(interrupt, "sweep_result", None):
            _sweep_report(interrupt.sweep_result, args.json)
        raise
    except OSError as error:
        return fail(f"cannot write the sweep's files in {args.output}: {error.strerror or error}", 1)
    _sweep_report(result, args.json)
    if result["failures"]:
        return fail(f"{result['failed']} of {result['combinations'] - result['skipped']} runs failed (first: "
                    f"{result['failures'][0]}); a re-run retries them", 1)
    return 0


def _sweep_report(result: dict, as_json: bool) -> None:
    if as_json:
        report({"experiment": "sweep", **result}, True)
        return
    report({key: value for key, value in result.items() if key not in ("notes", "failures")}, False)
    for note in result["notes"]:
        sys.stderr.write(f"illumination: note: {note}\n")
