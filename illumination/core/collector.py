"""The cyclic garbage collector waits while the program starts.

Starting means importing numpy, numba, pygame and pygame-gui: hundreds of thousands of objects, none of them
garbage, that the collector would otherwise walk again and again (~0.1 s of a ~1.4 s window launch, measured
with `illumination bench startup`). The entry point (launch.py) holds it; it is released, with everything built so
far frozen out of its reach (`gc.freeze`, which also keeps later collections short), once the program is really
running: the window after its first live frame, every other command as soon as its arguments are parsed.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc


def hold_collector() -> None:
    gc.disable()


def release_collector() -> None:
    """Idempotent; does nothing if the collector was never held (the tests call commands in-process)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _malloc_trim():
    """glibc's malloc_trim, or None (another C library, or none found)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_trim = _malloc_trim()


def release_free_memory() -> bool:
    """Give the C heap's free pages back to the system; True if it could (glibc only).

    Every kiosk item builds and drops megabytes of arrays, surfaces and text; glibc keeps the freed pages for reuse,
    and over hours a fragmented heap holds tens of MB nobody uses (a 4-hour soak: 183 -> 217 MB without this, 183 ->
    183 MB with it, called between items). A few milliseconds, at a moment nothing moves fast."""
    if _trim is None:
        return False
    _trim(0)
    return True
