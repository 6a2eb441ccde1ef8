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
