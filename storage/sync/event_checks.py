"""The checks a merge runs on each event of a bundle, and the one-line reasons it gives.

The values are judged by storage/register/field_rules.py (each field against its kind, code
list, range and length; the event's ids and clock); a bundle holding one event it refuses is
refused whole, before the chunk holding it is written (storage/sync/merge.py), with one
translated line naming the record type and the field.
"""

from __future__ import annotations

from typing import Any

from storage.core.i18n import N_, _
from storage.core.models import RECORD_TABLES
from storage.core.schema import RECORD_LABELS, FoldError
from storage.core.text import printable
from storage.register.field_labels import record_field_label
from storage.sync.bundle_file import BundleError


def check_events(events: list[dict[str, Any]], name: str, before: int = 0) -> dict[int, dict[str, Any]]:
    """Every value of every event of a chunk, before it is written (storage/register/field_rules.py).

    `before`: events of the bundle before this chunk, so that a malformed one is numbered in the file.
    Returns the fields `clean` changed, by the event object's id(): what the merge folds (not cleaned twice).
    """
    from storage.register.field_rules import judged

    cleaned: dict[int, dict[str, Any]] = {}
    last = None
    for n, ev in enumerate(events, start=before + 1):
        if ev is last:  # a line repeated as it was (storage/sync/bundle_payload.py): checked once
            continue
        last = ev
        if ev["record_type"] not in RECORD_TABLES:
            problem = _("record {n} inside the bundle is malformed.").format(n=n)
            raise BundleError("bad_event", _("{file}: {problem}").format(file=printable(name), problem=problem), problem)
        refusal, fields = judged(ev)
        if refusal is not None:
            problem = problem_text(refusal)
            raise BundleError("bad_event", _("{file}: {problem}").format(file=printable(name), problem=problem), problem)
        if fields is not ev["fields"]:
            cleaned[id(ev)] = fields
    return cleaned


def problem_text(exc: BaseException) -> str:
    """What was wrong, in one translated line: the record type and the field when known."""
    if not isinstance(exc, FoldError):
        return _("a record inside it could not be merged ({error}); the details are in the log file.").format(
            error=type(exc).__name__)
    # names from the bundle (a field no record has): short, and no terminal escape reaches the clerk's terminal;
    # a field the clerk knows by its label (村（社区）, not village_code) is named by it
    record = _(RECORD_LABELS[exc.record_type]) if exc.record_type in RECORD_LABELS else printable(exc.record_type, limit=40)
    field = printable(record_field_label(exc.record_type, exc.field), limit=40) if exc.field else ""
    if exc.reason == "no_value" and field:
        return _("a {record} record gives no value for {field}.").format(record=record, field=field)
    if exc.reason in _REASONS and field:
        return _(_REASONS[exc.reason]).format(record=record, field=field)
    if field:
        return _("a {record} record holds a value of the wrong type in {field}.").format(record=record, field=field)
    return _("a {record} record could not be stored; the details are in the log file.").format(record=record)


# the one-line reason of a value refused by storage/register/field_rules.py, by FoldError reason
_REASONS = {
    "too_long": N_("a {record} record holds a value too long for {field}."),
    "unknown_code": N_("a {record} record holds an unknown code in {field}."),
    "out_of_range": N_("a {record} record holds a value out of range in {field}."),
    "invalid": N_("a {record} record holds an invalid value in {field}."),
    "not_writable": N_("a {record} record sets {field}, which no record of its kind may set."),
    "bad_id": N_("a {record} record has an id of the wrong form."),
    "clock": N_("a {record} record carries a clock beyond the year 2100."),
    "bad_event": N_("a {record} record is malformed ({field})."),
    "bad_text": N_("a {record} record holds a character that cannot be stored in {field}."),
}
