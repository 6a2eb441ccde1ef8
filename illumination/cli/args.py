"""The command line's leaf: argument types, the settings flags, settings from flags and a scene file, and how a
command reports. Every command module builds on this one; none imports another.

The settings flags are not written here: each exhibit's settings fields declare theirs (flag, help, parser;
themes/schema.py), and `add_settings_flags` builds them from the registered exhibits, so a new exhibit needs no
line here. A user mistake (bad flag, bad file) prints one clear line and exits 2; an I/O failure exits 1. Never a
traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

from illumination.core.flags import HiddenText, NumberText, WholeText, WrongKind, parser_of, spread


class CleanParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit code 2 (no usage dump)."""

    def error(self, message: str):
        sys.stderr.write(f"illumination: error: {message} (see: {self.prog} --help)\n")
        raise SystemExit(2)


def argument_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A flag parser (core/flags.py: ValueError in the user's words) as an argparse type, which shows the words."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return convert


def whole(text: str, low: int | None = None, name: str = "value") -> int:
    return argument_type(WholeText(name, low))(text)


seed_type = argument_type(WholeText("seed", 0, 2**32 - 1))
hidden_type = argument_type(HiddenText())


def count_type(name: str, low: int = 1):
    return argument_type(WholeText(name, low))


def positive_float(name: str, allow_zero: bool = False):
    return argument_type(NumberText(name, allow_zero))


def bounded_whole(name: str, low: int, high: int):
    return argument_type(WholeText(name, low, high))


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


def setting_type(settings, name: str):
    """The argparse type of a settings field's flag for a command that is not built from the settings (experiment
    escape's --lr, --balls …): the field's own parser, then the field's range, so one flag is checked alike on
    every command (snapshot --lr 1e300 and escape --lr 1e300 are one refusal)."""
    from illumination.core.flags import parser_of
    from themes.schema import check_value, fields_of
    field = fields_of(settings)[name]
    parse = parser_of(field)

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        value, problem = check_value(field.metadata["flag"], field.metadata, value)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem.message)
        return value
    return convert


def epochs_type(low: int = 1):
    """--epochs of a command that trains the network outside its settings (experiment sweep, quantize): train's
    cap (the network's max_epochs, 1,000,000), so no command accepts a run that never ends."""
    from illumination.exhibits.network.settings import NetworkSettings
    from themes.schema import fields_of
    return bounded_whole("epochs", low, fields_of(NetworkSettings)["max_epochs"].metadata["high"])


def add_executor_flags(parser: argparse.ArgumentParser, executor_type) -> None:
    """--executor, --workers and --timeout of a lab command that runs jobs (experiment sweep, quantize); the flag
    of the other executor is refused by lab.executors.flags_problem."""
    from lab.executors import DEFAULT_TIMEOUT, MAX_TIMEOUT
    parser.add_argument("--executor", type=executor_type, default="process",
                        help="process (default: local processes) or dask:tcp://HOST:PORT (an existing Dask "
                             "cluster, also tls://, ws:// or wss://; needs the [cluster] extra)")
    parser.add_argument("--workers", type=count_type("workers", 1),
                        help="with --executor process only: worker processes (default: one per CPU)")
    parser.add_argument("--timeout", type=bounded_float("timeout", 0.01, MAX_TIMEOUT),
                        help=f"with --executor dask only: seconds to wait for the scheduler, at most "
                             f"{MAX_TIMEOUT:g} (default {DEFAULT_TIMEOUT:g})")


def size_type(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, got {text!r}") from None
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"size must be between 16x16 and 7680x4320, got {text!r}")
    return width, height


# -- the settings flags, from the exhibits' settings fields ------------------------------------------------

@dataclass(frozen=True)
class FlagValue:
    """A settings flag as typed, read by the parser of every exhibit that declares it: while argparse reads the
    line it cannot know the run's exhibit (--exhibit may come later, or the scene file names it)."""
    flag: str
    text: str
    readings: dict    # exhibit name → its value, or the ValueError its parser raised

    def value_for(self, exhibit: str):
        reading = self.readings[exhibit]
        if isinstance(reading, ValueError):
            raise reading
        return reading


