"""Subcommands that draw: run (the window), snapshot, bench render."""
from __future__ import annotations

from illumination.commands import report

import statistics
import sys
import time


def register(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type):
    run = commands.add_parser("run", help="open the window (the default command)")
    add_training_flags(run)
    add_view_flags(run)
    run.add_argument("--size", type=size_type, default=(1600, 900), help="window size, e.g. 1920x1080")
    run.add_argument("--exhibit", default="network", help="which exhibit to show (default network)")
    run.add_argument("--no-panel", action="store_true", help="start with the control panel hidden (Tab shows it)")
    run.set_defaults(handler=run_command)

    snapshot = commands.add_parser("snapshot", help="train headless on the fixed clock and write one frame")
    add_training_flags(snapshot)
    add_view_flags(snapshot)
    snapshot.add_argument("--size", type=size_type, default=(1280, 720))
    snapshot.add_argument("-o", "--output", required=True, help="PNG file to write")
    snapshot.add_argument("--overwrite", action="store_true", help="replace an existing file")
    snapshot.add_argument("--fps", type=positive_float("fps"), default=60.0, help="fixed clock rate (default 60)")
    snapshot.add_argument("--exhibit", default="network")
    snapshot.set_defaults(handler=snapshot_command)

    bench = next(a for a in commands.choices["bench"]._actions if a.dest == "bench")
    render = bench.add_parser("render", help="draw frames headless and time them")
    render.add_argument("--size", type=size_type, default=(1920, 1080))
    render.add_argument("--frames", type=count_type("frames"), default=600)
    render.add_argument("--warmup", type=count_type("warmup", 0), default=60, help="frames drawn before timing")
    render.add_argument("--theme", default=None)
    render.add_argument("--json", action="store_true")
    render.set_defaults(handler=bench_render_command)

    ui = bench.add_parser("ui", help="frame cost with the desktop control panel shown")
    ui.add_argument("--size", type=size_type, default=(1920, 1080))
    ui.add_argument("--frames", type=count_type("frames"), default=400)
    ui.add_argument("--json", action="store_true")
    ui.set_defaults(handler=bench_ui_command)

    from illumination import export_cli, kiosk_cli
    export_cli.register(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type)
    kiosk_cli.register(commands, size_type, positive_float, count_type)


def run_command(args) -> int:
    from illumination.app import run_window
    from illumination.cli import settings_from
    settings = settings_from(args)
    return run_window(settings, args.size, exhibit=args.exhibit, panel=not args.no_panel)


def snapshot_command(args) -> int:
    from illumination.app import advance_to_epoch, build_scene, init_headless
    from illumination.cli import settings_from
    from illumination.export import ExportError, save_png
    settings = settings_from(args)
    epochs = 0 if getattr(args, "zero_epochs", False) else (args.epochs if args.epochs is not None else 30)
    if epochs > settings.max_epochs:
        settings = settings.replace(max_epochs=epochs)
    init_headless()
    import pygame
    from pathlib import Path
    target = Path(args.output)
    if target.suffix.lower() != ".png":
        sys.stderr.write(f"illumination: error: snapshot writes a .png file, got {args.output!r}\n")
        return 2
    if target.exists() and not args.overwrite:
        sys.stderr.write(f"illumination: error: {target} exists; pass --overwrite to replace it\n")
        return 2
    scene = build_scene(settings, args.size, args.exhibit)
    advance_to_epoch(scene, epochs, fps=args.fps)
    surface = pygame.Surface(args.size)
    scene.draw(surface)
    try:
        save_png(surface, target, overwrite=True)
    except ExportError as error:
        sys.stderr.write(f"illumination: error: {error}\n")
        return error.exit_code
    status = scene.status()
    print(f"wrote {target} ({args.size[0]}x{args.size[1]}, seed {settings.seed}, epoch {status['epoch']}, "
          f"test accuracy {status['test_accuracy']:.3f})")
    return 0


def bench_ui_command(args) -> int:
    from illumination.ui.bench import bench_panel
    return report(bench_panel(args.size, args.frames), args.json)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100.0 * (len(ordered) - 1)))))
    return ordered[index]


def bench_render_command(args) -> int:
    """Time draw() alone on a fixed 60 fps clock while the network trains at the default speed."""
    import os
    from illumination.app import build_scene, init_headless
    from illumination.clock import FixedClock
    from illumination.config import Settings
    init_headless()
    import pygame
    settings = Settings(max_epochs=10**6) if args.theme is None else Settings(max_epochs=10**6, theme=args.theme)
    scene = build_scene(settings, args.size)
    surface = pygame.Surface(args.size)
    clock = FixedClock(60)
    draw_ms, update_ms = [], []
    for frame in range(args.warmup + args.frames):
        started = time.perf_counter()
        scene.update(clock.tick())
        drawn = time.perf_counter()
        scene.draw(surface)
        finished = time.perf_counter()
        if frame >= args.warmup:
            update_ms.append((drawn - started) * 1000)
            draw_ms.append((finished - drawn) * 1000)
    present_ms = None
    if os.environ.get("SDL_VIDEODRIVER") not in (None, "dummy") or os.environ.get("DISPLAY"):
        present_ms = _present_ms(args.size, surface)
    view = getattr(scene, "_view", None)
    result = {
        "size": f"{args.size[0]}x{args.size[1]}",
        "frames": args.frames,
        "warmup_frames": args.warmup,
        "draw_ms_median": round(statistics.median(draw_ms), 3),
        "draw_ms_p95": round(percentile(draw_ms, 95), 3),
        "draw_ms_p99": round(percentile(draw_ms, 99), 3),
        "draw_ms_max": round(max(draw_ms), 3),
        "update_ms_median": round(statistics.median(update_ms), 3),
        "present_ms_median": present_ms,
        "synapse_redraws": getattr(getattr(view, "first_layer", None), "redraws", None),
        "epochs_trained": scene.trainer.epoch,
        "particles_at_end": scene.particles.count,
    }
    return report(result, args.json)


def _present_ms(size, surface) -> float | None:
    """Time display.flip() of a real window, when one can be opened (not under the dummy driver)."""
    import os
    import pygame
    try:
        os.environ.pop("SDL_VIDEODRIVER", None)
        pygame.display.quit()
        pygame.display.init()
        screen = pygame.display.set_mode(size)
    except pygame.error:
        return None
    times = []
    for _ in range(120):
        screen.blit(surface, (0, 0))
        started = time.perf_counter()
        pygame.display.flip()
        times.append((time.perf_counter() - started) * 1000)
    pygame.display.quit()
    return round(statistics.median(times), 3)
