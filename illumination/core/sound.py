"""The synthesiser: tones and a noise texture, rendered with NumPy into float32 buffers, frame by frame.

An exhibit says, each frame, what should sound (`Tone`s: a voice name, a pitch and a loudness; and a noise texture's
loudness); `Synth.render` turns that into the frame's samples. Every voice keeps its phase across frames; its
loudness moves GLIDE of the way to the asked value every 1/60 s (a render of any length glides as far as its
duration allows), ramped linearly within the render, so nothing clicks;
a limiter with a smoothed gain keeps the mix under the ceiling, and a master volume scales it. Pure NumPy and one
seeded generator for the noise: the same frames give the same samples, bit for bit. No pygame here: the modes play
or write the buffers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

SAMPLE_RATE = 44_100
CEILING = 0.8                # the limiter keeps every sample's magnitude under this (before the master volume)
NOISE_CUTOFF_HZ = 500.0      # the noise texture is low-passed twice here: a soft rush, not a hiss
GLIDE = 0.35                 # every 1/60 s, a voice's loudness moves this share of the way to where it is asked to be
                             # (about 40 ms at 60 fps): a pass that starts or ends swells and fades, never pumps


@njit(cache=True)
def _two_low_passes(white: np.ndarray, alpha: float, first: float, second: float):
    """Two one-pole low-passes in a row over white (n,), from the filters' memories; (filtered (n,), first,
    second). Compiled: a Python loop took ~0.2 ms for a 60 fps frame, and the soak renders months of them."""
    filtered = np.empty(white.shape[0])
    for i in range(white.shape[0]):
        first += alpha * (white[i] - first)
        second += alpha * (first - second)
        filtered[i] = second
    return filtered, first, second


@dataclass(frozen=True)
class Tone:
    voice: str               # a stable name: a voice keeps its phase from frame to frame
    frequency: float         # Hz
    amplitude: float         # linear, >= 0


class Synth:
    def __init__(self, seed: int = 0, sample_rate: int = SAMPLE_RATE, volume: float = 0.6):
        self.sample_rate = int(sample_rate)
        self.volume = float(volume)                # the master volume asked for; reached within one render
        self._volume_now = self.volume             # the volume the last render ended at
        self._phases: dict[str, float] = {}        # radians, per voice
        self._amplitudes: dict[str, float] = {}    # the loudness each voice ended the last frame with
        self._frequencies: dict[str, float] = {}   # and its pitch (a voice that stops fades out at it)
        self._noise_level = 0.0
        self._noise_state = (0.0, 0.0)             # the two low-pass filters' memories
        self._gain = 1.0                           # the limiter's gain at the end of the last frame
        self._rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(7,)))
        self.samples_rendered = 0

    def render(self, tones: list[Tone], noise: float, samples: int) -> np.ndarray:
        """(samples,) float32 in [-1, 1]: this frame's tones and noise texture, ramped from the last frame's."""
        n = int(samples)
        ramp = (np.arange(1, n + 1, dtype=np.float64) / n)                       # (n,) 0 → 1 over the frame
        sixtieths = n * 60.0 / self.sample_rate                                   # this render's length in 1/60 s
        glide = 1.0 - (1.0 - GLIDE) ** sixtieths                                  # exactly GLIDE for 1/60 s
        out = np.zeros(n)
        wanted = {tone.voice: tone for tone in tones}
        # voices that stopped fade out over this frame, at their last pitch (kept in _phases)
        for voice in list(self._amplitudes):
            if voice not in wanted and self._amplitudes[voice] > 0:
                wanted[voice] = Tone(voice, self._frequencies[voice], 0.0)
        if wanted:
            names = list(wanted)
            frequency = np.array([max(wanted[v].frequency, 0.0) for v in names])            # (K,)
            start = np.array([self._amplitudes.get(v, 0.0) for v in names])                 # (K,)
            asked = np.array([max(wanted[v].amplitude, 0.0) for v in names])                # (K,)
            end = start + glide * (asked - start)
            end[(asked == 0.0) & (end < 1e-4)] = 0.0          # a voice that fades far enough is gone
            phase0 = np.array([self._phases.get(v, 0.0) for v in names])                    # (K,)
            step = 2 * np.pi * frequency / self.sample_rate                                 # (K,) radians/sample
            phases = phase0[:, None] + step[:, None] * np.arange(n)[None, :]                # (K, n)
            amplitude = start[:, None] + (end - start)[:, None] * ramp[None, :]             # (K, n)
            out += np.sum(amplitude * np.sin(phases), axis=0)
            for k, voice in enumerate(names):
                self._phases[voice] = float((phase0[k] + step[k] * n) % (2 * np.pi))
                self._amplitudes[voice] = float(end[k])
                self._frequencies[voice] = float(frequency[k])
                if end[k] == 0.0:
                    del self._amplitudes[voice]
        asked_noise = max(float(noise), 0.0)
        noise_level = self._noise_level + glide * (asked_noise - self._noise_level)
        noise_level = 0.0 if asked_noise == 0.0 and noise_level < 1e-5 else noise_level
        if noise_level > 0 or self._noise_level > 0:
            white = self._rng.standard_normal(n)
            alpha = 1.0 - np.exp(-2 * np.pi * NOISE_CUTOFF_HZ / self.sample_rate)
            filtered, first, second = _two_low_passes(white, alpha, *self._noise_state)
            self._noise_state = (first, second)
            out += (self._noise_level + (noise_level - self._noise_level) * ramp) * filtered * 5.0
        self._noise_level = float(noise_level)
        # the limiter: a gain glided over the frame towards what keeps it under the ceiling (down within a frame,
        # back up slowly), then a soft saturation that can never pass the ceiling and has no corner to click on
        peak = float(np.max(np.abs(out))) if n else 0.0
        target = min(1.0, CEILING / peak) if peak > 0 else 1.0
        speed = 1.0 if target < self._gain else 1.0 - 0.9 ** sixtieths
        gain = self._gain + (target - self._gain) * speed * ramp                        # (n,)
        self._gain = float(gain[-1])
        out = CEILING * np.tanh(out * gain / CEILING)
        self.samples_rendered += n
        volume = self._volume_now + (self.volume - self._volume_now) * ramp        # (n,) a new volume, ramped
        self._volume_now = self.volume
        return (out * volume).astype(np.float32)

    @property
    def silent(self) -> bool:
        """Nothing sounds and nothing is fading out: rendering would give zeros."""
        return not self._amplitudes and self._noise_level == 0.0


# -- a shared vocabulary the exhibits' mappings use -----------------------------------------------------
CHIME_SECONDS = 6.0          # a calm sign lasts this long (it has died away to 2% by then)
CHIME_SWELL_S = 0.5          # it swells over this long: a sign, never a click or a startle
CHIME_DECAY_S = 1.6
_CHIME_CHORD = ((1.0, 1.0), (5 / 4, 0.7), (3 / 2, 0.6))     # a just major triad: (frequency ratio, loudness)


def chime(name: str, age: float | None, root_hz: float, gain: float = 0.05) -> list[Tone]:
    """A calm sign: a soft major triad on root_hz that swells and dies away, `age` seconds after the moment it
    marks (none before it, none after CHIME_SECONDS)."""
    if age is None or not 0.0 <= age < CHIME_SECONDS:
        return []
    envelope = min(age / CHIME_SWELL_S, 1.0) * float(np.exp(-age / CHIME_DECAY_S))
    return [Tone(f"{name}{k}", root_hz * ratio, gain * loudness * envelope)
            for k, (ratio, loudness) in enumerate(_CHIME_CHORD)]


def scaled(sound: tuple[list[Tone], float], level: float) -> tuple[list[Tone], float]:
    """(tones, noise) with every loudness times level (a picture fading to black takes its sound with it)."""
    tones, noise = sound
    level = min(max(float(level), 0.0), 1.0)
    return [Tone(t.voice, t.frequency, t.amplitude * level) for t in tones], noise * level
