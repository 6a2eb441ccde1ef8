"""`illumination bench render` and `illumination bench ui`: what a frame costs to draw, headless.

Benchmarks report medians and percentiles of one run (these shared machines are noisy); performance is proven
here, never by timed unit tests.
"""
from __future__ import annotations

import os
import statistics
import time

from illumination.cli.args import (bounded_float, bounded_whole, count_type, hidden_type, positive_float, report,
                                   size_type)


def register(commands, benches) -> None:
    render = benches.add_parser("render", help="draw frames headless and time them")
    render.add_argument("--size", type=size_type, default=(1920, 1080))
    render.add_argument("--frames", type=count_type("frames"), default=600)
    render.add_argument("--warmup", type=count_type("warmup", 0), default=60, help="frames drawn before timing")
    render.add_argument("--theme", default=None)
    render.add_argument("--exhibit", default="network", help="which exhibit to draw (default network)")
    render.add_argument("--composition", choices=("explain", "gallery"), default=None,
                        help="the network's layout (default explain, the window's)")
    render.add_argument("--speed", type=positive_float("speed"), default=None,
                        help="network: training epochs per second while it draws (default 3; the slider reaches 300)")
    render.add_argument("--hidden", type=hidden_type, default=None, help="network: 16 or 16,16 (two hidden layers)")
    render.add_argument("--json", action="store_true")
    render.set_defaults(handler=bench_render_command)

    landscape = benches.add_parser("landscape", help="balls stepped and drawn per frame; the real net's loss slice")
    landscape.add_argument("--balls", type=count_type("balls"), default=10_000)
    landscape.add_argument("--size", type=size_type, default=(1920, 1080))
    landscape.add_argument("--frames", type=count_type("frames"), default=300)
    landscape.add_argument("--view", default="3d", help="3d (default), map or valley: the view drawn")
    landscape.add_argument("--composition", choices=("explain", "gallery"), default="explain",
                           help="explain (default: the window's layout) or gallery (the wall's)")
    landscape.add_argument("--json", action="store_true")
    landscape.set_defaults(handler=bench_landscape_command)

    sharp = benches.add_parser("sharpness", help="milliseconds per sharpness measurement (Hessian trace with 20 "
                                                 "Hutchinson probes + extreme eigenvalues, 30 Lanczos steps)")
    sharp.add_argument("--runs", type=count_type("runs"), default=30)
    sharp.add_argument("--json", action="store_true")
    sharp.set_defaults(handler=bench_sharpness_command)

    startup = benches.add_parser("startup", help="seconds from launch to the window's first frame and first live "
                                                 "frame (fresh processes, headless)")
    startup.add_argument("--runs", type=count_type("runs"), default=5)
    startup.add_argument("--cold", action="store_true",
                         help="each launch with an empty numba cache: the first launch after installing")
    startup.add_argument("--json", action="store_true")
    startup.set_defaults(handler=bench_startup_command)

    kiosk = benches.add_parser("kiosk", help="CPU use of the kiosk per state (network, landscape, transition, "
                                             "closed hours), in real time, off-screen")
    kiosk.add_argument("--size", type=size_type, action="append",
                       help="WxH, repeatable (default 1920x1080 and 3840x2160)")
    kiosk.add_argument("--seconds", type=bounded_float("seconds", 1.0, 600.0), default=5.0,
                       help="wall seconds measured per state (default 5, after 1 s of warm-up)")
    kiosk.add_argument("--fps", type=bounded_whole("fps", 1, 240), default=60, help="frame-rate cap (default 60)")
    kiosk.add_argument("--no-sound", action="store_true",
                       help="leave the sound's synthesis out (the built-in playlist plays it)")
    kiosk.add_argument("--json", action="store_true")
    kiosk.set_defaults(handler=bench_kiosk_command)

    sound = benches.add_parser("sound", help="CPU milliseconds to synthesise one 60 fps frame of the Network's sound "
                                             "(every hidden neuron singing, the answer, the drone, the loss texture), "
                                             "and of the Landscape's (10,000 hot balls' height and plucks)")
    sound.add_argument("--frames", type=count_type("frames"), default=600)
    sound.add_argument("--json", action="store_true")
    sound.set_defaults(handler=bench_sound_command)

    ui = benches.add_parser("ui", help="frame cost with the desktop control panel shown")
    ui.add_argument("--size", type=size_type, default=(1920, 1080))
    ui.add_argument("--frames", type=count_type("frames"), default=400)
    ui.add_argument("--exhibit", default="network", help="which exhibit to draw (default network)")
    ui.add_argument("--json", action="store_true")
    ui.set_defaults(handler=bench_ui_command)


