"""The Textual app: opens the database without delaying the first paint, then Home or first-run setup.

Contract every screen relies on: `app.db` (storage.core.db.Database), `app.identity`
(None before setup), `app.today()`. The screen stack is [default, Home, ...]:
a screen may pop itself when the stack holds more than two.

Screens are imported when first shown: their storage modules load SQLModel, which start-up
defers until Home's first figures are on screen (tui/startup.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.widgets._select import SelectOverlay
from textual.worker import Worker, WorkerState

from storage.core import glyphs
from storage.core.china_day import china_today
from storage.core.errors import UserError
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, current_language, set_language
from storage.core.paths import log_file
from storage.core.refused import RefusedDatabase
from tui.as_text import as_text, notify_text
from tui.commands import SCREENS_BY_NAME, ScreensProvider, open_palette, system_commands
from tui.drop_down import keep_below, stop_at_the_ends
from tui.footer import TranslatedFooter
from tui.hangup import exit_on_hangup
from tui.header import Header
from tui.keys_ahead import KeysAhead
from tui.outside_changes import OutsideChanges
from tui.refused_open import RefusedOpen
from tui.relabel import LanguageFollower
from tui.startup import BACKUP_DELAY, Opened, Startup
from tui.title import who_in_title
from tui.wide_cuts import install as draw_wide_characters_whole

if TYPE_CHECKING:
    from storage.core.db import Database
    from storage.core.models import Identity
    from storage.core.restoring import RestoreRequest  # noqa: F401  (named as text in the base class below)

log = logging.getLogger("gridcare.tui")
draw_wide_characters_whole()
# Called with the app and "paint", "data" (Home's first figures shown) or "open" (the database fully
# open) as start-up reaches each; bench/ passes one to time the start-up.
Milestone = Callable[["GridcareApp", str], None]


class GridcareApp(RefusedOpen, App["RestoreRequest"]):  # its result: a restore asked for on screen (screens/backups.py)
    CSS_PATH = "app.tcss"
    TITLE = "gridcare"
    COMMANDS = {ScreensProvider}  # Textual's system commands too, in one fixed order (tui/commands.py)
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("question_mark", "help", N_("Help"), show=False, id="app.help_alt"),
        Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True, id="app.palette"),
        Binding("f2", "switch_language", N_("Language"), id="app.language"),
        Binding("escape", "back", N_("Back"), show=False, id="app.back"),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True, id="app.quit"),
        # Tab moves the focus before the next key is read, on every screen and dialog (forms add their own,
        # tui/form_keys.py): otherwise keys typed right after Tab in one burst go to the widget being left,
        # and a reason typed fast after choosing in a dialog's list was lost (seen in tmux, issue #13)
        Binding("tab", "focus_next", "", show=False, priority=True, id="app.next"),
        Binding("shift+tab", "focus_previous", "", show=False, priority=True, id="app.previous"),
    ]

    def __init__(self, db_path: Path | str, lang: str | None = None, *, today: dt.date | None = None,
                 milestone: Milestone | None = None, notice: tuple[str, str] | None = None):
        """`notice`: (text, severity) for Home once the database is open: what run_tui did between two runs
        of the app (a restore, tui/cli.py)."""
        super().__init__()
        if lang:
            set_language(lang)
        from storage.core.db import is_server_target

        # a server's URL stays text (a Path would mangle its '//'); its local files hang off local_path
        self.server_url = str(db_path) if is_server_target(db_path) else None
        self.db_path = Path(db_path).expanduser() if self.server_url is None else _server_local_path(self.server_url)
        self.db: Database | None = None
        self.identity: Identity | None = None
        self._today = today
        self._startup = Startup(self.db_path, self.server_url)
        self._milestone = milestone
        self._reached: set[str] = set()
        self._early_home: Screen | None = None  # Home shown from the quick read, before the full open
        self._after_open: list[Callable[[], object]] = []  # asked for from that Home before the full open
        self.keys_ahead = KeysAhead(self)  # keys handed over one at a time (tui/keys_ahead.py)
        self._language_follower = LanguageFollower(self)  # F2: the screen in view now, the others when shown
        self._notice = notice
        self._outside = OutsideChanges(self)  # a merge run in another window shows on Home without F5

    def get_driver_class(self):
        base = super().get_driver_class()
        if glyphs.plain():  # the old Windows console: narrow glyphs on screen (tui/plain.py)
            from tui.plain import plain_driver

            return plain_driver(base)
        return base

    # --- keys handed over one at a time, in the order typed (tui/keys_ahead.py) ------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # a key as it arrives from the terminal
            await self.keys_ahead.arrived(event)
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # (Textual runs every class's _on_key in turn, App's after this one, unless the default is prevented)
        if self.keys_ahead.stale(event):  # back from the screen it was typed on, which has been left
            self.keys_ahead.hold_again(event)
            event.prevent_default()  # App's would act on it here, for the screen shown

    async def deliver_key(self, event: events.Key) -> None:
        """A key handed over by keys_ahead: the app's priority keys, then the focused widget."""
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, SelectOverlay):  # a drop-down opened: below its field where the form can scroll
            keep_below(event.widget)
            stop_at_the_ends(event.widget)

    # --- the contract screens rely on -----------------------------------------------------

    def today(self) -> dt.date:
        return self._today or china_today()

    # --- start-up ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(as_text(_("Opening {path}…").format(path=self._where())), id="opening")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        exit_on_hangup(self)
        self.screen_change_signal.subscribe(self, self._language_follower.shown)
        self._relabel()
        self.call_after_refresh(self._reach, "paint")
        self._open_database()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open_database(self) -> None:
        """Lock; Home's figures straight from the file if it is ready; then the full open (tui/startup.py)."""
        start = self._startup
        start.lock()
        if self._early_home is None:
            quick = start.quick_home(self.today())
            if quick is not None:
                # Home is pushed with its figures: building it while the read runs would draw it twice
                self.call_from_thread(self._push_early_home, *quick)
                start.wait_for_first_data()
                later = start.quick_later(quick[1])
                if later is not None:
                    self.call_from_thread(self._later_figures, later)
        try:
            opened = start.open_full(check_clock=self._today is None)
        except RefusedDatabase as refusal:
            if self.server_url is not None:  # (backed up by the server's own tools: no backups of ours to offer)
                raise
            # at once: which backups are good is found by the screen, each marked as it is known (seconds apiece on
            # a township's file, read whole), while the worker reads why the file was refused
            self.call_from_thread(self._refused, refusal)
            return
        self.call_from_thread(self._opened, opened)

    def _push_early_home(self, role: str, data) -> None:
        from screens.home import HomeScreen

        self._early_home = HomeScreen(role=role, data=data)
        self.push_screen(self._early_home)

    def _later_figures(self, later) -> None:
        """Home's figures read after its first ones (storage/register/home_later.py)."""
        from screens.home import HomeScreen

        if isinstance(self._early_home, HomeScreen):
            self._early_home.show_later(later)

    def after_open(self, callback: Callable[[], object]) -> None:
        """Run `callback` now if the database is open, else once it is (Home can be up a moment before)."""
        if self.db is not None:
            callback()
        else:
            self._after_open.append(callback)

    def first_data_shown(self) -> None:
        """Home's figures are on screen: the full open may go on."""
        self._startup.first_data_shown()
        self._reach("data")

    def _opened(self, opened: Opened) -> None:
        db, identity, warning = opened.db, opened.identity, opened.warning
        self.db, self.identity = db, identity
        self._reach("open")
        self._outside.start(db)
        self._relabel()
        if db.upgraded_from is not None:
            notify_text(self, _("The database was upgraded; the old file is kept at {path}.").format(
                path=db.backup_of_old_schema), timeout=10)
        if warning:
            notify_text(self, warning, severity="warning", timeout=15)
        if self._notice is not None:  # long enough to read a path; a click closes it
            text, severity = self._notice
            notify_text(self, text, severity=severity, timeout=120)
            self._notice = None
        if identity is None:
            from screens.setup import SetupScreen

            self.push_screen(SetupScreen())
        elif self._early_home is not None:  # already showing its figures
            from screens.home import HomeScreen

            if isinstance(self._early_home, HomeScreen):
                self._early_home.database_opened()
            self._backup_soon()
            waiting, self._after_open = self._after_open, []
            for callback in waiting:
                callback()
        else:
            self.push_screen(_home_screen(identity))
            self._backup_soon()

    def identity_created(self, identity: Identity) -> None:
        """First-run setup is done: go Home."""
        from screens.home import HomeScreen

        self.identity = identity
        self._relabel()
        self.switch_screen(HomeScreen())
        self._backup_soon()

    def _backup_soon(self) -> None:
        # not while Home reads its figures: a copy of a big file would slow the first screen down;
        # a server database is backed up by the server's own tools (pg_dump), not by copying a file
        if self.server_url is None:
            self.set_timer(BACKUP_DELAY, self._backup)

    @work(thread=True, exclusive=True, exit_on_error=False, group="backup")
    def _backup(self) -> None:
        """Integrity check, then the daily backup: a few seconds after start-up, off the first paint."""
        made, problem = self._startup.backup()
        if problem:
            log.error("integrity check failed for the database; no backup taken")
            self.call_from_thread(notify_text, self, problem, severity="error", timeout=3600)
        elif made is not None:
            log.info("daily backup written to %s", made.path)
        ident = self.identity
        keys = self._startup.key_problem(ident.device_sign_public if ident else "", ident.role if ident else "")
        if keys:
            log.error("the database's key file is missing, damaged or another database's")
            self.call_from_thread(notify_text, self, keys, severity="error", timeout=3600)

    def on_unmount(self) -> None:
        self._outside.stop()
        self._startup.close(self.db)

    def _reach(self, name: str) -> None:
        """A start-up milestone, told once to the injected hook (bench/)."""
        if self._milestone is not None and name not in self._reached:
            self._reached.add(name)
            self._milestone(self, name)

    # --- labels in the interface language -----------------------------------------------------

    def _relabel(self) -> None:
        self.title = _("gridcare")
        who = who_in_title(self.identity)
        self.sub_title = narrow(" · ").join(part for part in (who, self._where()) if part)
        for opening in self.query("#opening"):
            opening.update(as_text(_("Opening {path}…").format(path=self._where())))

    def _where(self) -> str:
        """The database for the title: the file, or the server's URL without its password."""
        return self.db.label if self.db is not None else (self.server_url or str(self.db_path))

    def action_switch_language(self) -> None:
        self.switch_language("en" if current_language() == "zh_CN" else "zh_CN")

    def switch_language(self, lang: str) -> None:
        """Everything in the other language, without a restart.

        Binding descriptions are msgids (`N_()`), translated where the footer and the help draw
        them; every screen already open is re-labelled (tui/relabel.py: its own `language_changed()`, or composed
        again with what was typed kept).
        """
        set_language(lang)
        self._relabel()
        self._language_follower.relabel(self.screen_stack)
        notify_text(self, _("Interface language: {language}").format(
            language=_("Chinese") if lang == "zh_CN" else _("English")))

    # --- global keys and the command palette -----------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_command_palette(self) -> None:
        open_palette(self)

    def get_system_commands(self, screen: Screen):
        yield from system_commands(self, screen)

    def open_screen(self, name: str) -> None:
        """Open one of the main screens by name (palette, home keys); each imported only when asked for."""
        if self.db is None and self._early_home is not None:
            self.after_open(lambda: self.open_screen(name))
            return
        if self.identity is None or self.db is None:
            notify_text(self, _("The database could not be opened: see what its screen says.") if self._refusal
                        else _("Set the database up first."), severity="warning")
            return
        if name == "home":
            while len(self.screen_stack) > 2:
                self.pop_screen()
            return
        if self.server_url is not None and SCREENS_BY_NAME[name].on_server:
            notify_text(self, _(SCREENS_BY_NAME[name].on_server), severity="warning")
            return
        try:
            screen = SCREENS_BY_NAME[name].make()
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
        from screens.worker_errors import damage_named
        from storage.core.errors import as_user_error

        # a full disk, a read-only place, busy; a value of the file that is not JSON, its row named
        error = damage_named(self, event.worker.error) or as_user_error(event.worker.error) or event.worker.error
        if isinstance(error, UserError):
            notify_text(self, error, severity="error", timeout=10)
            if event.worker.group == "open":  # the database cannot be opened
                self._refusal = error
                self._exit_refused()
            return
        log.error("unexpected error in %s", event.worker.name, exc_info=error)

        notify_text(self, _("Something went wrong; the details are in {log}.").format(log=log_file()),
                    severity="error", timeout=15)


def _server_local_path(url: str) -> Path:
    """Where a server database's local files (lock, drafts, keys) hang off; its URL shown without a password."""
    from storage.core.db_server import hide_password
    from storage.core.paths import server_local_path

    return server_local_path(hide_password(url))


def _home_screen(identity) -> Screen:
    """Home for the database's role: a county's shows its townships, the others today's work."""
    if identity is not None and identity.role == "county":
        from screens.county_home import CountyHomeScreen

        return CountyHomeScreen()
    from screens.home import HomeScreen

    return HomeScreen()


def make_app(db_path: Path | str, lang: str | None = None, *, today: dt.date | None = None,
             milestone: Milestone | None = None, notice: tuple[str, str] | None = None) -> GridcareApp:
    return GridcareApp(db_path, lang, today=today, milestone=milestone, notice=notice)
