"""The cyclic garbage collector waits while the program starts.

Starting means importing numpy, numba, pygame and pygame-gui: hundreds of thousands of objects, none of them
garbage, that the collector would otherwise walk again and again (~0.1 s of a ~1.4 s window launch, measured
with `illumination bench startup`). The entry point (launch.py) holds it; it is released, with everything built so
far frozen out of its reach (`gc.freeze`, which also keeps later collections short), once the program is really
running: the window after its first live frame, every other command as soon as its arguments are parsed.
"""
from __future__ import annotations

import gc


def hold_collector() -> None:
    gc.disable()


def release_collector() -> None:
    """Idempotent; does nothing if the collector was never held (the tests call commands in-process)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
