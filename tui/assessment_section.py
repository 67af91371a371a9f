"""The six-dimension assessment as a form section (visit form, new-resident form).

An optional section, folded at first (one Tab stop; Enter opens it). Each dimension is one row:
its name, the grade, a short note. On a grade, the digit keys choose directly — 0 无困难,
1 轻度, 2 中度, 3 重度, 4 不适用 — and Delete clears it; Enter or Space opens the list as on
any choice. F1 lists these keys while a grade has the focus. A previous assessment's grade shows
as the note's placeholder, so a reassessment starts from what was found last time.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Collapsible, Input, Label, Select

from storage.core.i18n import N_, _
from storage.register.assessments import DIMENSIONS, GRADES, error_field
from storage.register.drafts import is_code_of
from tui.ordered_keys import TextInput

KEYS = {"0": "none", "1": "mild", "2": "moderate", "3": "severe", "4": "na"}


def grade_options() -> list[tuple[str, str]]:
    digit = {code: key for key, code in KEYS.items()}
    return [(f"{digit[code]} {_(title)}", code) for code, title in GRADES.items()]


class GradeSelect(Select[str]):
    """A grade: a Select that also takes the digit keys."""

    BINDINGS = [
        *(Binding(key, f"grade('{code}')", GRADES[code], show=False, id=f"assessment.grade.{code}")
          for key, code in KEYS.items()),
        Binding("delete,backspace", "grade('')", N_("Clear the grade"), show=False, id="assessment.grade.clear"),
    ]

    def __init__(self, dim: str) -> None:
        super().__init__(grade_options(), prompt=_("not graded"), id=error_field(dim), compact=True,
                         classes="grade")
        self.dimension = dim

    def action_grade(self, code: str) -> None:
        self.value = code if code else Select.NULL


class AssessmentSection(Collapsible):
    """Six rows of grade + note; `grades()` and `notes()` read them, `apply()` fills them."""

    def __init__(self, *, previous: dict[str, str] | None = None, collapsed: bool = True) -> None:
        rows: list[Widget] = []
        for dim, title in DIMENSIONS.items():
            before = (previous or {}).get(dim)
            hint = _("last time: {grade}").format(grade=_(GRADES[before])) if before in GRADES else _("short note")
            rows.append(Horizontal(Label(_(title), classes="field-label"), GradeSelect(dim),
                                   TextInput(placeholder=hint, id=f"assess_note_{dim}", compact=True, classes="note"),
                                   classes="field assessment-row"))
            rows.append(Label("", id=f"err-{error_field(dim)}", classes="error -empty"))
        super().__init__(*rows, title=_("Six-dimension assessment (optional): 0-3 grade, 4 not applicable"),
                         collapsed=collapsed, id="assessment")

    def grades(self) -> dict[str, str]:
        out = {}
        for widget in self.query(GradeSelect).results(GradeSelect):
            if widget.value != Select.NULL:
                out[widget.dimension] = str(widget.value)
        return out

    def notes(self) -> dict[str, str]:
        return {dim: text for dim in DIMENSIONS
                if (text := self.query_one(f"#assess_note_{dim}", Input).value.strip())}

    def apply(self, grades: dict[str, Any] | None, notes: dict[str, Any] | None) -> None:
        grades, notes = grades or {}, notes or {}
        for widget in self.query(GradeSelect).results(GradeSelect):
            code = grades.get(widget.dimension)
            widget.value = code if is_code_of(code, GRADES) else Select.NULL
        for dim in DIMENSIONS:
            note = notes.get(dim)
            self.query_one(f"#assess_note_{dim}", Input).value = note if isinstance(note, str) else ""
        if any(grades.values()) or any(notes.values()):
            self.collapsed = False
