"""The systemd notify protocol (sd_notify(3)), the few lines the kiosk needs, with no library.

Under a unit with `Type=notify`, systemd puts the path of a datagram socket in $NOTIFY_SOCKET (a file path, or
an abstract socket written with a leading '@'); the service sends it short "KEY=value" datagrams:

- READY=1      once, when the first frame is on the screen (start-up is over: TimeoutStartSec= stops counting,
               WatchdogSec= starts);
- STATUS=…     what is playing, whenever that changes (`systemctl status` shows it);
- WATCHDOG=1   the keep-alive: with WatchdogSec= set, systemd passes it in $WATCHDOG_USEC and kills the service
               (SIGABRT) when no WATCHDOG=1 arrives for that long; Restart=always then starts it again;
- STOPPING=1   on a clean exit.

The window loop calls `watchdog()` after every frame; it sends WATCHDOG=1 at most every WatchdogSec/4 of real
time (the first frame after that), so the pings are never more than WatchdogSec/2 apart while frames keep coming,
and a loop that stops stops pinging. Nothing here runs on a thread: a ping proves the frame loop itself is alive.
Without $WATCHDOG_USEC (no WatchdogSec= in the unit) no WATCHDOG=1 is sent at all, and none when $WATCHDOG_PID
names another process. Without $NOTIFY_SOCKET nothing is sent. A message that cannot be sent (socket gone,
systemd busy) is dropped; the first such failure is logged, once, and the kiosk goes on.
"""
from __future__ import annotations

import logging
import os
import socket
import time

WATCHDOG_SHARE = 0.25          # a ping every WatchdogSec/4: never WatchdogSec/2 apart while frames take < WatchdogSec/4


class Notifier:
    """sd_notify for one process. environ, pid and timer are for the tests (defaults: os.environ, os.getpid(),
    time.monotonic: the watchdog is about real time, whatever clock the loop runs on)."""

    def __init__(self, log: logging.Logger, environ=None, pid: int | None = None, timer=time.monotonic):
        environ = os.environ if environ is None else environ
        self.log, self.timer = log, timer
        self.address = self._address(environ.get("NOTIFY_SOCKET", ""))
        self.watchdog_usec = self._watchdog_usec(environ, os.getpid() if pid is None else pid)
        self.every_s = None if self.watchdog_usec is None else self.watchdog_usec / 1e6 * WATCHDOG_SHARE
        self.sent = self.failed = 0
        self._last_ping: float | None = None
        self._status: str | None = None
        self._ready = False
        self._socket: socket.socket | None = None

    # -- the environment -------------------------------------------------------------------------------------
    def _address(self, value: str) -> str | bytes | None:
        if not value:
            return None
        if value.startswith("@"):            # the abstract namespace: a leading NUL byte, no file
            return b"\0" + value[1:].encode()
        if value.startswith("/"):
            return value
        self.log.warning("NOTIFY_SOCKET=%r is neither a path nor an abstract socket (@…): not notifying systemd",
                         value)
        return None

    def _watchdog_usec(self, environ, pid: int) -> int | None:
        text = environ.get("WATCHDOG_USEC", "")
        if not text or self.address is None:
            return None
        owner = environ.get("WATCHDOG_PID", "")
        if owner and owner.strip() != str(pid):
            self.log.info("WATCHDOG_PID=%s is another process (this is %d): no watchdog pings from here", owner, pid)
            return None
        try:
            usec = int(text)
        except ValueError:
            usec = 0
        if usec <= 0:
            self.log.warning("WATCHDOG_USEC=%r is not a positive whole number of microseconds: no watchdog pings",
                             text)
            return None
        return usec

    @property
    def enabled(self) -> bool:
        return self.address is not None

    # -- sending ---------------------------------------------------------------------------------------------
    def send(self, message: str) -> bool:
        """One datagram; False (and, the first time, a log line) if it could not be sent. Never raises."""
        if self.address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._socket.setblocking(False)       # a full queue drops the message, never stalls a frame
            self._socket.sendto(message.encode(), self.address)
        except OSError as error:
            self.failed += 1
            if self.failed == 1:
                shown = self.address if isinstance(self.address, str) else "@" + self.address[1:].decode()
                self.log.warning("cannot notify systemd at %s (%s): %s; the kiosk runs on, later failures are "
                                 "not logged", shown, error.strerror or error, message.splitlines()[0])
            return False
        self.sent += 1
        return True

    def ready(self) -> None:
        """READY=1, once."""
        if not self._ready:
            self._ready = True
            self.send("READY=1")

    def status(self, text: str) -> None:
        """STATUS=text, only when it differs from the last one."""
        if text != self._status:
            self._status = text
            self.send(f"STATUS={text}")

    def watchdog(self) -> None:
        """WATCHDOG=1 if the watchdog is on and every_s has passed since the last ping. Call it after each frame."""
        if self.every_s is None:
            return
        now = self.timer()
        if self._last_ping is None or now - self._last_ping >= self.every_s:
            self._last_ping = now
            self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def kiosk_status(kiosk) -> str:
    """What the wall shows, for STATUS=: "playing 3/12: network seed 7", or closed, or resting. Reads only
    plain attributes of the Kiosk (attract.py) and its current Slot (slot.py); never raises."""
    try:
        if kiosk.closed:
            schedule = kiosk.playlist.schedule
            hours = f" (open {schedule.on:%H:%M}-{schedule.off:%H:%M})" if schedule is not None else ""
            return f"closed{hours}: screen black"
        slot = kiosk.current
        if slot is None:
            return "resting: every playlist item failed to start; trying again within a minute"
        return f"playing {slot.item.index + 1}/{len(kiosk.playlist.items)}: {slot.item.exhibit} seed {slot.seed}"
    except Exception as error:          # a status is never worth a crash
        return f"running (status unavailable: {type(error).__name__})"