class SettingsFlagType:
    """The argparse type of one settings flag. The text is refused at once (argparse's one line) when no exhibit
    can read it and one of them says what is wrong with it; text that is only another kind of value (WrongKind:
    a number where the network's noise spec goes) waits until the exhibit is known (settings_from)."""

    def __init__(self, flag: str, parsers: dict[str, Callable[[str], Any]]):
        self.flag, self.parsers = flag, parsers

    def __call__(self, text: str) -> FlagValue:
        readings = {}
        for exhibit, parse in self.parsers.items():
            try:
                readings[exhibit] = parse(text)
            except ValueError as error:
                readings[exhibit] = error
        refusals = [r for r in readings.values() if isinstance(r, ValueError) and not isinstance(r, WrongKind)]
        if refusals and all(isinstance(r, ValueError) for r in readings.values()):
            raise argparse.ArgumentTypeError(str(refusals[0]))
        return FlagValue(self.flag, text, readings)


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _help(owners) -> str:
    """One flag's help from each declaring exhibit's field, read now (a registry's later entries show): its
    phrase, then a choice's options and the default; what every exhibit says alike is said once."""
    names, phrases, tails = [], [], []
    for exhibit, field in owners:
        meta = field.metadata
        phrase = meta.get("help", "")
        tail = f": {', '.join(meta['options'])}" if meta["kind"] == "choice" and "parse" not in meta else ""
        if meta["kind"] != "flag":                    # a flag is off unless given: no default to show
            tail += f" (default {_shown(field.default)})"
        names.append(exhibit.name)
        phrases.append(phrase() if callable(phrase) else phrase)
        tails.append(tail)
    if len(set(tails)) > 1:
        text = "; ".join(f"{name}: {phrase}{tail}" for name, phrase, tail in zip(names, phrases, tails))
    elif len(set(phrases)) > 1:
        text = "; ".join(f"{name}: {phrase}" for name, phrase in zip(names, phrases)) + tails[0]
    else:
        text = phrases[0] + tails[0]
    return text.replace("%", "%%")     # argparse formats help with %


