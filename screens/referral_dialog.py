"""Opening a referral from the resident page: where it goes (the office, and the level of the chain: 村 / 乡镇 /
县), why, and by when it is followed up; and each follow-up after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from screens.dialogs import OkCancelDialog
from screens.form import show_field_errors
from storage.core.errors import ValidationError
from storage.core.i18n import N_, _
from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES
from storage.register.referrals import FOLLOW_UP_DAYS, REFERRAL_LEVELS, check_follow_up, next_follow_up
from tui.category_words import cut_between_words
from tui.date_input import DateInput
from tui.form_keys import FORM_KEYS, FormKeys
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput, after_typing

TITLE_CELLS = 200  # the follow-up's title (the referral's reason): about four lines of the dialog


@dataclass(frozen=True)
class ReferralChoice:
    agency: str
    level: str | None
    department: str
    reason: str
    due_on: str  # as typed: storage checks it


class ReferralScreen(FormKeys, OkCancelDialog[ReferralChoice]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        *FORM_KEYS,
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "submit", N_("OK"), id="dialog.ok", priority=True),
    ]

    def __init__(self, today: dt.date) -> None:
        super().__init__(classes="dialog")
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Refer to"), id="dialog-title")
            # compact fields: the dialog and its buttons fit 24 rows
            yield Select([(_(v), k) for k, v in REFERRAL_AGENCIES.items()], prompt=_("Choose…"), id="agency",
                         compact=True)
            yield Label("", id="err-agency", classes="error")
            yield Label(_("Level"))
            yield Select([(_(v), k) for k, v in REFERRAL_LEVELS.items()], value="township", allow_blank=False,
                         id="level", compact=True)
            yield Label(_("Department"))
            yield TextInput(id="department", placeholder=_("e.g. the county civil affairs bureau"), compact=True)
            yield Label("", id="err-department", classes="error")
            yield Label(_("Reason"))
            yield TextInput(id="reason", compact=True)
            yield Label("", id="err-reason", classes="error")
            yield Label(_("Follow up by"))
            due = DateInput((self.today + dt.timedelta(days=FOLLOW_UP_DAYS)).isoformat(), field="due_on", id="due_on",
                            compact=True)
            yield due
            yield due.understood_label()
            yield Label("", id="err-due_on", classes="error")
            yield self.ok_cancel()

    def on_mount(self) -> None:
        self.query_one("#agency").focus()

    def show_errors(self, errors: dict[str, str]) -> None:
        # in the fields' order, so the first field with a problem is the one focused
        show_field_errors(self, {f: errors[f] for f in ("agency", "department", "reason", "due_on", *errors) if f in errors})

    @after_typing
    def action_submit(self) -> None:
        agency = self.query_one("#agency", Select).value
        reason = " ".join(self.query_one("#reason", Input).value.split())
        errors = {}
        if agency == Select.NULL:
            errors["agency"] = _("Choose where the referral goes.")
        if not reason:
            errors["reason"] = _("Say why the resident is referred.")
        level = str(self.query_one("#level", Select).value)
        department = self.query_one("#department", Input).value.strip()
        due = self.query_one("#due_on", Input).value.strip()
        try:  # the rules storage applies, checked while the dialog can still say where
            check_follow_up(level, department, due, self.today)
        except ValidationError as e:
            errors[e.field] = e.message
        if errors:
            self.show_errors(errors)
            return
        self.dismiss(ReferralChoice(str(agency), level, department, reason, due))


@dataclass(frozen=True)
class FollowUpChoice:
    status: str
    outcome: str
    due_on: str  # as typed; ignored when the referral is closed


class FollowUpScreen(FormKeys, OkCancelDialog[FollowUpChoice]):
    """Following a referral up: where it stands, what came of it, and by when it is followed up next.

    Without the next date a referral still being handled stayed on Home's overdue follow-ups however often
    the worker had called.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        *FORM_KEYS,
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "submit", N_("OK"), id="dialog.ok", priority=True),
    ]

    def __init__(self, title: str, due_on: dt.date | None, today: dt.date, *, closing_question: str | None = None) -> None:
        """`closing_question`: asked before the dialog closes with the referral marked done (None: not asked)."""
        super().__init__(classes="dialog")
        self.closing_question = closing_question
        self.title_text = title
        self.today = today
        # the old date while it is still ahead; a week from today once it has passed
        self.next_due = due_on if due_on is not None and due_on >= today else today + dt.timedelta(days=FOLLOW_UP_DAYS)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # wrapped as Chinese is set: a long reason's lines began with "，" (tui/line_breaks.py). Cut to about
            # four lines: a reason of up to 1000 characters scrolled the title's start out of sight, where no key
            # reaches it (the focus is on Status); the reason stays whole on the person's page
            yield Static(Wrapped(cut_between_words(self.title_text, TITLE_CELLS)), id="dialog-title")
            yield Label(_("Status"))
            # no status chosen for the person: the first Enter must not close a referral
            yield Select([(_(v), k) for k, v in REFERRAL_STATUSES.items()], prompt=_("Choose…"), id="status",
                         compact=True)
            yield Label("", id="err-status", classes="error")
            yield Label(_("Outcome (optional)"))
            yield TextInput(id="outcome", compact=True)
            yield Label("", id="err-outcome", classes="error")
            with Vertical(id="next"):
                yield Label(_("Follow up next by"))
                due = DateInput(self.next_due.isoformat(), field="due_on", id="due_on", compact=True)
                yield due
                yield due.understood_label()
                yield Label("", id="err-due_on", classes="error")
            yield self.ok_cancel()

    def on_mount(self) -> None:
        self.query_one("#status").focus()

    @on(Select.Changed, "#status")
    def _chosen(self, event: Select.Changed) -> None:
        self.query_one("#err-status", Label).update("")
        self.query_one("#next").display = event.value != "closed"  # a closed referral is not followed up again

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(self, {f: errors[f] for f in ("status", "outcome", "due_on", *errors) if f in errors})

    @after_typing
    def action_submit(self) -> None:
        status = self.query_one("#status", Select).value
        due = self.query_one("#due_on", Input).value.strip()
        errors = {}
        if status == Select.NULL:
            errors["status"] = _("Choose one.")
        elif status != "closed":
            try:  # the rule storage applies, checked while the dialog can still say where
                next_follow_up(due, self.today)
            except ValidationError as e:
                errors[e.field] = e.message
        if errors:
            self.show_errors(errors)
            return
        choice = FollowUpChoice(str(status), " ".join(self.query_one("#outcome", Input).value.split()), due)
        self.dismiss_if_confirmed(choice, self.closing_question if status == "closed" else None, yes=_("Mark as done"))
