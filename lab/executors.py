"""Where lab jobs run: local worker processes, or an existing Dask cluster (distributed.Client's executor).

Shared by the sweep and the quantization experiment. Headless; never imports a job, so any lab module may use it.
"""
from __future__ import annotations

import os
import signal
import socket
import time
from concurrent.futures import Executor, ProcessPoolExecutor


class SweepError(ValueError):
    """A user mistake (a bad range, an unknown name, an unreachable scheduler): one line, exit 2."""


MAX_TIMEOUT = 600.0          # seconds --timeout may wait for a Dask scheduler (never for ever)
DEFAULT_TIMEOUT = 10.0


def flags_problem(args) -> str | None:
    """A command's flag of the other executor (it would be ignored, so it is refused: README), or None; fills in
    --timeout's default."""
    dask = args.executor != "process"
    if dask and args.workers is not None:
        return "--workers applies only with --executor process (a Dask cluster has its own workers)"
    if not dask and args.timeout is not None:
        return "--timeout applies only with --executor dask:… (how long to wait for the scheduler)"
    if args.timeout is None:
        args.timeout = DEFAULT_TIMEOUT
    return None


SCHEMES = ("tcp", "tls", "ws", "wss")     # what distributed can reach a scheduler in another process by
USAGE = "use process or dask:tcp://HOST:PORT"


def parse_executor(text: str) -> tuple[str, str | None]:
    """"process" → ("process", None); "dask:tcp://HOST:PORT" → ("dask", "tcp://HOST:PORT"). The address is checked
    as distributed would read it, with a port (1 to 65535) always written: nothing is connected to here."""
    if text == "process":
        return "process", None
    kind, _, address = text.partition(":")
    scheme, sep, location = address.partition("://")
    if kind != "dask" or not sep or not location:
        raise SweepError(f"unknown executor {text!r}: {USAGE}")
    if scheme not in SCHEMES:
        why = (" (a scheduler inside this one process: a command has none)" if scheme == "inproc" else
               " (needs UCX, which this command does not set up)" if scheme == "ucx" else "")
        raise SweepError(f"--executor {text!r}: Dask is reached by {', '.join(s + '://' for s in SCHEMES)}, "
                         f"not {scheme}://{why}")
    _host_port(location, text)
    return "dask", address


def _host_port(location: str, text: str) -> tuple[str, int]:
    """"HOST:PORT" or "[IPv6]:PORT" → (host, port), or SweepError saying what is wrong in `text`."""
    if location.startswith("["):
        host, bracket, tail = location[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else None
        if not bracket or tail and port is None:
            raise SweepError(f"--executor {text!r}: malformed address (an IPv6 host goes in brackets: "
                             f"dask:tcp://[::1]:8786)")
    else:
        host, colon, port = location.rpartition(":")
        if not colon:
            host, port = location, None
        elif ":" in host:
            raise SweepError(f"--executor {text!r}: malformed address (put an IPv6 host in brackets: "
                             f"dask:tcp://[::1]:8786)")
    if port is None or port == "":
        raise SweepError(f"--executor {text!r} needs a port: dask:tcp://HOST:PORT (a scheduler listens on 8786 "
                         f"unless told otherwise)")
    if not host or any(c.isspace() or c in "/?#@" for c in host):
        raise SweepError(f"--executor {text!r}: malformed host {host!r}; {USAGE}")
    if not (port.isascii() and port.isdigit()):
        raise SweepError(f"--executor {text!r}: the port must be a number, got {port!r}")
    if not 1 <= int(port) <= 65535:
        raise SweepError(f"--executor {text!r}: port {int(port)} is out of range 1..65535")
    return host, int(port)


def _quiet_worker() -> None:
    """A worker process leaves Ctrl-C to the parent (which stops it), and dies on SIGTERM like any process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def open_executor(spec: str, workers: int | None, timeout: float) -> tuple[Executor, callable]:
    """(executor, close) for "process" or "dask:ADDRESS". A scheduler that cannot be used is a SweepError within
    `timeout` seconds, whatever listens there (reach_scheduler)."""
    kind, address = parse_executor(spec)
    if kind == "process":
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), initializer=_quiet_worker)
        return pool, lambda: None
    try:
        import distributed
    except ImportError:
        raise SweepError("--executor dask needs the cluster extra: pip install 'neural-illumination[cluster]'") \
            from None
    deadline = time.monotonic() + timeout
    reach_scheduler(address, timeout)
    try:
        client = distributed.Client(address, timeout=max(deadline - time.monotonic(), 1.0), set_as_default=False)
    except Exception as error:  # noqa: BLE001  (it answered as a scheduler a moment ago: whatever failed, one line)
        raise SweepError(f"cannot reach the Dask scheduler at {address}: "
                         f"{(str(error) or type(error).__name__).splitlines()[0]}") from None
    return client.get_executor(), client.close


def reach_scheduler(address: str, timeout: float) -> None:
    """Make sure a Dask scheduler answers at `address` within `timeout` seconds in all, or raise SweepError with
    one line: a refused connection at once, an unknown host, no TLS settings for tls:// or wss://, a listener that
    never answers (distributed's own connect would wait for ever) and one that sends anything but a scheduler's
    answer (junk bytes make distributed allocate petabytes: MemoryError) — asked by distributed's own comm, under
    a hard deadline."""
    import asyncio
    from distributed.security import Security
    scheme, _, location = address.partition("://")
    host, port = _host_port(location, f"dask:{address}")
    started = time.monotonic()
    cannot = f"cannot reach the Dask scheduler at {address}"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except ConnectionRefusedError:
        raise SweepError(f"{cannot}: connection refused (nothing listens on port {port} of {host})") from None
    except socket.gaierror:
        raise SweepError(f"{cannot}: unknown host {host!r}") from None
    except TimeoutError:
        raise SweepError(f"{cannot}: no answer within {timeout:g} s (--timeout)") from None
    except OSError as error:
        raise SweepError(f"{cannot}: {error.strerror or error}") from None
    arguments = Security().get_connection_args("client")
    if scheme in ("tls", "wss") and arguments.get("ssl_context") is None:
        raise SweepError(f"{cannot}: {scheme}:// needs TLS certificates in Dask's configuration "
                         f"(distributed.comm.tls.ca-file, .client.cert and .client.key)")
    left = max(timeout - (time.monotonic() - started), 0.05)
    try:
        reply = asyncio.run(asyncio.wait_for(_identity(address, left, arguments), left))
    except TimeoutError:
        raise SweepError(f"{cannot}: something listens there but did not answer as a Dask scheduler within "
                         f"{timeout:g} s (--timeout)") from None
    except OSError as error:
        raise SweepError(f"{cannot}: {(str(error) or type(error).__name__).splitlines()[0]}") from None
    except Exception as error:  # noqa: BLE001  (junk bytes: MemoryError, ValueError … from the decoder)
        raise SweepError(f"{cannot}: what listens there is not a Dask scheduler (its answer could not be read: "
                         f"{type(error).__name__})") from None
    what = reply.get("type") if isinstance(reply, dict) else None
    if what != "Scheduler":
        raise SweepError(f"{cannot}: what listens there is not a Dask scheduler"
                         + (f" (it is a {what}: give the scheduler's address)" if isinstance(what, str) else ""))


async def _identity(address: str, timeout: float, arguments: dict):
    """The identity a distributed server gives (its "type" is "Scheduler" for a scheduler)."""
    from distributed.comm import connect
    comm = await connect(address, timeout=timeout, **arguments)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


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
