"""The command line's leaf: argument types, the shared flags, settings from flags and a scene file, and how a
command reports. Every command module builds on this one; none imports another.

A user mistake (bad flag, bad file) prints one clear line and exits 2; an I/O failure exits 1. Never a traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import sys


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
        raise argparse.ArgumentTypeError(f"seed must be from 0 to {2**32 - 1:,}, got {value}")
    return value


def count_type(name: str, low: int = 1):
    return lambda text: whole(text, low, name)


def noise_type(text: str):
    """A number (the landscape's kick) or a noise spec (the network's MODE:MAGNITUDE), checked either way."""
    try:
        value = float(text)
    except ValueError:
        from network.noise import parse_noise
        try:
            return parse_noise(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"noise must be a finite number >= 0, got {text!r}")
    return value


def hidden_type(text: str) -> tuple[int, int]:
    """--hidden 16 (one hidden layer of 16) or --hidden 16,16 (two, the original page's network): (size, layers)."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 2:
        raise argparse.ArgumentTypeError(f"--hidden takes one or two layers (16 or 16,16), got {text!r}")
    sizes = [whole(part, 1, "hidden size") for part in parts]
    if len(set(sizes)) > 1:
        raise argparse.ArgumentTypeError(f"both hidden layers have one size, as on the original page (16,16), "
                                         f"got {text!r}")
    return sizes[0], len(sizes)


def positive_float(name: str, allow_zero: bool = False):
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, "
                                             f"got {text!r}")
        return value
    return convert


def bounded_whole(name: str, low: int, high: int):
    def convert(text: str) -> int:
        value = whole(text, low, name)
        if value > high:
            raise argparse.ArgumentTypeError(f"{name} must be from {low:,} to {high:,}, got {value}")
        return value
    return convert


def bounded_float(name: str, low: float, high: float):
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{name} must be a number from {low:g} to {high:g}, got {text!r}")
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
    parser.add_argument("--hidden", type=hidden_type, help="hidden neurons per layer: 16 (one hidden layer, the "
                                                           "default) or 16,16 (two: the original page's 64-16-16-2)")
    parser.add_argument("--optimizer", help="optimizer name (default sgd)")
    parser.add_argument("--noise", type=noise_type,
                        help="network: train under noise, none or MODE:MAGNITUDE with MODE input_jitter, label_noise, "
                             "gradient_gaussian, sgld or parameter_jitter (e.g. input_jitter:0.1, sgld:1e-4); the "
                             "landscape: the uniform kick size, a number (with --noise-mode uniform)")
    parser.add_argument("--schedule", help="how the noise (network) or temperature (landscape) changes over the run: "
                                           "constant (default), exponential, polynomial, linear, cosine, cyclical, "
                                           "inverse_anneal")
    parser.add_argument("--early-stop", action="store_const", const=True, default=None,
                        help="stop when the loss on a validation split (the last sixth of the training samples, "
                             "held out) stops improving")
    parser.add_argument("--scene", help="scene TOML file with settings (flags override it)")


def add_view_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", help="theme name or path to a theme .toml (default midnight)")
    parser.add_argument("--speed", type=positive_float("speed"),
                        help="training speed in epochs per second (default 3); the landscape: steps per second (60)")
    parser.add_argument("--composition", help="explain (the annotated layout; the window's default) or gallery "
                                              "(the wall's: the network or the surface large, a few big words)")
    parser.add_argument("--decorations", action="store_const", const=True, default=None,
                        help="network: the original page's flow dots, particle arrows, lingering glows, highlights "
                             "and state rings (any theme; --theme original is the page's look)")
    landscape = parser.add_argument_group("the landscape exhibit (with --exhibit landscape)")
    landscape.add_argument("--surface", help="bowl, complex (default), rosenbrock, rastrigin, ackley, neural, "
                                             "saddle, plateau")
    landscape.add_argument("--balls", type=count_type("balls"), help="balls rolling at once (default 1, most 100000)")
    landscape.add_argument("--temperature", type=positive_float("temperature", allow_zero=True),
                           help="Langevin temperature T (default 0)")
    landscape.add_argument("--noise-mode", help="langevin (default) or uniform")
    landscape.add_argument("--momentum", type=positive_float("momentum", allow_zero=True), help="β (default 0.8)")
    landscape.add_argument("--view", help="3d (default), map, valley or network")
    landscape.add_argument("--steps", type=count_type("steps"), help="steps of the run (default 2000)")


