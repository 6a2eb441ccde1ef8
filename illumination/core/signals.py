"""SIGTERM and SIGHUP behave like Ctrl-C in every command: `timeout`, `kill`, systemd's stop, a closed terminal and a
cancelled CI job all stop a run the way Ctrl-C does (a shorter, valid file where one is being written, nothing
half-written left behind), and the exit code says which signal it was (130 SIGINT, 143 SIGTERM, 129 SIGHUP).

SDL installs its own SIGINT/SIGTERM handlers when a display initialises (turning them into QUIT events that a
headless export never reads), so `install()` asks SDL not to, before anything initialises it.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

CAUGHT = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """A SIGTERM or SIGHUP, delivered like Ctrl-C (so every Ctrl-C path handles it) and remembering which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


def exit_code(interrupt: BaseException) -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + getattr(interrupt, "signum", int(signal.SIGINT))


def _raise(signum, _frame) -> None:
    raise Stopped(signum)


def install() -> None:
    """Route SIGTERM and SIGHUP to Stopped, and keep SDL's handlers out (call before pygame's display starts)."""
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    if threading.current_thread() is threading.main_thread():
        for signum in CAUGHT:
            signal.signal(signum, _raise)


@contextmanager
def deferred():
    """Hold SIGINT, SIGTERM and SIGHUP while the block runs (a file's final encode, its rename), then deliver the
    first one that came. Outside the main thread (where handlers cannot be set) the block simply runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {signum: signal.signal(signum, lambda s, _f: held.append(s)) for signum in (signal.SIGINT, *CAUGHT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    if held:
        if held[0] == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(held[0])
