"""Adding or editing a resident, with the register's validation shown next to each field."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static, TextArea

from screens.after_save import follow_up
from screens.form import AssessingFormScreen, date_row, error_label, field_row, set_message
from screens.resident_questions import (
    ask_about_categories,
    ask_about_digits,
    ask_about_move,
    ask_about_namesakes,
    grid_label,
)
from storage.core.errors import ValidationError
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _
from storage.core.models import Resident
from storage.core.text import printable
from storage.register import drafts
from storage.register.assessments import is_blank
from storage.register.categories import (
    ALL_FLAGS,
    CHILD_SUBTYPES,
    CHOOSABLE_CATEGORIES,
    FLAGS,
    LEGACY_FLAGS,
    PARENT_STATUSES,
    RISK_LEVELS,
    label,
)
from storage.register.category_rules import asks_child_fields
from storage.register.emergencies import latest_finding
from storage.register.field_labels import field_label
from storage.register.grid_choice import township_grids
from storage.register.idnumbers import DISABILITY_CATEGORIES, DISABILITY_GRADES, parse_disability_card, parse_id_number
from storage.register.names import has_digits
from storage.register.residents import get_resident, register_resident, update_resident
from tui.as_text import as_text
from tui.assessment_section import AssessmentSection
from tui.footer import TranslatedFooter
from tui.form_keys import FORM_KEYS, FormKeys
from tui.form_scroll import FormScroll
from tui.formatting import format_date
from tui.header import Header
from tui.ordered_keys import TextBox, TextInput, after_typing
from tui.texts import SEX_LABELS
from tui.ticks import TickList

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)

INPUTS = ("name", "id_number", "birth_date", "phone", "address", "registered_on", "guardian_name", "guardian_phone",
          "guardian_relation", "father_name", "mother_name", "disability_card", "visit_frequency_days")
SELECTS = {"sex": SEX_LABELS, "child_subtype": CHILD_SUBTYPES, "father_status": PARENT_STATUSES,
           "mother_status": PARENT_STATUSES}
LISTS = {"categories": CHOOSABLE_CATEGORIES, "flags": FLAGS}


class ResidentFormScreen(FormKeys, AssessingFormScreen):
    """Dismissed with the resident's id once saved, or None."""
    app: ScreenHost  # the app it runs in: screens/host.py

    CSS_PATH = "resident_form.tcss"
    SAVED = N_("Resident saved.")
    DRAFT_KIND = "resident"
    RESTORE_QUESTION = N_("Restore the new resident {name} left unsaved at {time}?")
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="resident-form.cancel"),
        *FORM_KEYS,
    ]

    def __init__(self, resident_id: str | None = None):
        super().__init__()
        self.resident_id = resident_id
        self._resident: Resident | None = None
        self._digits_confirmed: str | None = None  # a name with digits the user said is right
        self._questions_confirmed: list[str] | None = None  # category doubts the user said are fine
        self._move_confirmed: str | None = None  # the grid the clerk said to move the resident to
        self._namesakes_confirmed: tuple | None = None  # (name, birth, grid) the user said is a new person
        self._grids: list[tuple[str, str, str]] = []  # a township's: (grid id, name, workers) to choose from
        self._township = False  # the clerk's form: it asks for the grid

    def compose(self) -> ComposeResult:
        yield Header()
        yield FormScroll(Static(_("Loading…"), id="loading"), id="form")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Edit resident") if self.resident_id else _("New resident")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="resident-form-load")
    def _load(self) -> None:
        resident = get_resident(self.app.db, self.resident_id) if self.resident_id else None
        identity = self.app.identity
        if identity is not None and identity.role == "township":
            self._township = True
            with self.app.db.engine.connect() as conn:
                self._grids = township_grids(conn)
        self.app.call_from_thread(self._build, resident, self.load_draft())

    def _fields(self, r: Resident | None) -> list[Widget]:
        def text(name: str) -> str:
            value = getattr(r, name, None) if r else None
            return "" if value is None else str(value)

        def select(name: str, table: dict[str, str]) -> Select:
            value = getattr(r, name, None) if r else None
            return Select([(_(v), k) for k, v in table.items()], prompt=_("—"), id=name, compact=True,
                          value=value if value in table else Select.NULL)

        def inp(name: str, **kw) -> Input:
            return TextInput(text(name), id=name, compact=True, **kw)

        w: list[Widget] = []
        w += field_row(inp("name"), "name")
        w += field_row(inp("id_number", placeholder=_("18 characters; empty if none")), "id_number")
        w.append(Label("", id="id-info", classes="derived -empty"))
        w += field_row(select("sex", SEX_LABELS), "sex")
        w += date_row(text("birth_date"), "birth_date")
        w += field_row(inp("phone"), "phone")
        w += field_row(inp("address"), "address")
        if self._township:  # the clerk's form: the grid whose worker visits the resident
            current = getattr(r, "grid_code", None)
            if current and current not in {g[0] for g in self._grids}:  # a grid no record or device names yet
                self._grids.append((current, "", ""))
            prompt = _("Choose a grid") if self._grids else _("No grid yet: give a worker an enrollment code first "
                                                              "(Devices, n)")
            w += field_row(Select([(as_text(grid_label(*g)), g[0]) for g in self._grids], prompt=prompt,
                                  id="grid_code", compact=True, value=current or Select.NULL), "grid_code")
        # since when a key person: a worker registering in December people cared for long before types
        # that day, or November's visits count in no report (storage/register/due.py month_standing)
        w += date_row(text("registered_on") if r else self.app.today().isoformat(), "registered_on")
        for name in ("categories", "flags"):
            chosen = set(getattr(r, name, None) or [])
            # a flag older releases offered stays listed where a resident has it, so saving keeps it
            offered = list(LISTS[name]) + [c for c in LEGACY_FLAGS if name == "flags" and c in chosen]
            w.append(Static(field_label(name), classes="heading"))
            w.append(TickList(*[(label(ALL_FLAGS if name == "flags" else LISTS[name], c), c, c in chosen)
                                 for c in offered], id=name, compact=True))
            w.append(error_label(name))
        # a child's situation and family: shown while the form is a child's (_show_child_fields)
        w.append(Vertical(
            *field_row(select("child_subtype", CHILD_SUBTYPES), "child_subtype"),
            Static(_("Family"), classes="heading"),
            *field_row(inp("guardian_name"), "guardian_name"),
            *field_row(inp("guardian_relation", placeholder=_("e.g. grandmother")), "guardian_relation"),
            *field_row(inp("guardian_phone"), "guardian_phone"),
            *field_row(inp("father_name"), "father_name"),
            *field_row(select("father_status", PARENT_STATUSES), "father_status"),
            *field_row(inp("mother_name"), "mother_name"),
            *field_row(select("mother_status", PARENT_STATUSES), "mother_status"),
            id="child-fields"))
        w.append(Static(_("Disability and visits"), classes="heading"))
        w += field_row(inp("disability_card", placeholder=_("20 characters")), "disability_card")
        w.append(Label("", id="card-info", classes="derived -empty"))
        # digits only, three at most (1-366): a card number typed one field too far was taken whole (walk F)
        w += field_row(inp("visit_frequency_days", placeholder=_("days; empty: the policy"), restrict=r"\d*",
                           max_length=3), "visit_frequency_days")
        if r is None:
            w += field_row(Select([(_(v), k) for k, v in RISK_LEVELS.items()], value="low",
                                        allow_blank=False, id="risk_level", compact=True), "risk_level")
            w.append(AssessmentSection())  # the assessment at registration
        w.append(Static(_("Notes"), classes="heading"))
        w.append(TextBox(text("notes"), id="notes", soft_wrap=True, tab_behavior="focus", compact=True))
        w.append(error_label("notes"))
        return w

    async def _build(self, r: Resident | None, draft: drafts.Draft | None = None) -> None:
        if r is not None:
            self.sub_title = printable(r.name)
        form = self.query_one("#form", FormScroll)
        await form.remove_children()
        await form.mount_all(self._fields(r))
        self._show_child_fields()
        self._pristine = self.values()
        self._resident = r
        self.query_one("#name", Input).focus()
        self.offer_draft(draft)

    def draft_key(self) -> str:
        return self.resident_id or drafts.NEW

    def draft_name(self) -> str:
        return self._resident.name if self._resident else ""

    def draft_shown(self) -> dict[str, Any] | None:
        return self._pristine if self.resident_id else None  # an edit: what the record had, as the form showed it

    def restore_question(self, name: str, when: str) -> str:
        if self.resident_id:  # an edit was asked about as a "registration": which form, and whose
            return _("Restore the changes to {name} left unsaved at {time}?").format(name=name, time=when)
        if not name:
            return _("Restore the new resident left unsaved at {time} (no name typed yet)?").format(time=when)
        return super().restore_question(name, when)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self.draft_changed()

    def language_changed(self) -> None:
        """Called by the app after a language switch: build the form again, keeping what was typed."""
        self.title = _("Edit resident") if self.resident_id else _("New resident")
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        if self._pristine is None:
            return
        values, pristine = self.values(), self._pristine
        self._pristine = None  # no draft writes while the form is rebuilt
        assessed = self._assessment()
        form = self.query_one("#form", FormScroll)
        await form.remove_children()
        await form.mount_all(self._fields(self._resident))
        self.apply_values(values)
        if assessed is not None:
            self.query_one(AssessmentSection).apply(*assessed)
        self._pristine = pristine

    def apply_values(self, values: dict[str, Any]) -> None:
        """What values() gave (a draft, or the form before a language switch), back into the widgets."""
        for name in INPUTS:
            if isinstance(values.get(name), str):
                self.query_one(f"#{name}", Input).value = values[name]
        for name, table in SELECTS.items():
            if name in values:
                self.query_one(f"#{name}", Select).value = values[name] if drafts.is_code_of(values[name], table) \
                    else Select.NULL
        for name in LISTS:
            widget = self.query_one(f"#{name}", SelectionList)
            widget.deselect_all()
            offered = {widget.get_option_at_index(i).value for i in range(widget.option_count)}
            codes = values.get(name)  # a draft of another release may hold another shape
            for code in codes if isinstance(codes, list) else []:
                if drafts.is_code_of(code, offered):
                    widget.select(code)
        if isinstance(values.get("notes"), str):
            self.query_one("#notes", TextArea).text = values["notes"]
        for grid in self.query("#grid_code").results(Select):
            if drafts.is_code_of(values.get("grid_code"), {g[0] for g in self._grids}):
                grid.value = values["grid_code"]
        if drafts.is_code_of(values.get("risk_level"), RISK_LEVELS) and self.query("#risk_level"):
            self.query_one("#risk_level", Select).value = values["risk_level"]
        self._show_child_fields()

    @on(SelectionList.SelectedChanged, "#categories")
    @on(Input.Changed, "#birth_date")
    @on(Input.Changed, "#id_number")
    def _child_or_not(self) -> None:
        self._show_child_fields()

    def _show_child_fields(self) -> None:
        """A child's situation and family asked of a child (a category, or the age), or where one is filled in.

        Judged when the categories or the birth change, never while one of these fields is typed in: the
        group does not vanish under the cursor when the last value in it is cleared."""
        try:
            values = self.values()
        except NoMatches:  # (the form being built again, after a language switch)
            return
        for group in self.query("#child-fields"):
            group.display = asks_child_fields(values, self.app.today())

    def _assessment(self) -> tuple[dict[str, str], dict[str, str]] | None:
        """(grades, notes) of the new resident's assessment section; None when editing, or left blank."""
        found = self.query(AssessmentSection)
        if not found:
            return None
        section = found.first(AssessmentSection)
        grades, notes = section.grades(), section.notes()
        return None if is_blank(grades, notes) else (grades, notes)

    def values(self) -> dict[str, Any]:
        v: dict[str, Any] = {name: self.query_one(f"#{name}", Input).value.strip() for name in INPUTS}
        for name in SELECTS:
            value = self.query_one(f"#{name}", Select).value
            v[name] = None if value == Select.NULL else value
        for name in LISTS:
            v[name] = list(self.query_one(f"#{name}", SelectionList).selected)
        v["notes"] = self.query_one("#notes", TextArea).text
        for grid in self.query("#grid_code").results(Select):
            v["grid_code"] = None if grid.value == Select.NULL else grid.value
        if self.resident_id is None:  # a registration's first risk level: in its draft too
            v["risk_level"] = self.query_one("#risk_level", Select).value
        return v

    # --- what the ID number and the card say, as they are typed ---------------------

    @on(Input.Changed, "#id_number")
    def _id_typed(self, event: Input.Changed) -> None:
        info_label = self.query_one("#id-info", Label)
        raw = "".join(event.value.split())
        set_message(self.query_one("#err-id_number", Label), "")
        if len(raw) not in (15, 18):
            set_message(info_label, _("{n} of 18 characters").format(n=len(raw)) if raw else "")
            return
        try:
            info = parse_id_number(raw, today=self.app.today())
        except ValidationError as e:
            set_message(info_label, "")
            set_message(self.query_one("#err-id_number", Label), e.message)
            return
        born = _("Born {date}, {sex}").format(date=format_date(info.birth_date, "long"), sex=label(SEX_LABELS, info.sex))
        if info.upgraded_from_15:
            # what the register will hold, and search by: its last digits are no longer the old card's
            born = _("{born}; an old 15-digit number, saved as {number}").format(born=born, number=info.number)
        set_message(info_label, born)
        # the number decides: keep the fields in step so saving never finds a mismatch
        self.query_one("#birth_date", Input).value = info.birth_date.isoformat()
        self.query_one("#sex", Select).value = info.sex

    @on(Input.Changed, "#disability_card")
    def _card_typed(self, event: Input.Changed) -> None:
        info_label = self.query_one("#card-info", Label)
        raw = "".join(event.value.split())
        set_message(self.query_one("#err-disability_card", Label), "")
        if len(raw) != 20:
            set_message(info_label, _("{n} of 20 characters").format(n=len(raw)) if raw else "")
            return
        try:
            card = parse_disability_card(raw, self.query_one("#id_number", Input).value.strip() or None,
                                         today=self.app.today())
        except ValidationError as e:
            set_message(info_label, "")
            set_message(self.query_one("#err-disability_card", Label), e.message)
            return
        severe = _("severe") if card.severe else _("not severe")
        set_message(info_label, narrow("{cat} · {grade} · {severe}").format(
            cat=label(DISABILITY_CATEGORIES, card.category), grade=label(DISABILITY_GRADES, card.grade), severe=severe))

    # --- saving ----------------------------------------------------------------------

    @after_typing
    def action_save(self) -> None:
        if not self.can_save():
            return
        # the values as the widgets give them: storage/ decides what "no value" is (storage/core/schema.py)
        fields = self.values()
        if has_digits(fields["name"]) and fields["name"] != self._digits_confirmed:
            ask_about_digits(self, fields["name"])
            return
        if ask_about_categories(self, fields) or ask_about_move(self, fields) or ask_about_namesakes(self, fields):
            return
        risk = str(fields.pop("risk_level")) if self.resident_id is None else None
        self.stop_draft_timer()
        db, today, rid = self.app.db, self.app.today(), self.resident_id
        if rid is None:
            assessment = self._assessment()

            def register() -> str:  # the resident, its first assessment: one transaction; then what follows
                saved = register_resident(db, fields, risk_level=risk or "low", today=today, assessment=assessment)
                finding = latest_finding(db, saved.id, saved.registered_on) if risk == "emergency" else None
                self._follow_up = follow_up(db, saved.id, finding=finding)
                return saved.id

            self.save(register)
        else:
            shown = self._pristine  # what the form opened with: a field left so is not written over a merge since
            self.save(lambda: update_resident(db, rid, fields, today=today, shown=shown).id)

    def is_dirty(self) -> bool:
        return super().is_dirty() or (self._pristine is not None and self._assessment() is not None)

    def action_cancel(self) -> None:
        self.leave(_("Discard your changes?"))
