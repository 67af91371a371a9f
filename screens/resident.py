"""One resident: profile, categories, family, disability, risk, visits, referrals; actions by key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.benefits import BenefitsScreen, benefit_lines
from screens.latest import show_if_latest
from screens.paired_helper import PairedHelperScreen
from screens.read_only import at_county
from screens.resident_case import CaseActions
from screens.resident_form import ResidentFormScreen
from screens.resident_visits import VisitActions
from screens.visit_form import VisitFormScreen
from screens.worker_errors import NotifyWorkerErrors
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, join_list
from storage.core.offices import name_text
from storage.core.text import printable
from storage.register import referrals
from storage.register.benefits import benefit_summary
from storage.register.categories import (
    ALL_FLAGS,
    CHILD_CATEGORIES,
    CHILD_SUBTYPES,
    CLOSE_REASONS,
    PARENT_STATUSES,
    REFERRAL_AGENCIES,
    RISK_LEVELS,
    SHOWN_CATEGORIES,
    label,
    with_derived,
)
from storage.register.idnumbers import DISABILITY_CATEGORIES, DISABILITY_GRADES
from storage.register.moved_here import seen as moved_here_seen
from storage.register.profile import Profile, resident_profile
from tui.as_text import as_text, notify_text
from tui.assessment_view import assessment_renderable
from tui.footer import TranslatedFooter
from tui.formatting import format_date
from tui.header import Header
from tui.line_breaks import typeset
from tui.resident_lines import (
    DATE_WIDTH,
    closing_lines,
    contact_line,
    due_line,
    field_line,
    labels,
    note_lines,
    referral_cells,
    risk_changes,
    text_line,
    visit_lines,
)
from tui.table import Table
from tui.texts import RISK_STYLES, SEX_LABELS, two_lines

if TYPE_CHECKING:
    from screens.host import ScreenHost


class ResidentScreen(CaseActions, VisitActions, NotifyWorkerErrors, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "resident.tcss"
    BINDINGS = [
        Binding("n", "new_visit", N_("New visit"), id="resident.visit"),
        # a visit saved with a wrong date or field: chosen from a list, then corrected or deleted; said by the
        # Visits heading (the footer's keys no longer fitted 80 columns with it: F1's word was cut)
        Binding("v", "pick_visit", N_("Correct a visit"), show=False, id="resident.visit-correct"),
        Binding("e", "edit", N_("Edit"), id="resident.edit"),
        Binding("r", "change_risk", N_("Risk"), id="resident.risk"),
        Binding("f", "open_referral", N_("Refer"), id="resident.refer"),
        # shown in F1's help and the palette; the page's own lines say "按 p 填写" where they apply
        Binding("c", "referral_status", N_("Follow up"), show=False, id="resident.referral-status"),
        # one key, its word following the case: 退出（销号） on the register, 恢复在册 once closed
        Binding("x", "close_case", N_("Close case"), id="resident.close"),
        Binding("x", "reopen_case", N_("Put back on the register"), id="resident.reopen"),
        Binding("b", "benefits", N_("Benefits"), show=False, id="resident.benefits"),
        Binding("p", "paired_helper", N_("Paired helper"), show=False, id="resident.paired-helper"),
        Binding("escape", "back", N_("Back"), id="resident.back"),
        # one rule for the paging keys: they scroll the page, also while the referral list has the cursor (there
        # they did nothing visible: the list holds a few rows); Up and Down move in the part with the cursor
        Binding("pageup", "page('up')", show=False, priority=True, id="resident.page.up"),
        Binding("pagedown", "page('down')", show=False, priority=True, id="resident.page.down"),
        Binding("home", "page('home')", show=False, priority=True, id="resident.page.home"),
        Binding("end", "page('end')", show=False, priority=True, id="resident.page.end"),
    ]
    HELP_SKIP = ("resident.page.",)  # explained in help_rows, as one rule
    LOAD_GROUPS = frozenset({"resident-load"})

    def help_rows(self) -> list[tuple[str, str]]:
        # short: the help's two columns fit 80 (key names as on the keyboard)
        return [
            ("PgUp PgDn Home End", N_("Scroll the page (always)")),
            (_("Tab"), N_("Page, then the referral list")),
            (_("Up, Down"), N_("Scroll, or move in the referrals")),
        ]

    def __init__(self, resident_id: str):
        super().__init__()
        self.resident_id = resident_id
        self.profile: Profile | None = None
        self.benefit_summary = None  # storage.register.benefits.BenefitSummary

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static(_("Loading…"), id="profile")
            yield Static("", id="categories", classes="section")
            yield Static("", id="family", classes="section")
            yield Static("", id="disability", classes="section")
            yield Static("", id="benefits", classes="section")
            yield Static("", id="risk", classes="section")
            yield Static("", id="assessment", classes="section")
            yield Static(_("Referrals"), classes="heading", id="h-referrals")
            yield Table(id="referrals", cursor_type="row")
            yield Static("", id="no-referrals")
            yield Static(_("Visits"), classes="heading", id="h-visits")
            yield Static("", id="visits")
        yield TranslatedFooter()

    REFERRAL_COLUMNS = (("agency", N_("Agency")), ("status", N_("Status")), ("opened", N_("Opened")),
                        ("due", N_("Follow up by")), ("reason", N_("Reason")))

    def on_mount(self) -> None:
        table = self.query_one("#referrals", DataTable)
        for key, title in self.REFERRAL_COLUMNS:
            table.add_column(two_lines(_(title), DATE_WIDTH), key=key)
        table.header_height = max(len(c.label.plain.split("\n")) for c in table.columns.values())  # "Follow / up by"
        self.reload()

    def language_changed(self) -> None:
        self._mark_referrals()
        self.query_one("#h-visits", Static).update(self._visits_heading())
        table = self.query_one("#referrals", DataTable)
        for key, title in self.REFERRAL_COLUMNS:
            table.columns[key].label = Text(two_lines(_(title), DATE_WIDTH))
        table.header_height = max(len(c.label.plain.split("\n")) for c in table.columns.values())
        if self.profile is not None:
            self._show(self.profile)

    def on_screen_resume(self) -> None:
        if self.profile is not None:
            self.reload()

    # --- loading and showing ---------------------------------------------------

    def reload(self) -> None:
        self._load(self.resident_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="resident-load")
    def _load(self, resident_id: str) -> None:
        if self.app.identity is not None and self.app.identity.role == "worker":  # opened: off Home's notice
            moved_here_seen(self.app.db, resident_id)
        profile = resident_profile(self.app.db, resident_id, self.app.today())
        summary = benefit_summary(self.app.db, resident_id, self.app.today())
        show_if_latest(self.app, self._show_with, profile, summary)

    def _show_with(self, profile: Profile, summary) -> None:
        self.benefit_summary = summary
        self._show(profile)

    def load_failed(self, line: str) -> None:
        """A record of this resident that cannot be read (a value edited into text that is not JSON): the page says
        so, and how to put a backup back, in place of "Loading…" over empty headings (or an older reading)."""
        self.profile = None
        self.query_one("#profile", Static).update(as_text(line, style="bold red"))
        for part in self.query_one("#body").children[1:]:
            part.display = False

    def _visits_heading(self) -> str:
        return _("Visits") if self._read_only() else _("Visits (v: correct or delete one)")

    def _show(self, p: Profile) -> None:
        self.profile = p
        for part in self.query_one("#body").children:  # (hidden by a read that failed; what depends is set below)
            part.display = True
        self.query_one("#h-visits", Static).update(self._visits_heading())
        r, today = p.resident, self.app.today()
        self.title = printable(r.name)
        self.sub_title = _("Resident")
        head = Text(r.name, style="bold")
        head.append("  " + narrow(" · ").join(x for x in (label(SEX_LABELS, r.sex),
                                                    _("{n} years").format(n=p.age) if p.age is not None else "") if x))
        if r.status == "closed":
            head.append("  " + _("Case closed: {reason}, {date}").format(
                reason=label(CLOSE_REASONS, r.close_reason), date=format_date(r.closed_on)), style="bold red")
        overdue = p.due_on is not None and p.due_on < today and r.status == "active"
        lines: list[Text | Group] = [head, *closing_lines(r), field_line(_("ID number"), r.id_number or ""),
                                     contact_line(r), field_line(_("Address"), r.address),
                                     field_line(_("Registered on"), format_date(r.registered_on))]
        role = self.app.identity.role if self.app.identity is not None else "worker"
        if role != "worker":  # a clerk calls the grid's worker about this resident: where, and who
            lines.append(field_line(_("Grid"), narrow(" · ").join(x for x in (
                p.township if role == "county" else "", p.grid, p.village,
                _("worker {name}").format(name=p.worker) if p.worker else "") if x)))
        if p.arrived is not None:  # when and how the person came to this grid: the clerk's move or registration
            lines.append(as_text((_("Moved from grid {grid} by the township on {date}.") if p.arrived.from_grid else
                                  _("Registered in this grid by the township on {date}.")).format(
                grid=printable(p.arrived.from_grid), date=format_date(p.arrived.on)), style="italic"))
        if p.merged_from:
            lines.append(as_text(_("Registered twice: the record in {grids} is merged into this one.").format(
                grids=join_list(p.merged_from)), style="italic"))
        if r.status == "active":  # a case out of the register is due for nothing
            lines.append(text_line((due_line(p, today), "bold red" if overdue else "")))
        if r.notes:
            lines.append(note_lines(_("Notes"), r.notes))
        self.query_one("#profile", Static).update(Group(*typeset(lines)))
        cats = [field_line(_("Categories"), labels(SHOWN_CATEGORIES, with_derived(r.categories, p.age)))]
        flags = [f for f in r.flags if f != "oldest_old"]  # 高龄 is shown with the categories, from the birth date
        if flags:
            cats.append(field_line(_("Flags"), labels(ALL_FLAGS, flags)))
        if r.child_subtype:
            cats.append(field_line(_("Child's situation"), label(CHILD_SUBTYPES, r.child_subtype)))
        if p.age_out_on is not None:
            msg = (_("Ages out of the child category on {date}: close the case or change its category.")
                   if p.age_out_on > self.app.today() else
                   _("Aged out of the child category on {date}: close the case or change its category."))
            cats.append(Text(msg.format(date=format_date(p.age_out_on)), style="bold dark_orange"))
        self.query_one("#categories", Static).update(Group(*typeset(cats)))
        guardian = " ".join(x for x in (r.guardian_name, r.guardian_relation, r.guardian_phone) if x)
        # a child's guardian, even when missing (监护人：— says so); an adult's only when one is recorded
        family = [field_line(_("Guardian"), guardian)] if guardian or set(r.categories) & set(CHILD_CATEGORIES) else []
        for who, name, status in ((_("Father"), r.father_name, r.father_status), (_("Mother"), r.mother_name, r.mother_status)):
            if name or status:
                family.append(field_line(who, " ".join(x for x in (name, label(PARENT_STATUSES, status)) if x)))
        self.query_one("#family", Static).update(Group(*typeset(family)))
        self.query_one("#family", Static).display = bool(family)
        disability = self.query_one("#disability", Static)
        disability.display = bool(r.disability_card)
        if r.disability_card:
            disability.update(field_line(_("Disability"), narrow("{cat} · {grade} · {card}").format(
                cat=label(DISABILITY_CATEGORIES, r.disability_category and int(r.disability_category)),
                grade=label(DISABILITY_GRADES, r.disability_grade and int(r.disability_grade)),
                card=r.disability_card)))
        risk = [text_line((_("Risk") + _(": "), "bold"),
                      (label(RISK_LEVELS, r.risk_level), RISK_STYLES.get(r.risk_level, "")))]
        width = max(cell_len(label(RISK_LEVELS, code)) for code in RISK_LEVELS)  # the rows line up
        changes = risk_changes(p.risk)[:5]
        # dated as the visits below them are (2026年9月13日, not 2026-09-13: walk F, 10), padded so the rows line up
        days = [format_date(a.assessed_on) for a in changes]
        day_width = max((cell_len(day) for day in days), default=0)
        for a, day in zip(changes, days, strict=True):
            risk.append(Text("  {date}  {level}  {reason}  {who}".format(
                date=set_cell_size(day, day_width), level=set_cell_size(label(RISK_LEVELS, a.level), width),
                reason=a.reason or _("assessed at a visit"), who=name_text(a.assessor)), style="dim"))
        self.query_one("#risk", Static).update(Group(*typeset(risk)))
        self.query_one("#assessment", Static).update(
            assessment_renderable(p.assessments, r.risk_level, format_date))
        self._show_benefits(r)
        self._show_referrals(p)
        self._show_visits(p)
        self.refresh_bindings()  # x closes or reopens, as the case now stands

    def _show_benefits(self, r) -> None:
        """Benefits in force, 应享未享 hints, and the paired helper (b and p open their screens)."""
        self.query_one("#benefits", Static).update(Group(*typeset(benefit_lines(r, self.benefit_summary, self.app.today(),
                                                                                 keys=not self._read_only()))))

    def _show_referrals(self, p: Profile) -> None:
        """The agency and the reason wrap (never cut at the screen's edge): the reason gets what the others leave."""
        table = self.query_one("#referrals", DataTable)
        table.clear()
        width = table.size.width or self.app.size.width - 4
        for ref in p.referrals:
            cells = referral_cells(ref, width, self.app.today())
            table.add_row(*cells, key=ref.id, height=max(len(c.plain.split("\n")) for c in (cells[0], cells[3], cells[4])))
        table.display = bool(p.referrals)
        empty = self.query_one("#no-referrals", Static)
        empty.display = not p.referrals
        empty.update(Text(_("No referral."), style="dim"))

    def _show_visits(self, p: Profile) -> None:
        self.query_one("#visits", Static).update(Group(*visit_lines(p)) if p.visits
                                                 else Text(_("No visit yet."), style="dim"))

    # --- actions -------------------------------------------------------------

    # what changes the resident: none of it at a county, which only merges and reports (DESIGN §2; storage refuses
    # the write there too: storage/core/changes.py writing_identity)
    WRITES = frozenset({"new_visit", "pick_visit", "edit", "change_risk", "open_referral", "referral_status", "close_case",
                        "reopen_case", "benefits", "paired_helper"})

    def _read_only(self) -> bool:
        return at_county(self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITES and self._read_only():
            return False
        closed = self.profile is not None and self.profile.resident.status == "closed"
        if action == "close_case":
            return not closed
        if action == "reopen_case":
            return closed
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_page(self, where: str) -> None:
        body = self.query_one("#body", VerticalScroll)
        {"up": body.scroll_page_up, "down": body.scroll_page_down, "home": body.scroll_home,
         "end": body.scroll_end}[where](animate=False)

    def on_descendant_focus(self) -> None:
        self._mark_referrals()

    def on_descendant_blur(self) -> None:
        self._mark_referrals()

    def _mark_referrals(self) -> None:
        """The referral list, while it has the cursor, says so on its heading (Up and Down then move in it)."""
        inside = self.app.focused is self.query_one("#referrals", DataTable)
        heading = self.query_one("#h-referrals", Static)
        heading.set_class(inside, "-active")
        if not inside:
            heading.update(_("Referrals"))
        elif self._read_only():  # a county follows nothing up
            heading.update(_("Referrals · Up, Down: move in the list; Tab: back to the page"))
        else:
            heading.update(_("Referrals · Up, Down: choose one; c: follow it up; Tab: back to the page"))

    def action_new_visit(self) -> None:
        self.app.push_screen(VisitFormScreen(self.resident_id))

    def action_benefits(self) -> None:
        name = self.profile.resident.name if self.profile else ""
        self.app.push_screen(BenefitsScreen(self.resident_id, name))

    def action_paired_helper(self) -> None:
        if self.profile is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                notify_text(self, _("Saved."))
                self.reload()

        self.app.push_screen(PairedHelperScreen(self.profile.resident), done)

    def action_edit(self) -> None:
        self.app.push_screen(ResidentFormScreen(self.resident_id))

    def action_open_referral(self) -> None:
        from screens.referral_dialog import ReferralScreen

        def chosen(choice) -> None:
            if choice is not None:
                self._write(_("Referral opened."), referrals.open_referral, self.resident_id, choice.agency,
                            choice.reason, opened_on=self.app.today(), today=self.app.today(), level=choice.level,
                            department=choice.department, due_on=choice.due_on or None)

        self.app.push_screen(ReferralScreen(self.app.today()), chosen)

    def action_referral_status(self) -> None:
        from screens.referral_dialog import FollowUpChoice, FollowUpScreen

        table = self.query_one("#referrals", DataTable)
        if self.profile is None or not self.profile.referrals:
            notify_text(self, _("No referral yet: press f to open one."))
            return
        ref = self.profile.referrals[min(table.cursor_row, len(self.profile.referrals) - 1)]
        title = _("Referral to {agency}: {reason}").format(agency=label(REFERRAL_AGENCIES, ref.agency), reason=ref.reason)
        today = self.app.today()

        def chosen(choice: FollowUpChoice | None) -> None:
            if choice is not None:
                self._write(_("Referral updated."), referrals.set_referral_status, ref.id, choice.status, choice.outcome,
                            closed_on=today, today=today, follow_up_by=None if choice.status == "closed" else choice.due_on)

        # closing a referral ends the follow-up: asked (No, the default, goes back to the dialog as filled in)
        question = None if ref.status == "closed" else _(
            "Mark the referral to {agency} as done? It leaves the open referrals.").format(
            agency=label(REFERRAL_AGENCIES, ref.agency))
        self.app.push_screen(FollowUpScreen(title, ref.due_on, today, closing_question=question), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="resident-write")
    def _write(self, done: str, write: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """`write(db, *args, **kwargs)` (a storage function) off the event loop; then `done` and the page again."""
        write(self.app.db, *args, **kwargs)
        self.app.call_from_thread(notify_text, self, done)
        self.app.call_from_thread(self.reload)
