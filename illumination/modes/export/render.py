"""Rendering an exhibit headless on the fixed 1/fps clock: a video's frames, or one still.

The run advances with simulated time exactly as in the window (its speed is per second of the clock), so the
same arguments give the same frames, bit for bit. Frames go to a writer from core/frames, the only code that
writes them.
"""
from __future__ import annotations

import math

from illumination.core.loop import advance_until, run_frames
from illumination.core.show import make_show

HOLD_SECONDS = 3.0  # with no length given: play the whole run, then hold its final state this long


def frame_count(scene, fps: int, frames: int | None = None, duration: float | None = None) -> int:
    """Frames asked for (--frames, --duration), else the whole run plus the hold."""
    if frames is not None:
        return frames
    if duration is not None:
        return max(1, round(duration * fps))
    run = scene.run_seconds()
    return max(1, math.ceil(((run if run is not None else 10.0) + HOLD_SECONDS) * fps))


def start(exhibit, settings, size, theme=None):
    """The show to render: the exhibit at this size, pygame already headless."""
    from illumination.core.display import init_headless
    init_headless()
    return make_show(exhibit, settings, size, theme)


class SoundTrack:
    """The exhibit's sound, frame by frame, on the same fixed clock as the pictures: frame k's samples are rendered
    from the scene as frame k shows it (never from wall time), so the same seed gives the same samples, bit for
    bit. Frame k gets the samples from k·rate/fps to (k+1)·rate/fps (whole numbers: at 24 fps they alternate)."""

    def __init__(self, show, fps: int, volume: float = 0.6):
        from illumination.core.sound import SAMPLE_RATE, Synth
        self.show, self.fps, self.frame = show, int(fps), 0
        self.sample_rate = SAMPLE_RATE
        self.synth = Synth(seed=int(getattr(show.scene.settings, "seed", 0)), volume=volume)

    def next_frame(self):
        start, stop = (self.frame * self.sample_rate) // self.fps, ((self.frame + 1) * self.sample_rate) // self.fps
        self.frame += 1
        tones, noise = self.show.exhibit.sound(self.show.scene)
        return self.synth.render(tones, noise, stop - start)


def export_frames(show, writer, frames: int, fps: int, progress=None, sound: SoundTrack | None = None) -> None:
    """Update on exactly 1/fps, draw, hand each frame to the writer (and, with a sound track, that frame's sound)."""
    sink = writer.write
    if sound is not None:
        def sink(surface) -> None:
            writer.write(surface)
            writer.write_audio(sound.next_frame(), sound.sample_rate)
    run_frames(show, frames, fps, sink=sink, on_frame=None if progress is None else lambda: progress.update(1))


def still(show, position: float, fps: float = 60.0):
    """The frame at `position` of the exhibit's count unit (epoch 30 …), advanced on the fixed clock for as long as
    that takes; a run that diverges stops at its first restart (the caller says so)."""
    import pygame
    advance_until(show.scene, position, fps=fps, limit_s=math.inf, stop_at_divergence=True)
    surface = pygame.Surface(show.size)
    show.draw(surface)
    return surface
