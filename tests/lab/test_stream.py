"""The metric stream, for real: JSON Lines on disk and a WebSocket server on loopback with real clients."""
import base64
import json
import math
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosedOK
from websockets.sync.client import connect

from lab.stream import MetricStream, StreamError, parse_address, step_metrics


def _stream_threads():
    return [t for t in threading.enumerate() if t.name == "metric-stream"]


def _url(stream):
    host, port = stream.address
    return f"ws://{host}:{port}"


def _raw_client(stream, rcvbuf=None):
    """A bare WebSocket handshake on a plain socket, which then reads nothing (the stuck client)."""
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(5)
    sock.connect(stream.address)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    reply = b""
    while not reply.endswith(b"\r\n\r\n"):
        reply += sock.recv(1)               # byte by byte: stop exactly at the end of the handshake
    assert reply.startswith(b"HTTP/1.1 101")
    return sock


def _reset(sock):
    """Vanish abruptly: close with a TCP reset, no closing handshake."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_jsonl_gets_one_line_per_event_in_order_each_visible_at_once(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text("stale line from an older run\n")
    with MetricStream(jsonl_path=path) as stream:
        assert stream.address is None
        for step in range(5):
            stream.publish(step_metrics(step, 0, loss=1.0 / (step + 1)))
            assert len(path.read_text().splitlines()) == step + 1        # flushed per event
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["step"] for e in events] == [0, 1, 2, 3, 4]
    assert events[2] == {"type": "step_metrics", "step": 2, "epoch": 0, "loss": 1 / 3}


def test_step_metrics_is_plain_json_with_none_for_non_finite_numbers():
    event = step_metrics(np.int64(7), 2, loss=np.float32(0.5), accuracy=float("nan"), grad=np.float64(np.inf),
                         lr=-math.inf, improved=np.bool_(True), history=np.array([1.0, np.nan]))
    assert event == {"type": "step_metrics", "step": 7, "epoch": 2, "loss": 0.5, "accuracy": None, "grad": None,
                     "lr": None, "improved": True, "history": [1.0, None]}
    assert type(event["step"]) is int and type(event["loss"]) is float and type(event["improved"]) is bool
    json.dumps(event, allow_nan=False)


def test_publish_cleans_any_event_and_ignores_calls_after_close(tmp_path):
    path = tmp_path / "run.jsonl"
    stream = MetricStream(path)
    stream.publish({"type": "note", "value": np.float64(np.nan), "n": np.int32(3)})
    stream.close()
    stream.publish({"type": "late"})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"type": "note", "value": None, "n": 3}]


def test_a_client_receives_events_published_after_it_connected_in_order():
    with MetricStream(serve="127.0.0.1:0") as stream, connect(_url(stream)) as ws:
        for step in range(200):
            stream.publish(step_metrics(step, step // 50, loss=0.1))
        received = [json.loads(ws.recv(timeout=5)) for _ in range(200)]
        ws.send("anything a client says is ignored")
        stream.publish(step_metrics(200, 4))
        assert json.loads(ws.recv(timeout=5))["step"] == 200
    assert [e["step"] for e in received] == list(range(200))
    assert received[60] == {"type": "step_metrics", "step": 60, "epoch": 1, "loss": 0.1}


def test_a_client_joining_mid_run_gets_only_later_events():
    with MetricStream(serve="0") as stream, connect(_url(stream)) as early:
        for step in range(10):
            stream.publish(step_metrics(step, 0))
        with connect(_url(stream)) as late:
            stream.publish(step_metrics(10, 0))
            assert json.loads(late.recv(timeout=5))["step"] == 10
            with pytest.raises(TimeoutError):
                late.recv(timeout=0.2)
        assert [json.loads(early.recv(timeout=5))["step"] for _ in range(11)] == list(range(11))


def test_stuck_and_vanished_clients_never_block_publish():
    stream = MetricStream(serve="127.0.0.1:0")
    stuck = _raw_client(stream, rcvbuf=4096)
    vanishing = _raw_client(stream)
    with connect(_url(stream)) as reader:
        padding = "x" * 1000                # ~20 MB in all: far more than the socket buffers hold
        started = time.perf_counter()
        for step in range(20_000):
            stream.publish(step_metrics(step, 0, note=padding))
            if step == 100:
                _reset(vanishing)
        elapsed = time.perf_counter() - started
        assert elapsed < 5, f"publishing 20,000 events took {elapsed:.1f} s"
        stream.publish({"type": "done"})
        deadline = time.monotonic() + 20
        while json.loads(reader.recv(timeout=10))["type"] != "done":    # a reading client still gets through
            assert time.monotonic() < deadline
        assert stream.dropped > 0           # the stuck client's backlog lost its oldest events
        started = time.perf_counter()
        stream.close()                      # with the stuck client still connected
        assert time.perf_counter() - started < 5
    assert not _stream_threads()
    stuck.close()


def test_a_port_in_use_is_a_stream_error_naming_it():
    with MetricStream(serve="127.0.0.1:0") as first:
        port = first.address[1]
        with pytest.raises(StreamError, match=f"^port {port} on 127.0.0.1 is in use$"):
            MetricStream(serve=f"127.0.0.1:{port}")
        with pytest.raises(StreamError, match=f"port {port} on 127.0.0.1 is in use"):
            MetricStream(serve=str(port))
    assert not _stream_threads()


@pytest.mark.parametrize("text", ["", "abc", "http://x:80", "host:", ":8765", "8765:", "1.2.3.4:x", "::1:8765",
                                  "[::1]", "[]:80", "a b:80", "12.5", "local host:1"])
def test_malformed_addresses_are_stream_errors(text):
    with pytest.raises(StreamError, match="malformed address"):
        parse_address(text)
    with pytest.raises(StreamError):
        MetricStream(serve=text)


@pytest.mark.parametrize("text", ["65536", "host:99999", "-1", "127.0.0.1:+70000"])
def test_ports_out_of_range_are_stream_errors(text):
    with pytest.raises(StreamError, match="out of range 0..65535"):
        parse_address(text)


def test_addresses_parse_with_loopback_as_the_default_host():
    assert parse_address("8765") == ("127.0.0.1", 8765)
    assert parse_address(" 127.0.0.1:8765 ") == ("127.0.0.1", 8765)
    assert parse_address("0.0.0.0:8765") == ("0.0.0.0", 8765)
    assert parse_address("[::1]:8765") == ("::1", 8765)
    assert parse_address("localhost:0") == ("localhost", 0)
    assert parse_address("65535") == ("127.0.0.1", 65535)
    with MetricStream(serve="0") as stream:
        host, port = stream.address
        assert host == "127.0.0.1" and 0 < port <= 65535


def test_ipv6_loopback_in_brackets():
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with MetricStream(serve="[::1]:0") as stream:
        host, port = stream.address
        assert host == "::1"
        with connect(f"ws://[::1]:{port}") as ws:
            stream.publish(step_metrics(1, 0))
            assert json.loads(ws.recv(timeout=5))["step"] == 1


def test_an_unwritable_jsonl_path_is_a_stream_error_and_leaves_no_server(tmp_path):
    with pytest.raises(StreamError, match="does not exist"):
        MetricStream(jsonl_path=tmp_path / "missing" / "run.jsonl", serve="0")
    assert not _stream_threads()
    with pytest.raises(StreamError, match="cannot write metrics"):
        MetricStream(jsonl_path=tmp_path)
    if os.geteuid() != 0:                   # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(StreamError, match="cannot write metrics"):
            MetricStream(jsonl_path=locked / "run.jsonl")


def test_close_is_idempotent_and_ends_the_thread(tmp_path):
    stream = MetricStream(tmp_path / "run.jsonl", serve="0")
    with connect(_url(stream)) as ws:
        assert len(_stream_threads()) == 1
        stream.close()
        stream.close()
        assert not _stream_threads()
        with pytest.raises(ConnectionClosedOK):     # the server said goodbye
            ws.recv(timeout=5)
    with pytest.raises(OSError):            # and no longer listens
        socket.create_connection(stream.address, timeout=1).close()


def test_the_module_is_headless():
    code = "import sys, lab.stream; assert 'pygame' not in sys.modules"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)


# -- hostile clients: a cap on clients, on what each may hold, on the handshake, and on who may connect ---------------

def _status(stream, **headers):
    """The HTTP status the server answers a WebSocket handshake with (101: accepted)."""
    from websockets.exceptions import InvalidStatus
    try:
        with connect(_url(stream), open_timeout=5, **headers):
            return 101
    except InvalidStatus as refusal:
        return refusal.response.status_code


def test_the_client_after_the_cap_is_refused_with_503_and_a_place_frees_when_one_leaves():
    with MetricStream(serve="127.0.0.1:0", max_clients=3) as stream:
        held = [_raw_client(stream) for _ in range(3)]
        started = time.perf_counter()
        assert _status(stream) == 503 and stream.refused == 1
        assert time.perf_counter() - started < 2                  # refused at once, not after a timeout
        _reset(held.pop())
        deadline = time.monotonic() + 5
        while len(stream._clients) > 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _status(stream) == 101
        for sock in held:
            sock.close()


def test_a_hundred_stuck_clients_cost_sixteen_places_and_publish_stays_fast():
    with MetricStream(serve="127.0.0.1:0") as stream:
        admitted, refused = [], 0
        for _ in range(100):
            try:
                admitted.append(_raw_client(stream, rcvbuf=4096))
            except AssertionError:
                refused += 1
        assert (len(admitted), refused) == (16, 84)
        started = time.perf_counter()
        for step in range(20_000):
            stream.publish(step_metrics(step, 0, note="x" * 200))
        assert time.perf_counter() - started < 5
        for sock in admitted:
            sock.close()


def test_a_stuck_clients_backlog_is_capped_in_bytes_dropping_its_oldest(monkeypatch):
    """What the process holds for a client that reads nothing stays under its byte cap plus the transport's limit
    and one batch, however much is published: the oldest events go."""
    import asyncio
    import lab.stream
    monkeypatch.setattr(lab.stream, "WRITE_LIMIT", 1024)

    async def held(stream):                         # read on the loop's own thread
        (client,) = stream._clients.values()
        return client.bytes, client.connection.transport.get_write_buffer_size()

    with MetricStream(serve="127.0.0.1:0", queue_bytes=50_000) as stream:
        stuck = _raw_client(stream, rcvbuf=4096)
        largest = 0
        for step in range(30_000):                  # ~30 MB in all, far more than the socket buffers take
            stream.publish(step_metrics(step, 0, note="y" * 1000))
            if step % 1000 == 999:
                backlog, buffered = asyncio.run_coroutine_threadsafe(held(stream), stream._loop).result(5)
                assert backlog <= 50_000 and buffered <= 1024 + 2 * 50_000
                largest = max(largest, backlog)
        assert largest > 0 and stream.dropped > 0
        stuck.close()


def test_a_client_that_takes_nothing_is_cut_off_after_the_stall_and_frees_its_place(monkeypatch):
    import lab.stream
    monkeypatch.setattr(lab.stream, "SEND_STALL", 0.5)
    monkeypatch.setattr(lab.stream, "WRITE_LIMIT", 1024)
    with MetricStream(serve="127.0.0.1:0", max_clients=1) as stream:
        stuck = _raw_client(stream, rcvbuf=4096)
        deadline = time.monotonic() + 20
        while stream._clients and time.monotonic() < deadline:
            stream.publish(step_metrics(0, 0, note="z" * 1000))
            time.sleep(0.001)
        assert not stream._clients
        assert _status(stream) == 101
        stuck.close()


def test_a_connection_that_never_finishes_its_handshake_is_closed(monkeypatch):
    import lab.stream
    monkeypatch.setattr(lab.stream, "HANDSHAKE_TIMEOUT", 0.5)
    with MetricStream(serve="127.0.0.1:0") as stream:
        silent = socket.create_connection(stream.address, timeout=5)
        started = time.perf_counter()
        assert silent.recv(1) == b""                   # the server hung up
        assert time.perf_counter() - started < 3
        silent.close()


@pytest.mark.parametrize("origin, origins, any_origin, status", [
    (None, (), False, 101),                            # a program: no Origin
    ("http://localhost:8000", (), False, 101),
    ("https://127.0.0.1", (), False, 101),
    ("http://[::1]:3000", (), False, 101),
    ("https://evil.example", (), False, 403),          # another site's page in the user's browser
    ("http://localhost.evil.example", (), False, 403),
    ("null", (), False, 403),
    ("https://lab.example", ("https://lab.example",), False, 101),
    ("https://evil.example", ("https://lab.example",), False, 403),
    ("https://evil.example", (), True, 101),
])
def test_browser_pages_from_another_origin_are_refused_unless_asked_for(origin, origins, any_origin, status):
    with MetricStream(serve="127.0.0.1:0", origins=origins, any_origin=any_origin) as stream:
        headers = {} if origin is None else {"origin": origin}
        assert _status(stream, **headers) == status


def test_a_fifo_or_a_device_as_the_jsonl_file_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "run.jsonl"
    os.mkfifo(fifo)
    started = time.perf_counter()
    with pytest.raises(StreamError, match="FIFO or a device"):
        MetricStream(jsonl_path=fifo)
    with pytest.raises(StreamError, match="not a regular file"):
        MetricStream(jsonl_path="/dev/null")
    assert time.perf_counter() - started < 2
