"""Live training metrics for other programs: typed events as JSON Lines and/or over a WebSocket.

    with MetricStream("run.jsonl", serve="8765") as stream:
        stream.publish(step_metrics(step, epoch, loss=loss, accuracy=acc))

Headless (never imports pygame). The WebSocket server is `websockets`' asyncio server on an event loop in a daemon
thread; the training thread only encodes the event and hands the text to that loop (one wake-up of the loop for
whatever piled up meanwhile, not one per event per client), and the loop writes each batch to each client as
frames encoded once, in one write: a slow, stuck or vanished client can cost the training nothing but dropped events. What hostile clients can take is bounded: at most MAX_CLIENTS at once (the next is refused with
HTTP 503), QUEUE_SIZE events and QUEUE_BYTES per client (its oldest dropped beyond), a handshake finished within
HANDSHAKE_TIMEOUT, a client that takes nothing for SEND_STALL seconds cut off, and browser pages only from a
localhost origin unless the caller names more (`origins`; any with any_origin): another site's page cannot read a
user's metrics through their browser.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import ipaddress
import json
import math
import os
import re
import stat
import threading
import time
from collections import deque
from typing import Self

import numpy as np
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as websocket_serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State

DEFAULT_HOST = "127.0.0.1"          # loopback unless the user asks for more: metrics are nobody else's business
QUEUE_SIZE = 1000                   # events waiting per client; beyond this its oldest are dropped
QUEUE_BYTES = 1 << 20               # … and at most this many bytes of frames (its oldest dropped beyond)
MAX_CLIENTS = 16                    # connected at once; the next one is refused (HTTP 503) until one leaves
HANDSHAKE_TIMEOUT = 5.0             # seconds a connection gets to finish its opening handshake
SEND_STALL = 10.0                   # seconds a client's full socket may refuse more before it is cut off
WRITE_LIMIT = 1 << 16               # bytes waiting in a client's transport before its events wait in its backlog
RETRY_INTERVAL = 0.05               # seconds between tries to hand a waiting backlog to a full socket
CLOSE_GRACE = 1.0                   # seconds clients get to take the goodbye before their sockets are cut
MAX_INCOMING = 4096                 # bytes of one message from a client (whatever they say is ignored)
# Browser pages served from this machine (any port, http or https); a program sends no Origin at all.
LOCAL_ORIGINS = (None, re.compile(r"https?://(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?", re.ASCII))

_ADDRESS = re.compile(r"(?:(?:\[(?P<v6>[^\[\]\s]+)\]|(?P<host>[^\s:\[\]]+)):)?(?P<port>[+-]?\d+)", re.ASCII)


class StreamError(Exception):
    """A user mistake in the stream's settings (bad address, port in use, unwritable path): one clear line."""


def parse_address(text: str) -> tuple[str, int]:
    """"[HOST:]PORT" → (host, port): "8765", "0.0.0.0:8765", "[::1]:8765". The host defaults to 127.0.0.1."""
    match = _ADDRESS.fullmatch(text.strip())
    if match is None:
        hint = " (put an IPv6 host in brackets: [::1]:8765)" if text.count(":") > 1 else ""
        raise StreamError(f"malformed address {text!r}: expected [HOST:]PORT, e.g. 8765 or 127.0.0.1:8765{hint}")
    port = int(match["port"])
    if not 0 <= port <= 65535:
        raise StreamError(f"port {port} is out of range 0..65535")
    return match["v6"] or match["host"] or DEFAULT_HOST, port


def check_target(path: str, overwrite: bool, others: dict | None = None) -> None:
    """Whether the JSON Lines file may be written, before any work: StreamError if it is one of the command's
    `others` (name → path: "the --save-weights file"), exists and is not a regular file (a FIFO would hang the
    run, a device swallow it, whatever `overwrite` says), or exists without `overwrite`."""
    for name, other in (others or {}).items():
        if _same_file(path, os.fspath(other)):
            raise StreamError(f"{path} is also {name}: each output needs its own file")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StreamError(f"cannot use {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        what = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else
                "not a regular file")
        raise StreamError(f"{path} is {what}; the metrics go to a regular file")
    if not overwrite:
        raise StreamError(f"{path} exists; pass --overwrite to replace it")


def _same_file(first: str, second: str) -> bool:
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)      # hard links, bind mounts
    except OSError:
        return False


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _plain(value):
    """JSON-ready: numpy scalars and arrays to Python numbers and lists, NaN/±inf to None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def step_metrics(step: int, epoch: int, **values) -> dict:
    """One training step's numbers as a typed event: {"type": "step_metrics", "step", "epoch", **values}."""
    return _plain({"type": "step_metrics", "step": step, "epoch": epoch, **values})