# flag (argparse dest) -> (settings key, the flag as typed): flags name scene-file keys of the exhibit
FLAG_KEYS = {"seed": ("seed", "--seed"), "lr": ("learning_rate", "--lr"), "batch_size": ("batch_size", "--batch-size"),
             "epochs": ("max_epochs", "--epochs"), "samples": ("samples", "--samples"),
             "hidden": ("hidden_size", "--hidden"), "optimizer": ("optimizer", "--optimizer"),
             "theme": ("theme", "--theme"), "speed": ("speed", "--speed"), "surface": ("surface", "--surface"),
             "balls": ("balls", "--balls"), "temperature": ("temperature", "--temperature"),
             "noise": ("noise", "--noise"), "noise_mode": ("noise_mode", "--noise-mode"),
             "momentum": ("momentum", "--momentum"), "schedule": ("schedule", "--schedule"),
             "view": ("view", "--view"), "steps": ("max_steps", "--steps"),
             "composition": ("composition", "--composition"), "early_stop": ("early_stop", "--early-stop"),
             "decorations": ("decorations", "--decorations")}


NON_FINITE = ("-inf", "-infinity", "-nan")


def join_negative_values(argv: list[str]) -> list[str]:
    """argparse reads "-inf" after an option as another option ("expected one argument"); join such a value to its
    option ("--lr=-inf") so the option's own check explains what is wrong with it."""
    joined = []
    for token in argv:
        if joined and token.lower() in NON_FINITE and joined[-1].startswith("--") and "=" not in joined[-1]:
            joined[-1] = f"{joined[-1]}={token}"
        else:
            joined.append(token)
    return joined


def settings_from(args: argparse.Namespace, exhibit_name: str | None = None):
    """(exhibit, validated settings) for a command's flags: the exhibit from --exhibit, else the scene file's,
    else the network; defaults ← scene file ← flags."""
    from illumination.core.settings import SettingsError, load_settings, read_scene, scene_exhibit
    from themes.schema import fields_of
    from illumination.exhibits import get_exhibit
    scene_path = getattr(args, "scene", None)
    values = read_scene(scene_path) if scene_path else None
    args.scene_keys = set(values or ())   # what the scene file set: a command treats it as if it were flags
    named = scene_exhibit(values, str(scene_path)) if values is not None else None
    wanted = exhibit_name or getattr(args, "exhibit", None)
    if wanted and named and wanted != named:
        raise SettingsError([f"--exhibit {wanted} but the scene file {scene_path} is a {named!r} scene"])
    exhibit = get_exhibit(wanted or named or "network")
    keys = fields_of(exhibit.settings)
    overrides, problems = {}, []
    for dest, (key, flag) in FLAG_KEYS.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if dest == "noise" and exhibit.name == "network":     # a spec: the network's noise mode and magnitude
            if isinstance(value, float):
                problems.append("--noise for the network is none or MODE:MAGNITUDE (e.g. input_jitter:0.1), "
                                f"got {value:g}")
            else:
                overrides["noise_mode"], overrides["noise_magnitude"] = value.mode, value.magnitude
        elif key not in keys:
            problems.append(f"{flag} does not apply to the {exhibit.name} exhibit")
        elif dest == "hidden":            # (size, layers)
            overrides["hidden_size"], overrides["hidden_layers"] = value
        elif dest == "noise" and not isinstance(value, float):
            problems.append(f"--noise for the {exhibit.name} exhibit is a number (the uniform kick), got {value.label}")
        else:
            overrides[key] = value
    if problems:
        raise SettingsError(problems)
    if overrides.get("max_epochs") == 0:  # 0 epochs is a valid headless request: train nothing, report the initial net
        del overrides["max_epochs"]
        args.zero_epochs = True
    try:
        return exhibit, load_settings(exhibit.settings, values, overrides)
    except SettingsError as error:
        # A problem with a value the user typed as a flag speaks of that flag (--epochs, not max_epochs); the
        # others are the scene file's, named by its key and the file.
        flags = {key: flag for dest, (key, flag) in FLAG_KEYS.items() if key in overrides}
        from_flags = [flags[p.split(":", 1)[0]] + ":" + p.split(":", 1)[1] for p in error.problems
                      if p.split(":", 1)[0] in flags]
        from_file = [p for p in error.problems if p.split(":", 1)[0] not in flags]
        if not from_flags:
            raise SettingsError(from_file, str(scene_path) if scene_path else "") from None
        if from_file and scene_path:
            raise SettingsError([*from_flags, *(f"{scene_path}: {p}" for p in from_file)]) from None
        raise SettingsError(from_flags + from_file) from None


