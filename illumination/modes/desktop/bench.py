"""Frame cost of the desktop window with the panel shown: scene + panel update, and draw + draw_ui.

Runs headless on the fixed clock at the window's size (the exhibit gets the window minus the panel),
while the network trains at the default speed — what `run` does each frame, minus presenting.
"""
from __future__ import annotations

import statistics
import time

from illumination.core.loop import percentile


def bench_panel(exhibit, settings, size=(1920, 1080), frames: int = 400, warmup: int = 60, panel: bool = True,
                tab: str | None = None) -> dict:
    import pygame

    from illumination.core.clock import FixedClock
    from illumination.core.display import init_headless
    from illumination.core.show import make_show
    from illumination.modes.desktop.desktop import Desktop
    init_headless()
    screen = pygame.display.set_mode(size)
    desktop = Desktop(screen, make_show(exhibit, settings, screen.get_size()), fps=60)
    scene = desktop.scene
    if not panel:
        desktop.perform("toggle_panel")
    tab = tab or desktop.panel.tabs[0]
    desktop.panel.select_tab(tab)
    clock = FixedClock(60)
    update_ms, draw_ms, ui_ms = [], [], []
    for frame in range(warmup + frames):
        for event in pygame.event.get():
            desktop.process_event(event)
        t0 = time.perf_counter()
        desktop.update(clock.tick())
        t1 = time.perf_counter()
        desktop.draw()
        t2 = time.perf_counter()
        if frame >= warmup:
            update_ms.append((t1 - t0) * 1000)
            draw_ms.append((t2 - t1) * 1000)
    # The panel's own share: its update + draw_ui alone, on the same frames' state.
    ui_update_ms, ui_draw_ms = [], []
    if panel:
        for _ in range(frames):
            t0 = time.perf_counter()
            desktop.panel.update(1 / 60)
            t1 = time.perf_counter()
            desktop.panel.draw(screen)
            t2 = time.perf_counter()
            ui_update_ms.append((t1 - t0) * 1000)
            ui_draw_ms.append((t2 - t1) * 1000)
            ui_ms.append((t2 - t0) * 1000)
    total = [u + d for u, d in zip(update_ms, draw_ms)]
    result = {
        "size": f"{size[0]}x{size[1]}", "panel": panel, "tab": tab, "frames": frames,
        "exhibit": "x".join(map(str, desktop.exhibit.get_size())),
        "update_ms_median": round(statistics.median(update_ms), 3),
        "draw_ms_median": round(statistics.median(draw_ms), 3),
        "draw_ms_p95": round(percentile(draw_ms, 95), 3),
        "draw_ms_p99": round(percentile(draw_ms, 99), 3),
        "frame_ms_median": round(statistics.median(total), 3),
        "frame_ms_p95": round(percentile(total, 95), 3),
        "frame_ms_p99": round(percentile(total, 99), 3),
        "frame_ms_max": round(max(total), 3),
        "panel_ui_ms_median": round(statistics.median(ui_ms), 3) if ui_ms else None,
        "panel_ui_ms_p95": round(percentile(ui_ms, 95), 3) if ui_ms else None,
        "panel_ui_update_ms_median": round(statistics.median(ui_update_ms), 3) if ui_ms else None,
        "panel_draw_ui_ms_median": round(statistics.median(ui_draw_ms), 3) if ui_ms else None,
        **scene.benchmark_figures(),
    }
    desktop.close()
    return result
