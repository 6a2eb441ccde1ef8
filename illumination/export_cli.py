"""`illumination export` and `illumination bench export`: frames rendered headless on the fixed 1/fps clock.

Training advances with simulated time exactly as in the window (speed = epochs per second), so the same
arguments give the same frames, bit for bit. All writing goes through export.py.
"""
from __future__ import annotations

from illumination.commands import report

import math
import os
import sys
import tempfile
import time

HOLD_SECONDS = 3.0  # with neither --duration nor --frames: train to the end, then hold the final state this long


def register(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type):
    export = commands.add_parser("export", help="render frames headless to MP4, GIF, WebP or PNG")
    add_training_flags(export)
    add_view_flags(export)
    export.add_argument("-o", "--output", required=True,
                        help="run.mp4, run.gif, run.webp, frame.png, a directory/ or frames/%%05d.png")
    export.add_argument("--fps", type=count_type("fps"), default=60)
    export.add_argument("--size", type=size_type, default=(1920, 1080))
    export.add_argument("--exhibit", default="network")
    length = export.add_mutually_exclusive_group()
    length.add_argument("--duration", type=positive_float("duration"), help="seconds of video")
    length.add_argument("--frames", type=count_type("frames"), help="number of frames")
    export.add_argument("--crf", type=count_type("crf", 0), help="H.264 quality, 0 (lossless) … 51 (default 18)")
    export.add_argument("--preset", default="ultrafast",
                        help="x264 preset: ultrafast (default, faster than real time here) … veryslow")
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")
    export.set_defaults(handler=export_command)

    bench = next(a for a in commands.choices["bench"]._actions if a.dest == "bench")
    bench_export = bench.add_parser("export", help="render, encode and end-to-end frames per second")
    bench_export.add_argument("--size", type=size_type, default=(1920, 1080))
    bench_export.add_argument("--fps", type=count_type("fps"), default=60)
    bench_export.add_argument("--frames", type=count_type("frames"), default=600)
    bench_export.add_argument("--json", action="store_true")
    bench_export.set_defaults(handler=bench_export_command)


def frame_count(args, settings) -> int:
    if args.frames is not None:
        return args.frames
    if args.duration is not None:
        return max(1, round(args.duration * args.fps))
    training_seconds = settings.max_epochs / settings.speed
    return max(1, math.ceil((training_seconds + HOLD_SECONDS) * args.fps))


def render(scene, writer, frames: int, fps: int, progress=None) -> None:
    """The export loop: update on exactly 1/fps, draw, hand the frame to the writer."""
    import pygame
    from illumination.clock import FixedClock
    clock = FixedClock(fps)
    surface = pygame.Surface(scene.size)
    for _ in range(frames):
        scene.update(clock.tick())
        scene.draw(surface)
        writer.write(surface)
        if progress is not None:
            progress.update(1)


def export_command(args) -> int:
    from tqdm import tqdm
    from illumination.app import build_scene, init_headless
    from illumination.cli import settings_from
    from illumination.export import ExportError, max_frames, open_writer, parse_target
    settings = settings_from(args)
    frames = frame_count(args, settings)
    try:
        fmt, _ = parse_target(args.output)
        limit = max_frames(fmt, args.size)
        if limit is not None and frames > limit:
            raise ExportError(2, f"{frames} frames at {args.size[0]}x{args.size[1]} is more than a {fmt} can hold "
                                 f"here ({limit}); use --frames/--duration, a smaller --size, or .mp4")
        init_headless()
        scene = build_scene(settings, args.size, args.exhibit)
        writer = open_writer(args.output, args.size, args.fps, crf=args.crf, preset=args.preset,
                             overwrite=args.overwrite)
    except ExportError as error:
        sys.stderr.write(f"illumination: error: {error}\n")
        return error.exit_code
    except ValueError as error:  # an unknown exhibit
        sys.stderr.write(f"illumination: error: {error}\n")
        return 2
    started = time.perf_counter()
    interrupted = False
    try:
        with tqdm(total=frames, unit="frame", file=sys.stderr, desc=os.path.basename(str(args.output)),
                  disable=True if os.environ.get("CI") else None) as bar:
            with writer:
                render(scene, writer, frames, args.fps, bar)
    except KeyboardInterrupt:
        interrupted = True
    except ExportError as error:
        sys.stderr.write(f"illumination: error: {error}\n")
        return error.exit_code
    seconds = time.perf_counter() - started
    written = writer.frames_written
    if interrupted:
        if writer.finalized:
            sys.stderr.write(f"illumination: interrupted — wrote a valid shorter export: {written} frames "
                             f"({written / args.fps:.2f} s) to {writer.path}\n")
        else:
            sys.stderr.write("illumination: interrupted — nothing was written\n")
        return 130
    print(f"wrote {writer.path}: {written} frames ({written / args.fps:.2f} s at {args.fps} fps), "
          f"{args.size[0]}x{args.size[1]}, in {seconds:.1f} s ({written / seconds:.1f} fps achieved); "
          f"seed {settings.seed}, epoch {scene.trainer.epoch}, test accuracy {scene.trainer.test_accuracy:.3f}")
    return 0


def bench_export_command(args) -> int:
    """render_fps: update + draw only; encode_fps: the MP4 writer alone on pre-rendered frames;
    end_to_end_fps: the real export (update + draw + encode; ffmpeg runs in its own process, so they overlap)."""
    import pygame
    from illumination.app import build_scene, init_headless
    from illumination.clock import FixedClock
    from illumination.config import Settings
    from illumination.export import open_writer
    init_headless()
    settings = Settings(max_epochs=10**6)

    class Discard:
        def write(self, surface):
            pass

    scene = build_scene(settings, args.size)
    render(scene, Discard(), 30, args.fps)  # warm-up: sprite and text caches, numba
    started = time.perf_counter()
    render(scene, Discard(), args.frames, args.fps)
    render_fps = args.frames / (time.perf_counter() - started)

    # Encode alone: real frames of this exhibit, pre-rendered, cycled.
    clock, frames = FixedClock(args.fps), []
    for _ in range(min(args.frames, 60)):
        scene.update(clock.tick())
        surface = pygame.Surface(args.size)
        scene.draw(surface)
        frames.append(surface)
    with tempfile.TemporaryDirectory() as directory:
        target = os.path.join(directory, "encode.mp4")
        started = time.perf_counter()
        with open_writer(target, args.size, args.fps) as writer:
            for k in range(args.frames):
                writer.write(frames[k % len(frames)])
        encode_fps = args.frames / (time.perf_counter() - started)

        scene = build_scene(settings, args.size)
        target = os.path.join(directory, "end_to_end.mp4")
        started = time.perf_counter()
        with open_writer(target, args.size, args.fps) as writer:
            render(scene, writer, args.frames, args.fps)
        end_to_end_fps = args.frames / (time.perf_counter() - started)
    result = {"size": f"{args.size[0]}x{args.size[1]}", "fps": args.fps, "frames": args.frames,
              "render_fps": round(render_fps, 1), "encode_fps": round(encode_fps, 1),
              "end_to_end_fps": round(end_to_end_fps, 1), "preset": "ultrafast", "crf": 18,
              "faster_than_real_time": end_to_end_fps >= args.fps}
    return report(result, args.json)
