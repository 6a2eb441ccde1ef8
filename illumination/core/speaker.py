"""Live sound for the window and the kiosk: each frame's tones, synthesised (core/sound.py) into short blocks that
pygame's mixer plays back to back on one channel.

The channel holds the block playing and one queued behind it. Each frame `play(sound)` fills whichever of the two
is free with CHUNK samples (93 ms) of this frame's sound, so the sound keeps to the device's own clock (no drift,
no growing delay) and is heard 0.1–0.2 s after it is drawn; SDL_mixer starts the queued block the sample the
playing one ends. Blocks are whole multiples of the mixer's buffer, so a block started on a channel that has just
run dry (a frame late by a block's length) follows the last one without a gap, and goes on where the sound was
(no fade there: a fade from zero would itself be the click). Only a loop stalled longer than both blocks (a new
exhibit being built, ~0.2 s and more) leaves silence between two blocks: then, and only then (no frame for longer
than everything that was queued), the next block fades in. The very first block rises from silence by itself:
every voice glides in from zero.

Why the mixer: its audio thread never waits for Python while the main thread holds a lock it needs (pygame-ce
releases the GIL around every call that locks the device). An SDL audio callback written in Python deadlocked
the suite when a device was paused or closed mid-callback.

No audio device is not an error: `Speaker.open` returns a speaker that plays nothing and says why in one log
line. Nothing here opens audio until sound is asked for.
"""
from __future__ import annotations

import logging
import time

import numpy as np

from illumination.core.sound import SAMPLE_RATE, Synth, scaled

LOG = logging.getLogger("illumination.sound")
CHUNK = 4096                 # samples per block (93 ms, 4 mixer buffers): one plays while the next waits in the
                             # channel's queue
DEVICE_BUFFER = 1024         # the mixer's own buffer (23 ms)
CLOSE_FADE_S = 0.6           # closing waits at most this long for the sound to fade out
FADE_SAMPLES = 256           # after a real gap, the next block fades in over this many (6 ms)


class Speaker:
    """One output stream. `enabled` is what the person asked for (the Sound toggle); `problem` says why no device
    could be opened (then everything is a no-op). `channel`: anything with play, queue, get_busy and get_queue
    taking blocks (a pygame mixer Channel, made by `open`; the tests give one that records)."""

    def __init__(self, volume: float = 0.6, sample_rate: int = SAMPLE_RATE, *, channel=None, make_block=None,
                 clock=None):
        self.synth = Synth(seed=0, sample_rate=sample_rate, volume=volume)
        self.sample_rate = int(sample_rate)
        self.enabled = True
        self.channel = channel
        self.make_block = make_block or (lambda samples: samples)    # float32 (n,) -> what the channel plays
        self.problem = ""                     # why there is no device, for the one log line and the panel
        self.restarts = 0                     # blocks started on an idle channel (the first, and after stalls)
        self.gaps = 0                         # restarts after a stall longer than everything queued
        self._clock = clock or time.monotonic
        self._last_play: float | None = None  # when a frame last asked (the queue was full after it)

    # -- the device ------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, volume: float = 0.6, log: logging.Logger = LOG) -> "Speaker":
        """A speaker on the default audio device; a silent one (and one log line) if SDL cannot open it."""
        speaker = cls(volume)
        try:
            import pygame
            pygame.mixer.init(frequency=speaker.sample_rate, size=32, channels=1, buffer=DEVICE_BUFFER,
                              allowedchanges=0)        # 0: SDL converts to the device's format if it must
            speaker.channel = pygame.mixer.Channel(0)
            speaker.make_block = lambda samples: pygame.mixer.Sound(buffer=samples.astype(np.float32).tobytes())
            log.info("sound: playing on the default audio device (%d Hz)", speaker.sample_rate)
        except Exception as error:        # no device, no driver, no mixer at all: the piece plays silently
            speaker.channel = None
            speaker.problem = f"no audio device ({error})"
            log.warning("sound: %s; playing silently", speaker.problem)
        return speaker

    def close(self, fade_s: float = CLOSE_FADE_S) -> None:
        """Fade out (what is queued plays, then the voices glide to silence: quitting never clicks), then let the
        device go (pygame-ce's mixer releases Python's lock while it waits for the audio thread)."""
        if self.channel is None or self.problem:
            self.channel = None
            return
        self.enabled = False
        ends = time.monotonic() + fade_s
        try:
            while time.monotonic() < ends and not self.synth.silent:
                self.play(None)
                time.sleep(0.01)
            while time.monotonic() < ends and self.channel.get_busy():     # the last, silent block plays out
                time.sleep(0.01)
        except Exception:
            pass
        channel, self.channel = self.channel, None
        try:
            import pygame
            channel.stop()
            pygame.mixer.quit()
        except Exception:
            pass

    # -- each frame ---------------------------------------------------------------------------------------------
    @property
    def volume(self) -> float:
        return self.synth.volume

    @volume.setter
    def volume(self, value: float) -> None:
        self.synth.volume = min(max(float(value), 0.0), 1.0)    # ramped by the synth: a change never clicks

    def play(self, sound) -> None:
        """This frame's (tones, noise) — or None: silence — into whichever of the channel's two places is free.
        Muted (enabled False) or silent, the voices fade out, then nothing is synthesised at all."""
        if self.channel is None:
            return
        now, last = self._clock(), self._last_play
        self._last_play = now
        tones, noise = sound if (sound is not None and self.enabled) else ([], 0.0)
        if not tones and noise == 0.0 and self.synth.silent:
            return
        # Only ever `queue`: on an idle channel it starts the block at once. (`play` would replace a block the
        # mixer is swapping in at that very moment — a block's end — and the sound would jump.) A waiting block
        # is looked for first for the same reason: while it is swapped in, the channel briefly reads as idle.
        for _ in range(2):
            if self.channel.get_queue() is not None:
                return
            block = self._block(tones, noise)
            if not self.channel.get_busy():           # idle: a start, or the loop was late and it ran dry
                self.restarts += 1
                # at the last frame at most two blocks were ahead: away longer than that, silence was heard
                if last is not None and now - last > (2 * CHUNK + DEVICE_BUFFER) / self.sample_rate:
                    self.gaps += 1
                    block[:FADE_SAMPLES] *= np.linspace(0.0, 1.0, FADE_SAMPLES, dtype=np.float32)
            self.channel.queue(self.make_block(block))

    def _block(self, tones, noise) -> np.ndarray:
        block = self.synth.render(tones, noise, CHUNK)
        if not np.all(np.isfinite(block)):            # never a NaN to the speaker
            block = np.zeros_like(block)
        return block


_failures_logged = 0
MAX_FAILURES_LOGGED = 5      # a sound mapping that keeps failing is reported a few times, then only silenced


def sound_of(show, level: float = 1.0):
    """The show's exhibit's (tones, noise) this frame, every loudness times level; None if it makes no sound, or
    if its mapping failed (logged, a few times at most: a sound is never worth stopping the picture for)."""
    global _failures_logged
    sound = show.exhibit.sound
    if sound is None or level <= 0.0:
        return None
    try:
        return sound(show.scene) if level >= 1.0 else scaled(sound(show.scene), level)
    except Exception as error:
        if _failures_logged < MAX_FAILURES_LOGGED:
            _failures_logged += 1
            LOG.warning("sound: the %s exhibit's sound failed (%s: %s); silent this frame", show.exhibit.name,
                        type(error).__name__, error)
        return None
