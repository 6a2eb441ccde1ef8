"""What the kiosk sounds like at this moment: the item on the screen's own sound (core/speaker.sound_of), following
the picture — quieter as it dips to black between items, the incoming item's sound as it rises, the item behind
the visitor's pad while it is open — and silence in closed hours and while the screen rests black."""
from __future__ import annotations

from illumination.core.speaker import sound_of
from illumination.modes.kiosk.attract import dip_level


def kiosk_sound(kiosk):
    """(tones, noise) for this frame, or None: silence. Reads the kiosk, never changes it."""
    if kiosk.closed or kiosk.current is None:
        return None
    if kiosk.phase == "fade" and kiosk.incoming is not None and kiosk.visitor is None:
        t = min(kiosk.phase_t / max(kiosk.playlist.crossfade_seconds, 1e-9), 1.0)
        return sound_of(kiosk.current.show if t < 0.5 else kiosk.incoming.show, dip_level(t))
    return sound_of(kiosk.current.show)


def play_kiosk(speaker, kiosk, log) -> None:
    """The window's loop, after each frame: this moment's sound to the speaker. A failure is never worth a frame:
    the sound goes quiet for it (logged; the speaker and the mappings catch their own, so this is a last guard)."""
    try:
        speaker.play(kiosk_sound(kiosk))
    except Exception as error:
        log.warning("sound: %s", error)


class SoakListener:
    """The soak's ears (and `bench kiosk`'s): the kiosk's sound synthesised after every update as the wall would
    (with no device), so months of mappings and synthesis are exercised, and every block that is not finite is
    counted. `seconds`: the sound each update renders — the bench, its frame's length (the wall's real cost); the
    soak, 1/60 s whatever its long updates' length (a sample of the sound: rendering every second of a simulated
    week would double the soak's run)."""

    def __init__(self, volume: float, seconds: float, seed: int = 0):
        from illumination.core.sound import SAMPLE_RATE, Synth
        self.synth = Synth(seed, volume=volume)
        self.samples = max(1, round(SAMPLE_RATE * seconds))
        self.frames = self.not_finite = 0

    def hear(self, kiosk) -> None:
        import numpy as np
        block = self.synth.render(*(kiosk_sound(kiosk) or ([], 0.0)), self.samples)
        self.frames += 1
        self.not_finite += int(not np.all(np.isfinite(block)))

    def figures(self) -> dict:
        return {"sound_frames": self.frames, "sound_frames_not_finite": self.not_finite}
