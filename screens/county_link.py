"""The county on the Sync screen: a township gives its county's key and enrollment code and sends its
bundles up; a county sees its own key's fingerprint, which each township checks.

What `gridcare county-key FILE --enroll-code CODE` and `gridcare export --county` do, through the
same storage functions (storage/core/identity.py set_county_key, storage/sync/county_export.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.dialogs import when_folder_there
from storage.core.errors import UserError
from storage.core.folders import typed_path
from storage.core.i18n import _
from storage.core.keys import fingerprint
from tui.as_text import as_text
from tui.formatting import format_date, format_number
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput
from tui.texts import describe_export

if TYPE_CHECKING:
    from screens.host import ScreenHost


def township_text(ident, last, waiting: int) -> str:
    """What the township knows of its county: whose key, enrolled or not, the last bundle, what waits."""
    if not ident.county_code:
        return _("No county key yet: give the file the county sent (county-CODE.pub), with the enrollment code "
                 "the county made for this township.")
    lines = [_("County {name} ({code}), key fingerprint {fp}: check it with the county.").format(
        name=ident.county_name, code=ident.county_code, fp=fingerprint(ident.county_sign_public))]
    lines.append(_("Enrolled with the county's code: the county accepts this township's bundles.") if ident.enroll_proof
                 else _("No enrollment code from the county yet: the county holds this township's bundles until it "
                        "approves them. Tell the county this key fingerprint: {fp}").format(
                     fp=fingerprint(ident.device_sign_public)))
    if last is not None:
        lines.append(_("Last bundle to the county: number {seq}, {date}.").format(
            seq=last.seq, date=format_date(last.written_at.date() if last.written_at else None, "long")))
    lines.append(_("Changes not yet sent to the county: {n}.").format(n=format_number(waiting)))
    return "\n".join(lines)


def county_text(ident) -> str:
    """A county's own key, as each township checks it, and how townships are enrolled."""
    # the screen first, the command in brackets: a county's clerk works on screen too (walk G, 9)
    return _("This county's key fingerprint: {fp}. Each township checks it when it takes the key file; enroll a "
             "township on the Townships' keys screen (n, or gridcare enroll --township CODE), and give its clerk the "
             "code with the key file.").format(
        fp=fingerprint(ident.county_sign_public))


class CountyLink(Vertical):
    """A township's link to its county (on a county database: the county's own key)."""

    app: ScreenHost  # the app it runs in: screens/host.py

    def compose(self) -> ComposeResult:
        ident = self.app.identity
        yield Static(_("The county:"), classes="heading")
        yield Static("", id="county-status", markup=False)
        if ident is not None and ident.role == "township":
            with Horizontal(id="county-key-row"):
                yield TextInput(placeholder=_("the county's key file (county-CODE.pub)"), id="county-key", compact=True)
                yield TextInput(placeholder=_("enrollment code"), id="county-code", compact=True)
                yield Button(_("Set the county key"), id="set-county-key", compact=True)
            yield Button(_("Export for the county"), id="export-county", compact=True)

    def on_mount(self) -> None:
        self._load()

    def language_changed(self) -> None:
        """The Sync screen's F2: these words again and the status read again (what was typed stays)."""
        self.query_one(".heading", Static).update(_("The county:"))
        for box, hint in (("#county-key", _("the county's key file (county-CODE.pub)")),
                          ("#county-code", _("enrollment code"))):
            for widget in self.query(box).results(Input):
                widget.placeholder = hint
        for widget_id, words in (("#set-county-key", _("Set the county key")),
                                 ("#export-county", _("Export for the county"))):
            for button in self.query(widget_id).results(Button):
                button.label = words
        self._load()

    def reload(self) -> None:
        """The county's state read again (the Sync screen's merge adds to what waits for the county)."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="county-load")
    def _load(self) -> None:
        ident = self.app.identity
        if ident is not None and ident.role == "county":
            self.app.call_from_thread(self._say, county_text(ident))
            return
        from storage.sync.county_export import county_status

        self.app.call_from_thread(self._say, township_text(*county_status(self.app.db)))

    def _say(self, text: str) -> None:
        self.query_one("#county-status", Static).update(Wrapped(text))

    @on(Button.Pressed, "#set-county-key")
    def _set_pressed(self) -> None:
        path = self.query_one("#county-key", Input).value.strip()
        if not path:
            self.screen.query_one("#result", Static).update(_("Give the county's key file first."))
            return
        self._set_key(Path(path).expanduser(), self.query_one("#county-code", Input).value.strip() or None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def _set_key(self, path: Path, code: str | None, replace: bool = False) -> None:
        from storage.core.identity import CountyKeyChanged, set_county_key

        try:
            ident = set_county_key(self.app.db, path, code, replace=replace)
        except CountyKeyChanged as exc:  # asked, the fingerprints in front of the clerk, No first
            self.app.call_from_thread(self._ask_replace, str(exc), path, code)
            return
        except UserError as exc:
            self.app.call_from_thread(self.screen.query_one("#result", Static).update, as_text(str(exc)))
            return
        self.app.identity = ident
        self.app.call_from_thread(self.screen.query_one("#result", Static).update, as_text(
            _("Bundles to the county now go to {name} ({code}); key fingerprint {fp}: check it with the county.").format(
                name=ident.county_name, code=ident.county_code, fp=fingerprint(ident.county_sign_public))))
        self.app.call_from_thread(self._load)

    def _ask_replace(self, facts: str, path: Path, code: str | None) -> None:
        from screens.dialogs import ConfirmScreen
        from storage.core.i18n import join_sentences

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_key(path, code, replace=True)
            else:
                self.screen.query_one("#result", Static).update(as_text(_("The county's key was left as it was.")))

        self.app.push_screen(ConfirmScreen(join_sentences(facts, _("Replace the county's key with this file's?")),
                                           yes=_("Replace"), danger=True), answered)

    @on(Button.Pressed, "#export-county")
    def _export_pressed(self) -> None:
        # as the screen's own exports read it: quotes from "Copy as path" and ~ understood
        folder = typed_path(self.screen.query_one("#folder", Input).value) or Path.home()

        def go() -> None:
            self._export(folder)

        when_folder_there(self.app, folder, go)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def _export(self, folder: Path) -> None:
        from storage.sync.county_export import export_county_bundle

        try:
            result = export_county_bundle(self.app.db, folder)
        except UserError as exc:
            self.app.call_from_thread(self.screen.query_one("#result", Static).update, as_text(str(exc)))
            return
        self.app.call_from_thread(self.screen.query_one("#result", Static).update, as_text(describe_export(result, name_apart=True)))
        self.app.call_from_thread(self._load)
