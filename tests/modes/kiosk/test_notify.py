"""The kiosk speaks systemd's notify protocol over a REAL datagram socket: READY=1 once the first frame is on the
screen, STATUS= with the item playing, WATCHDOG=1 from the frame loop at the promised rate, STOPPING=1 on a clean
exit; and a hung loop (--inject-faults hang) stops pinging, which is what makes systemd's watchdog restart it.
The window runs under SDL's dummy driver; a stub exhibit fills the frame (nothing here trains)."""
from __future__ import annotations

import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import tomllib

import pygame
import pytest

from illumination.cli.kiosk import kiosk_command
from illumination.core.clock import FixedClock
from illumination.modes.kiosk import notify
from illumination.modes.kiosk.faults import FaultPlan, FaultyShow
from illumination.modes.kiosk.notify import Notifier
from illumination.modes.kiosk.playlist import load_themes, parse_playlist
from illumination.modes.kiosk.runner import run_window, setup_logging

WATCHDOG_USEC = 1_000_000          # WatchdogSec=1: pings promised every 0.25 s, never 0.5 s apart
EVERY_S = WATCHDOG_USEC / 1e6 * notify.WATCHDOG_SHARE


TWO_STILLS = """
hold_seconds = 0
crossfade_seconds = 0
[[item]]
exhibit = "still"
seconds = 1
[[item]]
exhibit = "still"
seconds = 1
"""


@pytest.fixture(autouse=True)
def still(still_exhibit, monkeypatch):
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def log(tmp_path):
    logger, _ = setup_logging(tmp_path / "kiosk.log")
    return logger


def log_text(tmp_path) -> str:
    for handler in logging.getLogger("illumination.kiosk").handlers:
        handler.flush()
    return (tmp_path / "kiosk.log").read_text()


def playlist_of(text: str):
    return load_themes(parse_playlist(tomllib.loads(textwrap.dedent(text))))[0]


class Listener:
    """systemd's end: a datagram socket bound in tmp_path, read on a thread that stamps each datagram on arrival."""

    def __init__(self, address):
        self.address = address
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(address)
        self.socket.settimeout(0.02)
        self.received: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                data = self.socket.recv(4096)
            except (socket.timeout, OSError):
                continue
            self.received.append((time.monotonic(), data.decode()))

    def messages(self) -> list[str]:
        return [text for _, text in self.received]

    def times(self, text: str) -> list[float]:
        return [at for at, message in self.received if message == text]

    def close(self) -> list[str]:
        time.sleep(0.1)                   # whatever is queued is read
        self._stop.set()
        self._thread.join()
        self.socket.close()
        return self.messages()


@pytest.fixture
def listener(tmp_path, monkeypatch):
    path = tmp_path / "notify.sock"
    listening = Listener(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield listening
    listening.close()


# -- the window under systemd -----------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_the_window_sends_ready_after_its_first_frame_then_status_and_pings_at_the_promised_rate(
        listener, monkeypatch, log, tmp_path):
    monkeypatch.setenv("WATCHDOG_USEC", str(WATCHDOG_USEC))
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    flips, real_flip = [], pygame.display.flip
    marker = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def flip():                           # the first frame reaching the screen, in the same datagram stream
        real_flip()
        if not flips:
            marker.sendto(b"test: first flip", listener.address)
        flips.append(threading.get_ident())

    monkeypatch.setattr(pygame.display, "flip", flip)
    senders = []
    real_send = Notifier.send
    monkeypatch.setattr(Notifier, "send", lambda self, m: senders.append(threading.get_ident()) or real_send(self, m))
    started = time.monotonic()
    # 150 frames at 60 fps: 2.5 s of real time, 2.5 s on the kiosk's clock (items of 1 s: 1, 2, 1)
    assert run_window(playlist_of(TWO_STILLS), log=log, clock=FixedClock(60), max_frames=150, fps=60) == 0
    elapsed = time.monotonic() - started
    marker.close()
    messages = listener.close()
    assert messages[:4] == ["test: first flip", "READY=1", "STATUS=playing 1/2: still seed 42", "WATCHDOG=1"]
    assert [m for m in messages if m.startswith("STATUS=")] == [
        "STATUS=playing 1/2: still seed 42", "STATUS=playing 2/2: still seed 43", "STATUS=playing 1/2: still seed 44"]
    assert messages.count("READY=1") == 1 and messages[-1] == "STOPPING=1"
    assert set(messages) == {"test: first flip", "READY=1", "WATCHDOG=1", "STOPPING=1"} | {
        m for m in messages if m.startswith("STATUS=")}
    pings = listener.times("WATCHDOG=1")
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    # rate-limited to one per WatchdogSec/4, and never WatchdogSec/2 apart
    assert len(pings) >= elapsed / (2 * EVERY_S) and all(0.7 * EVERY_S <= gap <= 2 * EVERY_S for gap in gaps), gaps
    assert set(senders) == {threading.get_ident()} == set(flips)      # every message from the frame loop's thread
    assert "notifying systemd (watchdog ping every 0.25 s)" in log_text(tmp_path)


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_no_notify_socket_sends_nothing_and_says_nothing(monkeypatch, log, tmp_path):
    monkeypatch.setenv("WATCHDOG_USEC", str(WATCHDOG_USEC))          # without NOTIFY_SOCKET this means nothing
    made = []
    monkeypatch.setattr(notify.socket, "socket", lambda *a, **k: made.append(a))
    assert run_window(playlist_of(TWO_STILLS), log=log, clock=FixedClock(60), max_frames=20, fps=1000) == 0
    assert made == []
    text = log_text(tmp_path)
    assert "systemd" not in text and "stopped (frame limit) after 20 frames" in text


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_a_notify_socket_that_is_gone_is_one_log_line_and_the_kiosk_runs(monkeypatch, log, tmp_path):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "no-such.sock"))
    monkeypatch.setenv("WATCHDOG_USEC", "40000")                     # a ping due every 10 ms: many failures
    assert run_window(playlist_of(TWO_STILLS), log=log, clock=FixedClock(60), max_frames=60, fps=60) == 0
    text = log_text(tmp_path)
    lines = [line for line in text.splitlines() if "cannot notify systemd" in line]
    assert len(lines) == 1, lines
    assert f"at {tmp_path / 'no-such.sock'} (No such file or directory): READY=1" in lines[0]
    assert "stopped (frame limit) after 60 frames" in text


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_without_watchdog_usec_there_are_no_pings(listener, log):
    assert run_window(playlist_of(TWO_STILLS), log=log, clock=FixedClock(60), max_frames=30, fps=1000) == 0
    assert listener.close() == ["READY=1", "STATUS=playing 1/2: still seed 42", "STOPPING=1"]


