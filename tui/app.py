"""The Textual app: opens the database without delaying the first paint, then Home or first-run setup.

Contract every screen relies on: `app.db` (storage.core.db.Database), `app.identity`
(None before setup), `app.today()`. The screen stack is [default, Home, ...]:
a screen may pop itself when the stack holds more than two.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from storage.core import glyphs
from storage.core.errors import UserError
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, current_language, set_language
from tui.as_text import as_text, notify_text
from tui.commands import ScreensProvider, system_commands
from tui.footer import TranslatedFooter

if TYPE_CHECKING:
    from storage.core.db import Database
    from storage.core.models import Identity

log = logging.getLogger("gridcare.tui")
BACKUP_DELAY = 5.0  # seconds after start-up
# The ORM import waits until Home's first figures are on screen (they share the GIL), but not
# for ever: a first paint that never comes must not keep the database from opening.
FIRST_DATA_WAIT = 3.0  # seconds


def _rss_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class GridcareApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "gridcare"
    COMMANDS = App.COMMANDS | {ScreensProvider}
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("question_mark", "help", N_("Help"), show=False, id="app.help_alt"),
        Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True, id="app.palette"),
        Binding("f2", "switch_language", N_("Language"), id="app.language"),
        Binding("escape", "back", N_("Back"), show=False, id="app.back"),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True, id="app.quit"),
    ]

    def __init__(self, db_path: Path, lang: str | None = None, *, today: dt.date | None = None):
        super().__init__()
        if lang:
            set_language(lang)
        self.db_path = Path(db_path).expanduser()
        self.db: Database | None = None
        self.identity: Identity | None = None
        self._today = today
        self._lock = None
        self._marked: set[str] = set()
        self._early_home: Screen | None = None  # Home shown from the quick read, before the full open
        self._after_open: list[Callable[[], object]] = []  # asked for from that Home before the full open
        self._first_data = threading.Event()

    def get_driver_class(self):
        base = super().get_driver_class()
        if glyphs.plain():  # the old Windows console: narrow glyphs on screen (tui/plain.py)
            from tui.plain import plain_driver

            return plain_driver(base)
        return base

    # --- the contract screens rely on -----------------------------------------------------

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # --- start-up ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(as_text(_("Opening {path}…").format(path=self.db_path)), id="opening")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._relabel()
        self.call_after_refresh(self.bench_mark, "paint")
        self._open_database()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open_database(self) -> None:
        """Lock; Home's figures straight from the file if it is ready; then the full open, off the event loop.

        The full open (SQLModel's import, the upgrade check, the identity) costs about half a
        second; when the schema is current and the identity set up, Home is shown first from a
        stdlib sqlite3 read (storage.register.home.quick_reader) and the full open follows.
        """
        from storage.core.lock import AppLock

        lock = AppLock(self.db_path) if self._lock is None else self._lock
        if self._lock is None:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire()
            self._lock = lock
        if self._early_home is None:
            self._quick_home()
        from storage.core.clock_check import clock_warning
        from storage.core.db import open_database
        from storage.core.identity import get_identity

        db = open_database(self.db_path)
        identity = get_identity(db)
        warning = clock_warning(db) if identity is not None and self._today is None else None
        self.call_from_thread(self._opened, db, identity, warning)

    def _quick_home(self) -> None:
        """Home with its figures before the full open, when the file allows it (worker thread)."""
        import sqlite3

        from storage.register.home import quick_reader, read_home

        quick = quick_reader(self.db_path)
        if quick is None:
            return
        raw, role = quick
        try:
            data = read_home(raw, self.today())
        except sqlite3.Error as exc:
            # Home then reads its figures after the full open, which reports a real problem
            log.warning("quick read of the home figures failed: %s", exc)
            return
        finally:
            raw.close()
        # Home is pushed with its figures: building it while the read runs would draw it twice
        self.call_from_thread(self._push_early_home, role, data)
        self._first_data.wait(FIRST_DATA_WAIT)

    def _push_early_home(self, role: str, data) -> None:
        from screens.home import HomeScreen

        self._early_home = HomeScreen(role=role, data=data)
        self.push_screen(self._early_home)

    def after_open(self, callback: Callable[[], object]) -> None:
        """Run `callback` now if the database is open, else once it is (Home can be up a moment before)."""
        if self.db is not None:
            callback()
        else:
            self._after_open.append(callback)

    def first_data_shown(self) -> None:
        """Home's figures are on screen: the full open may go on."""
        self._first_data.set()
        self.bench_mark("data")

    def _opened(self, db: Database, identity: Identity | None, warning: str | None) -> None:
        self.db, self.identity = db, identity
        self.bench_mark("open")
        self._relabel()
        if db.upgraded_from is not None:
            notify_text(self, _("The database was upgraded; the old file is kept at {path}.").format(
                path=db.backup_of_old_schema), timeout=10)
        if warning:
            notify_text(self, warning, severity="warning", timeout=15)
        if identity is None:
            from screens.setup import SetupScreen

            self.push_screen(SetupScreen())
        elif self._early_home is not None:  # already showing its figures
            self._backup_soon()
            waiting, self._after_open = self._after_open, []
            for callback in waiting:
                callback()
        else:
            from screens.home import HomeScreen

            self.push_screen(HomeScreen())
            self._backup_soon()

    def identity_created(self, identity: Identity) -> None:
        """First-run setup is done: go Home."""
        from screens.home import HomeScreen

        self.identity = identity
        self._relabel()
        self.switch_screen(HomeScreen())
        self._backup_soon()

    def _backup_soon(self) -> None:
        # not while Home reads its figures: a copy of a big file would slow the first screen down
        self.set_timer(BACKUP_DELAY, self._backup)

    @work(thread=True, exclusive=True, exit_on_error=False, group="backup")
    def _backup(self) -> None:
        """Integrity check, then the daily backup: a few seconds after start-up, off the first paint."""
        from storage.core.backup import check_and_backup

        made, problem = check_and_backup(self.db_path)
        if problem:
            log.error("integrity check failed for the database; no backup taken")
            self.call_from_thread(notify_text, self, problem, severity="error", timeout=3600)
        elif made is not None:
            log.info("daily backup written to %s", made.path)

    def on_unmount(self) -> None:
        if self.db is not None:
            self.db.dispose()
        if self._lock is not None:
            self._lock.release()

    def bench_mark(self, name: str) -> None:
        """For bench/m_startup.py: note when the first paint, the first data and the full open happen."""
        target = os.environ.get("GRIDCARE_BENCH_MARKERS")
        if not target or name in self._marked:
            return
        self._marked.add(name)
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {time.time()} {_rss_bytes()}\n")
        # the memory figure is taken once the database is fully open, which may come after the data
        if {"data", "open"} <= self._marked and os.environ.get("GRIDCARE_BENCH_EXIT"):
            self.exit()

    # --- labels in the interface language -----------------------------------------------------

    def _relabel(self) -> None:
        self.title = _("gridcare")
        ident = self.identity
        if ident is None:
            who = ""
        elif ident.role == "township":
            who = _("{township} · township clerk").format(township=ident.township_name)
        else:
            who = _("{grid} · {worker}").format(grid=ident.grid_name or ident.grid_code, worker=ident.worker_name)
        self.sub_title = narrow(" · ").join(part for part in (who, str(self.db_path)) if part)
        for opening in self.query("#opening"):
            opening.update(as_text(_("Opening {path}…").format(path=self.db_path)))

    def action_switch_language(self) -> None:
        self.switch_language("en" if current_language() == "zh_CN" else "zh_CN")

    def switch_language(self, lang: str) -> None:
        """Everything in the other language, without a restart.

        Screen modules that translate labels when imported are reloaded (twice, so that
        modules importing each other all hold post-switch classes) for the screens opened
        from now on; screens already open re-label themselves through `language_changed()`
        if they have one; footers re-translate the binding descriptions.
        """
        set_language(lang)
        names = sorted(n for n in sys.modules if n.startswith("screens.") and sys.modules[n] is not None)
        for _pass in range(2):
            for name in names:
                importlib.reload(sys.modules[name])
        self._relabel()
        for screen in self.screen_stack:
            relabel = getattr(screen, "language_changed", None)
            if callable(relabel):
                relabel()
            for footer in screen.query(TranslatedFooter):
                footer.refresh(recompose=True)
        notify_text(self, _("Interface language: {language}").format(
            language=_("Chinese") if lang == "zh_CN" else _("English")))

    # --- global keys and the command palette -----------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if self.screen.id == HelpScreen.SCREEN_ID:  # by id: the class is reloaded on a language switch
            return
        self.push_screen(HelpScreen(self.screen))

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"), id="--command-palette"))

    def get_system_commands(self, screen: Screen):
        yield from system_commands(self, screen)

    def open_screen(self, name: str) -> None:
        """Open one of the main screens by name (palette, home keys); each imported only when asked for."""
        if self.db is None and self._early_home is not None:
            self.after_open(lambda: self.open_screen(name))
            return
        if self.identity is None or self.db is None:
            notify_text(self, _("Set the database up first."), severity="warning")
            return
        if name == "home":
            while len(self.screen_stack) > 2:
                self.pop_screen()
            return
        try:
            screen = _make_screen(name)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("screens."):
                raise
            notify_text(self, _("This screen is not available in this version."), severity="warning")
            return
        if name == "new_resident":
            self.push_screen(screen, self._open_resident)
        else:
            self.push_screen(screen)

    def _open_resident(self, resident_id: str | None) -> None:
        if resident_id:
            from screens.resident import ResidentScreen

            self.push_screen(ResidentScreen(resident_id))

    # --- errors ---------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        from storage.core.errors import as_user_error

        error = as_user_error(event.worker.error) or event.worker.error  # a full disk, a read-only place, busy
        if isinstance(error, UserError):
            notify_text(self, error, severity="error", timeout=10)
            if event.worker.group == "open":
                self.exit(1, message=str(error))
            return
        log.error("unexpected error in %s", event.worker.name, exc_info=error)
        from storage.core.paths import log_file

        notify_text(self, _("Something went wrong; the details are in {log}.").format(log=log_file()),
                    severity="error", timeout=15)


def _make_screen(name: str) -> Screen:
    if name == "residents":
        from screens.residents import ResidentsScreen

        return ResidentsScreen()
    if name == "new_resident":
        from screens.resident_form import ResidentFormScreen

        return ResidentFormScreen()
    if name == "sync":
        from screens.sync import SyncScreen

        return SyncScreen()
    if name == "conflicts":
        from screens.conflicts import ConflictsScreen

        return ConflictsScreen()
    if name == "reports":
        from screens.reports import ReportsScreen

        return ReportsScreen()
    if name == "devices":
        from screens.devices import DevicesScreen

        return DevicesScreen()
    if name == "roster_import":
        from screens.roster_import import RosterImportScreen

        return RosterImportScreen()
    if name == "policy":
        from screens.policy import PolicyScreen

        return PolicyScreen()
    raise ValueError(f"unknown screen {name!r}")


def make_app(db_path: Path, lang: str | None = None, *, today: dt.date | None = None) -> GridcareApp:
    return GridcareApp(db_path, lang, today=today)
