"""The main screens (one table: palette entries and where each class lives) and the command palette,
in the interface language, with Textual's own commands retitled."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from storage.core.i18n import N_, _

if TYPE_CHECKING:
    from tui.app import GridcareApp

@dataclass(frozen=True)
class MainScreen:
    """A main screen: its name for `GridcareApp.open_screen`, its palette entry, where its class lives.

    The class is imported when the screen is first opened, so start-up imports none of them.
    """

    name: str
    title: str  # N_(): translated where shown
    help: str
    module: str = ""  # "" for Home, which is always open under the others
    cls: str = ""
    roles: tuple[str, ...] = ()  # the databases it is for (worker, township, county); () for every one
    county_help: str = ""  # what it does at a county, where that differs
    # words the palette also finds it by, in any interface language: pinyin, the English (the title matches only
    # its translation, and 备份 typed as "beifen" found nothing)
    also: tuple[str, ...] = ()
    on_server: str = ""  # N_(): said instead of opening it on a server database (a screen of the file's only)

    def make(self) -> Screen:
        return getattr(importlib.import_module(self.module), self.cls)()


MAIN_SCREENS: list[MainScreen] = [
    MainScreen("home", N_("Home"), N_("Today: progress, who is overdue, due or at risk"),
               county_help=N_("The townships: this month's visits, each one's last bundle, emergencies")),
    MainScreen("residents", N_("Residents"), N_("The register: search by name, pinyin initials, ID number or phone"),
               "screens.residents", "ResidentsScreen"),
    # a county registers no one: its people come in the townships' bundles (and its screens change no record:
    # screens/read_only.py)
    MainScreen("new_resident", N_("New resident"), N_("Register a key person"),
               "screens.resident_form", "ResidentFormScreen", roles=("worker", "township")),
    MainScreen("sync", N_("Sync"), N_("Export a bundle file, or merge the ones received"), "screens.sync", "SyncScreen",
               county_help=N_("Merge the bundle files the townships send (a county exports nothing)")),
    MainScreen("conflicts", N_("Conflicts"), N_("Edits that clashed in a merge, waiting for review"),
               "screens.conflicts", "ConflictsScreen", roles=("township", "county"),
               county_help=N_("Edits that clashed in a merge, as the townships review them (to read)")),
    MainScreen("duplicates", N_("Duplicate residents"),
               N_("The same person registered twice: compare the two records, merge them, or undo a merge"),
               "screens.duplicates", "DuplicatesScreen", roles=("township", "county"),
               county_help=N_("The same person registered twice, and the townships' merges (to read)")),
    MainScreen("reports", N_("Reports"), N_("The monthly report: coverage, overdue, risk, referrals"),
               "screens.reports", "ReportsScreen"),
    MainScreen("roster_import", N_("Roster import"), N_("Register residents from a spreadsheet"),
               "screens.roster_import", "RosterImportScreen", roles=("worker", "township")),
    MainScreen("policy", N_("Visit policy"), N_("Which visits count toward the month, how often each key person is due"),
               "screens.policy", "PolicyScreen", county_help=N_("Each township's visit policy (to read)")),
    MainScreen("villages", N_("Villages"), N_("Which village each grid is in; put a grid in a village"),
               "screens.villages", "VillagesScreen", county_help=N_("Which village each grid is in, as its township set it")),
    MainScreen("devices", N_("Devices"), N_("Township: enroll workers' devices, approve waiting ones, revoke a lost laptop"),
               "screens.devices", "DevicesScreen", roles=("township", "county"),
               county_help=N_("County: enroll townships, approve one waiting for approval, revoke a township's key")),
    MainScreen("backup", N_("Backup and restore"),
               N_("The database's backups: back up now, or put one back in place of the current data"),
               "screens.backups", "BackupsScreen", also=("beifen", "huifu", "backup", "restore"),
               on_server=N_("A server database is backed up by the server's own tools (pg_dump), not by gridcare.")),
]
SCREENS_BY_NAME = {s.name: s for s in MAIN_SCREENS}


def palette_commands(app: GridcareApp) -> list[tuple[str, str, Callable[[], object]]]:
    role = app.identity.role if app.identity is not None else ""
    shown = [s for s in MAIN_SCREENS if not s.roles or not role or role in s.roles]  # a worker has no devices to approve
    helps = [s.county_help if role == "county" and s.county_help else s.help for s in shown]
    commands: list[tuple[str, str, Callable[[], object]]] = [
        (_(s.title), _(help_text), partial(app.open_screen, s.name)) for s, help_text in zip(shown, helps, strict=True)]
    commands.append((_("Switch language"), _("中文 / English, without a restart"), app.action_switch_language))
    return commands


# a palette entry: (title, help, what it runs, other words it is found by)
Command = tuple[str, str, Callable[[], object], tuple[str, ...]]


class ScreensProvider(Provider):
    """Main screens and actions of gridcare, then Textual's system commands (retitled: system_commands).

    One provider for all of them, in one fixed order: with Textual's own provider beside it, the two
    answered in whichever order they finished, and the palette's list changed from one opening to the next.
    """

    def _entries(self) -> list[Command]:
        also = {_(s.title): s.also for s in MAIN_SCREENS}
        entries: list[Command] = [(title, help_text, callback, also.get(title, ()))
                                  for title, help_text, callback in palette_commands(self.app)]  # type: ignore[arg-type]
        entries += [(c.title, c.help, c.callback, ()) for c in self.app.get_system_commands(self.screen)]
        return entries

    async def discover(self) -> Hits:
        for title, help_text, callback, _also in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for title, help_text, callback, also in self._entries():
            score = matcher.match(title)
            shown = matcher.highlight(title) if score > 0 else Text(title)  # found by another word: the title plain
            score = max([score, *(matcher.match(word) for word in also)])
            if score <= 0:
                # the words a worker types for the task, and the title's pinyin initials (tb: 同步), ranked after
                # the titles: 导出 is in 同步's description, not its title, and found nothing (walk E, E2)
                score = max([matcher.match(help_text), *(matcher.match(k) for k in _initials(title))]) / 2
            if score > 0:
                found = True
                yield Hit(score, shown, callback, help=help_text)
        if not found:  # said here, in the reader's language: Textual's own line for it is English only
            yield Hit(1, Text(_("No command matches “{query}”").format(query=query)), lambda: None,
                      help=_("Esc closes the list; Backspace to search again"))


@cache
def _initials(title: str) -> tuple[str, ...]:
    """A Chinese title's pinyin initials, every reading (探访制度: tfzd, xfzd …); none for an English one."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in title):
        return ()
    from storage.register.names import name_initials  # (pypinyin: when the palette is searched, not at start-up)

    return tuple(name_initials(title))


def system_commands(app: GridcareApp, screen: Screen) -> Iterable[SystemCommand]:
    """Textual's system commands, with our titles and our help screen for "Keys"."""
    yield SystemCommand(_("Theme"), _("Change the colours"), app.action_change_theme)
    yield SystemCommand(_("Keys"), _("Every key of this screen"), app.action_help)
    yield SystemCommand(_("Screenshot"), _("Save an SVG picture of this screen"),
                        lambda: app.set_timer(0.1, app.deliver_screenshot))
    yield SystemCommand(_("Quit"), _("Close gridcare"), app.action_quit)


def open_palette(app: GridcareApp) -> None:
    """The command palette with our placeholder (Textual's is English only)."""
    # (Textual types is_open's app as App[object]; App is invariant in its result type, ours is a RestoreRequest)
    if app.use_command_palette and not CommandPalette.is_open(app):  # type: ignore[arg-type]
        from tui.ordered_keys import OrderedPalette

        app.push_screen(OrderedPalette(placeholder=_("Search for commands…"), id="--command-palette"))
