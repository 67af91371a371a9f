"""The paired helper (结对帮扶人) of a resident: name, phone, unit and since when.

The helper belongs to the resident (docs/design.md §1), so these are resident fields
written through `update_resident`, merged like every other field. Who *should* have one
is storage/register/categories.py PAIRING_CATEGORIES; the lists are in benefit_lists.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_field_date
from storage.core.db import Database
from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.models import Resident
from storage.core.text import typed_text
from storage.register import idnumbers
from storage.register.categories import PAIRING_CATEGORIES
from storage.register.names import clean_name

HELPER_FIELDS = ("helper_name", "helper_phone", "helper_unit", "helper_since")
MAX_TEXT = 200


def check_helper(data: dict[str, Any], merged: dict[str, Any], today: dt.date) -> list[ValidationError]:
    """Normalise the helper fields in `data` (in place); errors for what is wrong.

    `merged`: the resident's fields after the change (a phone or date without a name is refused).
    """
    errors: list[ValidationError] = []
    for name in ("helper_name", "helper_unit"):
        if name in data:
            # a person's name as the register stores names (周 建国 -> 周建国); a unit's text with single spaces
            data[name] = clean_name(data[name]) if name == "helper_name" else typed_text(data[name])
            if len(data[name]) > MAX_TEXT:
                errors.append(ValidationError(name, _("Too long: at most {n} characters.").format(n=MAX_TEXT)))
    if "helper_phone" in data:
        try:
            data["helper_phone"] = idnumbers.normalize_phone(data["helper_phone"] or "", "helper_phone")
        except ValidationError as e:
            errors.append(ValidationError("helper_phone", e.message))
    if "helper_since" in data:
        since = data["helper_since"]
        if isinstance(since, str):  # as typed: the one parser every date field uses
            try:
                since = parse_field_date("helper_since", since, today)
            except DateProblem as problem:
                errors.append(ValidationError("helper_since", problem.message))
                since = None
        data["helper_since"] = since
        if since is not None and since > today:
            errors.append(ValidationError("helper_since", _("The date is in the future.")))
    if any(k in data for k in HELPER_FIELDS):
        after = {**merged, **data}
        if not after.get("helper_name") and (after.get("helper_phone") or after.get("helper_unit") or after.get("helper_since")):
            errors.append(ValidationError("helper_name", _("Give the paired helper's name.")))
    return errors


def shown_helper(resident: Any) -> dict[str, str]:
    """The helper as the record has it, as a dialog's fields show it (the shape `set_paired_helper`'s `shown` takes)."""
    since = resident.helper_since
    return {"helper_name": resident.helper_name or "", "helper_phone": resident.helper_phone or "",
            "helper_unit": resident.helper_unit or "", "helper_since": since.isoformat() if since else ""}


def set_paired_helper(db: Database, resident_id: str, name: str, phone: str = "", unit: str = "",
                      since: dt.date | str | None = None, *, today: dt.date | None = None,
                      shown: dict[str, str] | None = None) -> Resident:
    """Pair a resident with a helper (or change the helper's details).

    `shown`: the record's helper when the dialog opened (`shown_helper`). A field still as shown was not edited and
    is not written: a return bundle merged while the dialog was open may have changed it (the clerk's corrected phone
    went back to the old one when the worker saved a new unit)."""
    from storage.register.residents import update_resident

    today = today or china_today()
    if not " ".join((name or "").split()):
        raise ValidationError("helper_name", _("Give the paired helper's name."))
    typed = {"helper_name": name, "helper_phone": phone, "helper_unit": unit,
             "helper_since": since.isoformat() if isinstance(since, dt.date) else (since or "")}
    changes: dict[str, Any]
    if shown is None:
        changes = dict(typed)
    else:
        changes = {k: v for k, v in typed.items() if k not in shown or " ".join(v.split()) != shown[k]}
    # a pairing begins on a day: left empty, today (a new pairing's empty date was never the record's)
    if "helper_since" in changes or (shown is not None and not shown.get("helper_name")):
        changes["helper_since"] = since or today
    return update_resident(db, resident_id, changes, today=today)


def end_pairing(db: Database, resident_id: str, *, today: dt.date | None = None, shown_name: str | None = None) -> Resident:
    """The pairing ends: the four fields emptied. `shown_name`: the helper the question named; another one paired
    since (a merged bundle) is not ended unseen."""
    from storage.register.residents import get_resident, update_resident

    if shown_name is not None:
        now = get_resident(db, resident_id).helper_name or ""
        if now and now != shown_name:  # (none now: the pairing ended meanwhile, and there is nothing to end)
            raise ValidationError("helper_name", _("The paired helper is now {helper} (changed since this opened): "
                                                   "close this and look again.").format(helper=now))
    return update_resident(db, resident_id, {"helper_name": "", "helper_phone": "", "helper_unit": "",
                                             "helper_since": None}, today=today)


def should_be_paired(categories: list[str]) -> bool:
    return any(c in PAIRING_CATEGORIES for c in categories)
