"""Logging a visit: keyboard only, sensible defaults, a draft kept on every change."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from screens.after_save import follow_up
from screens.form import AssessingFormScreen, date_row, error_label, field_row, set_message
from screens.visit_values import assessment_of, proposed_visitor, visit_fields, visit_values, who_text, with_unshown
from storage.core.dates import DateProblem, parse_field_date
from storage.core.i18n import N_, _
from storage.core.models import Resident
from storage.core.text import printable
from storage.register import drafts
from storage.register.assessments import latest_grades
from storage.register.categories import (
    HAZARDS,
    NEEDS,
    OBSERVATION_DIMENSIONS,
    REFERRAL_AGENCIES,
    RISK_LEVELS,
    SERVICES,
    VISIT_METHODS,
    checklists_for,
    label,
)
from storage.register.policy import age_on
from storage.register.referrals import REFERRAL_LEVELS
from storage.register.residents import get_resident
from storage.register.visits import correct_visit, log_visit, propose_next_visit, registration_moved_to
from tui.as_text import as_text, notify_text
from tui.assessment_section import AssessmentSection
from tui.footer import TranslatedFooter
from tui.form_keys import FORM_KEYS, FormKeys
from tui.form_scroll import FormScroll
from tui.formatting import format_date
from tui.header import Header
from tui.ordered_keys import TextBox, TextInput, after_typing
from tui.ticks import TickBox, TickList

if TYPE_CHECKING:
    from screens.host import ScreenHost

# the one question about contact, asked as the method needs it; none for a visit learnt through others
CONTACT_QUESTIONS = {"home": N_("Resident seen in person"), "phone": N_("Person reached (spoke with them)"),
                     "video": N_("Person reached (spoke with them)")}
TEXT_INPUTS = ("visit_date", "visitor", "met_with", "next_visit_on", "referral_reason", "referral_department",
               "referral_due")
def _row(title: str, widget: Widget, field: str) -> list[Widget]:
    return field_row(widget, field, title)  # a visit's own words: "Date", "How", "Met with"


class VisitFormScreen(FormKeys, AssessingFormScreen):
    """Dismissed with the new visit's id, or None when discarded. With `visit_id`: that visit, filled in, to correct
    (its referral and assessment are records of their own, not corrected here; a correction keeps no draft)."""
    app: ScreenHost  # the app it runs in: screens/host.py

    CSS_PATH = "visit_form.tcss"
    SAVED = N_("Visit saved.")
    DRAFT_KIND = "visit"
    RESTORE_QUESTION = N_("Restore the new visit to {name} left unsaved at {time}?")
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="visit.cancel"),
        *FORM_KEYS,
    ]

    def __init__(self, resident_id: str, *, visit_id: str | None = None):
        super().__init__()
        self.resident_id = resident_id
        self.visit_id = visit_id
        self._visit_values: dict[str, Any] | None = None  # the visit corrected, as the form shows it
        if visit_id is not None:  # no draft: one is keyed by resident, and would be offered back as a new visit
            self.DRAFT_KIND, self.SAVED = "", N_("Visit corrected.")
        self.resident: Resident | None = None
        self._proposed: str = ""
        self._next_touched = False
        self._previous_grades: dict[str, str] = {}
        self._moved_registration: dt.date | None = None  # the registration date the save moved back to

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="who")
        yield FormScroll(Static(_("Loading…"), id="loading"), id="form")
        yield TranslatedFooter()

    def _title(self) -> str:
        return _("Correct the visit") if self.visit_id else _("New visit")

    def on_mount(self) -> None:
        self.title = self._title()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="visit-load")
    def _load(self) -> None:
        resident = get_resident(self.app.db, self.resident_id)
        today = self.app.today()
        proposed = propose_next_visit(self.app.db, self.resident_id, today, resident.risk_level)
        draft = self.load_draft()
        self._previous_grades = latest_grades(self.app.db, self.resident_id)
        if self.visit_id is not None:
            self._visit_values, proposed = visit_values(self.app.db, self.resident_id, self.visit_id, today)
        self.app.call_from_thread(self._build, resident, proposed, draft)

    # --- building the form ------------------------------------------------------

    def _fields(self, r: Resident, proposed: dt.date) -> list[Widget]:
        worker = proposed_visitor(self.app.identity)
        today = self.app.today().isoformat()
        w: list[Widget] = []
        w += date_row(today, "visit_date", _("Date"))
        w.append(Label("", id="registration-note", classes="derived -empty"))
        w += _row(_("How"), Select([(_(v), k) for k, v in VISIT_METHODS.items()], value="home", allow_blank=False,
                                   id="method", compact=True), "method")
        w += _row(_("Visitor"), TextInput(worker, id="visitor", compact=True), "visitor")
        w += _row(_("Met with"), TextInput(placeholder=_("e.g. grandmother, the resident"), id="met_with", compact=True), "met_with")
        w.append(TickBox(_(CONTACT_QUESTIONS["home"]), True, id="contact_made", compact=True))
        w.append(Static(_("Observations"), classes="heading"))
        dims, hazards, needs = checklists_for(r.categories, age_on(r.birth_date, self.app.today()))
        for dim in dims:
            w += _row(label(OBSERVATION_DIMENSIONS, dim), TextInput(id=f"obs-{dim}", classes="obs", compact=True), f"obs-{dim}")
        w.append(error_label("observations"))
        for field, title, table, codes in (
            ("hazards", _("Safety hazards found"), HAZARDS, hazards),
            ("needs", _("Needs"), NEEDS, needs),
            ("services", _("Services delivered"), SERVICES, list(SERVICES)),
        ):
            w.append(Static(title, classes="heading"))
            w.append(TickList(*[(label(table, c), c) for c in codes], id=field, compact=True))
            w.append(error_label(field))
        w.append(AssessmentSection(previous=self._previous_grades))
        referral_from = len(w)
        w.append(Static(_("Referral (optional)"), classes="heading"))
        w += _row(_("Refer to"), Select([(_(v), k) for k, v in REFERRAL_AGENCIES.items()], prompt=_("No referral"),
                                        id="referral_agency", compact=True), "referral_agency")
        w += _row(_("Why"), TextInput(id="referral_reason", compact=True), "referral_reason")
        w += _row(_("Level"), Select([(_(v), k) for k, v in REFERRAL_LEVELS.items()], value="township",
                                     allow_blank=False, id="referral_level", compact=True), "referral_level")
        w += _row(_("Department"), TextInput(placeholder=_("e.g. the county civil affairs bureau"), id="referral_department",
                                         compact=True), "referral_department")
        w += date_row("", "due_on", _("Follow up by"), input_id="referral_due",
                      placeholder=_("e.g. 12-15; empty: a week after the visit"))
        if self.visit_id is not None:  # a correction changes the visit only: its referral and assessment stay
            for widget in w[referral_from - 1:]:
                widget.display = False
        w.append(Static(_("After the visit"), classes="heading"))
        w += _row(_("Risk"), Select([(_(v), k) for k, v in RISK_LEVELS.items()], value=r.risk_level,
                                    allow_blank=False, id="risk_after", compact=True), "risk_after")
        w.append(TickBox(_("Must be reported at once"), False, id="mandatory_report", compact=True))
        w += date_row(proposed.isoformat(), "next_visit_on", _("Next visit"))
        w.append(Static(_("Notes"), classes="heading"))
        w.append(TextBox(id="notes", soft_wrap=True, tab_behavior="focus", compact=True))
        w.append(error_label("notes"))
        return w

    def _show_who(self, r: Resident) -> None:
        self.query_one("#who", Static).update(as_text(who_text(r, self.app.today())))

    async def _build(self, r: Resident, proposed: dt.date, draft: drafts.Draft | None) -> None:
        self.resident = r
        self.sub_title = printable(r.name)
        self._proposed = proposed.isoformat()
        self._show_who(r)
        form = self.query_one("#form", FormScroll)
        await form.remove_children()
        await form.mount_all(self._fields(r, proposed))
        if self._visit_values is not None:
            self.apply_values(self._visit_values)
        self._pristine = self.values()
        self._note_registration()
        # the first field first: a date typed at once replaces today's (a visit typed in later is back-dated;
        # it went into 访谈对象 when the cursor started there, and the visit was saved dated today)
        self.query_one("#visit_date", Input).focus()
        self.offer_draft(draft)

    def language_changed(self) -> None:
        """Called by the app after a language switch: build the form again, keeping what was typed."""
        self.title = self._title()
        if self.resident is not None:
            self._show_who(self.resident)
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        if self.resident is None or self._pristine is None:
            return
        values, pristine = self.values(), self._pristine
        self._pristine = None  # no draft writes while the form is rebuilt
        form = self.query_one("#form", FormScroll)
        await form.remove_children()
        await form.mount_all(self._fields(self.resident, dt.date.fromisoformat(self._proposed)))
        self.apply_values(values)
        self._pristine = pristine

    def draft_key(self) -> str:
        return self.resident_id

    def draft_name(self) -> str:
        return self.resident.name if self.resident else ""

    # --- values ------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Everything typed so far, as plain JSON (what a draft stores)."""
        q = self.query_one
        return {
            **{name: q(f"#{name}", Input).value for name in TEXT_INPUTS},
            "method": q("#method", Select).value,
            "contact_made": q("#contact_made", Checkbox).value,
            "observations": {i.id[4:]: i.value for i in self.query("Input.obs").results(Input) if i.value.strip()},
            "hazards": list(q("#hazards", SelectionList).selected),
            "needs": list(q("#needs", SelectionList).selected),
            "services": list(q("#services", SelectionList).selected),
            "referral_agency": None if q("#referral_agency", Select).value == Select.NULL else q("#referral_agency", Select).value,
            "risk_after": q("#risk_after", Select).value,
            "mandatory_report": q("#mandatory_report", Checkbox).value,
            "next_touched": self._next_touched,
            "notes": q("#notes", TextArea).text,
            "referral_level": q("#referral_level", Select).value,
            "assessment_grades": q(AssessmentSection).grades(),
            "assessment_notes": q(AssessmentSection).notes(),
        }

    def draft_widget_ids(self, name: str, value: Any) -> set[str]:
        # the observations are one value of the draft, a box each on the form (#obs-health)
        return {f"obs-{dim}" for dim in value} if name == "observations" and isinstance(value, dict) else {name}

    def apply_values(self, values: dict[str, Any]) -> None:
        q = self.query_one
        for name in TEXT_INPUTS:
            if isinstance(values.get(name), str):
                q(f"#{name}", Input).value = values[name]
        for name, table in (("method", VISIT_METHODS), ("risk_after", RISK_LEVELS), ("referral_agency", REFERRAL_AGENCIES),
                            ("referral_level", REFERRAL_LEVELS)):
            if drafts.is_code_of(values.get(name), table):
                q(f"#{name}", Select).value = values[name]
        if isinstance(values.get("resident_seen"), bool) and "contact_made" not in values:  # a draft from before
            q("#contact_made", Checkbox).value = values["resident_seen"]
        for name in ("contact_made", "mandatory_report"):
            if isinstance(values.get(name), bool):
                q(f"#{name}", Checkbox).value = values[name]
        self._ask_contact()
        observations = values.get("observations")  # a draft of another release may hold another shape
        for dim, text in (observations if isinstance(observations, dict) else {}).items():
            for widget in self.query(f"#obs-{dim}").results(Input):
                widget.value = text if isinstance(text, str) else ""
        for name in ("hazards", "needs", "services"):
            choices = q(f"#{name}", SelectionList)
            choices.deselect_all()
            codes = values.get(name)
            for code in codes if isinstance(codes, list) else []:
                if any(choices.get_option_at_index(i).value == code for i in range(choices.option_count)):
                    choices.select(code)
        if isinstance(values.get("notes"), str):
            q("#notes", TextArea).text = values["notes"]
        self._next_touched = bool(values.get("next_touched"))
        grades, notes = values.get("assessment_grades"), values.get("assessment_notes")
        self.query_one(AssessmentSection).apply(grades if isinstance(grades, dict) else None,
                                                notes if isinstance(notes, dict) else None)

    # --- reacting to changes ------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    def _changed(self, event) -> None:
        if self._pristine is None:
            return
        control = getattr(event, "control", None)
        control_id = getattr(control, "id", None)
        if self.visit_id is not None and isinstance(control, Input) and control.value != event.value:
            return  # a value the visit corrected replaced since (its mount's): the next event says what is there
        if control_id == "method":
            self._ask_contact()
        if control_id == "next_visit_on":
            self._next_touched = event.value != self._proposed
        elif control_id in ("risk_after", "visit_date") and not self._next_touched:
            self._propose()
        if control_id == "visit_date":
            self._note_registration()
        self.draft_changed()

    def _ask_contact(self) -> None:
        """见到本人 on a home visit, 联系到本人 on a call; no question for a visit learnt through others."""
        method = self.query_one("#method", Select).value
        box = self.query_one("#contact_made", Checkbox)
        question = CONTACT_QUESTIONS.get(str(method))
        box.display = question is not None
        if question is not None:
            box.label = _(question)

    def _note_registration(self) -> None:
        """Under the date, before saving: a visit before the registration date moves that date back
        (storage/register/visits.py log_visit), or it would count in no month's report."""
        r, message = self.resident, ""
        try:
            day = parse_field_date("visit_date", self.query_one("#visit_date", Input).value, self.app.today())
        except DateProblem:
            day = None
        moved = registration_moved_to(r, day) if r is not None else None
        if r is not None and moved is not None:
            # two lines: each fits under the date at 80 columns, a date never broken in two
            message = "\n".join((_("Before the registration date ({registered}).").format(
                registered=format_date(r.registered_on)), _("Saving moves it back to {date}: the visit counts in "
                                                             "its month's report.").format(date=format_date(moved))))
        set_message(self.query_one("#registration-note", Label), message)

    def _propose(self) -> None:
        try:
            when = parse_field_date("visit_date", self.query_one("#visit_date", Input).value, self.app.today())
        except DateProblem:
            return
        if when is None:
            return
        self._propose_in_thread(when, str(self.query_one("#risk_after", Select).value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="visit-propose")
    def _propose_in_thread(self, when: dt.date, risk: str) -> None:
        proposed = propose_next_visit(self.app.db, self.resident_id, when, risk).isoformat()
        self.app.call_from_thread(self._set_proposed, proposed)

    def _set_proposed(self, proposed: str) -> None:
        if not self._next_touched:
            self._proposed = proposed
            self.query_one("#next_visit_on", Input).value = proposed

    # --- saving and leaving -----------------------------------------------------------

    @after_typing
    def action_save(self) -> None:
        if not self.can_save():
            return
        v = self.values()
        errors = {}
        if v["referral_agency"] and not v["referral_reason"].strip():
            errors["referral_reason"] = _("Say why the resident is referred.")
        if v["referral_reason"].strip() and not v["referral_agency"]:
            errors["referral_agency"] = _("Choose where the referral goes.")
        if errors:
            self.show_errors(errors)
            return
        fields, referral = visit_fields(v)
        self.stop_draft_timer()
        db, today, assessment = self.app.db, self.app.today(), assessment_of(v)

        if self.visit_id is not None and self._pristine is not None:
            self.save(self._correction(fields, visit_fields(self._pristine)[0], today))
            return

        def store() -> str:  # the visit, its referral, its assessment: one transaction, all checked first
            visit = log_visit(db, self.resident_id, fields, referral=referral, assessment=assessment, today=today)
            visit_id = visit.id
            if self.resident is not None and get_resident(db, self.resident_id).registered_on != self.resident.registered_on:
                self._moved_registration = visit.visit_date  # the visit moved it back: said once saved
            self._follow_up = follow_up(db, self.resident_id, visit_id)  # an emergency's report, a risk review
            return visit_id

        self.save(store)

    def _saved(self, saved_id: str) -> None:
        super()._saved(saved_id)
        if self._moved_registration is not None:
            notify_text(self.app, _("The registration date is now {date}: the visit counts in its month's report.")
                        .format(date=format_date(self._moved_registration)), timeout=10)

    def _correction(self, fields: dict[str, Any], before: dict[str, Any], today: dt.date):
        """The save of a correction: the fields changed on the form only (a code the form does not offer, kept)."""
        db, visit_id = self.app.db, self.visit_id
        assert visit_id is not None
        changes = {k: value for k, value in fields.items() if value != before.get(k)}
        changes = with_unshown(changes, self._visit_values or {}, self._shown())

        def store() -> str:
            correct_visit(db, visit_id, changes, today=today)
            self._follow_up = follow_up(db, self.resident_id, visit_id)
            return visit_id

        return store

    def _shown(self) -> dict[str, set[str]]:
        """The observation dimensions and the codes of each list the form offers (the resident's categories')."""
        shown = {"observations": {i.id[4:] for i in self.query("Input.obs").results(Input) if i.id}}
        for name in ("hazards", "needs", "services"):
            choices = self.query_one(f"#{name}", SelectionList)
            shown[name] = {str(choices.get_option_at_index(i).value) for i in range(choices.option_count)}
        return shown

    def action_cancel(self) -> None:
        self.leave(_("Discard your corrections to this visit?") if self.visit_id is not None else
                   _("Discard this visit? What you typed is lost."))
