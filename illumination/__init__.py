"""Neural Illumination: the app (window, kiosk, export). Everything that draws, listens or writes files."""
import os

# Before anything imports pygame: no "Hello from the pygame community" banner on stdout (it would break --json).
# (Audio is opened only when sound is asked for: core/speaker.py.)
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# Before anything imports NumPy: its BLAS runs on one thread. Our products are small; a threaded BLAS on a busy
# 2-core machine spends more time handing work between threads than doing it (an SVD of a 400 × 1,074 path:
# 78 ms on one thread, 430 ms threaded while the machine was busy), and the frame loop, the trainer and the
# sweep's worker processes already keep the cores busy. One thread also gives the same bits on any core count.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