def add_log_flags(parser: argparse.ArgumentParser, where: str) -> None:
    log = parser.add_mutually_exclusive_group()
    log.add_argument("--log", action="store_true", help=f"print the training log (the original page's reports) {where}")
    log.add_argument("--json-log", action="store_true", help=f"the training log as JSON Lines, {where}")


def add_metric_flags(parser: argparse.ArgumentParser) -> None:
    metrics = parser.add_argument_group("metric stream (step_metrics events after every epoch)")
    metrics.add_argument("--metrics-out", metavar="FILE.jsonl", help="write them to a JSON Lines file")
    metrics.add_argument("--serve-metrics", metavar="[HOST:]PORT",
                         help="serve them over a WebSocket (host 127.0.0.1 unless given; clients get events from "
                              "the moment they connect)")
    metrics.add_argument("--sharpness-every", type=count_type("sharpness-every", 0), default=0, metavar="N",
                         help="add the Hessian trace and top eigenvalue every N epochs (~16 ms each; default never)")


def open_metric_stream(args):
    """The MetricStream the flags ask for, or None; a bad address, a port in use or an unwritable file is a
    SettingsError (one line, exit 2)."""
    if not (getattr(args, "metrics_out", None) or getattr(args, "serve_metrics", None)):
        return None
    from illumination.core.settings import SettingsError
    from lab.stream import MetricStream, StreamError
    if args.metrics_out is not None and not args.metrics_out.strip():
        raise SettingsError(["--metrics-out needs a file name"])
    try:
        return MetricStream(args.metrics_out, args.serve_metrics)
    except StreamError as error:
        flag = "--serve-metrics" if "port" in str(error) or "address" in str(error) or "serve" in str(error) \
            else "--metrics-out"
        raise SettingsError([f"{flag}: {error}"]) from None


def log_sink(args, stream):
    """The training log's sink for --log (readable lines) or --json-log (JSON Lines) on stream; None without."""
    if not (getattr(args, "log", False) or getattr(args, "json_log", False)):
        return None
    from network.trainlog import describe

    def sink(event: dict) -> None:
        lines = [json.dumps(event)] if args.json_log else describe(event)
        stream.write("".join(line + "\n" for line in lines))
        stream.flush()
    return sink


def report(result: dict, as_json: bool) -> int:
    """A command's result: one JSON object on stdout (--json), or aligned key: value lines for people."""
    if as_json:
        print(json.dumps(result))
    else:
        width = max(map(len, result), default=0)
        for key, value in result.items():
            print(f"{key:>{width}}: {value}")
    return 0


def fail(message: str, code: int = 2) -> int:
    """One line on stderr; the exit code (2: a user mistake, 1: an I/O failure)."""
    sys.stderr.write(f"illumination: error: {message}\n")
    return code


