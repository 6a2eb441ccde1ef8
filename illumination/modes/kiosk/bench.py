"""`illumination bench kiosk`: how much of one CPU core the kiosk uses in each of its states, in real time.

For each state and size, a kiosk plays one item of the built-in playlist's kind on the real clock for a few
seconds, through the one frame loop (core/loop.run_loop), capped by the same frame-rate limiter as the window
(its fps, and 5 frames a second during closed hours), drawing into an off-screen surface. CPU use is the process's
CPU time (every thread: numba, the BLAS, SDL) over the wall time, in percent of one core. Presenting the frame to a
real screen is not included (the dummy video driver has none): on a wall add the display's own cost. The sound
(the built-in playlist plays it) is synthesised every frame as on the wall, with no device: `sound=False` leaves
it out.

States: `network` (a Network item training), `landscape` (10,000 balls rolling), `transition` (the dip through
black between two items, both drawn), `closed` (outside opening hours: a black screen).
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime

STATES = ("network", "landscape", "transition", "closed")
NETWORK_ITEM = {"exhibit": "network", "seed": 1, "epochs": 200}
LANDSCAPE_ITEM = {"exhibit": "landscape", "seed": 1, "seconds": 600,
                  "settings": {"surface": "complex", "balls": 10_000, "temperature": 1.5, "schedule": "cyclical",
                               "speed": 30.0}}
NOON = datetime(2026, 6, 1, 12, 0, 0)
CLOSED_FPS = 5          # the window's own rate during closed hours (modes/kiosk/runner.py)


def _playlist(state: str):
    from illumination.modes.kiosk.playlist import parse_playlist
    data: dict = {"item": [LANDSCAPE_ITEM if state == "landscape" else NETWORK_ITEM, LANDSCAPE_ITEM],
                  "crossfade_seconds": 60.0 if state == "transition" else 2.0}
    if state == "closed":
        data["schedule"] = {"on": "18:00", "off": "20:00"}    # noon is outside: the screen is black
    return parse_playlist(data, f"<bench kiosk: {state}>")


def measure_state(state: str, size: tuple[int, int], seconds: float, fps: int, sound: bool = True) -> dict:
    """Run one state for `seconds` of wall time after a 1 s warm-up; CPU percent of one core and frame costs."""
    import pygame
    from illumination.core.clock import RealClock
    from illumination.core.loop import run_loop
    from illumination.modes.kiosk.attract import Kiosk, warm_up
    playlist = _playlist(state)
    warm_up(playlist, size)
    kiosk = Kiosk(playlist, size, wall_time=lambda: NOON, random_seed=0)
    if state == "transition":       # straight to the dip: the current item ends, the next fades in for 60 s
        kiosk._finish(kiosk.current)
        kiosk._begin_fade()
    surface = pygame.Surface(size)
    limiter = pygame.time.Clock()
    rate = CLOSED_FPS if state == "closed" else fps
    timings: dict = {}
    listener = None
    if sound:
        from illumination.modes.kiosk.sound import SoakListener
        listener = SoakListener(0.6, 1.0 / rate)         # a frame's worth of sound each frame, as on the wall

    def after(_n: int) -> None:
        if listener is not None:
            listener.hear(kiosk)
        limiter.tick(rate)

    def run(duration: float, record: dict | None) -> int:
        clock = RealClock(max_dt=0.1)
        ends = time.perf_counter() + duration
        count, _ = run_loop(kiosk, clock, surface=surface, before=lambda: time.perf_counter() < ends,
                            after=after, timings=record)
        return count

    run(1.0, None)                                   # warm-up: first draws build the caches
    wall, cpu = time.perf_counter(), time.process_time()
    frames = run(seconds, timings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    work = [u + d for u, d in zip(timings.get("update_ms", [0.0]), timings.get("draw_ms", [0.0]))]
    return {"state": state, "size": f"{size[0]}x{size[1]}", "fps_cap": rate, "frames": frames,
            "fps": round(frames / wall, 1), "cpu_percent_of_one_core": round(100.0 * cpu / wall, 1),
            "frame_work_ms_median": round(statistics.median(work), 3), "phase": kiosk.phase,
            "closed": kiosk.closed, "sound": sound}


def bench_kiosk(sizes, seconds: float = 5.0, fps: int = 60, states=STATES, sound: bool = True) -> dict:
    from illumination.core.display import init_headless
    init_headless()
    rows = [measure_state(state, size, seconds, fps, sound) for size in sizes for state in states]
    return {"seconds_per_state": seconds, "fps": fps, "sound": sound, "states": rows,
            "note": "CPU time of the whole process over wall time; presenting to a screen not included"}
