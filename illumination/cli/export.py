"""`illumination export` (frames to MP4, GIF, WebP or PNG), `illumination snapshot` (one still) and
`illumination bench export`. The rendering lives in illumination/modes/export/; all writing in core/frames."""
from __future__ import annotations

import math
import os
import sys
import tempfile
import time

from illumination.cli.args import (add_settings_flags, bounded_float, count_type, fail, positive_float, report,
                                   settings_from, size_type)
from illumination.core import signals
from illumination.core.settings import SettingsError


def register(commands, benches) -> None:
    export = commands.add_parser("export", help="render frames headless to MP4, GIF, WebP or PNG")
    add_settings_flags(export)
    export.add_argument("-o", "--output", required=True,
                        help="run.mp4, run.gif, run.webp, frame.png, a directory/ or frames/%%05d.png")
    export.add_argument("--fps", type=count_type("fps"),
                        help="frames per second (default 60; 30 for .gif and .webp, at most 240, a GIF 50)")
    export.add_argument("--size", type=size_type, default=(1920, 1080))
    export.add_argument("--exhibit", help="which exhibit to render (default network, or the scene file's)")
    length = export.add_mutually_exclusive_group()
    add_moment_flags(export, "from", "start the video at this {unit} of the run (run unseen, not filmed)")
    length.add_argument("--duration", type=positive_float("duration"), help="seconds of video")
    length.add_argument("--frames", type=count_type("frames"), help="number of frames")
    export.add_argument("--crf", type=count_type("crf", 0), help="H.264 quality, 0 (lossless) … 51 (default 18)")
    export.add_argument("--preset", default="ultrafast",
                        help="x264 preset: ultrafast (default, faster than real time here) … veryslow")
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")
    export.add_argument("--sound", action="store_true",
                        help="add the exhibit's sound as an AAC track (.mp4 only; README, Sound)")
    export.add_argument("--volume", type=bounded_float("volume", 0.0, 1.0), default=0.6,
                        help="with --sound: the master volume, 0-1 (default 0.6)")
    export.set_defaults(handler=export_command)

    snapshot = commands.add_parser("snapshot", help="train headless on the fixed clock and write one frame")
    add_settings_flags(snapshot)
    snapshot.add_argument("--size", type=size_type, default=(1280, 720))
    snapshot.add_argument("-o", "--output", required=True, help="PNG file to write")
    snapshot.add_argument("--overwrite", action="store_true", help="replace an existing file")
    snapshot.add_argument("--fps", type=bounded_float("fps", 1.0, 240.0), default=60.0,
                          help="fixed clock rate, 1 to 240 (default 60)")
    add_moment_flags(snapshot, "at", "draw this {unit} of the run (e.g. --at-{unit} 30 with a longer run)")
    lengths = " or ".join(f"{_length_flag(exhibit)} ({exhibit.name})" for exhibit in _counting())
    snapshot.add_argument("--exhibit", help=f"which exhibit to draw (default network, or the scene file's); the "
                                            f"picture is taken after {lengths}, else the scene file's length, "
                                            f"at most 30")
    snapshot.set_defaults(handler=snapshot_command)

    bench_export = benches.add_parser("export", help="render, encode and end-to-end frames per second")
    bench_export.add_argument("--size", type=size_type, default=(1920, 1080))
    bench_export.add_argument("--fps", type=count_type("fps"), default=60)
    bench_export.add_argument("--frames", type=count_type("frames"), default=600)
    bench_export.add_argument("--composition", choices=("explain", "gallery"), default="gallery",
                              help="the network's layout to render (default gallery, the kiosk's and the wall's)")
    bench_export.add_argument("--json", action="store_true")
    bench_export.set_defaults(handler=bench_export_command)


