"""`illumination run` (also bare `illumination`): the desktop window."""
from __future__ import annotations

import sys

from illumination.cli.args import (add_log_flags, add_metric_flags, add_settings_flags, bounded_float, log_sink,
                                   open_metric_stream, settings_from, size_type)


def register(commands, benches) -> None:
    run = commands.add_parser("run", help="open the window (the default command)")
    add_settings_flags(run)
    run.add_argument("--size", type=size_type, help="window size, e.g. 1920x1080 (default: 90%% of the screen, "
                                                     "centred)")
    run.add_argument("--exhibit", help="which exhibit to show (default network, or the scene file's)")
    run.add_argument("--no-panel", action="store_true", help="start with the control panel hidden (Tab shows it)")
    run.add_argument("--sound", action="store_true",
                     help="start with the sound on (M or the panel's Sound button turn it on and off; README, Sound)")
    run.add_argument("--volume", type=bounded_float("volume", 0.0, 1.0), default=0.6, help="the sound's master volume, 0-1 (default 0.6)")
    add_log_flags(run, "on stdout, run after run")
    add_metric_flags(run)
    run.add_argument("--overwrite", action="store_true", help="replace an existing --metrics-out file")
    run.set_defaults(handler=run_command)


def run_command(args) -> int:
    from illumination.modes.desktop.window import run_window
    from illumination.core.settings import SettingsError
    exhibit, settings = settings_from(args)
    if args.sharpness_every is not None:     # the window's metric stream measures no sharpness: not ignored
        raise SettingsError(["--sharpness-every applies only to train (the window's metrics have no sharpness)"])
    if not args.sound and args.volume != 0.6:
        raise SettingsError(["--volume applies only with --sound (the panel's volume slider sets it later)"])
    if args.overwrite and args.metrics_out is None:
        raise SettingsError(["--overwrite applies only with --metrics-out"])
    stream = open_metric_stream(args)
    try:
        return run_window(exhibit, settings, args.size, panel=not args.no_panel, log=log_sink(args, sys.stdout),
                          metrics=None if stream is None else stream.publish, sound=args.sound, volume=args.volume)
    finally:
        if stream is not None:
            stream.close()
