"""An office's name where a person's would be: a township or county set up without its clerk's name signs its
work with the office's label, stored as text in the language of the set-up (events, the audit log, the policy's
set_by and an acknowledgement's acknowledged_by carry it as written). Stored as it is, since every bundle and
every older database already carries it so; it is recognised in either language and shown in the reader's."""

from __future__ import annotations

from storage.core.i18n import _, translator
from storage.core.text import printable

OFFICE_LABELS = ("Township clerk", "County administrator")  # an office's name when set-up gave no person's


def office_of(name: str | None, offices: tuple[str, ...] = OFFICE_LABELS) -> str | None:
    """The office (its msgid) whose label `name` is, in either language set-up stored it in; None for a person."""
    return next((office for office in offices
                 if name in {office, translator("zh_CN")(office), translator("en")(office)}), None)


def person_text(name: str | None, limit: int | None = None) -> str:
    """A person's name as an event, a bundle or a record gives it, printable; an office's label in the language
    of the moment (a name the clerk typed stays as typed)."""
    office = office_of(name)
    return _(office) if office else printable(name or "", limit=limit)


def name_text(name: str | None) -> str:
    """`name` as a report's cell or a form's proposal gives it: an office's label in the language of the moment,
    a person's name unchanged (the cell's own rules make it safe)."""
    office = office_of(name)
    return _(office) if office else (name or "")