def test_watchdog_pid_of_another_process_means_no_pings(tmp_path, log):
    path = str(tmp_path / "n.sock")
    listening = Listener(path)
    other = Notifier(log, environ={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"},
                     pid=4242)
    ours = Notifier(log, environ={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "4242"},
                    pid=4242)
    other.ready(), other.watchdog(), ours.watchdog()
    assert other.every_s is None and ours.every_s == pytest.approx(0.00025)
    assert listening.close() == ["READY=1", "WATCHDOG=1"]


def test_an_abstract_socket_is_reached_by_its_at_sign(log):
    name = f"illumination-test-{os.getpid()}-{time.monotonic_ns()}"
    listening = Listener(b"\0" + name.encode())
    sender = Notifier(log, environ={"NOTIFY_SOCKET": "@" + name})
    sender.status("playing 1/1: still seed 1"), sender.status("playing 1/1: still seed 1"), sender.stopping()
    sender.close()
    assert listening.close() == ["STATUS=playing 1/1: still seed 1", "STOPPING=1"]


def test_watchdog_pings_are_rate_limited_on_the_given_timer(tmp_path, log):
    path = str(tmp_path / "n.sock")
    listening = Listener(path)
    now = [100.0]
    sender = Notifier(log, environ={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}, timer=lambda: now[0])
    for step in range(41):                 # 4 s of frames 0.1 s apart: a ping at 0, 0.5, 1.0 … 4.0
        now[0] = 100.0 + step * 0.1
        sender.watchdog()
    assert sender.every_s == 0.5 and listening.close() == ["WATCHDOG=1"] * 9


# -- the hang fault --------------------------------------------------------------------------------------------

HANG_SCRIPT = """
import sys, tomllib
from illumination.core.scene import Exhibit, Scene, View
from illumination.exhibits import EXHIBITS
from illumination.exhibits.network.settings import NetworkSettings
from illumination.modes.kiosk.faults import FaultPlan
from illumination.modes.kiosk.playlist import load_themes, parse_playlist
from illumination.modes.kiosk.runner import run_window, setup_logging

class Still(Scene):
    name = "still"
    def update(self, dt):
        pass

class Fill(View):
    def draw(self, surface):
        surface.fill((40, 80, 120))

EXHIBITS["still"] = Exhibit(name="still", title="Still", settings=NetworkSettings, make_scene=Still,
                            make_view=Fill, count_unit="epochs", count_setting="max_epochs")
log, _ = setup_logging(sys.argv[1])
playlist = load_themes(parse_playlist(tomllib.loads('[[item]]\\nexhibit = "still"\\nseconds = 60\\n')))[0]
sys.exit(run_window(playlist, log=log, faults=FaultPlan.hang_only(at_s=float(sys.argv[2]))))
"""


def no_core_dump():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def test_a_hung_frame_loop_stops_pinging_and_systemds_sigabrt_shows_where(tmp_path, listener):
    """The kiosk in its own process (it blocks for good): pings every 0.25 s until the item's update hangs 2 s in;
    then none for more than 2 x WatchdogSec, though the process lives on; SIGABRT (systemd's watchdog signal)
    ends it, and the traceback on stderr (the journal) points at the hang."""
    (tmp_path / "hang.py").write_text(HANG_SCRIPT)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "ILLUMINATION_ALLOW_DUMMY_WINDOW": "1",
           "NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": str(WATCHDOG_USEC)}
    env.pop("WATCHDOG_PID", None)
    process = subprocess.Popen([sys.executable, str(tmp_path / "hang.py"), str(tmp_path / "kiosk.log"), "2.0"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=no_core_dump)
    try:
        deadline = time.monotonic() + 90
        while "injected fault: hang" not in ((tmp_path / "kiosk.log").read_text()
                                            if (tmp_path / "kiosk.log").exists() else ""):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the hang never began"
            time.sleep(0.05)
        hang_seen = time.monotonic()
        time.sleep(0.2)                   # pings sent before the hang (already queued) are read
        before = len(listener.times("WATCHDOG=1"))
        time.sleep(2.2 * WATCHDOG_USEC / 1e6)
        pings = listener.times("WATCHDOG=1")
        assert process.poll() is None                          # hung, not crashed: only a watchdog ends this
        messages = listener.messages()
        assert messages[:3] == ["READY=1", "STATUS=playing 1/1: still seed 42", "WATCHDOG=1"]
        assert len(pings) == before and before >= 6            # ~2 s of pings every 0.25 s, then silence
        assert hang_seen - pings[-1] < 2 * EVERY_S             # they ran right up to the hang
        assert time.monotonic() - pings[-1] > 2 * WATCHDOG_USEC / 1e6
        assert "STOPPING=1" not in messages
        process.send_signal(signal.SIGABRT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == -signal.SIGABRT
    assert "Fatal Python error: Aborted" in err and ", line " in err and "in hang" in err and "faults.py" in err


def test_the_hang_fault_blocks_its_update_after_at_s(monkeypatch):
    class Inner:
        def __init__(self):
            self.updates = 0

        def update(self, dt):
            self.updates += 1

    class Hung(Exception):
        pass

    def sleep(_s):
        raise Hung

    import illumination.modes.kiosk.faults as faults
    monkeypatch.setattr(faults.time, "sleep", sleep)     # the first sleep of the endless loop ends the test
    inner = Inner()
    show, kind = FaultPlan.hang_only(at_s=1.0).wrap(inner, play_number=0, attempt=0)
    assert isinstance(show, FaultyShow) and kind is None
    show.update(0.5)
    with pytest.raises(Hung):
        show.update(0.5)
    assert inner.updates == 1
    assert FaultPlan().kind(0) is None and all(FaultPlan().kind(n) != "hang" for n in range(200))


def parse(argv):
    from illumination.cli.args import CleanParser
    from illumination.cli.kiosk import register
    parser = CleanParser(prog="illumination")
    register(parser.add_subparsers(dest="command", parser_class=CleanParser), None)
    return parser.parse_args(argv)


def test_the_soak_refuses_the_hang_in_one_line(tmp_path, capsys):
    code = kiosk_command(parse(["kiosk", "--headless", "--simulate-hours", "1", "--inject-faults", "hang",
                                "--log-file", str(tmp_path / "k.log")]))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("illumination: error: --inject-faults hang only applies to the window")


def test_inject_faults_takes_nothing_or_hang(capsys):
    assert parse(["kiosk", "--inject-faults"]).inject_faults == ("recoverable",)
    assert parse(["kiosk", "--inject-faults", "hang"]).inject_faults == "hang"
    assert parse(["kiosk"]).inject_faults is None
    with pytest.raises(SystemExit) as exit_:
        parse(["kiosk", "--inject-faults", "sometimes"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "takes no value" in err and "'sometimes'" in err


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_the_command_plants_the_hang_in_the_window(monkeypatch, tmp_path, capsys):
    import illumination.cli.kiosk as cli
    seen = {}
    monkeypatch.setattr(cli, "run_window", lambda playlist, display, **options: seen.update(options) or 0)
    assert kiosk_command(parse(["kiosk", "--inject-faults", "hang", "--log-file", str(tmp_path / "k.log")])) == 0
    assert seen["faults"] == FaultPlan.hang_only() and seen["faults"].hang_every == 1
    assert "illumination: warning: --inject-faults hang: the first item to play 12 s" in capsys.readouterr().err
    assert kiosk_command(parse(["kiosk", "--inject-faults", "--log-file", str(tmp_path / "k.log")])) == 0
    assert seen["faults"] == FaultPlan()
