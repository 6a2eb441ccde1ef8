"""`illumination kiosk`: the gallery command. The running lives in illumination/modes/kiosk/."""
from __future__ import annotations

import sys

from illumination.cli.args import count_type, positive_float, report, size_type
from illumination.modes.kiosk.faults import FaultPlan
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
    kiosk.add_argument("--inject-faults", action="store_true",
                       help="make some items diverge and some scenes raise, to exercise the recovery for real")
    kiosk.add_argument("--size", type=size_type, help="with --headless: drawing size (default 320x180)")
    kiosk.set_defaults(handler=kiosk_command)


def kiosk_command(args) -> int:
    try:
        if args.headless:
            if args.simulate_hours is None:
                raise KioskError("--headless needs --simulate-hours H (e.g. --simulate-hours 24)")
        else:
            for flag, given in (("--simulate-hours", args.simulate_hours is not None), ("--json", args.json),
                                ("--size", args.size is not None)):
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
    announce(playlist_report, log, quiet=args.json)
    faults = FaultPlan() if args.inject_faults else None
    if args.headless:
        result = soak(playlist_report.playlist, args.simulate_hours, args.size or SOAK_SIZE, faults=faults, log=log,
                      progress=True)
        result["playlist"] = playlist_report.playlist.source
        result["playlist_problems"] = len(playlist_report.problems)
        result["log_file"] = str(log_path) if log_path else None
        return report(result, args.json)
    return run_window(playlist_report.playlist, args.display, faults=faults, log=log)


