"""Live training metrics for other programs: typed events as JSON Lines and/or over a WebSocket.

    with MetricStream("run.jsonl", serve="8765") as stream:
        stream.publish(step_metrics(step, epoch, loss=loss, accuracy=acc))

Headless (never imports pygame). The WebSocket server is `websockets`' asyncio server on an event loop in a daemon
thread; the training thread only encodes the event and hands the text to that loop, so a slow, stuck or vanished
client can cost it nothing but dropped events.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import json
import math
import os
import re
import threading
from collections import deque
from typing import Self

import numpy as np
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as websocket_serve
from websockets.exceptions import ConnectionClosed

DEFAULT_HOST = "127.0.0.1"          # loopback unless the user asks for more: metrics are nobody else's business
QUEUE_SIZE = 1000                   # events waiting per client; beyond this its oldest are dropped
CLOSE_GRACE = 1.0                   # seconds clients get to take the goodbye before their sockets are cut

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
    """One connected client's backlog. Lives on the event loop's thread only."""

    def __init__(self, size: int):
        self.pending: deque[str] = deque(maxlen=size)     # a full deque drops its oldest on append
        self.wake = asyncio.Event()


class MetricStream:
    """Typed step_metrics events to JSON Lines and/or a WebSocket server."""

    def __init__(self, jsonl_path: str | os.PathLike | None = None, serve: str | None = None, *,
                 queue_size: int = QUEUE_SIZE):
        self._lock = threading.Lock()       # publish (training thread) vs close (any thread)
        self._closed = False
        self._file = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._address: tuple[str, int] | None = None
        self._clients: dict[ServerConnection, _Client] = {}
        self._queue_size = queue_size
        self.dropped = 0                    # events a slow client never got, over all clients
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
        try:
            return open(path, "w", encoding="utf-8")      # a fresh file: each run's log stands alone
        except OSError as exc:
            folder = os.path.dirname(os.path.abspath(path))
            why = f"the folder {folder} does not exist" if not os.path.isdir(folder) else exc.strerror
            raise StreamError(f"cannot write metrics to {os.fspath(path)}: {why}") from None

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
            server = await websocket_serve(self._talk, host, port, compression=None,
                                           process_response=self._register)
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
        # reaches it (no earlier ones: there is no replay).
        if response.status_code == 101:
            self._clients[connection] = _Client(self._queue_size)

    async def _talk(self, connection: ServerConnection) -> None:
        client = self._clients[connection]
        sender = asyncio.create_task(self._send(connection, client))
        try:
            async for _ in connection:      # whatever the client says is ignored; this ends when it goes
                pass
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            del self._clients[connection]

    @staticmethod
    async def _send(connection: ServerConnection, client: _Client) -> None:
        try:
            while True:
                await client.wake.wait()
                client.wake.clear()
                while client.pending:
                    await connection.send(client.pending.popleft())
        except ConnectionClosed:
            pass

    def _broadcast(self, text: str) -> None:
        for client in self._clients.values():
            if len(client.pending) == client.pending.maxlen:
                self.dropped += 1
            client.pending.append(text)
            client.wake.set()

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
            # wake-up per event when nobody is listening.
            if self._clients:
                self._loop.call_soon_threadsafe(self._broadcast, text)

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
