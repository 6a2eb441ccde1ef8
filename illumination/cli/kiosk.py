"""`illumination kiosk`: the gallery command. The running lives in illumination/modes/kiosk/."""
from __future__ import annotations

import sys

import argparse

from illumination.cli.args import bounded_float, bounded_whole, count_type, positive_float, report, size_type
from illumination.modes.kiosk.faults import FaultPlan
from illumination.modes.kiosk.playlist import FPS_RANGE
from illumination.modes.kiosk.runner import (SOAK_SIZE, KioskError, announce, default_log_path, run_window,
                                             setup_logging, soak)


def register(commands, benches) -> None:
    kiosk = commands.add_parser(
        "kiosk", help="gallery mode: a fullscreen attract loop from a playlist, unattended for days",
        description="Fullscreen attract loop. Exit: hold Esc for 3 s, or Ctrl+Shift+Q. See docs/kiosk.md.")
    kiosk.add_argument("--playlist", metavar="FILE", help="playlist TOML (default: the built-in playlist)")
    kiosk.add_argument("--display", type=count_type("display", 0), default=0, metavar="N",
                       help="which screen to fill, counted from 0 (default 0)")
    kiosk.add_argument("--log-file", metavar="FILE",
                       help=f"rotating log file (default {default_log_path()})")
    kiosk.add_argument("--headless", action="store_true",
                       help="no window: run the loop on the fixed clock as fast as possible (the soak)")
    kiosk.add_argument("--simulate-hours", type=positive_float("simulated hours"), metavar="H",
                       help="with --headless: how many hours of kiosk time to simulate")
    kiosk.add_argument("--json", action="store_true", help="with --headless: print one JSON object")
    kiosk.add_argument("--inject-faults", nargs="?", const=RECOVERABLE, type=fault_kind, metavar="hang",
                       help="make some items diverge and some scenes raise, to exercise the recovery for real; "
                            "`--inject-faults hang` (window only) makes an item's update block forever 12 s in, "
                            "for the systemd watchdog to catch")
    kiosk.add_argument("--fps", type=bounded_whole("fps", *FPS_RANGE), metavar="N",
                       help=f"the window's frame-rate cap, {FPS_RANGE[0]}-{FPS_RANGE[1]} (default: the playlist's "
                            f"fps, else 60)")
    kiosk.add_argument("--render-scale", type=bounded_float("render scale", 0.25, 1.0), metavar="S",
                       help="draw at this share of the screen's size and let SDL scale it up: 0.5 on a 4K screen "
                            "draws 1920x1080 (default: the playlist's render_scale, else 1)")
    kiosk.add_argument("--size", type=size_type, help="with --headless: drawing size (default 320x180)")
    kiosk.add_argument("--no-sound", action="store_true",
                       help="play silently, whatever the playlist's sound key says (README, Sound)")
    kiosk.add_argument("--visitors", action="store_true",
                       help="with --headless: a simulated visitor touches, draws, teaches and walks away every 5 "
                            "simulated minutes (the playlist's draw = true opens the pad)")
    kiosk.set_defaults(handler=kiosk_command)


# --inject-faults with no value: the faults the kiosk comes back from (a tuple: argparse passes a str const
# through the type, which takes only "hang")
RECOVERABLE = ("recoverable",)


def fault_kind(text: str) -> str:
    if text != "hang":
        raise argparse.ArgumentTypeError(f"--inject-faults takes no value (faults the kiosk recovers from) or "
                                         f"'hang', got {text!r}")
    return text


def kiosk_command(args) -> int:
    try:
        if args.headless:
            if args.simulate_hours is None:
                raise KioskError("--headless needs --simulate-hours H (e.g. --simulate-hours 24)")
            if args.inject_faults == "hang":
                raise KioskError("--inject-faults hang only applies to the window: a hang stops the loop for good, "
                                 "and only systemd's watchdog ends it (the soak would wait forever)")
            if args.fps is not None:
                raise KioskError("--fps only applies to the window (the soak runs on its fixed clock, as fast as "
                                 "it can)")
            if args.render_scale is not None:
                raise KioskError("--render-scale only applies to the window (the soak draws at --size)")
        else:
            for flag, given in (("--simulate-hours", args.simulate_hours is not None), ("--json", args.json),
                                ("--size", args.size is not None), ("--visitors", args.visitors)):
                if given:
                    raise KioskError(f"{flag} only applies with --headless (the kiosk window is fullscreen)")
        if args.log_file is not None and not args.log_file.strip():
            raise KioskError("--log-file needs a file name, got an empty one (leave the flag out for the default)")
        log, log_path = setup_logging(args.log_file)
    except KioskError as error:
        sys.stderr.write(f"illumination: error: {error}\n")
        return 2
    from illumination.modes.kiosk.playlist import resolve_playlist
    playlist_report = resolve_playlist(args.playlist)
    if args.no_sound and playlist_report.playlist.sound:
        import dataclasses
        playlist_report = dataclasses.replace(playlist_report,
                                              playlist=dataclasses.replace(playlist_report.playlist, sound=False))
        log.info("sound: off (--no-sound)")
    announce(playlist_report, log, quiet=args.json)
    faults = (None if args.inject_faults is None else FaultPlan.hang_only() if args.inject_faults == "hang"
              else FaultPlan())
    if args.inject_faults == "hang":
        line = (f"--inject-faults hang: the first item to play {faults.at_s:g} s stops the kiosk there for good; "
                f"under systemd with WatchdogSec= the watchdog restarts it")
        log.warning(line)
        sys.stderr.write(f"illumination: warning: {line}\n")
    if args.headless:
        result = soak(playlist_report.playlist, args.simulate_hours, args.size or SOAK_SIZE, faults=faults, log=log,
                      progress=True, visitors=args.visitors)
        result["playlist"] = playlist_report.playlist.source
        result["playlist_problems"] = len(playlist_report.problems)
        result["log_file"] = str(log_path) if log_path else None
        return report(result, args.json)
    return run_window(playlist_report.playlist, args.display, faults=faults, log=log, fps=args.fps,
                      render_scale=args.render_scale)