def add_settings_flags(parser: argparse.ArgumentParser, exhibits=None, view: bool = True) -> None:
    """The flags of the exhibits' settings (every registered exhibit's unless given) and --scene. A flag several
    exhibits declare is one flag, each reading it its own way; one only some exhibits have goes in their group.
    view=False leaves out the flags of how a run is drawn (a headless command's)."""
    from illumination.core.settings import DEFAULT_EXHIBIT
    from illumination.exhibits import EXHIBITS
    from themes.schema import fields_of
    exhibits = list(EXHIBITS.values()) if exhibits is None else list(exhibits)
    declared: dict[str, list] = {}
    for exhibit in exhibits:
        for field in fields_of(exhibit.settings).values():
            if "flag" in field.metadata and (view or not field.metadata.get("view")):
                declared.setdefault(field.metadata["flag"], []).append((exhibit, field))
    groups = {}
    for flag, owners in declared.items():
        where = parser
        if len(owners) == 1 and len(exhibits) > 1:
            name = owners[0][0].name
            if name not in groups:
                title = f"the {name} exhibit" + ("" if name == DEFAULT_EXHIBIT else f" (with --exhibit {name})")
                groups[name] = parser.add_argument_group(title)
            where = groups[name]
        if owners[0][1].metadata["kind"] == "flag":     # true when given
            where.add_argument(flag, action="store_const", default=None, help=_help(owners),
                               const=FlagValue(flag, "", {exhibit.name: True for exhibit, _ in owners}))
        else:
            parsers = {exhibit.name: parser_of(field) for exhibit, field in owners}
            where.add_argument(flag, type=SettingsFlagType(flag, parsers), help=_help(owners))
    parser.add_argument("--scene", help="scene TOML file with settings (flags override it)")


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
    else the network; defaults ← scene file ← flags. Records on args what the scene file set (scene_keys), what
    the flags set (flag_keys) and whether the flags asked for a count of 0 (zero_count)."""
    from illumination.core.settings import (DEFAULT_EXHIBIT, SettingsError, load_settings, read_scene,
                                            scene_exhibit)
    from illumination.exhibits import get_exhibit
    from themes.schema import Problem, fields_of
    scene_path = getattr(args, "scene", None)
    values = read_scene(scene_path) if scene_path else None
    args.scene_keys = set(values or ())   # what the scene file set: a command treats it as if it were flags
    named = scene_exhibit(values, str(scene_path)) if values is not None else None
    wanted = exhibit_name or getattr(args, "exhibit", None)
    if wanted and named and wanted != named:
        raise SettingsError([f"--exhibit {wanted} but the scene file {scene_path} is a {named!r} scene"])
    exhibit = get_exhibit(wanted or named or DEFAULT_EXHIBIT)
    declared = {f.metadata["flag"]: f for f in fields_of(exhibit.settings).values() if "flag" in f.metadata}
    overrides, flag_of, problems = {}, {}, []
    for given in (value for value in vars(args).values() if isinstance(value, FlagValue)):
        field = declared.get(given.flag)
        if field is None or exhibit.name not in given.readings:
            problems.append(Problem("", f"{given.flag} does not apply to the {exhibit.name} exhibit"))
            continue
        try:
            value = given.value_for(exhibit.name)
        except WrongKind as error:                 # another exhibit's kind of value: the parser's own words
            problems.append(Problem("", str(error)))
            continue
        except ValueError as error:
            problems.append(Problem(given.flag, str(error)))
            continue
        for key, setting in spread(field, value).items():
            overrides[key], flag_of[key] = setting, given.flag
    if problems:
        raise SettingsError(problems)
    args.flag_keys = set(overrides)
    # A count of 0 (--epochs 0) is a valid headless request: run nothing, report the start. The settings keep
    # their length (the validator's range starts at 1); the command reads zero_count.
    count = exhibit.count_setting
    args.zero_count = bool(count) and overrides.get(count) == 0
    if args.zero_count:
        del overrides[count]
    try:
        return exhibit, load_settings(exhibit.settings, values, overrides, source=str(scene_path or ""))
    except SettingsError as error:
        # A problem with a value the user typed as a flag speaks of that flag (--epochs, not max_epochs); the
        # scene file's keep their key and name the file. The key says which: the text is never read back.
        from_flags = [Problem(flag_of[p.key], p.message) for p in error.problems
                      if not p.source and p.key in flag_of]
        rest = [p for p in error.problems if p.source or p.key not in flag_of]
        raise SettingsError(from_flags + rest) from None


def add_log_flags(parser: argparse.ArgumentParser, where: str) -> None:
    log = parser.add_mutually_exclusive_group()
    log.add_argument("--log", action="store_true", help=f"print the training log (the original page's reports) {where}")
    log.add_argument("--json-log", action="store_true", help=f"the training log as JSON Lines, {where}")


def add_metric_flags(parser: argparse.ArgumentParser) -> None:
    metrics = parser.add_argument_group("metric stream (step_metrics events after every epoch)")
    metrics.add_argument("--metrics-out", metavar="FILE.jsonl",
                         help="write them to a JSON Lines file (an existing one needs --overwrite)")
    metrics.add_argument("--serve-metrics", metavar="[HOST:]PORT",
                         help="serve them over a WebSocket (host 127.0.0.1 unless given; clients get events from "
                              "the moment they connect; at most 16 clients; port 0: the system picks one, and a "
                              "note says which)")
    metrics.add_argument("--metrics-origin", metavar="ORIGIN", action="append",
                         help="with --serve-metrics: also accept browser pages from ORIGIN (e.g. "
                              "https://example.org; * for any); repeatable. Without it only clients that send no "
                              "Origin (programs) or a localhost page are accepted")
    metrics.add_argument("--sharpness-every", type=count_type("sharpness-every", 0), metavar="N",
                         help="with --metrics-out or --serve-metrics: add the Hessian trace and top eigenvalue every "
                              "N epochs (about 8 ms each: bench sharpness; default never)")


def check_metric_flags(args, taken: dict | None = None) -> None:
    """The metric stream's flags, checked before any work (SettingsError: one line, exit 2): --metrics-out as
    lab.stream.check_target has it (an existing file needs --overwrite, a FIFO or a device is refused, no other
    output of the command — `taken`: flag → path), --serve-metrics needs an address, and --metrics-origin and
    --sharpness-every need the stream they shape. Fills in --sharpness-every's default."""
    from illumination.core.settings import SettingsError
    from lab.stream import StreamError, check_target
    out, serve = getattr(args, "metrics_out", None), getattr(args, "serve_metrics", None)
    if getattr(args, "sharpness_every", None) is not None and out is None and serve is None:
        raise SettingsError(["--sharpness-every applies only with --metrics-out or --serve-metrics"])
    if getattr(args, "metrics_origin", None) and serve is None:
        raise SettingsError(["--metrics-origin applies only with --serve-metrics"])
    if getattr(args, "sharpness_every", None) is None:
        args.sharpness_every = 0
    if serve is not None and not serve.strip():
        raise SettingsError(["--serve-metrics needs [HOST:]PORT (e.g. 8765 or 127.0.0.1:0), got an empty one"])
    if out is not None and not out.strip():
        raise SettingsError(["--metrics-out needs a file name"])
    if out is not None:
        try:
            check_target(os.path.expanduser(out), getattr(args, "overwrite", False),
                         {f"the {flag} file": path for flag, path in (taken or {}).items() if path is not None})
        except StreamError as error:
            raise SettingsError([f"--metrics-out: {error}"]) from None


def open_metric_stream(args, taken: dict | None = None):
    """The MetricStream the flags ask for, or None; a bad address, a port in use, an existing or unwritable file is
    a SettingsError (one line, exit 2). A note on stderr says the port the system chose (port 0) and that a server
    on a non-loopback address is reachable from other machines."""
    check_metric_flags(args, taken)
    if args.metrics_out is None and args.serve_metrics is None:
        return None
    from illumination.core.settings import SettingsError
    from lab.stream import MetricStream, StreamError
    origins = getattr(args, "metrics_origin", None) or []
    try:
        stream = MetricStream(None if args.metrics_out is None else os.path.expanduser(args.metrics_out),
                              args.serve_metrics, origins=[o for o in origins if o != "*"], any_origin="*" in origins)
    except StreamError as error:
        flag = "--metrics-out" if str(error).startswith("cannot write metrics") else "--serve-metrics"
        raise SettingsError([f"{flag}: {error}"]) from None
    note = stream.note(args.serve_metrics) if args.serve_metrics is not None else None
    if note:
        sys.stderr.write(f"illumination: note: {note}\n")
    return stream


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


