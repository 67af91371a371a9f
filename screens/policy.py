"""The visit policy: shown on every laptop; the township clerk changes it here.

The work is storage.register.policy_set's (the same as `gridcare policy set`); this screen
collects the choices and shows what was stored. On a worker's laptop it only shows the
policy received from the township, and says so.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Select, Static

from screens.dialogs import ask_to_discard
from screens.latest import show_if_latest
from storage.core.errors import UserError
from storage.core.i18n import N_, _
from storage.register.categories import CATEGORIES, CHOOSABLE_CATEGORIES, RISK_LEVELS, VISIT_METHODS, label
from storage.register.policy import (
    COUNT_RULES,
    DEFAULT_POLICY,
    MONTH,
    PolicyError,
    check_category_rule,
    parse_every,
)
from storage.register.policy_set import changed_policy, current_policy, set_policy
from storage.register.policy_text import every_text, policy_lines
from storage.register.township_policies import county_policies, rules_key
from tui.footer import TranslatedFooter
from tui.header import Header
from tui.ordered_keys import TextInput, after_typing
from tui.relabel import compose_again, restore_values, typed_values
from tui.table import Table
from tui.texts import indented_lines

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)
RULE_WORDS = {"always": N_("always counts"), "reached": N_("counts when the person was reached"),
              "never": N_("never counts")}


def _row(title: str, widget) -> Horizontal:
    return Horizontal(Label(title, classes="field-label"), widget, classes="field")


class PolicyScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "policy.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
        Binding("delete", "drop_rule", N_("Remove rule"), id="policy.drop"),
        Binding("escape", "back", N_("Back"), id="policy.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.policy = None
        self.rules: list = []
        self.editable = False
        self._typed: dict[str, object] | None = None  # the editor's values through a language switch (F2)
        self._built: dict[str, object] = {}  # the editor's values as built: what differs was typed

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="policy-form"):
            yield Static("", id="policy-now", markup=False)
        yield Static("", id="policy-status", markup=False)
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Visit policy")
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a worker's laptop only shows the policy (its line says who sets it): no Save or Remove rule in its footer
        return self.editable or action not in ("save", "drop_rule")

    def language_changed(self) -> None:
        """F2: composed again (tui/relabel.py); the editor comes after the policy is read, and what was typed in
        it, the rules added or removed included, goes back into it then."""
        self._typed = {k: v for k, v in typed_values(self).items() if self._built.get(k) != v} if self.editable else {}
        self.call_later(compose_again, self)

    @work(thread=True, exclusive=True, exit_on_error=False, group="policy-load")
    def _load(self) -> None:
        by_township = county_policies(self.app.db)  # a county: each township's own, read-only
        policy = current_policy(self.app.db) if by_township is None else DEFAULT_POLICY
        show_if_latest(self.app, self._show, policy, by_township)

    async def _show(self, policy, by_township=None) -> None:
        typed, self._typed = self._typed, None
        self.policy, self.rules = policy, self.rules if self.editable and typed is not None else list(policy.categories)
        self.editable = self.app.identity is not None and self.app.identity.role == "township"
        self.refresh_bindings()
        lines = policy_lines(policy)
        if by_township is not None:
            lines = [_("Each township counts its visits under its own policy:")]
            for code, (name, township_policy) in by_township.items():
                lines.append(_("{name} ({code}):").format(name=name, code=code))
                lines += ["  " + line for line in policy_lines(township_policy)]
        elif not self.editable:
            lines.append(_("Only the township sets the visit policy: this laptop receives it in the township's "
                           "return bundle (gridcare policy shows the one in force)."))
        self.query_one("#policy-now", Static).update(indented_lines(lines))
        form = self.query_one("#policy-form", VerticalScroll)
        await self.query(".editor").remove()  # the editor again, with what was stored
        if self.editable:
            await form.mount_all(self._editor(policy))
            self._fill_rules()
            self._built = typed_values(self)  # ("month" in the words of the moment: not typed, not put back)
            restore_values(self, typed or {})

    def _editor(self, policy) -> list:
        widgets: list = [Static(_("Visits that count toward the month:"), classes="heading editor")]
        for method, rules in COUNT_RULES.items():
            widgets.append(_row(label(VISIT_METHODS, method),
                                Select([(_(RULE_WORDS[r]), r) for r in rules], value=policy.counts[method],
                                       allow_blank=False, id=f"count-{method}", compact=True)))
        widgets.append(Static(_("How often (\"month\": once every calendar month; or a number of days):"),
                              classes="heading"))
        for level in reversed(list(RISK_LEVELS)):
            every = policy.every[level]
            widgets.append(_row(_("{level} risk").format(level=label(RISK_LEVELS, level)),
                                TextInput(_("month") if every == MONTH else str(every), id=f"every-{level}",
                                      compact=True)))
        widgets.append(Static(_("Category rules (Enter adds; Delete removes the one selected):"), classes="heading"))
        widgets.append(Table(id="rules", cursor_type="row", zebra_stripes=True))
        widgets.append(Horizontal(
            Select([(label(CATEGORIES, c), c) for c in CHOOSABLE_CATEGORIES], prompt=_("Category"), id="rule-category",
                   compact=True),
            # short: at 80 columns each input is 19 cells wide ("年满（周岁，可不填）" was cut); Enter is in the heading
            TextInput(placeholder=_("age, if any"), id="rule-age", compact=True),
            TextInput(placeholder=_("month or days"), id="rule-every", compact=True),
            classes="rule-new"))
        for w in widgets[1:]:
            w.add_class("editor")
        return widgets

    def _fill_rules(self) -> None:
        table = self.query_one("#rules", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Category"), _("Aged at least"), _("How often"))
        for i, rule in enumerate(self.rules):
            table.add_row(label(CATEGORIES, rule.category), "" if rule.min_age is None else str(rule.min_age),
                          every_text(rule.every), key=str(i))

    # --- editing ------------------------------------------------------------------------------

    def _status(self, message: str) -> None:
        self.query_one("#policy-status", Static).update(message)

    @on(Input.Submitted, "#rule-every")
    @on(Input.Submitted, "#rule-age")
    def _add_rule(self, event: Input.Submitted) -> None:
        event.stop()
        category = self.query_one("#rule-category", Select).value
        age_text = self.query_one("#rule-age", Input).value.strip()
        every_text = self.query_one("#rule-every", Input).value
        if category == Select.NULL:
            self._status(_("Choose the category first."))
            return
        if age_text and not age_text.isdigit():
            self._status(_("An age in the policy must be a whole number from 0 to 130."))
            return
        try:
            rule = check_category_rule(category, every_text, int(age_text) if age_text else None)
        except PolicyError as exc:
            self._status(_(str(exc)))
            return
        self.rules = [r for r in self.rules if (r.category, r.min_age) != (rule.category, rule.min_age)] + [rule]
        self.query_one("#rule-age", Input).value = ""
        self.query_one("#rule-every", Input).value = ""
        self._status("")
        self._fill_rules()

    def action_drop_rule(self) -> None:
        table = self.query("#rules")
        if not self.editable or not table or not self.rules:
            return
        row = table.first(DataTable).cursor_row
        if 0 <= row < len(self.rules):
            del self.rules[row]
            self._fill_rules()

    @after_typing
    def action_save(self) -> None:
        if not self.editable or self.policy is None:
            self._status(_("Only the township sets the visit policy: this laptop receives it in the township's "
                           "return bundle (gridcare policy shows the one in force)."))
            return
        try:
            new = self._form_policy()
        except _LevelProblem as exc:
            self._status(_("{level} risk: {problem}").format(level=label(RISK_LEVELS, exc.level),
                                                             problem=_(str(exc.__cause__))))
            self.query_one(f"#every-{exc.level}", Input).focus()
            return
        self._save(new)

    def _form_policy(self):
        """The policy as the form now has it (the stored one's with the form's values)."""
        assert self.policy is not None
        counts = {m: str(self.query_one(f"#count-{m}", Select).value) for m in COUNT_RULES}
        every = {}
        for level in RISK_LEVELS:
            try:
                every[level] = parse_every(self.query_one(f"#every-{level}", Input).value)
            except PolicyError as exc:
                raise _LevelProblem(level) from exc
        return changed_policy(self.policy, counts=counts, every=every, drop_rules=[(r.category, r.min_age)
                                                                                 for r in self.policy.categories],
                              add_rules=self.rules)

    def is_dirty(self) -> bool:
        """Whether Esc would lose something: a value changed from the policy in force, or a rule typed, not added."""
        if not self.editable or self.policy is None:
            return False
        if self.query_one("#rule-every", Input).value.strip() or self.query_one("#rule-age", Input).value.strip():
            return True
        try:
            return rules_key(self._form_policy()) != rules_key(self.policy)
        except _LevelProblem:
            return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="policy-save")
    def _save(self, new) -> None:
        try:
            stored = set_policy(self.app.db, new, today=self.app.today())
        except UserError as exc:
            self.app.call_from_thread(self._status, str(exc))
            return
        self.app.call_from_thread(self._saved, stored)

    async def _saved(self, stored) -> None:
        await self._show(stored)
        self._status(_("Visit policy saved. It reaches each grid with the township's next return bundle."))

    def action_back(self) -> None:
        """Esc: back at once if nothing changed, else asked first, as the other forms do."""
        if self.is_dirty():
            ask_to_discard(self.app, _("Discard your changes?"), self.app.pop_screen)
        else:
            self.app.pop_screen()


class _LevelProblem(Exception):
    """A risk level's interval the form cannot read (its PolicyError is the cause)."""

    def __init__(self, level: str) -> None:
        super().__init__(level)
        self.level = level
