"""The command palette in the interface language: the main screens and actions, and Textual's own commands."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from storage.core.i18n import N_, _

if TYPE_CHECKING:
    from tui.app import GridcareApp

# (screen name for GridcareApp.open_screen, title, help); translated where shown
MAIN_SCREENS: list[tuple[str, str, str]] = [
    ("home", N_("Home"), N_("Today: progress, who is overdue, due or at risk")),
    ("residents", N_("Residents"), N_("The register: search by name, pinyin initials, ID number or phone")),
    ("new_resident", N_("New resident"), N_("Register a key person")),
    ("sync", N_("Sync"), N_("Export a bundle file, or merge the ones received")),
    ("conflicts", N_("Conflicts"), N_("Edits that clashed in a merge, waiting for review")),
    ("reports", N_("Reports"), N_("The monthly report: coverage, overdue, risk, referrals")),
    ("roster_import", N_("Roster import"), N_("Register residents from a spreadsheet")),
    ("policy", N_("Visit policy"), N_("Which visits count toward the month, how often each key person is due")),
    ("devices", N_("Devices"), N_("Township: enroll workers' devices, approve waiting ones, revoke a lost laptop")),
]


def palette_commands(app: GridcareApp) -> list[tuple[str, str, Callable[[], object]]]:
    commands: list[tuple[str, str, Callable[[], object]]] = [
        (_(title), _(help_text), partial(app.open_screen, name)) for name, title, help_text in MAIN_SCREENS]
    commands.append((_("Switch language"), _("中文 / English, without a restart"), app.action_switch_language))
    return commands


class ScreensProvider(Provider):
    """Main screens and actions of gridcare."""

    async def discover(self) -> Hits:
        for title, help_text, callback in palette_commands(self.app):  # type: ignore[arg-type]
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in palette_commands(self.app):  # type: ignore[arg-type]
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def system_commands(app: GridcareApp, screen: Screen) -> Iterable[SystemCommand]:
    """Textual's system commands, with our titles and our help screen for "Keys"."""
    yield SystemCommand(_("Theme"), _("Change the colours"), app.action_change_theme)
    yield SystemCommand(_("Keys"), _("Every key of this screen"), app.action_help)
    yield SystemCommand(_("Screenshot"), _("Save an SVG picture of this screen"),
                        lambda: app.set_timer(0.1, app.deliver_screenshot))
    yield SystemCommand(_("Quit"), _("Close gridcare"), app.action_quit)