class _Client:
    """One connected client's backlog of encoded frames: at most `size` events and `limit` bytes (the oldest
    dropped beyond). Lives on the event loop's thread only."""

    def __init__(self, connection: ServerConnection, size: int, limit: int):
        self.connection = connection
        self.pending: deque[bytes] = deque()
        self.size, self.limit, self.bytes = size, limit, 0
        self.blocked_since: float | None = None     # when its socket last refused more (None: it is taking them)

    def add(self, frames) -> int:
        """Queue the frames, dropping the oldest beyond the limits; returns how many were dropped."""
        for frame in frames:
            self.pending.append(frame)
            self.bytes += len(frame)
        dropped = 0
        while len(self.pending) > self.size or self.bytes > self.limit and len(self.pending) > 1:
            self.bytes -= len(self.pending.popleft())
            dropped += 1
        return dropped

    def flush(self, now: float) -> bool:
        """Hand the backlog to the socket in one write while the client keeps up (its transport holds under
        WRITE_LIMIT); cut it off once it has taken nothing for SEND_STALL seconds. True if frames still wait."""
        if not self.pending or self.connection.protocol.state is not State.OPEN:
            return False
        transport = self.connection.transport
        if transport.get_write_buffer_size() > WRITE_LIMIT:
            self.blocked_since = self.blocked_since or now
            if now - self.blocked_since > SEND_STALL:
                transport.abort()
                return False
            return True
        self.blocked_since = None
        transport.write(b"".join(self.pending))
        self.pending.clear()
        self.bytes = 0
        return False


