"""The Landscape's own bench (`illumination bench landscape`): it drives its camera and its stage, which only
this package knows. Reached through the exhibit's interface (`EXHIBIT.bench`), so the command line names none of
its insides."""
from __future__ import annotations

import statistics
import time

VIEWS_WITH_BALLS = ("3d", "map", "valley")
WARMUP_FRAMES = 30


def bench(exhibit, size: tuple[int, int], frames: int, *, balls: int, view: str, composition: str) -> dict:
    """frame_ms: one frame of the Landscape exhibit with N balls, stepped (one step a frame, Langevin heat on) and
    drawn on the chosen view (the 3D surface by default) at the given size. mesh_ms: a frame in which the camera
    moved, so the 3D view redraws its cached mesh layer; drag_frame_ms: a frame while the mouse drags the camera
    (the coarser mesh). Both for the 3d view only. slice_ms: the live network's loss on a 51x51 plane of
    filter-normalised directions through its weights, over the 240 training samples. exhibit: the Landscape's
    record (the package's EXHIBIT); pygame is initialised (headless) by the caller."""
    import numpy as np
    import pygame
    from data import make_dataset, rng_for
    from illumination.core.loop import percentile
    from illumination.core.settings import SettingsError
    from illumination.core.show import make_show
    from network import MLP
    from network.landscape import filter_normalised_directions, loss_slice
    from physics.descent import check_ball_count
    try:
        check_ball_count(balls)
    except ValueError as error:
        raise SettingsError([str(error)]) from None
    if view not in VIEWS_WITH_BALLS:
        raise SettingsError([f"--view must be 3d, map or valley (the network view has no balls), got {view!r}"])
    settings = exhibit.settings(balls=balls, temperature=1.0, max_steps=10**6, view=view, composition=composition)
    show = make_show(exhibit, settings, size)
    surface = pygame.Surface(size)

    def frame() -> float:
        started = time.perf_counter()
        show.scene.step_once()
        show.draw(surface)
        return (time.perf_counter() - started) * 1000

    frame_ms = [frame() for _ in range(WARMUP_FRAMES + frames)][WARMUP_FRAMES:]
    mesh_ms, drag_ms = [], []
    if view == "3d":
        for _ in range(15):
            show.scene.camera.orbit(0.02, 0.0)
            mesh_ms.append(frame())
        # a person dragging the surface round: every frame a mouse move, the coarse mesh redrawn
        centre = show.view.stage.rect.center
        show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=centre))
        for k in range(15):
            pos = (centre[0] + 4 * (k + 1), centre[1])
            show.view.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(4, 0), buttons=(1, 0, 0)))
            drag_ms.append(frame())
        show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=pos))
    data = make_dataset(42)
    net = MLP.create(42)
    d1, d2 = filter_normalised_directions(net, rng_for(42, "landscape"))
    slice_ms = []
    for _ in range(25):
        started = time.perf_counter()
        loss_slice(net, data.X_train, data.y_train, d1, d2, span=1.0, resolution=51)
        slice_ms.append((time.perf_counter() - started) * 1000)
    return {"size": f"{size[0]}x{size[1]}", "balls": balls, "frames": frames,
            "view": view, "composition": composition,
            "frame_ms_median": round(statistics.median(frame_ms), 3),
            "frame_ms_p99": round(percentile(frame_ms, 99), 3),
            "mesh_ms_median": round(statistics.median(mesh_ms), 3) if mesh_ms else None,
            "drag_frame_ms_median": round(statistics.median(drag_ms), 3) if drag_ms else None,
            "slice_ms_median": round(statistics.median(slice_ms), 3), "slice_resolution": 51,
            "slice_samples": int(len(data.y_train)), "finite": bool(np.isfinite(show.scene.balls.position).all())}
