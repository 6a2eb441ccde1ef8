"""The gallery kiosk: an attract loop over a playlist, and the watchdog that keeps it alive.

`Kiosk` is a state machine over the playlist, advanced by `update(dt)` from whichever clock the caller
owns (real time on the wall, the fixed clock in the soak and the tests) and drawn by `draw(surface)`:

    play ──(a count of the exhibit's unit / seconds / converged)──▶ hold (final state + quiet caption) ──▶ fade ──▶ play (next item)

The watchdog: an exception in a scene's update, draw or construction is logged with its traceback and the
item is rebuilt; three failures of one item within a minute skip it; a divergence is counted (the network
exhibit restarts itself with the next seed) and three in one item move on; no item outlives
max_item_seconds. Nothing here grows with time: counters are ints, failure times live in short deques,
one off-screen buffer is reused, and each finished item's show (scene + view) is dropped. A scene never points
back at its view, so a dropped show is freed at once, with no help from the cycle collector.
"""
from __future__ import annotations

import logging
from collections import deque
from datetime import datetime
from functools import partial

import pygame

from illumination.modes.kiosk.overlay import (caption_layout, colours_of, draw_exit_progress, explanation_panel,
                                             has_caption_band)
from illumination.modes.kiosk.playlist import Item, Playlist, SeedPlan
from illumination.modes.kiosk.slot import Slot, caption_text, is_finished, status_of, warm_up  # noqa: F401
from illumination.modes.kiosk.visitor_pad import VisitorPad, Visiting
from illumination.core.collector import release_free_memory
from illumination.core.draw.colour import smoothstep
from illumination.core.draw.text import TextCache
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit

LOG = logging.getLogger("illumination.kiosk")
FAILURES_TO_SKIP = 3          # this many failures of one item ...
FAILURE_WINDOW_S = 60.0       # ... within this many seconds skip it
DIVERGENCES_TO_SKIP = 3       # an item that keeps diverging gives way to the next
REST_SECONDS = 60.0           # every item failed: a black screen, then try again
OVERLAY_FADE_S = 0.4


def dip_level(t: float) -> float:
    """Brightness of a transition at t in [0, 1]: 1 → 0 over the first half (the old item), 0 → 1 over the second
    (the new one), eased at both ends."""
    return 1.0 - smoothstep(0.0, 0.5, t) if t < 0.5 else smoothstep(0.5, 1.0, t)


# -- the attract loop --------------------------------------------------------------------------------

