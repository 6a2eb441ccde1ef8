"""The one `illumination` command. Parsing and dispatch only; each subcommand's work lives in its module.

A user mistake (bad flag, bad file) prints one clear line and exits 2; an I/O failure exits 1. Never a traceback.
"""
from __future__ import annotations

import argparse
import math
import sys

from illumination.config import SettingsError


class CleanParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit code 2 (no usage dump)."""

    def error(self, message: str):
        sys.stderr.write(f"illumination: error: {message} (see: {self.prog} --help)\n")
        raise SystemExit(2)


def whole(text: str, low: int | None = None, name: str = "value") -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}") from None
    if low is not None and value < low:
        raise argparse.ArgumentTypeError(f"{name} must be >= {low}, got {value}")
    return value


def seed_type(text: str) -> int:
    value = whole(text, 0, "seed")
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"seed must be below 2**32, got {value}")
    return value


def count_type(name: str, low: int = 1):
    return lambda text: whole(text, low, name)


def positive_float(name: str):
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number > 0, got {text!r}")
        return value
    return convert


def size_type(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, got {text!r}") from None
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"size must be between 16x16 and 7680x4320, got {text!r}")
    return width, height


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=seed_type, help="run seed: data, initial weights and batch order (default 42)")
    parser.add_argument("--lr", type=positive_float("learning rate"), help="learning rate (default 0.05)")
    parser.add_argument("--batch-size", type=count_type("batch size"), help="samples per update (default 16)")
    parser.add_argument("--epochs", type=count_type("epochs", 0), help="epochs to train (default 200)")
    parser.add_argument("--samples", type=count_type("samples", 10), help="training samples (default 240)")
    parser.add_argument("--hidden", type=count_type("hidden size"), help="hidden neurons (default 16)")
    parser.add_argument("--optimizer", help="optimizer name (default sgd)")
    parser.add_argument("--scene", help="scene TOML file with settings (flags override it)")


def add_view_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", help="theme name or path to a theme .toml (default midnight)")
    parser.add_argument("--speed", type=positive_float("speed"), help="training speed in epochs per second (default 3)")


def settings_from(args: argparse.Namespace):
    """The validated Settings for a command's flags (scene file first, flags on top)."""
    from illumination.config import load_settings
    overrides = {
        "seed": getattr(args, "seed", None),
        "learning_rate": getattr(args, "lr", None),
        "batch_size": getattr(args, "batch_size", None),
        "max_epochs": getattr(args, "epochs", None),
        "samples": getattr(args, "samples", None),
        "hidden_size": getattr(args, "hidden", None),
        "optimizer": getattr(args, "optimizer", None),
        "theme": getattr(args, "theme", None),
        "speed": getattr(args, "speed", None),
    }
    if overrides["max_epochs"] == 0:  # 0 epochs is a valid headless request: train nothing, report the initial net
        overrides["max_epochs"] = None
        args.zero_epochs = True
    return load_settings(getattr(args, "scene", None), overrides)


def build_parser() -> argparse.ArgumentParser:
    parser = CleanParser(prog="illumination", description="A neural network trained live and drawn as light.")
    commands = parser.add_subparsers(dest="command", parser_class=CleanParser)

    from illumination import commands as c

    train = commands.add_parser("train", help="train headless and report")
    add_training_flags(train)
    train.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    train.add_argument("--save-weights", metavar="FILE.npz", help="write the trained parameters (W1, b1, W2, b2)")
    train.add_argument("--backend", choices=("numba", "numpy"), default="numba")
    train.set_defaults(handler=c.train_command)

    bench = commands.add_parser("bench", help="measure performance")
    benches = bench.add_subparsers(dest="bench", parser_class=CleanParser, required=True)
    bench_train = benches.add_parser("train", help="epochs per second of each training path")
    bench_train.add_argument("--batch-size", type=count_type("batch size"), default=16)
    bench_train.add_argument("--seconds", type=positive_float("seconds"), default=2.0, help="time per path")
    bench_train.add_argument("--json", action="store_true")
    bench_train.set_defaults(handler=c.bench_train_command)

    c.register_visual_commands(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["run", *argv]  # bare `illumination` opens the window
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SettingsError as error:
        for line in str(error).splitlines():
            sys.stderr.write(f"illumination: error: {line}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("illumination: interrupted\n")
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
