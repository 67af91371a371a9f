"""Keys typed ahead are acted on one at a time, in the order typed, where the person was when typing them.

Textual hands a key to the widget focused when the app reads it, and posts it there; a list's or a
choice's own keys (Down and Space in a checklist, a grade's digit, a screen's letter keys) are acted on
only once the key has come back up to the app, one message queue at a time. A priority key (Tab,
Shift+Tab, Enter that moves on, Ctrl+S) is acted on as soon as the app reads it. Typed fast, or on a
busy laptop, the keys overtook one another:

- `Down Space Tab` in a checklist: Tab moved the focus first, and Down and Space then ticked an item of
  the *next* list (walk A, finding 1); `3 Tab` on a grade left it ungraded (finding 2);
- `r` then `zs` on Home: the letters had gone to Home's list, and came back to the app after the
  register was up, with nothing to do there;
- `n` then a name on Home: the letters came while the new form was still loading, and went to the
  screen, not to the name box put up a moment later (finding 3).

So the app hands over the next key only once the one before it has been dealt with: acted on by a
priority binding, or come back up to the app from the widget it was given to (or stopped on the way).
Keys that arrive meanwhile wait here, in order. A screen shown by the key before (or since) and still
being put up — its own worker still loading it, no text box focused yet — gets its keys once it has
put its first box in focus (or its loading is over, or after `PUT_UP_WAIT` seconds at most): the
letters typed after `n` go to the new resident's name box, as if typed there.

Every key from the terminal passes through here (GridcareApp.on_event), so every widget and screen
gets this, not only text boxes (tui/ordered_keys.py keeps the editing keys of a text box in order
with the characters, where the box reads them).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections import deque
from typing import TYPE_CHECKING

from textual import events
from textual.containers import ScrollableContainer
from textual.message_pump import MessagePump
from textual.worker import WorkerState

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

    from tui.app import GridcareApp

log = logging.getLogger("gridcare.tui")

# the longest a key waits for a screen still loading once it is up (a slow database read on an old laptop), in
# seconds; a screen not up yet is always waited for
PUT_UP_WAIT = 10.0
# the longest a key waits for the one before it to be dealt with: past that, something went wrong with the
# key's journey (the widget holding it closed, say), and the keys behind it are not kept from the person
IN_FLIGHT_WAIT = 5.0
_POLL = 0.02  # how often a wait is looked at again, in seconds
_ACTIVE = (WorkerState.PENDING, WorkerState.RUNNING)


def typed_for(event: events.Key) -> Screen | None:
    return getattr(event, "_gridcare_screen", None)


def mark(event: events.Key, screen: Screen) -> None:
    """The screen shown when the key arrived: the one it was typed for."""
    event._gridcare_screen = screen  # type: ignore[attr-defined]


class KeysAhead:
    """The app's keys, handed over one at a time (one per app)."""

    def __init__(self, app: GridcareApp) -> None:
        self.app = app
        self.held: deque[events.Key] = deque()
        self._in_flight: events.Key | None = None  # the key given to a widget, on its way back up to the app
        self._in_flight_since = 0.0
        self._taken: weakref.WeakSet[Screen] = weakref.WeakSet()  # screens that have had a key
        self._waiting_for: weakref.ref[Screen] | None = None  # the screen being put up that the keys wait for
        self._wait_until: float | None = None
        self._after_put_up: weakref.ref[Screen] | None = None  # put up: its keys go after the app's queue
        self._timer: Timer | None = None
        self._flushing = False

    # --- what the app calls -------------------------------------------------------------------

    async def arrived(self, event: events.Key) -> None:
        """A key from the terminal: acted on now, or held behind the keys still being dealt with."""
        mark(event, self.app.screen)
        self.held.append(_copy(event))
        await self.flush()

    def stale(self, event: events.Key) -> bool:
        """Back at the app, typed for a screen no longer shown (something other than a key changed the screen
        while it was on its way): to be given to the screen now shown, not acted on here (that screen would take
        a letter meant for a search box for one of its own keys)."""
        origin = typed_for(event)
        return origin is not None and origin is not self.app.screen

    def hold_again(self, event: events.Key) -> None:
        """A stale key: handed over again, before the keys typed after it."""
        self.held.appendleft(_copy(event))

    # --- handing the keys over ----------------------------------------------------------------

    async def flush(self) -> None:
        """The held keys, in order, each once the one before it has been dealt with and the screen can take it."""
        if self._flushing:
            return
        self._flushing = True
        try:
            while self.held and not self._busy():
                key = self.held.popleft()
                screen = self.app.screen
                mark(key, screen)
                self._taken.add(screen)
                self._waiting_for = None
                target: MessagePump = self.app.focused or screen
                await self.app.deliver_key(key)  # a priority binding acts on it now, or it goes to `target`
                if key.is_forwarded:
                    self._follow_from(key, target)
        finally:
            self._flushing = False
        if self.held and self._after_put_up is None:
            self._poll()

    def _busy(self) -> bool:
        """Whether the next key must wait: the key before it still on its way, or the screen being put up."""
        now = time.monotonic()
        if self._in_flight is not None:
            if now - self._in_flight_since < IN_FLIGHT_WAIT:
                return True
            log.warning("key %r not back after %.0f s; the next keys go on", self._in_flight.key, IN_FLIGHT_WAIT)
            self._in_flight = None
        if self._after_put_up is not None:
            return True
        screen = self.app.screen
        if screen in self._taken:
            return False
        waited = self._waiting_for() if self._waiting_for is not None else None
        if self._putting_up(screen):
            if waited is not screen:
                self._waiting_for, self._wait_until = weakref.ref(screen), None
            if self._wait_until is None and screen.is_mounted:  # (its loading counted from here)
                self._wait_until = now + PUT_UP_WAIT
            return self._wait_until is None or now < self._wait_until
        if waited is screen:
            # just put up: its keys go once the app has dealt with what it was asked meanwhile (the focus a form
            # puts on its first box is set there, after the form's loading is over)
            self._waiting_for, self._after_put_up = None, weakref.ref(screen)
            self.app.call_later(self._put_up)
            return True
        return False

    async def _put_up(self) -> None:
        screen = self._after_put_up() if self._after_put_up is not None else None
        self._after_put_up = None
        if screen is not None:
            self._taken.add(screen)
        await self.flush()

    def _putting_up(self, screen: Screen) -> bool:
        """A screen not shown yet, or still loading (a worker of its own) with nothing that takes keys in focus yet:
        no focus, or only its scrolling frame (a form shows 'Loading…' in it until it has read what it needs)."""
        if not screen.is_mounted:
            return True
        if screen.focused is not None and not isinstance(screen.focused, ScrollableContainer):
            return False
        # (a screen's KEYS_DURING: groups of its workers that go on once it is up, its keys not waiting for them)
        during = getattr(screen, "KEYS_DURING", ())
        return any(w.node is screen and w.state in _ACTIVE and w.group not in during for w in self.app.workers)

    def _poll(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_timer(_POLL, self._polled)

    async def _polled(self) -> None:
        self._timer = None
        await self.flush()

    # --- following a key on its way back up to the app ----------------------------------------

    def _follow_from(self, key: events.Key, node: MessagePump) -> None:
        """`key` was posted to `node`: the next key waits until the key is back at the app or stopped."""
        self._in_flight, self._in_flight_since = key, time.monotonic()
        if not node.call_later(self._handled_at, key, node):  # (closing: it will handle nothing more)
            self._in_flight = None

    async def _handled_at(self, key: events.Key, node: MessagePump) -> None:
        """`node` has dealt with `key` (its queue is past it): done, or follow it to the parent it went on to."""
        parent = node._parent
        if node is self.app or parent is None:
            await self._done(key)
            return
        # Textual passes a key on unless it was stopped, and to the parent that sent it even then
        if key._stop_propagation and key._sender is not parent:
            await self._done(key)
            return
        if not parent.call_later(self._handled_at, key, parent):
            await self._done(key)

    async def _done(self, key: events.Key) -> None:
        if self._in_flight is key:
            self._in_flight = None
            await self.flush()


def _copy(event: events.Key) -> events.Key:
    """The key again, to hand over (Textual's own may have been on its way already), as the terminal sends it: from
    no widget (a key sent by a widget would stop bubbling at that widget)."""
    fresh = events.Key(event.key, event.character)
    fresh._sender = None
    origin = typed_for(event)
    if origin is not None:
        mark(fresh, origin)
    return fresh
