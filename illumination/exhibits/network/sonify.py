"""What the Network sounds like: every tone one of its numbers (core/sound.py plays them).

- Forward pass: hidden neuron j sings note j of a major pentatonic scale (HIDDEN_NOTES_HZ, from A2 up), as loud as
  its activation h_j allows: loudness = HIDDEN_GAIN · (1 − e^(−h_j)), 0 when its ReLU is silent, rising
  monotonically with h_j.
- The answer: the winning output adds a bell tone, A4 for a circle, E5 for a square, whose brightness (the 2nd and
  3rd harmonics) follows its probability: a confident answer rings, a hesitant one is a pure tone.
- Backward pass: a soft low-passed noise whose loudness is LOSS_GAIN · (1 − e^(−loss)) of the shown sample: a
  wrong, confident answer (a large loss) is heard as a louder rush.
- Training: a low drone, A1 with its fifth, and a second A1 detuned by DRONE_DETUNE_HZ · 2 · (1 − test accuracy):
  at chance the two A1s beat 1.5 times a second; the beating slows and stops as the network learns.
- Moments: a calm chord (core/sound.chime) when the run is trained (A3 major) and when it restarts after a
  divergence (D3 major), swelling and dying away over a few seconds.
Pure numbers to tones: no pygame.
"""
from __future__ import annotations

import math

import numpy as np

from illumination.core.sound import Tone, chime

_PENTATONIC = (0, 2, 4, 7, 9)                        # semitones of the major pentatonic scale
HIDDEN_NOTES_HZ = tuple(110.0 * 2 ** ((12 * (k // 5) + _PENTATONIC[k % 5]) / 12) for k in range(32))
HIDDEN_GAIN = 0.05                                   # per neuron: sixteen at once stay under the limiter
OUTPUT_HZ = (440.0, 659.26)                          # A4 for a circle, E5 for a square
OUTPUT_GAIN = 0.08
LOSS_GAIN = 0.06
DRONE_HZ = (55.0, 82.41)                             # A1 and its fifth
DRONE_GAIN = 0.05
DRONE_DETUNE_HZ = 1.5                                # at chance accuracy the two voices beat 1.5 times a second
MOMENT_HZ = {"trained": 220.0, "restarted": 146.83}  # the calm chords' roots: A3 when trained, D3 on a restart


def hidden_loudness(activation: float) -> float:
    """0 for a silent ReLU, rising monotonically towards HIDDEN_GAIN with the activation."""
    return HIDDEN_GAIN * (1.0 - math.exp(-max(float(activation), 0.0))) if math.isfinite(activation) else 0.0


def network_sound(h1, probs, loss: float | None, test_accuracy: float | None,
                  forward: bool = True) -> tuple[list[Tone], float]:
    """(tones, noise loudness) for one frame: h1 (H,) the shown sample's hidden activations, probs (2,), the
    sample's loss (None: a drawing, no label), the run's test accuracy (None before it is known). forward: the
    forward pass is on screen (the neurons sing); otherwise the backward pass (the loss texture)."""
    tones = []
    if forward:
        for j, activation in enumerate(np.asarray(h1, dtype=np.float64)[:len(HIDDEN_NOTES_HZ)]):
            loudness = hidden_loudness(activation)
            if loudness > 0:
                tones.append(Tone(f"hidden{j}", HIDDEN_NOTES_HZ[j], loudness))
        probs = np.asarray(probs, dtype=np.float64)
        if probs.size == 2 and np.all(np.isfinite(probs)):
            k = int(np.argmax(probs))
            bright = max(0.0, 2.0 * float(probs[k]) - 1.0)     # 0 at a coin flip, 1 when sure
            # one voice per answer: when the winner changes, one bell fades out as the other fades in (a voice
            # that jumped in pitch at full loudness would splatter a click across the spectrum)
            tones.append(Tone(f"answer{k}", OUTPUT_HZ[k], OUTPUT_GAIN))
            tones.append(Tone(f"answer{k}_2", 2 * OUTPUT_HZ[k], OUTPUT_GAIN * 0.5 * bright))
            tones.append(Tone(f"answer{k}_3", 3 * OUTPUT_HZ[k], OUTPUT_GAIN * 0.25 * bright))
    noise = 0.0
    if not forward and loss is not None and math.isfinite(loss):
        noise = LOSS_GAIN * (1.0 - math.exp(-max(float(loss), 0.0)))
    accuracy = test_accuracy if test_accuracy is not None and math.isfinite(test_accuracy) else 0.5
    unsettled = min(max(2.0 * (1.0 - float(accuracy)), 0.0), 1.0)        # 1 at chance (50%), 0 when all right
    tones.append(Tone("drone", DRONE_HZ[0], DRONE_GAIN))
    tones.append(Tone("drone_beat", DRONE_HZ[0] + DRONE_DETUNE_HZ * unsettled, DRONE_GAIN * 0.7))
    tones.append(Tone("drone5", DRONE_HZ[1], DRONE_GAIN * 0.6))
    return tones, noise


def frame_sound(scene) -> tuple[list[Tone], float]:
    """The shown sample's numbers as this frame's sound: its forward trace while the forward pass is on screen, its
    loss in the backward pass (a drawing has no loss: it only flows forward), the run's test accuracy as the drone."""
    sample = scene.snapshot.sample
    drawing = scene.drawing is not None
    loss = None if drawing else getattr(sample, "loss", None)
    accuracy = scene.trainer.test_accuracy
    tones, noise = network_sound(sample.h1, sample.probs, None if loss is None else float(loss),
                                 None if not math.isfinite(accuracy) else float(accuracy),
                                 forward=scene.phase != "backward" or drawing)
    for moment, root in MOMENT_HZ.items():
        if moment in scene.moments:
            tones += chime(moment, scene.time - scene.moments[moment], root)
    return tones, noise