def _bench_settings(exhibit, theme: str | None = None, composition: str | None = None, speed: float | None = None,
                    hidden: tuple | None = None):
    """The exhibit's defaults, running for as long as the bench does (its count setting made huge)."""
    from illumination.core.settings import SettingsError
    changes = {exhibit.count_setting: 10**6} if exhibit.count_setting else {}
    if (speed is not None or hidden is not None) and exhibit.name != "network":
        raise SettingsError(["--speed and --hidden apply to the network exhibit"])
    if speed is not None:
        changes["speed"] = speed
    if hidden is not None:
        changes["hidden_size"], changes["hidden_layers"] = hidden
    if theme is not None:
        changes["theme"] = theme
    if composition is not None:
        changes["composition"] = composition
    return exhibit.settings().replace(**changes)


def bench_kiosk_command(args) -> int:
    """The kiosk's CPU per state (modes/kiosk/bench.py says how it is measured)."""
    from illumination.modes.kiosk.bench import bench_kiosk
    result = bench_kiosk(args.size or [(1920, 1080), (3840, 2160)], args.seconds, args.fps, sound=not args.no_sound)
    if args.json:
        return report(result, True)
    print(f"{'state':<11} {'size':<10} {'fps':>5} {'CPU % of a core':>16} {'work ms':>8}")
    for row in result["states"]:
        print(f"{row['state']:<11} {row['size']:<10} {row['fps']:>5} {row['cpu_percent_of_one_core']:>16} "
              f"{row['frame_work_ms_median']:>8}")
    print(result["note"])
    return 0


