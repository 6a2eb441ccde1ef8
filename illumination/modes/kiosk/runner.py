"""Running the kiosk: the fullscreen loop on the wall, the headless soak that proves it survives a day, the
exit combination, and the rotating log file. The command line is in illumination/cli/kiosk.py."""
from __future__ import annotations

import gc
import logging
import math
import os
import signal
import sys
import time
from collections import deque
from datetime import datetime, timedelta
from logging.handlers import RotatingFileHandler
from pathlib import Path

from illumination.core.collector import release_free_memory


LOGGER_NAME = "illumination.kiosk"
LOG_MAX_BYTES = 1_000_000     # per file; with the backups at most ~4 MB of logs, ever
LOG_BACKUPS = 3
# The soak's step. An exhibit does its exact amount of work per simulated second at any update rate (scenes
# accumulate fractional steps), as long as one update stays under its catch-up cap (each exhibit says how long
# an update may be: Exhibit.longest_update): so at least 2 updates per simulated second, more for fast items.
# The cost is the work itself plus ~1.8 ms per drawn frame; one frame every 2 simulated seconds keeps 24
# simulated hours near 7-9 minutes on this 2-core machine (measured with the network-only playlist).
SOAK_UPDATES_PER_SECOND = 2
SOAK_DRAW_EVERY_S = 2
SOAK_SIZE = (320, 180)
KIOSK_ERRORS_TO_RESTART = 10  # kiosk-level errors within 10 s: start a fresh Kiosk
EXIT_HOLD_SECONDS = 3.0


class KioskError(Exception):
    """A user mistake (a log file that cannot be written …): one line, exit 2."""


# -- logs --------------------------------------------------------------------------------------------

def default_log_path() -> Path:
    """$XDG_STATE_HOME/neural-illumination/kiosk.log, else ~/.local/state/neural-illumination/kiosk.log."""
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "neural-illumination" / "kiosk.log"