def export_command(args) -> int:
    from tqdm import tqdm
    from illumination.core.frames import ExportError, max_frames, open_writer, parse_target
    from illumination.core.frames.base import ANIMATION_FPS, VIDEO_FPS
    from illumination.core.loop import advance_until
    from illumination.modes.export.render import export_frames, frame_count, start
    exhibit, settings = settings_from(args)
    if args.zero_count:
        return fail("--epochs 0 trains nothing, so there is no training to film (snapshot --epochs 0 draws the "
                    "untrained network); give --epochs 1 or more")
    try:
        fmt, _ = parse_target(args.output)
        if args.sound and fmt != "mp4":
            raise ExportError(2, f"--sound needs an .mp4 output (a {fmt} has no sound track)")
        if args.sound and exhibit.sound is None:
            raise ExportError(2, f"the {exhibit.name} exhibit makes no sound")
        if not args.sound and args.volume != 0.6:
            raise ExportError(2, "--volume applies only with --sound")
        if args.fps is None:
            args.fps = ANIMATION_FPS if fmt in ("gif", "webp") else VIDEO_FPS
        begin = start_position(args, exhibit, settings, "from")
        show = start(exhibit, settings, args.size)
        skipped = advance_until(show.scene, begin, fps=args.fps, limit_s=math.inf) if begin else 0
        frames = frame_count(show.scene, args.fps, args.frames, args.duration)
        if args.frames is None and args.duration is None:
            frames = max(1, frames - skipped)   # the rest of the run, then the hold
        limit = max_frames(fmt, args.size)
        if limit is not None and frames > limit:
            raise ExportError(2, f"{frames} frames at {args.size[0]}x{args.size[1]} is more than a {fmt} can hold "
                                 f"here ({limit}); use --frames/--duration, a smaller --size, or .mp4")
        writer = open_writer(args.output, args.size, args.fps, crf=args.crf, preset=args.preset,
                             overwrite=args.overwrite)
    except ExportError as error:
        return fail(str(error), error.exit_code)
    except SettingsError as error:
        return fail(error.lines()[0])
    started = time.perf_counter()
    interrupted: KeyboardInterrupt | None = None
    try:
        with tqdm(total=frames, unit="frame", file=sys.stderr, desc=os.path.basename(str(args.output)),
                  disable=True if os.environ.get("CI") else None) as bar:
            with writer:
                from illumination.modes.export.render import SoundTrack
                if args.sound:
                    export_frames(show, writer, frames, args.fps, bar, sound=SoundTrack(show, args.fps, args.volume))
                else:
                    export_frames(show, writer, frames, args.fps, bar)
    except KeyboardInterrupt as interrupt:      # Ctrl-C, SIGTERM or SIGHUP: the writer kept what it had
        interrupted = interrupt
    except ExportError as error:
        return fail(str(error), error.exit_code)
    seconds = time.perf_counter() - started
    written = writer.frames_written
    if interrupted:
        if writer.finalized:
            sys.stderr.write(f"illumination: interrupted — wrote a valid shorter export: {written} frames "
                             f"({written / args.fps:.2f} s) to {writer.path}\n")
        else:
            sys.stderr.write("illumination: interrupted — nothing was written\n")
        return signals.exit_code(interrupted)
    what = f"the last of {written} frames" if fmt == "png" else f"{written} frames"
    print(f"wrote {writer.path}: {what} ({written / args.fps:.2f} s at {args.fps} fps), "
          f"{args.size[0]}x{args.size[1]}, in {seconds:.1f} s ({written / seconds:.1f} fps achieved); "
          f"{show.scene.caption().replace('   ·   ', ', ')}, {_where(show)}")
    return 0


def _counting() -> list:
    """The registered exhibits whose runs count something (epochs, steps …), in the registry's order."""
    from illumination.exhibits import EXHIBITS
    return [exhibit for exhibit in EXHIBITS.values() if exhibit.count_unit and exhibit.count_setting]


def _unit(exhibit) -> str:
    """One of the exhibit's count unit: epochs → epoch."""
    return exhibit.count_unit.removesuffix("s")


def _length_flag(exhibit) -> str:
    """The flag that sets the length of the exhibit's run (--epochs), from its settings field; else the key."""
    from themes.schema import fields_of
    field = fields_of(exhibit.settings).get(exhibit.count_setting)
    return field.metadata.get("flag", exhibit.count_setting) if field is not None else exhibit.count_setting


def add_moment_flags(parser, prefix: str, help: str) -> None:
    """--{prefix}-{unit} for every count unit of the registered exhibits (--at-epoch, --at-step): a moment inside
    the run; the help names the exhibits that count in it."""
    units: dict[str, list[str]] = {}
    for exhibit in _counting():
        units.setdefault(_unit(exhibit), []).append(exhibit.name)
    for unit, names in units.items():
        parser.add_argument(f"--{prefix}-{unit}", type=count_type(f"--{prefix}-{unit}", 0),
                            help=f"{', '.join(names)}: {help.format(unit=unit)}")


def start_position(args, exhibit, settings, prefix: str) -> int | None:
    """--at-epoch / --at-step (snapshot) or --from-epoch / --from-step (export): a moment inside the run, in the
    exhibit's count unit; None when not given. SettingsError if it names another exhibit's unit or lies past
    the run's end."""
    wanted = _unit(exhibit) if exhibit.count_unit and exhibit.count_setting else None
    for unit in dict.fromkeys(_unit(other) for other in _counting()):
        value = getattr(args, f"{prefix}_{unit}", None)
        if value is None:
            continue
        if unit != wanted:
            raise SettingsError([f"--{prefix}-{unit} does not apply to the {exhibit.name} exhibit"
                                 + (f" (it counts {exhibit.count_unit}: --{prefix}-{wanted})" if wanted else "")])
        length = getattr(settings, exhibit.count_setting)
        if value > length:
            raise SettingsError([f"--{prefix}-{unit} {value} is past the end of the run "
                                 f"({_length_flag(exhibit)} {length})"])
        return value
    return None