class Kiosk(Visiting):
    def __init__(self, playlist: Playlist, size: tuple[int, int], *, wall_time=None, faults=None,
                 random_seed: int | None = None, log: logging.Logger = LOG, visitor_hook=None):
        self.playlist = playlist
        self.size = tuple(size)
        self.wall_time = wall_time or datetime.now
        self.faults = faults
        self.log = log
        #: optional callable(event) -> bool for touches (e.g. a draw-your-own-shape pad); True = it took the touch
        self.visitor_hook = visitor_hook
        self.seeds = SeedPlan(playlist.random_seed if playlist.random_seed is not None else random_seed)
        self.stats = dict(items_played=0, items_completed=0, items_skipped=0, divergences_recovered=0,
                          exceptions_recovered=0, visitor_sessions=0, shapes_taught=0, balls_dropped=0)
        self.faults_injected = dict(diverge=0, update=0, draw=0, broken=0)
        self.time = 0.0
        self.position = -1
        self.current: Slot | None = None
        self.incoming: Slot | None = None
        self.phase, self.phase_t = "play", 0.0
        self.closed = False
        self.overlay_left = 0.0
        self.exit_progress = 0.0          # set by the window loop while Esc is held
        self._failures: deque = deque(maxlen=4 * FAILURES_TO_SKIP)   # ((play, item index), time), newest last
        self._pending: list = []          # (slot, where, error) raised in draw, handled in the next update
        self._text = TextCache(max_entries=64)   # the caption's and the explanation's words (capped)
        self._overlay: tuple | None = None  # (key, surface)
        self._caption: tuple | None = None  # (key, (words, em, position))
        self.visitor: VisitorPad | None = None   # the visitor's draw-and-teach screen, while it is open
        log.info("kiosk start: playlist %s (%d items), random seed entropy %d, size %dx%d", playlist.source,
                 len(playlist.items), self.seeds.entropy, *self.size)
        self.current = self._next_slot()

    # -- building and rebuilding ---------------------------------------------------------------------
    def _start(self, item: Item, seed: int, attempt: int, play_number: int) -> Slot | None:
        try:
            settings = item.settings if item.settings.seed == seed else item.settings.replace(seed=seed)
            show = make_show(get_exhibit(item.exhibit), settings, self.size, item.theme)
            # an exhibit's training reports (the network's), in the kiosk's log, in the exhibit's own words
            show.scene.attach_log(partial(self._training_log, show.exhibit.describe_log))
            if self.faults is not None:
                show, kind = self.faults.wrap(show, play_number, attempt)
                if kind:
                    self.faults_injected[kind] += 1
        except Exception as error:
            self._failed(item, play_number, "build", error)
            return None
        return Slot(item, seed, show, attempt, play_number)

    def _training_log(self, describe, event: dict) -> None:
        for line in describe(event):
            self.log.info("train log · %s", line.strip())

    def _failed(self, item: Item, play_number: int, where: str, error: BaseException) -> None:
        self.stats["exceptions_recovered"] += 1
        self.log.error("%s: exception in %s (recovering)", item.describe(), where, exc_info=error)
        self._failures.append(((play_number, item.index), self.time))

    def _should_skip(self, item: Item, play_number: int) -> bool:
        """Has this play of this item failed FAILURES_TO_SKIP times within FAILURE_WINDOW_S? (Then skip it;
        the item gets a fresh chance on the next round of the playlist.)"""
        key = (play_number, item.index)
        times = [t for k, t in self._failures if k == key]
        if len(times) < FAILURES_TO_SKIP or times[-1] - times[-FAILURES_TO_SKIP] > FAILURE_WINDOW_S:
            return False
        kept = [(k, t) for k, t in self._failures if k != key]
        self._failures.clear()
        self._failures.extend(kept)
        self.stats["items_skipped"] += 1
        self.log.warning("%s failed %d times within %g s: skipping it", item.describe(), FAILURES_TO_SKIP,
                         FAILURE_WINDOW_S)
        return True

    def _next_slot(self) -> Slot | None:
        """The next item of the loop, started; None if every item failed (the kiosk rests, then retries)."""
        items = self.playlist.items
        budget = len(items) * FAILURES_TO_SKIP
        while budget > 0:
            self.position = (self.position + 1) % len(items)
            item = items[self.position]
            seed = self.seeds.resolve(item.seed)
            attempt = 0
            while budget > 0:
                budget -= 1
                slot = self._start(item, seed, attempt, self.stats["items_played"])
                if slot is not None:
                    self.stats["items_played"] += 1
                    self.log.info("play #%d: %s -> seed %d", slot.play_number, item.describe(), seed)
                    return slot
                if self._should_skip(item, self.stats["items_played"]):
                    break
                attempt += 1
        self.log.error("every playlist item failed to start; resting %g s before trying again", REST_SECONDS)
        return None

    def _replace(self, slot: Slot, where: str, error: BaseException) -> None:
        """A scene raised: rebuild its item (same seed), or skip to the next item if it keeps failing. A scene
        whose play is over (holding, or fading out) is not replayed: the loop moves on to the next item."""
        self._failed(slot.item, slot.play_number, where, error)
        if slot is self.current and self.phase in ("hold", "fade"):
            self.log.info("%s failed after it had finished: moving on", slot.item.describe())
            if self.phase == "hold":
                self.incoming = self._next_slot()
            self._end_fade()
            return
        new, attempt = None, slot.attempt
        while new is None and not self._should_skip(slot.item, slot.play_number):
            attempt += 1
            new = self._start(slot.item, slot.seed, attempt, slot.play_number)
        if new is None:
            new = self._next_slot()
        else:
            self.log.info("%s rebuilt (attempt %d)", slot.item.describe(), attempt)
        if slot is self.incoming:
            self.incoming = new
        elif slot is self.current:
            self.current = new
            self.phase, self.phase_t = ("play", 0.0) if new is not None else ("rest", 0.0)

    # -- update ----------------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        dt = max(0.0, float(dt))
        self.time += dt
        self._check_schedule()
        if self.closed:
            return
        self.overlay_left = max(0.0, self.overlay_left - dt)
        pending, self._pending = self._pending, []
        if pending and self.visitor is not None:
            self._close_pad("an error")      # the item is rebuilt below: the pad belonged to its old scene
        for slot, where, error in pending:
            if slot is self.current or slot is self.incoming:
                self._replace(slot, where, error)
        if self.visitor is not None:
            if self.current is None or not self._visitor_call(lambda: self.visitor.update(dt)):
                self._close_pad("no touch for %g s" % self.playlist.draw_seconds)
            else:                       # the item waits for the visitor: its scene trains on, nothing moves on
                self._step(self.current, dt)
                return
        if self.current is None:
            self.phase_t += dt
            if self.phase_t >= REST_SECONDS:
                self.current = self._next_slot()
                self.phase, self.phase_t = ("play" if self.current is not None else "rest"), 0.0
            return
        self.phase_t += dt
        if self.phase == "play":
            slot = self.current
            if self._step(slot, dt) and self._done(slot):
                self._finish(slot)
        elif self.phase == "hold":
            # a finished exhibit keeps its gentle end-state motion; one a visitor taught trains on
            if self.current.visited or is_finished(self.current.show.scene):
                self._step(self.current, dt)
            if self.phase == "hold" and self.phase_t >= self.playlist.hold_seconds:
                self._begin_fade()
        elif self.phase == "fade":
            if self.incoming is not None:
                self._step(self.incoming, dt)
            if self.incoming is None or self.phase_t >= self.playlist.crossfade_seconds:
                self._end_fade()

    def _step(self, slot: Slot, dt: float) -> bool:
        """Advance one scene; False if it raised (and was replaced)."""
        try:
            slot.show.update(dt)
            divergences = int(slot.show.scene.divergences or 0)
        except Exception as error:
            self._replace(slot, "update", error)
            return False
        slot.elapsed += dt
        if divergences > slot.divergences:
            self.stats["divergences_recovered"] += divergences - slot.divergences
            slot.divergences = divergences
            message = slot.show.scene.message or "the run diverged"
            self.log.warning("%s diverged (%d in this item): %s", slot.item.describe(), divergences, message)
            if divergences >= DIVERGENCES_TO_SKIP:
                self.log.warning("%s keeps diverging: moving on", slot.item.describe())
                slot.gave_up = True
        return True

    def _done(self, slot: Slot) -> bool:
        item = slot.item
        if slot.gave_up:
            return True
        if slot.elapsed >= self.playlist.max_item_seconds:
            self.log.warning("%s ran %.0f s (max_item_seconds): moving on", item.describe(), slot.elapsed)
            return True
        if item.seconds is not None:
            return slot.elapsed >= item.seconds
        if item.count is not None and slot.show.scene.position() >= item.count:
            return True
        if not is_finished(slot.show.scene):
            return False
        return item.floor is None or not self._below_floor(slot)

    def _below_floor(self, slot: Slot) -> bool:
        """An until-converged item that converged under its floor (min_epochs …) trains on up to it: the
        exhibit's converge setting off (the network's early stop), its count setting at the floor. True while
        it still has to."""
        item, scene, spec = slot.item, slot.show.scene, slot.show.exhibit
        try:
            position = scene.position()
            if position >= item.floor:
                return False
            scene.apply_settings(scene.settings.replace(**{spec.converge_setting: False,
                                                           spec.count_setting: item.floor}))
            below = not is_finished(scene)
        except Exception as error:     # the item ends where it converged; the next update will tell if it broke
            self.log.warning("%s could not train on to its floor: %s", item.describe(), error)
            return False
        self.log.info("%s converged after %d %s, under its floor: training on to %d", item.describe(),
                      position, item.count_unit, item.floor)
        return below

    def _finish(self, slot: Slot) -> None:
        status = status_of(slot.show.scene)
        if isinstance(status.get("seed"), int):
            self.seeds.last = status["seed"]      # "next" continues after any restarts this item made
        slot.caption = caption_text(slot.show.scene, slot.seed)
        if not slot.gave_up:
            self.stats["items_completed"] += 1
        self.log.info("%s finished after %.0f s: %s", slot.item.describe(), slot.elapsed,
                      ", ".join(f"{k}={v}" for k, v in status.items() if k != "seed"))
        self.phase, self.phase_t = "hold", 0.0
        if slot.gave_up:
            self.phase_t = self.playlist.hold_seconds

    def _begin_fade(self) -> None:
        self.incoming = self._next_slot()
        self.phase, self.phase_t = "fade", 0.0
        if self.incoming is None or self.playlist.crossfade_seconds <= 0:
            self._end_fade()

    def _end_fade(self) -> None:
        self.current, self.incoming = self.incoming, None
        release_free_memory()        # the item that faded out is gone: its heap pages go back to the system
        self.phase, self.phase_t = ("play", 0.0) if self.current is not None else ("rest", 0.0)

    def _check_schedule(self) -> None:
        schedule = self.playlist.schedule
        closed = schedule is not None and not schedule.is_open(self.wall_time())
        if closed != self.closed:
            self.closed = closed
            if closed:
                self._close_pad("closing time")
            self.overlay_left = 0.0
            self.log.info("schedule: %s", "closed, screen blank" if closed else "open, the loop resumes")

    # -- visitors --------------------------------------------------------------------------------------
    def handle_event(self, event) -> bool:
        """A touch or click shows the explanation (interactive playlists only), or with `draw = true` opens the
        visitor's pad on an item that has one; while it is open, touches draw and teach. Never quits anything."""
        if not self.playlist.interactive or self.closed:
            return False
        if self.visitor is not None:
            return bool(self._visitor_call(lambda: self.visitor.handle_event(event, self.current.show.scene)))
        if event.type not in (pygame.MOUSEBUTTONDOWN, pygame.FINGERDOWN):
            return False
        if self.visitor_hook is not None and self.visitor_hook(event):
            return True
        if self.playlist.draw and self._open_pad():
            return True
        if self._touch_exhibit(event):
            return True
        self.overlay_left = self.playlist.idle_timeout_seconds
        return True

    def resize(self, size: tuple[int, int]) -> None:
        self._close_pad("the screen changed size")
        self.size = tuple(size)
        self._overlay = self._caption = None
        for slot in (self.current, self.incoming):
            if slot is not None:
                try:
                    slot.show.resize(self.size)
                except Exception as error:
                    self._pending.append((slot, "resize", error))

    # -- drawing (reads the state; only the kiosk's own render caches change) -------------------------
    def draw(self, surface: pygame.Surface) -> None:
        if self.visitor is not None and self.current is not None and not self.closed:
            # the visitor's screen; a failure is handled like the item's own (its pad closes in the next update)
            self._draw_slot(self.current, surface, lambda target: self.visitor.draw(target, self.current.show))
        elif self.closed or self.current is None:
            surface.fill((0, 0, 0))
        elif self.phase == "fade" and self.incoming is not None:
            # A dip through black: the old item (with its caption) fades out, then the new one fades in. The two
            # pictures never share a frame, so no text is ever drawn over another item's text.
            t = min(self.phase_t / max(self.playlist.crossfade_seconds, 1e-9), 1.0)
            level = dip_level(t)
            if t < 0.5:
                if self._draw_slot(self.current, surface) and self.current.caption:
                    self._draw_caption(surface, self.current)   # the caption fades out with its item
            else:
                self._draw_slot(self.incoming, surface)
            if level < 1.0:
                surface.fill((round(255 * level),) * 3, special_flags=pygame.BLEND_RGB_MULT)
        else:
            self._draw_slot(self.current, surface)
            if self.phase == "hold" and self.current.caption:
                self._draw_caption(surface, self.current)
        if self.overlay_left > 0 and self.current is not None and not self.closed:
            self._draw_explanation(surface)
        if self.exit_progress > 0:
            draw_exit_progress(surface, self.exit_progress)

    def _draw_slot(self, slot: Slot, target: pygame.Surface, draw=None) -> bool:
        try:
            (draw or slot.show.draw)(target)
            return True
        except Exception as error:
            target.fill((0, 0, 0))
            if not any(p[0] is slot for p in self._pending):
                self._pending.append((slot, "draw", error))
            return False

    def summary(self) -> dict:
        return {**self.stats, "faults_injected": dict(self.faults_injected)}

    def _draw_caption(self, surface: pygame.Surface, slot: Slot) -> None:
        """The held final state's quiet caption (seed, accuracy …), in the stage's top margin (overlay.py)."""
        if not has_caption_band(slot.item.settings):
            return
        key = (slot.caption, surface.get_size())
        if self._caption is None or self._caption[0] != key:
            self._caption = (key, caption_layout(self._text, slot.caption, surface.get_size()))
        words, em, position = self._caption[1]
        self._text.blit(surface, words, position, em, colours_of(slot.item.theme)["muted"], anchor="midtop")

    def _draw_explanation(self, surface: pygame.Surface) -> None:
        """The visitor overlay: what the lights mean. Fades in on a touch and out after the idle timeout."""
        slot = self.current
        width, height = surface.get_size()
        key = (slot.show.name, slot.item.theme_name, width, height)
        if self._overlay is None or self._overlay[0] != key:
            about = slot.show.exhibit.about
            self._overlay = (key, explanation_panel(self._text, about, slot.item.theme, (width, height)))
        panel = self._overlay[1]
        shown = self.playlist.idle_timeout_seconds - self.overlay_left
        alpha = min(1.0, shown / OVERLAY_FADE_S, self.overlay_left / OVERLAY_FADE_S)
        panel.set_alpha(round(235 * max(alpha, 0.0)))
        surface.blit(panel, panel.get_rect(center=(width // 2, height // 2)))