def _frame(text: str) -> bytes:
    """One text message as the bytes of its WebSocket frame: a server's frames are unmasked and this server
    negotiates no extension, so the same bytes serve every client (encoded once per event, not once per client)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


class MetricStream:
    """Typed step_metrics events to JSON Lines and/or a WebSocket server."""

    def __init__(self, jsonl_path: str | os.PathLike | None = None, serve: str | None = None, *,
                 queue_size: int = QUEUE_SIZE, queue_bytes: int = QUEUE_BYTES, max_clients: int = MAX_CLIENTS,
                 origins=(), any_origin: bool = False):
        """origins: browser origins accepted besides a localhost page and none ("https://example.org");
        any_origin: accept every origin (a page on any site may then read the metrics through a visitor)."""
        self._lock = threading.Lock()       # publish (training thread) vs close (any thread)
        self._closed = False
        self._file = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._address: tuple[str, int] | None = None
        self._clients: dict[ServerConnection, _Client] = {}
        self._queue_size, self._queue_bytes, self._max_clients = queue_size, queue_bytes, max_clients
        self._origins = None if any_origin else [*LOCAL_ORIGINS, *(origins or ())]
        self._outbox: deque[str] = deque(maxlen=queue_size)    # published, not yet handed to the clients
        self.dropped = 0                    # events a slow client never got, over all clients
        self.refused = 0                    # clients turned away because MAX_CLIENTS were connected
        self._forgetting: set[asyncio.Task] = set()
        self._retry_due = False
        try:
            if serve is not None:
                self._start_server(*parse_address(serve))
            if jsonl_path is not None:
                self._file = self._open(jsonl_path)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _open(path):
        """A fresh regular file (each run's log stands alone). Opened without blocking and checked before it is
        emptied: a FIFO with no reader cannot hang the run, a device is not written to."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            folder = os.path.dirname(os.path.abspath(path))
            why = (f"the folder {folder} does not exist" if not os.path.isdir(folder) else
                   "it is a FIFO or a device, not a regular file" if exc.errno == errno.ENXIO else exc.strerror)
            raise StreamError(f"cannot write metrics to {os.fspath(path)}: {why}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StreamError(f"cannot write metrics to {os.fspath(path)}: not a regular file")
            os.set_blocking(fd, True)
            os.ftruncate(fd, 0)
            return open(fd, "w", encoding="utf-8", closefd=True)
        except BaseException:
            os.close(fd)
            raise

    def _start_server(self, host: str, port: int) -> None:
        # Bind before returning, so "port in use" is the caller's error now, not a log line from a thread later.
        bound: concurrent.futures.Future = concurrent.futures.Future()
        thread = threading.Thread(target=lambda: asyncio.run(self._serve(host, port, bound)),
                                  name="metric-stream", daemon=True)
        thread.start()
        try:
            self._address = bound.result(timeout=10)
        except Exception as exc:  # noqa: BLE001  (whatever stopped the bind is the user's one-line error)
            thread.join(timeout=5)
            if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
                raise StreamError(f"port {port} on {host} is in use") from None
            raise StreamError(f"cannot serve metrics on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") \
                from None
        self._thread = thread

    async def _serve(self, host: str, port: int, bound: concurrent.futures.Future) -> None:
        self._stop = asyncio.Event()
        try:
            # No compression: small JSON texts gain little and it would cost the loop CPU per client per event.
            server = await websocket_serve(self._talk, host, port, compression=None, origins=self._origins,
                                           process_response=self._register, open_timeout=HANDSHAKE_TIMEOUT,
                                           max_size=MAX_INCOMING, max_queue=4)
        except Exception as exc:  # noqa: BLE001  (handed to __init__, which is waiting for it)
            bound.set_exception(exc)
            return
        self._loop = asyncio.get_running_loop()
        bound.set_result(tuple(server.sockets[0].getsockname()[:2]))
        await self._stop.wait()
        server.close()                      # stop accepting; tell every client goodbye (1001)
        try:
            await asyncio.wait_for(server.wait_closed(), CLOSE_GRACE)
        except TimeoutError:
            # A client that stopped reading never lets the goodbye through (websockets waits on its full socket
            # with no timeout), so cut those connections.
            for connection in list(server.all_connections):
                connection.transport.abort()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), CLOSE_GRACE)

    def _register(self, connection, request, response):
        # Runs before the 101 answer goes out: once a client's connect() has returned, every later publish
        # reaches it (no earlier ones: there is no replay). Nothing awaits between the count and the insert, so
        # the cap holds however many clients knock at once.
        if response.status_code != 101:
            return None
        if len(self._clients) >= self._max_clients:
            self.refused += 1
            return connection.respond(503, f"Too many clients: at most {self._max_clients} at once.\n")
        self._clients[connection] = _Client(connection, self._queue_size, self._queue_bytes)
        # A client that vanishes between this answer and the handler never reaches _talk: forget it on close.
        task = asyncio.get_running_loop().create_task(self._forget(connection))
        self._forgetting.add(task)                  # held until done (the loop keeps only weak references)
        task.add_done_callback(self._forgetting.discard)
        return None

    async def _forget(self, connection: ServerConnection) -> None:
        await connection.wait_closed()
        self._clients.pop(connection, None)

    async def _talk(self, connection: ServerConnection) -> None:
        try:
            async for _ in connection:      # whatever the client says is ignored; this ends when it goes
                pass
        except ConnectionClosed:
            pass
        finally:
            self._clients.pop(connection, None)

    def _broadcast(self) -> None:
        """On the loop: the events published since the last call, to every client's backlog, and each backlog to its
        socket in one write (one system call per client per batch, however many events the batch holds)."""
        with self._lock:
            texts, self._outbox = list(self._outbox), deque(maxlen=self._queue_size)
        frames = [_frame(text) for text in texts]
        now = time.monotonic()
        waiting = False
        for client in list(self._clients.values()):
            self.dropped += client.add(frames)
            waiting = client.flush(now) or waiting
        # A client whose socket was full gets its backlog when it has room again, even if no event comes.
        if waiting and not self._retry_due:
            self._retry_due = True
            self._loop.call_later(RETRY_INTERVAL, self._retry)

    def _retry(self) -> None:
        self._retry_due = False
        self._broadcast()

    def publish(self, event: dict) -> None:
        """Write the event to the file (OSError if that fails) and queue it for each client; never waits on one."""
        text = json.dumps(_plain(event), allow_nan=False)
        with self._lock:
            if self._closed:
                return
            if self._file is not None:
                self._file.write(text + "\n")
                self._file.flush()          # a reader tailing the file sees each event at once
            # Checking for clients here (racy but harmless: it equals connecting a moment later) spares the loop a
            # wake-up per event when nobody is listening; events that pile up before the loop takes them go in
            # one wake-up.
            if self._clients:
                if not self._outbox:
                    self._loop.call_soon_threadsafe(self._broadcast)
                elif len(self._outbox) == self._outbox.maxlen:
                    self.dropped += 1
                self._outbox.append(text)

    def note(self, asked: str) -> str | None:
        """What a person should know about the server `asked` for ("[HOST:]PORT"): the port the system chose for
        port 0, and that a server on a non-loopback address is reachable from other machines; None otherwise."""
        if self._address is None:
            return None
        host, port = self._address
        notes = [f"port {port}, chosen by the system"] if parse_address(asked)[1] == 0 else []
        if not _loopback(host):
            notes.append("reachable from other machines (serve on 127.0.0.1 to keep them on this one)")
        shown = f"[{host}]" if ":" in host else host
        return f"serving metrics on ws://{shown}:{port}: {'; '.join(notes)}" if notes else None

    @property
    def address(self) -> tuple[str, int] | None:
        """The bound (host, port) of the WebSocket server (the OS's pick for port 0), or None without one."""
        return self._address

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=3 * CLOSE_GRACE + 2)
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