def bench_sound_command(args) -> int:
    """The synthesiser's cost per frame, the worst case the Network asks of it: all 16 hidden neurons firing with
    the answer and the drone (a forward frame), then the loss texture (a backward frame), alternating by second."""
    import numpy as np
    from illumination.core.loop import percentile
    from illumination.core.sound import SAMPLE_RATE, Synth
    from illumination.exhibits.network.sonify import network_sound
    synth, frame = Synth(seed=0), SAMPLE_RATE // 60
    rng = np.random.default_rng(0)
    times = []
    for n in range(args.frames + 30):
        forward = (n // 60) % 2 == 0
        started = time.perf_counter()
        tones, noise = network_sound(rng.uniform(0.1, 3.0, 16), np.array([0.3, 0.7]), 1.2, 0.8, forward=forward)
        synth.render(tones, noise, frame)
        if n >= 30:                       # after a half second of warm-up
            times.append((time.perf_counter() - started) * 1000)
    landscape = _landscape_sound_times(args.frames)
    return report({"frames": args.frames, "samples_per_frame": frame, "sample_rate": SAMPLE_RATE,
                   "synth_ms_per_frame_median": round(statistics.median(times), 4),
                   "synth_ms_per_frame_p99": round(percentile(times, 99), 4),
                   "landscape_balls": LANDSCAPE_SOUND_BALLS,
                   "landscape_ms_per_frame_median": round(statistics.median(landscape), 4),
                   "landscape_ms_per_frame_p99": round(percentile(landscape, 99), 4),
                   "budget_ms_per_frame": 1.0}, args.json)


LANDSCAPE_SOUND_BALLS = 10_000


def _landscape_sound_times(frames: int) -> list[float]:
    """The Landscape's sound per frame, its mapping (the mean height of 10,000 hot balls, their plucks) and its
    synthesis, on the built-in playlist's hot surface; the balls' own stepping is not counted."""
    from illumination.core.clock import FixedClock
    from illumination.core.show import make_show
    from illumination.core.sound import SAMPLE_RATE, Synth
    from illumination.exhibits import get_exhibit
    from illumination.exhibits.landscape.sonify import frame_sound
    exhibit = get_exhibit("landscape")
    settings = exhibit.settings().replace(surface="complex", balls=LANDSCAPE_SOUND_BALLS, temperature=1.5,
                                          schedule="cyclical", speed=30.0)
    scene, clock, synth = make_show(exhibit, settings, (320, 180)).scene, FixedClock(60), Synth(seed=0)
    times = []
    for n in range(frames + 30):
        scene.update(clock.tick())
        started = time.perf_counter()
        synth.render(*frame_sound(scene), SAMPLE_RATE // 60)
        if n >= 30:
            times.append((time.perf_counter() - started) * 1000)
    return times


def bench_ui_command(args) -> int:
    from illumination.exhibits import get_exhibit
    from illumination.modes.desktop.bench import bench_panel
    exhibit = get_exhibit(args.exhibit)
    return report(bench_panel(exhibit, _bench_settings(exhibit), args.size, args.frames), args.json)


def bench_render_command(args) -> int:
    """Time draw() alone on a fixed 60 fps clock while the exhibit runs at its default speed."""
    import pygame
    from illumination.core.display import init_headless
    from illumination.core.loop import percentile, run_frames
    from illumination.core.show import make_show
    from illumination.exhibits import get_exhibit
    init_headless()
    exhibit = get_exhibit(args.exhibit)
    show = make_show(exhibit, _bench_settings(exhibit, args.theme, args.composition, args.speed, args.hidden), args.size)
    surface = pygame.Surface(args.size)
    run_frames(show, args.warmup, 60, surface=surface)
    timings: dict = {}
    run_frames(show, args.frames, 60, surface=surface, timings=timings)
    draw_ms, update_ms = timings["draw_ms"], timings["update_ms"]
    present_ms = present_half_ms = None
    if os.environ.get("SDL_VIDEODRIVER") not in (None, "dummy") or os.environ.get("DISPLAY"):
        present_ms = _present_ms(args.size, surface)
        # the kiosk's render_scale = 0.5: a picture half the size each way, scaled up by SDL as it is presented
        half = (max(1, args.size[0] // 2), max(1, args.size[1] // 2))
        present_half_ms = _present_ms(half, pygame.transform.smoothscale(surface, half), scaled=True)
    result = {
        "size": f"{args.size[0]}x{args.size[1]}",
        "exhibit": exhibit.name,
        "composition": getattr(show.scene.settings, "composition", None),
        "speed": show.scene.settings.speed,
        "hidden_layers": getattr(show.scene.settings, "hidden_layers", None),
        "frames": args.frames,
        "warmup_frames": args.warmup,
        "draw_ms_median": round(statistics.median(draw_ms), 3),
        "draw_ms_p95": round(percentile(draw_ms, 95), 3),
        "draw_ms_p99": round(percentile(draw_ms, 99), 3),
        "draw_ms_max": round(max(draw_ms), 3),
        "update_ms_median": round(statistics.median(update_ms), 3),
        "present_ms_median": present_ms,
        "present_render_scale_half_ms_median": present_half_ms,
        **show.view.benchmark_figures(),
        **show.scene.benchmark_figures(),
    }
    return report(result, args.json)


def bench_landscape_command(args) -> int:
    """The Landscape's own bench (its camera and stage: illumination/exhibits/landscape/bench.py says what each
    figure is), through the exhibit's interface."""
    from illumination.core.display import init_headless
    from illumination.exhibits import get_exhibit
    init_headless()
    exhibit = get_exhibit("landscape")
    return report(exhibit.bench(args.size, args.frames, balls=args.balls, view=args.view,
                                composition=args.composition), args.json)


def _present_ms(size, surface, scaled: bool = False) -> float | None:
    """Time display.flip() of a real window, when one can be opened (not under the dummy driver). scaled: a window
    of twice the size showing `surface` through SDL's scaling (pygame.SCALED), as the kiosk's render_scale does."""
    import pygame
    try:
        os.environ.pop("SDL_VIDEODRIVER", None)
        pygame.display.quit()
        pygame.display.init()
        screen = pygame.display.set_mode(size, pygame.SCALED | pygame.FULLSCREEN if scaled else 0)
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


def bench_sharpness_command(args) -> int:
    """Time lab/sharpness.measure on the default run's 240 training samples after 50 epochs."""
    from data import make_dataset
    from data.seeding import rng_for
    from network.mlp import MLP
    from lab.sharpness import measure
    from network.train import TrainConfig, Trainer
    data = make_dataset(42)
    trainer = Trainer(MLP.create(42), data, TrainConfig(max_epochs=50), seed=42)
    trainer.train()
    rng = rng_for(42, "sharpness")
    measure(trainer.net, data.X_train, data.y_train, rng)           # warm-up: numba's kernels load
    times, last = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        last = measure(trainer.net, data.X_train, data.y_train, rng)
        times.append((time.perf_counter() - started) * 1000)
    return report({"samples": len(data.y_train), "parameters": trainer.net.n_parameters, "runs": args.runs,
                   "probes": last.probes, "iterations": last.iterations,
                   "ms_median": round(statistics.median(times), 2), "ms_max": round(max(times), 2),
                   **{key: round(value, 4) for key, value in last.fields().items()}}, args.json)


def bench_startup_command(args) -> int:
    """Launch `illumination run` as a fresh process --runs times on SDL's dummy driver and note, from the launch,
    when its first frame (the warming-up picture) and its first live frame (a trained step shown) were drawn."""
    import json
    import subprocess
    import sys
    import tempfile
    import time
    from illumination.modes.desktop.window import PROBE_ENV
    first, live, after_window = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as directory:
            probe = os.path.join(directory, "probe.jsonl")
            env = {**os.environ, PROBE_ENV: probe, "SDL_VIDEODRIVER": "dummy", "ILLUMINATION_ALLOW_DUMMY_WINDOW": "1"}
            if args.cold:                      # nothing compiled yet: numba compiles (and caches) at first use
                env["NUMBA_CACHE_DIR"] = os.path.join(directory, "numba-cache")
            launched = time.time()
            done = subprocess.run([sys.executable, "-c", "import sys; from illumination.launch import main; "
                                   "sys.exit(main(sys.argv[1:]))", "run", "--size", "1600x900"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
            if done.returncode != 0:
                from illumination.cli.args import fail
                return fail(f"the window did not start: {done.stderr.strip().splitlines()[-1:]}", 1)
            with open(probe, encoding="utf-8") as handle:
                events = {e["event"]: e["t"] for e in map(json.loads, handle)}
            first.append(events["first_frame"] - launched)
            after_window.append(events["first_frame"] - events["window"])
            live.append(events["live_frame"] - launched)
    result = {"runs": args.runs, "cold": args.cold, "first_frame_s_median": round(statistics.median(first), 3),
              "window_to_first_frame_s_median": round(statistics.median(after_window), 3),
              "live_frame_s_median": round(statistics.median(live), 3),
              "first_frame_s": [round(v, 3) for v in first], "live_frame_s": [round(v, 3) for v in live]}
    return report(result, args.json)
