"""Where lab jobs run: local worker processes, or an existing Dask cluster (distributed.Client's executor).

Shared by the sweep and the quantization experiment. Headless; never imports a job, so any lab module may use it.
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor


class SweepError(ValueError):
    """A user mistake (a bad range, an unknown name, an unreachable scheduler): one line, exit 2."""


def parse_executor(text: str) -> tuple[str, str | None]:
    """"process" → ("process", None); "dask:tcp://HOST:PORT" → ("dask", "tcp://HOST:PORT")."""
    if text == "process":
        return "process", None
    kind, _, address = text.partition(":")
    if kind == "dask" and "://" in address and address.split("://", 1)[1]:
        return "dask", address
    raise SweepError(f"unknown executor {text!r}: use process or dask:tcp://HOST:PORT")


def _quiet_worker() -> None:
    """A worker process leaves Ctrl-C to the parent (which stops it), and dies on SIGTERM like any process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def open_executor(spec: str, workers: int | None, timeout: float) -> tuple[Executor, callable]:
    """(executor, close) for "process" or "dask:ADDRESS"; an unreachable scheduler is a SweepError."""
    kind, address = parse_executor(spec)
    if kind == "process":
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), initializer=_quiet_worker)
        return pool, lambda: None
    try:
        import distributed
    except ImportError:
        raise SweepError("--executor dask needs the cluster extra: pip install 'neural-illumination[cluster]'") \
            from None
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise SweepError(f"cannot reach the Dask scheduler at {address}: {str(error).splitlines()[0]}") from None
    return client.get_executor(), client.close


def stop(executor: Executor, futures) -> None:
    """Cancel what has not started, stop the local worker processes, don't wait for anything."""
    for future in futures:
        future.cancel()
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:         # distributed's ClientExecutor: shutdown(wait) alone, and it cancels when not waiting
        executor.shutdown(wait=False)
