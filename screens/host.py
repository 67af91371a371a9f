"""What a screen may ask of the app it runs in, written down for the type checker.

A screen runs in GridcareApp (tui/app.py) or, in the tests, in a harness app: either gives it the
open database, the identity, "today" and the few calls below. Each screen class says so with the
annotation `app: ScreenHost`; at run time `self.app` stays Textual's own property (an annotation
alone changes nothing), so this module holds no code that runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    from textual.app import App

    from storage.core.db import Database
    from storage.core.models import Identity

    class ScreenHost(App[Any]):
        db: Database  # a screen is shown once the database is open
        identity: Identity | None
        db_path: Path

        def today(self) -> dt.date:
            raise NotImplementedError

        def open_screen(self, name: str) -> None:
            raise NotImplementedError

        def after_open(self, callback: Callable[[], object]) -> None:
            raise NotImplementedError

        def first_data_shown(self) -> None:
            raise NotImplementedError

        def identity_created(self, identity: Identity) -> None:
            raise NotImplementedError