def setup_logging(path: str | os.PathLike | None = None) -> tuple[logging.Logger, Path | None]:
    """The kiosk logger writes only to a size-capped rotating file (never to memory, never unbounded)."""
    logger = logging.getLogger(LOGGER_NAME)
    close_logging()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    target = Path(path) if path else default_log_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(target, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8")
    except OSError as error:
        if path:
            raise KioskError(f"cannot write the log file {target}: {error.strerror or error}") from None
        sys.stderr.write(f"illumination: warning: cannot write {target} ({error.strerror or error}); "
                         f"logging to stderr\n")
        handler, target = logging.StreamHandler(sys.stderr), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger, target


def close_logging() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def announce(report, log: logging.Logger, quiet: bool = False) -> None:
    """Every playlist problem and theme replacement: to the log, and to stderr for whoever is watching."""
    lines = []
    if report.problems:
        # a problem that names the file already (cannot read it, TOML syntax) is not prefixed with it again
        lines += [p if p.startswith(str(report.requested)) or str(report.requested) in p.split(":")[0]
                  else f"playlist {report.requested}: {p}" for p in report.problems]
        lines.append("the playlist has problems (listed above); running the built-in default playlist instead")
    lines += [f"playlist {report.requested}: {w}" for w in report.warnings]
    for line in lines:
        log.warning(line)
        sys.stderr.write(f"illumination: {'error' if report.problems else 'warning'}: {line}\n")


# -- the only way out -----------------------------------------------------------------------------

class ExitCombo:
    """The kiosk quits only on purpose: Esc held for `hold_s` seconds, or Ctrl+Shift+Q.

    Pure and clock-free: feed it each event with the current time and poll it every frame.
    """

    def __init__(self, hold_s: float = EXIT_HOLD_SECONDS):
        self.hold_s = hold_s
        self.esc_since: float | None = None

    def feed(self, event, now: float) -> bool:
        import pygame
        kind = event.type
        if kind == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                if self.esc_since is None:         # key repeat must not restart the count
                    self.esc_since = now
                return self.poll(now)
            mod = getattr(event, "mod", 0)
            if event.key == pygame.K_q and mod & pygame.KMOD_CTRL and mod & pygame.KMOD_SHIFT:
                return True
        elif kind == pygame.KEYUP and event.key == pygame.K_ESCAPE:
            self.esc_since = None
        elif kind == pygame.WINDOWFOCUSLOST:
            self.esc_since = None                  # we would never hear that key's release
        return False

    def poll(self, now: float) -> bool:
        return self.esc_since is not None and now - self.esc_since >= self.hold_s

    def progress(self, now: float) -> float:
        return 0.0 if self.esc_since is None else min((now - self.esc_since) / self.hold_s, 1.0)


# -- the soak: the whole loop on the fixed clock, as fast as it goes ---------------------------------

def rss_mb() -> float:
    """Resident memory of this process (VmRSS from /proc/self/status), in MB; nan where unavailable."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


class _Supervisor:
    """Last line of defence: an error in the kiosk's own code is logged; a burst of them starts a fresh Kiosk."""

    def __init__(self, make_kiosk, log):
        self.make_kiosk, self.log = make_kiosk, log
        self.kiosk = make_kiosk()
        self.errors = 0
        self._recent: deque = deque(maxlen=KIOSK_ERRORS_TO_RESTART)

    def update(self, dt: float) -> None:      # the loop's show (core/loop.py): whichever kiosk is current
        self.kiosk.update(dt)

    def draw(self, surface) -> None:
        self.kiosk.draw(surface)

    def failed(self, error: BaseException, now: float) -> None:
        self.errors += 1
        self.log.error("kiosk error (recovering)", exc_info=error)
        self._recent.append(now)
        if len(self._recent) == self._recent.maxlen and now - self._recent[0] < 10.0:
            self.log.error("%d kiosk errors within 10 s: starting a fresh kiosk", len(self._recent))
            self._recent.clear()
            try:
                self.kiosk = self.make_kiosk()
            except Exception as again:
                self.log.error("could not start a fresh kiosk", exc_info=again)


def soak(playlist, hours: float, size=SOAK_SIZE, *, faults=None, log=None, progress: bool = False,
         random_seed: int = 0, updates_per_second: int | None = None,
         draw_every_s: int = SOAK_DRAW_EVERY_S, start: datetime | None = None, visitors: bool = False) -> dict:
    """Run the kiosk for `hours` of simulated time on the fixed clock, headless, and report what happened.
    visitors: a simulated visitor draws and teaches every 5 simulated minutes (visitors.py; playlists with
    draw = true open their pad, others show the explanation)."""
    if updates_per_second is None:
        from illumination.exhibits import get_exhibit
        longest = min(get_exhibit(item.exhibit).longest_update(item.settings) for item in playlist.items)
        updates_per_second = max(SOAK_UPDATES_PER_SECOND, math.ceil(1.0 / longest))
    from tqdm import tqdm
    from illumination.core.clock import FixedClock
    from illumination.core.display import init_headless
    from illumination.core.loop import run_loop
    import pygame
    from illumination.modes.kiosk.attract import Kiosk, warm_up
    log = log or logging.getLogger(LOGGER_NAME)
    init_headless()
    surface = pygame.Surface(size)
    clock = FixedClock(updates_per_second)
    midnight = start or datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    wall_time = lambda: midnight + timedelta(seconds=clock.now)  # noqa: E731  (the schedule sees simulated time)
    warm_up(playlist, size)
    supervisor = _Supervisor(lambda: Kiosk(playlist, size, wall_time=wall_time, faults=faults,
                                           random_seed=random_seed, log=log), log)
    supervisor.kiosk.draw(surface)
    rss_initial = rss_mb()
    # rss "start" is measured once every item has played once: warm-up is over
    memory = {"max": rss_initial, "start": None, "start_at": 0.0}
    total = round(hours * 3600 * updates_per_second)
    per_draw, per_minute = updates_per_second * draw_every_s, updates_per_second * 60
    warm_items = len(playlist.items) + 1
    crowd = None
    if visitors:
        from data.seeding import rng_for
        from illumination.modes.kiosk.visitors import SimulatedVisitors
        crowd = SimulatedVisitors(rng_for(random_seed, "soak_visitors"), size)
    listener = None
    if playlist.sound:             # the sound is synthesised as on the wall, with no device
        from illumination.modes.kiosk.sound import SoakListener
        listener = SoakListener(playlist.volume, 1 / 60, random_seed)
    started = time.perf_counter()
    try:
        with tqdm(total=round(hours * 60), unit="sim-min", desc="kiosk soak", file=sys.stderr, leave=False,
                  disable=None if progress and not os.environ.get("CI") else True) as bar:
            def after(n: int) -> None:
                if crowd is not None:
                    for event in crowd.events(clock.now):
                        supervisor.kiosk.handle_event(event)
                if listener is not None:
                    listener.hear(supervisor.kiosk)
                if memory["start"] is None and supervisor.kiosk.stats["items_played"] >= warm_items:
                    release_free_memory()   # both ends measured just after a trim, as between items
                    memory["start"], memory["start_at"] = rss_mb(), clock.now
                if n % per_minute == 0:
                    bar.update(1)
                    memory["max"] = max(memory["max"], rss_mb())

            _, frames = run_loop(supervisor, clock, total, surface=surface, draw_every=per_draw, after=after,
                                 on_error=supervisor.failed)
        wall = time.perf_counter() - started
        gc.collect()
        release_free_memory()
        rss_end = rss_mb()
    finally:
        gc.unfreeze()
    rss_start, rss_start_at, rss_max = memory["start"], memory["start_at"], memory["max"]
    kiosk = supervisor.kiosk
    warm_days = (clock.now - rss_start_at) / 86400.0
    growth = None if rss_start is None or warm_days <= 0 else (rss_end - rss_start) / warm_days
    if rss_start is None:          # too short to finish a round of the playlist
        rss_start = rss_initial
    summary = kiosk.summary()
    log.info("soak done: %s", summary)
    return {
        "simulated_hours": hours,
        "frames": frames,
        **{k: summary[k] for k in ("items_played", "items_completed", "items_skipped", "divergences_recovered",
                                   "exceptions_recovered")},
        **({"visitors": crowd.visits, "visitor_sessions": summary["visitor_sessions"],
            "shapes_taught": summary["shapes_taught"], "balls_dropped": summary["balls_dropped"]} if crowd is not None else {}),
        "kiosk_errors": supervisor.errors,
        **(listener.figures() if listener is not None else {}),
        "faults_injected": summary["faults_injected"] if faults else None,
        "rss_initial_mb": round(rss_initial, 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_start_at_simulated_s": round(rss_start_at),
        "rss_end_mb": round(rss_end, 1),
        "rss_max_mb": round(max(rss_max, rss_end), 1),
        # MB a day from the warm-up point to the end (None: the soak ended before the playlist had played round)
        "rss_growth_mb_per_day": None if growth is None else round(growth, 2),
        "wall_seconds": round(wall, 1),
        "updates_per_simulated_second": updates_per_second,
        "draw_every_simulated_s": draw_every_s,
        "size": f"{size[0]}x{size[1]}",
    }


class IgnoredInput:
    """Keys and clicks the kiosk does not act on are logged (docs/kiosk.md promises it), at most one line per
    10 s, with how many came since, so a visitor drumming on a keyboard cannot flood the log."""

    def __init__(self, log, every_s: float = 10.0):
        self.log, self.every_s = log, every_s
        self.count, self.last = 0, None

    def note(self, event, now: float) -> None:
        import pygame
        self.count += 1
        if self.last is None or now - self.last >= self.every_s:
            what = "key press" if event.type == pygame.KEYDOWN else "click or touch"
            self.log.info("ignored %d input(s), the latest a %s (exit: hold Esc 3 s, or Ctrl+Shift+Q)",
                          self.count, what)
            self.count, self.last = 0, now


# -- the window on the wall ---------------------------------------------------------------------------

def run_window(playlist, display: int = 0, *, faults=None, log=None, clock=None, max_frames: int | None = None,
               wall_time=None, fps: int | None = None, render_scale: float | None = None) -> int:
    """Fullscreen at the display's native resolution until the exit combination. clock/max_frames: tests.

    fps: the frame-rate cap (None: the playlist's `fps`, 60 unless it says otherwise); closed hours run at 5.
    render_scale: draw at this share of the screen's size and let SDL scale it up (None: the playlist's, 1).
    Under systemd (NOTIFY_SOCKET, notify.py): READY=1 after the first frame is on the screen, STATUS= with the
    item playing whenever it changes, WATCHDOG=1 from this loop after its frames (rate-limited), STOPPING=1 on a
    clean exit. A stalled loop stops pinging, and the watchdog restarts the kiosk."""
    import faulthandler
    from illumination.core.clock import RealClock
    from illumination.core.loop import run_loop
    from illumination.core.display import NO_DISPLAY_MESSAGE, NoDisplay, display_expected, open_window, warming_up
    from illumination.modes.kiosk.attract import Kiosk, warm_up
    from illumination.modes.kiosk.notify import Notifier, kiosk_status
    log = log or logging.getLogger(LOGGER_NAME)
    fps = playlist.fps if fps is None else fps
    os.environ["SDL_VIDEO_MINIMIZE_ON_FOCUS_LOSS"] = "0"   # losing focus must never hide the exhibit
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")   # SIGTERM stops us cleanly (below), not a QUIT event
    import pygame
    try:
        if not display_expected():
            raise NoDisplay("no DISPLAY or WAYLAND_DISPLAY")
        pygame.display.init()
        sizes = pygame.display.get_desktop_sizes()
        if display >= len(sizes):
            sys.stderr.write(f"illumination: error: --display {display}: this machine has {len(sizes)} "
                             f"display(s), numbered 0 to {len(sizes) - 1}\n")
            return 2
        screen = open_window(sizes[display], fullscreen=True, display=display,
                             render_scale=playlist.render_scale if render_scale is None else render_scale)
    except (NoDisplay, pygame.error) as error:
        log.error("no display: %s", error)
        sys.stderr.write(f"illumination: error: {NO_DISPLAY_MESSAGE}\n")
        return 2
    if not faulthandler.is_enabled():
        faulthandler.enable()      # the watchdog's SIGABRT prints where the loop was stuck (stderr: the journal)
    pygame.display.set_caption("Neural Illumination")
    pygame.mouse.set_visible(False)
    pygame.display.set_allow_screensaver(False)
    warming_up(screen, "preparing the exhibits …")      # at once: a calm picture while every exhibit warms up
    warm_up(playlist, screen.get_size())
    stop = []
    # SIGTERM (systemd stop) and SIGHUP end the loop after the frame in hand; the exit code names the signal
    previous = {signum: signal.signal(signum, lambda s, _f: stop.append(signal.Signals(s).name))
                for signum in (signal.SIGTERM, signal.SIGHUP)}
    state = {"screen": screen, "frames": 0, "shown": 0}     # a resize replaces the screen
    supervisor = _Supervisor(lambda: Kiosk(playlist, state["screen"].get_size(), faults=faults, log=log,
                                           wall_time=wall_time), log)
    clock = clock or RealClock(max_dt=0.1)
    limiter = pygame.time.Clock()           # only sleeps to cap the frame rate; time comes from `clock`
    combo = ExitCombo()
    ignored = IgnoredInput(log)
    notifier = Notifier(log)
    speaker = None
    if playlist.sound:
        from illumination.core.speaker import Speaker
        from illumination.modes.kiosk.sound import play_kiosk
        speaker = Speaker.open(playlist.volume, log=log)     # no device: one log line, and a silent kiosk
    log.info("window %dx%d on display %d, at most %d fps%s", *screen.get_size(), display, fps,
             f"; notifying systemd (watchdog ping every {notifier.every_s:g} s)" if notifier.every_s else
             "; notifying systemd (no watchdog)" if notifier.enabled else "")

    def events() -> bool:
        """Before each update: the events, the exit combination; False once the loop is to stop."""
        if stop:
            return False
        now = clock.now
        for event in pygame.event.get():
            if combo.feed(event, now):
                stop.append("exit combination")
            elif event.type == pygame.QUIT:
                log.info("ignored a window-close request (exit: hold Esc 3 s, or Ctrl+Shift+Q)")
            elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
                state["screen"] = pygame.display.get_surface()
                supervisor.kiosk.resize(state["screen"].get_size())
            elif (not supervisor.kiosk.handle_event(event)
                  and event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN, pygame.FINGERDOWN)):
                ignored.note(event, now)
        if combo.poll(now):
            stop.append("exit combination")
        if stop:
            return False
        supervisor.kiosk.exit_progress = combo.progress(now)
        return True

    def present(_picture) -> None:
        pygame.display.flip()
        state["shown"] += 1

    def after(n: int) -> None:
        """After each frame, outside its error handling: systemd hears from this loop, then the limiter sleeps."""
        state["frames"] = n
        kiosk = supervisor.kiosk
        if speaker is not None:
            play_kiosk(speaker, kiosk, log)
        if state["shown"]:                     # a frame is on the screen: start-up is over
            notifier.ready()
            notifier.status(kiosk_status(kiosk))
            notifier.watchdog()
        limiter.tick(5 if kiosk.closed else fps)

    clean = False
    try:
        run_loop(supervisor, clock, max_frames, surface=lambda: state["screen"], sink=present,
                 before=events, after=after, on_error=supervisor.failed)
        clean = True
    finally:
        if clean:
            notifier.stopping()
        notifier.close()
        if speaker is not None:
            speaker.close()
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        gc.unfreeze()
        log.info("kiosk stopped (%s) after %d frames: %s", stop[0] if stop else "frame limit", state["frames"],
                 supervisor.kiosk.summary())
        pygame.display.quit()
    return 128 + int(signal.Signals[stop[0]]) if stop and stop[0] in ("SIGTERM", "SIGHUP") else 0
