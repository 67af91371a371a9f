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


def set_paired_helper(db: Database, resident_id: str, name: str, phone: str = "", unit: str = "",
                      since: dt.date | str | None = None, *, today: dt.date | None = None) -> Resident:
    """Pair a resident with a helper (or change the helper's details)."""
    from storage.register.residents import update_resident

    today = today or china_today()
    if not " ".join((name or "").split()):
        raise ValidationError("helper_name", _("Give the paired helper's name."))
    return update_resident(db, resident_id, {"helper_name": name, "helper_phone": phone, "helper_unit": unit,
                                             "helper_since": since or today}, today=today)


def end_pairing(db: Database, resident_id: str, *, today: dt.date | None = None) -> Resident:
    from storage.register.residents import update_resident

    return update_resident(db, resident_id, {"helper_name": "", "helper_phone": "", "helper_unit": "",
                                             "helper_since": None}, today=today)


def should_be_paired(categories: list[str]) -> bool:
    return any(c in PAIRING_CATEGORIES for c in categories)
