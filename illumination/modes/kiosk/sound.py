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
