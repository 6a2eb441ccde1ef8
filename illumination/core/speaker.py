"""Live sound for the window and the kiosk: each frame's tones, synthesised (core/sound.py) into a short queue
that the audio device drains from its own thread.

Each frame `play(sound)` tops the queue up to TARGET_SAMPLES (about 70 ms ahead of the speaker), so the sound
keeps to the device's own clock (no drift, no growing delay) and a frame's numbers are heard ~0.1 s after they
are drawn. If the loop stalls longer than the queue (a new exhibit being built), the device plays what is left,
fades from its last sample to silence (no click) and the next sound fades back in.

No audio device is not an error: `Speaker.open` returns a speaker that plays nothing, and says why in one log
line. The device comes from SDL through pygame-ce's pygame._sdl2.audio (an audio callback: gapless, unlike
queueing Sound objects); nothing here opens audio until sound is asked for.
"""
from __future__ import annotations

import logging
import threading
from collections import deque

import numpy as np

from illumination.core.sound import SAMPLE_RATE, Synth, scaled

LOG = logging.getLogger("illumination.sound")
DEVICE_CHUNK = 1024          # samples the device asks for at a time (23 ms)
TARGET_SAMPLES = 3072        # the queue is topped up to this each frame (70 ms)
MAX_RENDER = 4096            # at most this many samples synthesised in one frame
FADE_SAMPLES = 256           # an underrun fades out, and the sound after it fades in, over this many (6 ms)


class Speaker:
    """One output stream. `enabled` is what the person asked for (the Sound toggle); `problem` says why no device
    could be opened (then everything is a no-op). A Speaker made directly has no device: the tests pull its
    samples through `fill`, as the device's thread does."""

    def __init__(self, volume: float = 0.6, sample_rate: int = SAMPLE_RATE, *, keep_played: bool = False):
        self.synth = Synth(seed=0, sample_rate=sample_rate, volume=volume)
        self.sample_rate = int(sample_rate)
        self.enabled = True
        self.device = None
        self.problem = ""                     # why there is no device, for the one log line and the panel
        self._chunks: deque = deque()         # float32 arrays waiting for the device, oldest first
        self._queued = 0                      # samples in _chunks (both guarded by _lock)
        self._offset = 0                      # samples of _chunks[0] already played
        self._lock = threading.Lock()
        self._last = 0.0                      # the last sample the device played (an underrun fades from it)
        self._fade_in = False                 # the next chunk played fades in (after an underrun)
        self.underruns = 0
        self.played: list | None = [] if keep_played else None   # tests: every block the device was given

    # -- the device ------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, volume: float = 0.6, log: logging.Logger = LOG, **options) -> "Speaker":
        """A speaker on the default audio device; a silent one (and one log line) if SDL cannot open it."""
        speaker = cls(volume, **options)
        try:
            import pygame._sdl2.audio as sdl_audio
            import pygame._sdl2.sdl2 as sdl
            sdl.init_subsystem(sdl.INIT_AUDIO)
            speaker.device = sdl_audio.AudioDevice(None, False, speaker.sample_rate, sdl_audio.AUDIO_F32, 1,
                                                   DEVICE_CHUNK, 0, speaker._callback)
            speaker.device.pause(0)
            log.info("sound: playing on the default audio device (%d Hz)", speaker.sample_rate)
        except Exception as error:        # no device, no driver, no SDL audio at all: the piece plays silently
            speaker.device = None
            speaker.problem = f"no audio device ({error})"
            log.warning("sound: %s; playing silently", speaker.problem)
        return speaker

    def close(self) -> None:
        device, self.device = self.device, None
        if device is not None:
            try:
                device.pause(1)
                device.close()
            except Exception:
                pass

    # -- the main loop's side ----------------------------------------------------------------------------------
    @property
    def volume(self) -> float:
        return self.synth.volume

    @volume.setter
    def volume(self, value: float) -> None:
        self.synth.volume = min(max(float(value), 0.0), 1.0)    # ramped by the synth: a change never clicks

    def play(self, sound) -> None:
        """This frame's (tones, noise) — or None: silence — topped up into the queue. Muted (enabled False) or
        silent, the voices fade out, then nothing is synthesised at all."""
        if self.problem:
            return
        tones, noise = sound if (sound is not None and self.enabled) else ([], 0.0)
        if not tones and noise == 0.0 and self.synth.silent:
            return
        with self._lock:
            wanted = min(TARGET_SAMPLES - self._queued, MAX_RENDER)
        if wanted <= 0:
            return
        block = self.synth.render(tones, noise, wanted)
        if not np.all(np.isfinite(block)):       # never a NaN to the speaker
            block = np.zeros_like(block)
        with self._lock:
            self._chunks.append(block)
            self._queued += len(block)

    @property
    def queued(self) -> int:
        with self._lock:
            return self._queued

    # -- the audio thread's side ----------------------------------------------------------------------------
    def _callback(self, _device, memory) -> None:
        try:
            self.fill(np.frombuffer(memory, dtype=np.float32))
        except Exception:                 # the audio thread must never raise: a block of silence instead
            np.frombuffer(memory, dtype=np.float32)[:] = 0.0

    def fill(self, out: np.ndarray) -> None:
        """Write the next len(out) samples into out: from the queue, then (an underrun) a fade to silence."""
        n, filled = len(out), 0
        with self._lock:
            while filled < n and self._chunks:
                chunk = self._chunks[0]
                take = min(n - filled, len(chunk) - self._offset)
                out[filled:filled + take] = chunk[self._offset:self._offset + take]
                if self._fade_in:
                    ramp = np.minimum(np.arange(1, take + 1) / FADE_SAMPLES, 1.0)
                    out[filled:filled + take] *= ramp.astype(np.float32)
                    self._fade_in = False
                filled += take
                self._offset += take
                self._queued -= take
                if self._offset == len(chunk):
                    self._chunks.popleft()
                    self._offset = 0
        if filled:
            self._last = float(out[filled - 1])
        if filled < n:
            if abs(self._last) > 1e-6:
                self.underruns += 1
                self._fade_in = True
            fade = min(n - filled, FADE_SAMPLES)
            out[filled:filled + fade] = self._last * np.linspace(1.0, 0.0, fade + 1, dtype=np.float32)[1:]
            out[filled + fade:] = 0.0
            self._last = 0.0
        if self.played is not None:
            self.played.append(out.copy())


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
        return scaled(sound(show.scene), level)
    except Exception as error:
        if _failures_logged < MAX_FAILURES_LOGGED:
            _failures_logged += 1
            LOG.warning("sound: the %s exhibit's sound failed (%s: %s); silent this frame", show.exhibit.name,
                        type(error).__name__, error)
        return None
