"""The one `illumination` command: parsing and dispatch. One module per command group does the work:
train.py (train, bench train) · window.py (run) · export.py (export, snapshot, bench export) · kiosk.py ·
bench.py (bench render, bench ui, bench startup, bench sharpness) · experiment.py (experiment escape, experiment sweep) ·
quantize.py (experiment quantize) · args.py (the leaf every one of them builds on). A group adds its commands in
`register(commands, benches)` and its experiments in `register_experiments(experiments)`; no group imports another.

A user mistake (bad flag, bad file) prints one clear line and exits 2; an I/O failure exits 1. Never a traceback.
"""
from __future__ import annotations

import errno
import os
import sys

from illumination.cli import bench, experiment, export, kiosk, quantize, train, window
from illumination.cli.args import CleanParser, join_negative_values
from illumination.core import signals
from illumination.core.settings import SettingsError

COMMAND_GROUPS = (train, window, export, kiosk, bench, experiment, quantize)


def build_parser() -> CleanParser:
    parser = CleanParser(prog="illumination", description="A neural network trained live and drawn as light.")
    commands = parser.add_subparsers(dest="command", parser_class=CleanParser)
    bench_parser = commands.add_parser("bench", help="measure performance")
    benches = bench_parser.add_subparsers(dest="bench", parser_class=CleanParser, required=True)
    experiment_parser = commands.add_parser("experiment", help="headless experiments that turn a claim into numbers")
    experiments = experiment_parser.add_subparsers(dest="experiment", parser_class=CleanParser, required=True)
    for group in COMMAND_GROUPS:
        if hasattr(group, "register"):
            group.register(commands, benches)
        if hasattr(group, "register_experiments"):
            group.register_experiments(experiments)
    return parser


def main(argv: list[str] | None = None) -> int:
    signals.install()   # SIGTERM / SIGHUP stop every command like Ctrl-C (exit 143 / 129)
    argv = join_negative_values(sys.argv[1:] if argv is None else argv)
    if sys.stderr is None:      # started with stderr closed (2>&-): messages go nowhere rather than fail
        sys.stderr = open(os.devnull, "w")
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["run", *argv]  # bare `illumination` opens the window
    args = parser.parse_args(argv)
    if sys.stdout is None:      # started with stdout closed (>&-): Python has no sys.stdout at all
        if args.command in ("run", "kiosk") and not (getattr(args, "log", False) or getattr(args, "json_log", False)):
            sys.stdout = open(os.devnull, "w")      # a window writes nothing there
        else:                   # refused before any work: the result would have nowhere to go
            sys.stderr.write("illumination: error: cannot write the output: standard output is closed\n")
            return 1
    if args.command != "run":      # the window releases it after its first live frame (core/collector.py)
        from illumination.core.collector import release_collector
        release_collector()
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()    # a full disk or a closed reader shows here, not as a traceback at exit
        return code
    except SettingsError as error:
        for line in error.lines():
            sys.stderr.write(f"illumination: error: {line}\n")
        return 2
    except KeyboardInterrupt as interrupt:
        name = f" ({interrupt.args[0]})" if isinstance(interrupt, signals.Stopped) else ""
        sys.stderr.write(f"illumination: interrupted{name}\n")
        return signals.exit_code(interrupt)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        _drop_stdout()
        sys.stderr.close()
        return 0
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EBADF):
            raise
        _drop_stdout()          # whatever is still buffered cannot be written either
        sys.stderr.write(f"illumination: error: cannot write the output: {error.strerror}\n")
        return 1


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):   # no real stdout (tests capture it): nothing to redirect
        pass


if __name__ == "__main__":
    raise SystemExit(main())