def _where(show) -> str:
    unit = show.exhibit.count_unit.rstrip("s") or "position"
    return f"{unit} {show.scene.position():g}"


def snapshot_command(args) -> int:
    from pathlib import Path
    from illumination.core.frames import ExportError, save_png
    from illumination.core.frames.base import check_names
    from illumination.modes.export.render import start, still
    exhibit, settings = settings_from(args)
    # Where the picture is taken, in the exhibit's count unit: --at-epoch / --at-step if given (a moment of the
    # run the flags or scene file describe); else the run's end as the flags (--epochs for the network, --steps
    # for the landscape) or the scene file set it, else 30 of them.
    count_setting = exhibit.count_setting
    try:
        at = start_position(args, exhibit, settings, "at")
    except SettingsError as error:
        return fail(error.lines()[0])
    if at is not None:
        position = at
    elif args.zero_count:
        position = 0
    elif count_setting and count_setting in args.flag_keys | args.scene_keys:
        position = getattr(settings, count_setting)       # the length the flags or the scene file set
    else:
        position = min(30, getattr(settings, count_setting)) if count_setting else 30
    if count_setting and position > getattr(settings, count_setting):
        settings = settings.replace(**{count_setting: position})
    target = Path(args.output)
    if target.suffix.lower() != ".png":
        return fail(f"snapshot writes a .png file, got {args.output!r}")
    try:
        check_names(target)
    except ExportError as error:
        return fail(str(error), error.exit_code)
    if target.exists() and not args.overwrite:
        return fail(f"{target} exists; pass --overwrite to replace it")
    show = start(exhibit, settings, args.size)
    surface = still(show, position, fps=args.fps)
    try:
        save_png(surface, target, overwrite=True)
    except ExportError as error:
        return fail(str(error), error.exit_code)
    print(f"wrote {target} ({args.size[0]}x{args.size[1]}, {_where(show)}, "
          f"{show.scene.caption().replace('   ·   ', ', ')})")
    if show.scene.divergences:     # the picture shows the run's restart: say so, with train's exit code
        sys.stderr.write(f"illumination: the run diverged before {exhibit.count_unit.rstrip('s')} {position:g}, "
                         f"so the picture shows its restart (try a smaller --lr)\n")
        return 3
    return 0


def bench_export_command(args) -> int:
    """render_fps: update + draw only; encode_fps: the MP4 writer alone on pre-rendered frames;
    end_to_end_fps: the real export (update + draw + encode; ffmpeg runs in its own process, so they overlap)."""
    from illumination.core.frames import ExportError
    try:
        return _bench_export(args)
    except ExportError as error:      # an fps or size the MP4 writer refuses: one line, as export says it
        return fail(str(error), error.exit_code)


def _bench_export(args) -> int:
    import pygame
    from illumination.core.clock import FixedClock
    from illumination.core.frames import open_writer
    from illumination.core.loop import run_frames
    from illumination.exhibits import get_exhibit
    from illumination.modes.export.render import export_frames, start
    exhibit = get_exhibit("network")
    settings = exhibit.settings(max_epochs=10**6, composition=args.composition)

    show = start(exhibit, settings, args.size)
    run_frames(show, 30, args.fps)  # warm-up: sprite and text caches, numba
    started = time.perf_counter()
    run_frames(show, args.frames, args.fps)
    render_fps = args.frames / (time.perf_counter() - started)

    # Encode alone: real frames of this exhibit, pre-rendered, cycled.
    clock, frames = FixedClock(args.fps), []
    for _ in range(min(args.frames, 60)):
        frames.append(run_frames(show, 1, args.fps, surface=pygame.Surface(args.size), clock=clock))
    with tempfile.TemporaryDirectory() as directory:
        target = os.path.join(directory, "encode.mp4")
        started = time.perf_counter()
        with open_writer(target, args.size, args.fps) as writer:
            for k in range(args.frames):
                writer.write(frames[k % len(frames)])
        encode_fps = args.frames / (time.perf_counter() - started)

        show = start(exhibit, settings, args.size)
        target = os.path.join(directory, "end_to_end.mp4")
        started = time.perf_counter()
        with open_writer(target, args.size, args.fps) as writer:
            export_frames(show, writer, args.frames, args.fps)
        end_to_end_fps = args.frames / (time.perf_counter() - started)
    result = {"size": f"{args.size[0]}x{args.size[1]}", "fps": args.fps, "frames": args.frames,
              "render_fps": round(render_fps, 1), "encode_fps": round(encode_fps, 1),
              "end_to_end_fps": round(end_to_end_fps, 1), "preset": "ultrafast", "crf": 18,
              "faster_than_real_time": end_to_end_fps >= args.fps, "composition": args.composition}
    return report(result, args.json)
