"""First run: set the database up as a grid worker's or a township's (what `gridcare init` does)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from screens.form import set_message, show_field_errors
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.folders import typed_path
from storage.core.i18n import N_, _
from storage.core.identity import init_township, init_worker
from tui.as_text import as_text, notify_text
from tui.footer import TranslatedFooter
from tui.form_keys import FORM_KEYS, FormKeys
from tui.form_scroll import FormScroll
from tui.header import Header
from tui.ordered_keys import TextInput, after_typing

if TYPE_CHECKING:
    from screens.host import ScreenHost

ROLES = {"worker": N_("Grid worker"), "township": N_("Township clerk")}
# input id -> (label, placeholder, roles it is asked for)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "township_code": (N_("Township code"), N_("9 digits, e.g. 330521101"), ("worker", "township")),
    "township_name": (N_("Township name"), N_("e.g. Xinshi town"), ("worker", "township")),
    "grid_code": (N_("Grid code"), N_("e.g. G03"), ("worker",)),
    "grid_name": (N_("Grid name"), N_("e.g. Dongcun grid 3"), ("worker",)),
    "village_name": (N_("Village"), N_("the grid's village, e.g. Liuxi village"), ("worker",)),
    "village_code": (N_("Village code"), N_("12 digits, if you know it"), ("worker",)),
    "worker": (N_("Your name"), "", ("worker", "township")),
    "township_key": (N_("Township key file"), N_("township-CODE.pub from the clerk; Ctrl+O to find it"), ("worker",)),
    "enroll_code": (N_("Enrollment code"), N_("from the clerk, e.g. K7QM-4XD2-9HBT-C"), ("worker",)),
}
# a worker's township fields may stay blank: the clerk's key file names the township (init_worker)
WORKER_HINTS = {"township_code": N_("may stay blank: read from the key file below"),
                "township_name": N_("may stay blank: read from the key file below")}


class SetupScreen(FormKeys, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "setup.tcss"
    FOOTER_APP_KEYS = True  # the first screen a person sees names ^q and f2 (language) too
    BINDINGS = [Binding("ctrl+s", "save", N_("Set up"), id="save", priority=True),
                Binding("ctrl+o", "find_key", N_("Find the key file"), id="setup.find_key"), *FORM_KEYS]

    def __init__(self) -> None:
        super().__init__()
        self._busy = False
        self._ident = None  # a township set up, its key shown: the button continues Home

    def compose(self) -> ComposeResult:
        yield Header()
        with FormScroll(id="setup-form"):
            yield Static(_("This database is new. Who will use it?"), classes="intro")
            yield Horizontal(Label(_("Role"), classes="field-label"),
                             Select([(_(text), code) for code, text in ROLES.items()], value="worker",
                                    allow_blank=False, id="role", compact=True),
                             classes="field")
            for name, (title, placeholder, roles) in FIELDS.items():
                yield Horizontal(Label(_(title), classes="field-label"),
                                 TextInput(placeholder=_(placeholder) if placeholder else "", id=name, compact=True),
                                 classes=f"field {' '.join('for-' + r for r in roles)}")
                yield Label("", id=f"err-{name}", classes="error -empty")
            yield Label("", id="err-form", classes="error -empty")
            yield Button(_("Set up"), id="setup-save", variant="primary")
            yield Static("", id="setup-done")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("First run")
        self.sub_title = str(self.app.db_path)
        self._show_role("worker")
        self.query_one("#role", Select).focus()

    @on(Select.Changed, "#role")
    def _role_changed(self, event: Select.Changed) -> None:
        self._show_role(str(event.value))

    def _show_role(self, role: str) -> None:
        for name, (_title, _placeholder, roles) in FIELDS.items():
            self.query_one(f"#{name}").parent.display = role in roles
            if role not in roles:
                self._message(name, "")
        for name, hint in WORKER_HINTS.items():
            shown = hint if role == "worker" else FIELDS[name][1]
            self.query_one(f"#{name}", Input).placeholder = _(shown)
        self.refresh_bindings()  # Ctrl+O finds the key file: a worker's

    @on(Input.Changed, "#township_key")
    def _key_named(self, event: Input.Changed) -> None:
        key = typed_path(event.value)
        if key is not None and key.suffix.lower() == ".pub":
            self._read_key(key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-key")
    def _read_key(self, key: Path) -> None:
        """The township's code and name from the clerk's key file, into those fields if still blank: the clerk
        hands over the file and an enrollment code, and a worker typed a 9-digit code the file already held."""
        from storage.core.keys import read_public_key_file

        try:
            pub = read_public_key_file(key)
        except UserError:
            return  # a path still being typed, or not a key file: Ctrl+S says why, under the form
        self.app.call_from_thread(self._fill_township, pub.township_code, pub.township_name)

    def _fill_township(self, code: str, name: str) -> None:
        for field, value in (("township_code", code), ("township_name", name)):
            box = self.query_one(f"#{field}", Input)
            if not box.value.strip():
                box.value = value

    def _message(self, field: str, text: str) -> None:
        set_message(self.query_one(f"#err-{field}", Label), text)

    @on(Button.Pressed, "#setup-save")
    def _pressed(self) -> None:
        self.action_save()

    @after_typing
    def action_save(self) -> None:
        if self._ident is not None:
            self.app.identity_created(self._ident)
            return
        if self._busy:
            return
        role = str(self.query_one("#role", Select).value)
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name, spec in FIELDS.items()
                  if role in spec[2]}
        for name in FIELDS:
            self._message(name, "")
        self._message("form", "")
        self._busy = True
        self._create(role, values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup")
    def _create(self, role: str, values: dict[str, str]) -> None:
        db = self.app.db
        try:
            if role == "township":
                from storage.core.text import typed_code

                key_out = db.local_path.parent / f"township-{typed_code(values['township_code'])}.pub"
                ident, written, text = init_township(db, values["township_code"], values["township_name"], key_out,
                                                     clerk_name=values["worker"])
                self.app.call_from_thread(self._township_ready, ident, written, text)
            else:
                key = typed_path(values["township_key"])  # none yet: added later on the Sync screen
                ident = init_worker(db, values["township_code"], values["township_name"], values["grid_code"],
                                    values["grid_name"], values["worker"], key,
                                    village_name=values["village_name"] or None,
                                    village_code=values["village_code"] or None,
                                    enroll_code=values["enroll_code"] or None)
                if not ident.enroll_proof:
                    from storage.core.keys import fingerprint

                    self.app.call_from_thread(notify_text, self.app, _(
                        "No enrollment code: the township holds this device's first bundle until the clerk approves "
                        "it. Tell the clerk this key fingerprint: {fp}").format(fp=fingerprint(ident.device_sign_public)),
                        timeout=30)
                if key is None:
                    self.app.call_from_thread(notify_text, self.app, _(
                        "No township key yet: exports need it. When the clerk gives you the file, add it on the Sync "
                        "screen (k)."), severity="warning", timeout=30)
                self.app.call_from_thread(self.app.identity_created, ident)
        except (ValidationErrors, ValidationError) as exc:
            self.app.call_from_thread(self._failed, exc.by_field())
        except UserError as exc:
            self.app.call_from_thread(self._failed, {"form": str(exc)})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "find_key":
            return str(self.query_one("#role", Select).value) == "worker" and self._ident is None
        return True

    def action_find_key(self) -> None:
        from screens.path_picker import PathPickerScreen

        def picked(path: Path | None) -> None:
            if path is not None:
                field = self.query_one("#township_key", Input)
                field.value = str(path)
                field.focus()

        start = typed_path(self.query_one("#township_key", Input).value)
        self.app.push_screen(PathPickerScreen(_("The township's key file (township-CODE.pub)"), start,
                                              suffixes=(".pub",)), picked)

    def _failed(self, messages: dict[str, str]) -> None:
        """Each message under its field, the first field (in the form's order) focused and in view with its message
        (the last field's was below the fold at 80×24: Ctrl+S seemed to do nothing); the others under the form's
        last field, also in a notice (with a field's message in view, that line is off-screen)."""
        self._busy = False
        placed: dict[str, list[str]] = {}
        for field, text in messages.items():
            placed.setdefault(field if field in FIELDS else "form", []).append(text)
        show_field_errors(self, {f: "\n".join(placed[f]) for f in (*FIELDS, "form") if f in placed})
        if "form" in placed:
            notify_text(self.app, "\n".join(placed["form"]), severity="error", timeout=15)

    def _township_ready(self, ident, written: Path | None, text: str) -> None:
        """Show where the public key went (the clerk gives it to every worker), then continue Home."""
        self._ident = ident
        for widget in self.query(".field, .error, .intro"):
            widget.display = False
        done = self.query_one("#setup-done", Static)
        done.update(as_text(_("The township database is ready. Its public key was written to {file}; give that file "
                            "to every grid worker. It reads:").format(file=written) + "\n\n" + text))
        button = self.query_one("#setup-save", Button)
        button.label = _("Continue")
        button.focus()
