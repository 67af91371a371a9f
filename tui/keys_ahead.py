"""Keys typed ahead of a screen change reach the screen they were typed for.

Textual sends a key to what has the focus when the key arrives, and acts on a screen's keys only
once the key has come back up to the app. Typed fast, or on a busy laptop, the keys after one that
opens a screen were already on their way to the screen being left: `r` then `zs` on Home opened the
register with an empty search box (the letters came back to the app with nothing to do), and
`r` then `n` would have opened a new resident's form from the register. Seen with keys posted
ahead in the real app; the same race as tui/ordered_keys.py's, one level up.

Here a key that comes back to the app after the screen it was typed on has been left is held, and
then given to the screen now shown, in the order typed, once that screen has its focus (it may
still be being put up): as if it had been typed there. Keys typed while some are held wait behind them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.app import GridcareApp

# refreshes to wait for a new screen's focus before the held keys go to the screen itself (a screen with
# nothing to focus takes its keys as before)
FOCUS_WAIT = 20


def typed_for(event: events.Key) -> Screen | None:
    return getattr(event, "_gridcare_screen", None)


def mark(event: events.Key, screen: Screen) -> None:
    """The screen shown when the key arrived: the one it was typed for."""
    event._gridcare_screen = screen  # type: ignore[attr-defined]


class KeysAhead:
    """The app's held keys (one per app)."""

    def __init__(self, app: GridcareApp) -> None:
        self.app = app
        self.held: list[events.Key] = []
        self._waits = 0
        self._flushing = False

    def stale(self, event: events.Key) -> bool:
        """Back at the app, typed for a screen no longer shown: to be held, not acted on here (the screen shown
        would take a letter meant for its search box for one of its own keys)."""
        origin = typed_for(event)
        return origin is not None and origin is not self.app.screen

    def hold(self, event: events.Key) -> None:
        fresh = events.Key(event.key, event.character)
        self.held.append(fresh)
        if len(self.held) == 1:
            self._waits = 0
            self.app.call_after_refresh(self.flush)

    async def flush(self) -> None:
        """The held keys to the screen shown, once it has its focus (or has waited long enough)."""
        if not self.held or self._flushing:
            return
        if self.app.screen.focused is None and self._waits < FOCUS_WAIT:
            self._waits += 1
            self.app.call_after_refresh(self.flush)
            return
        self._flushing = True
        try:
            while self.held:
                key = self.held.pop(0)
                mark(key, self.app.screen)
                await self.app.deliver_key(key)
        finally:
            self._flushing = False
