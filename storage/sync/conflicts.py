"""The review queue: a field two people changed without seeing each other's change.

The winner is already deterministic (highest clock); a decision is one more
event on the field whose base covers both sides, so it wins everywhere the
decision travels and the conflict disappears on rebuild there too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.core.changes import writer
from storage.core.conflict_groups import asked, grouped, record_name
from storage.core.conflict_keys import FOLLOWERS, ID_NUMBER, UNASKED, group_of, reviewed
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.fields import column_kinds, from_json_value, to_json_value
from storage.core.fold import rebuild
from storage.core.i18n import N_, _
from storage.core.models import RECORD_TABLES, Conflict, Resident
from storage.register.names import name_pinyin, name_search_key
from storage.register.residents import EDITABLE, validate_resident
from storage.sync.conflict_sides import side_text, whole_sides
from storage.sync.conflict_undo import record_decision

WHOLE_SIDES = N_("These fields are decided together: keep one side (k) or take the other (t).")


def reviewed_conflicts(session: Session, by_type: dict[str, set[str]]) -> set[str]:
    """The open conflicts on these records (ids by record type) that the clerk reviews (a merge counts the new ones)."""
    found: list[tuple[str, str, str]] = []
    for rtype, id_set in by_type.items():
        ids = sorted(id_set)
        for i in range(0, len(ids), 900):
            found += session.execute(select(Conflict.id, Conflict.record_type, Conflict.field).where(
                col(Conflict.record_type) == rtype, col(Conflict.record_id).in_(ids[i:i + 900]))).all()
    return reviewed(found)


@dataclass(frozen=True)
class Writer:
    """Who wrote one side of a conflict: the name its event carries, and the laptop it came from as this
    database knows it (the device table says which grid a worker's device is enrolled for, or at a county
    which township a key speaks for)."""

    name: str
    device: str = ""  # the device id's first 8 characters
    grid: str = ""  # the grid's short code, "G01", for a worker's device known here
    township: str = ""  # at a county: the township code whose key it is
    here: bool = False  # written on this very database (the clerk's own edit, at a township)


@dataclass(frozen=True)
class ConflictView:
    """One question for the clerk: a field, or the fields decided together (a grid's village: its id and name)."""

    conflict: Conflict  # the question's first conflict: decided by its id
    record_label: str  # the resident's name, a grid's or a village's name, else the record id
    resident_id: str | None = None
    winner_by: Writer | None = None
    loser_by: Writer | None = None
    field: str = ""  # the field the question is named by: its first field in conflict, in the group's order
    kept_text: str | None = None  # a group's sides as the clerk reads them (王家村（330521101201）); None: one field's
    other_text: str | None = None
    differ: frozenset[str] = frozenset()  # a group's fields where the sides differ
    kept_full: str | None = None  # the sides with an ID number in full (the detail, `gridcare conflicts --full-ids`)
    other_full: str | None = None


def _writers(session: Session, conflicts: list[Conflict]) -> Callable[[str, str], Writer]:
    """Who(device id, author) for these conflicts' events, from one read of the devices they name."""
    from storage.core.models import Device, Identity

    ident = session.get(Identity, 1)
    own = ident.device_id if ident is not None else ""
    ids = sorted({c.winner_device for c in conflicts} | {c.loser_device for c in conflicts})
    devices: dict[str, Device] = {}
    for i in range(0, len(ids), 900):
        devices.update((d.device_id, d) for d in session.execute(
            select(Device).where(col(Device.device_id).in_(ids[i:i + 900]))).scalars())

    def who(device_id: str, author: str) -> Writer:
        short = device_id[:8]
        if device_id and device_id == own:
            grid = (ident.grid_code or "") if ident is not None and ident.role == "worker" else ""
            return Writer(author, short, grid.split("-", 1)[-1], here=True)
        d = devices.get(device_id)
        if d is None:
            return Writer(author, short)
        if d.kind == "township":
            return Writer(author or d.worker_name, short, township=d.township_code)
        return Writer(author or d.worker_name, short, (d.grid_code or "").split("-", 1)[-1])

    return who


def reviewable(conflict: Conflict) -> bool:
    key = (conflict.record_type, conflict.field)
    return key not in FOLLOWERS and key not in UNASKED


def _label(session, conflict: Conflict) -> tuple[str, str | None]:
    table = RECORD_TABLES.get(conflict.record_type)
    row = session.get(table, conflict.record_id) if table else None
    if isinstance(row, Resident):
        return row.name, row.id
    named = record_name(row)
    if named is not None:
        return named, None
    resident_id = getattr(row, "resident_id", None)
    if resident_id:
        resident = session.get(Resident, resident_id)
        if resident is not None:
            return resident.name, resident.id
    return conflict.record_id, None


def open_conflicts(db: Database) -> list[ConflictView]:
    """Every question waiting for a decision, grouped by record."""
    from storage.register.report_query import village_names

    with db.session() as s:
        rows = [c for c in s.execute(select(Conflict).order_by(Conflict.record_type, Conflict.record_id, Conflict.field,
                                                                Conflict.loser_hlc)).scalars().all() if reviewable(c)]
        who = _writers(s, rows)
        names: dict[str, str] | None = None
        views = []
        for found in grouped(rows):
            c = found[0]
            texts: dict[str, Any] = {}
            if group_of(c.record_type, c.field) is not None:
                names = village_names(s.connection()) if names is None else names
                row = s.get(RECORD_TABLES[c.record_type], c.record_id)
                kept, other = whole_sides(s, found, row)
                differ = {f for f in kept if kept[f] != other[f]} or set(kept)
                texts = dict(kept_text=side_text(c.record_type, kept, names, differ),
                             other_text=side_text(c.record_type, other, names, differ), differ=frozenset(differ),
                             kept_full=side_text(c.record_type, kept, names, differ, full_ids=True),
                             other_full=side_text(c.record_type, other, names, differ, full_ids=True))
            # named by the first field in conflict: a closing's remark alone is asked as 退出原因说明
            views.append(ConflictView(c, *_label(s, c), winner_by=who(c.winner_device, c.winner_author),
                                      loser_by=who(c.loser_device, c.loser_author), field=c.field, **texts))
        return views


def typeable(view: ConflictView) -> bool:
    """Whether a value may be typed for this question: one field, a grid's village (typed as it is shown), or a
    group whose sides differ in this field only (a closing's remark); else it is kept or taken whole."""
    from storage.core.conflict_keys import VILLAGE

    c = view.conflict
    group = group_of(c.record_type, c.field)
    return group in (None, VILLAGE) or view.differ <= {c.field} or _decides_group(c)


def _decides_group(conflict: Conflict) -> bool:
    """A value typed for this field decides its whole group: an ID number gives the sex and birth date."""
    return group_of(conflict.record_type, conflict.field) is ID_NUMBER and conflict.field == "id_number"


def count_open(db: Database) -> int:
    """The questions waiting for a decision (as many as the screen's rows)."""
    with db.session() as s:
        rows = s.execute(select(Conflict.id, Conflict.record_type, Conflict.field)).all()
    return len(reviewed((cid, rtype, fld) for cid, rtype, fld in rows))


def _typed(session, record_type: str, record_id: str, field: str, value: Any, today: dt.date) -> dict[str, Any]:
    """The fields to write for `value`, checked as a form would check them on the app's `today` (a birth date
    after it refused), and as a merge would check them (a closing remark's length and characters)."""
    if record_type == "resident":
        current = session.get(Resident, record_id)
        if field in EDITABLE and current is not None:
            given = {field: value}
            if field in ID_NUMBER and field != "id_number" and current.id_number:
                given["id_number"] = current.id_number  # a sex or birth date typed alone still agrees with the ID
            data = validate_resident(given, today, existing=current)
            if field == "name":
                data.update(name_initials=name_search_key(data["name"]), name_pinyin=name_pinyin(data["name"]))
            return data
    if record_type == "assessment" and field in _grade_fields():
        return {field: _grade_code(field, value)}
    kind = column_kinds(RECORD_TABLES[record_type]).get(field, "other")
    try:
        from_json_value(kind, to_json_value(value))
    except (TypeError, ValueError):
        raise ValidationError(field, _("This value does not fit the field.")) from None
    if _refused(record_type, field, value):  # a decision travels: every merge would refuse it
        raise ValidationError(field, _("This value does not fit the field."))
    return {field: value}


def _refused(record_type: str, field: str, value: Any) -> bool:
    from storage.core.schema import clean, field_problem
    from storage.register.field_rules import checked_spec

    spec = checked_spec(record_type).get(field)
    return spec is not None and field_problem(spec, clean(record_type, {field: value})[field]) is not None


def _grade_fields() -> frozenset[str]:
    from storage.register.assessments import DIMENSIONS

    return frozenset(DIMENSIONS)


def _grade_code(field: str, value: Any) -> str:
    """A grade typed by the clerk, as its code: the code itself, or its name in the interface language."""
    from storage.register.assessments import GRADES

    text = str(value or "").strip()
    by_name = {_(title): code for code, title in GRADES.items()}
    code = text if text in GRADES else by_name.get(text)
    if code is None:
        raise ValidationError(field, _("Choose one of: {grades}.").format(grades=_(", ").join(by_name)))
    return code


def _decide(db: Database, conflict_id: str, choose: Callable[[Conflict], Any], today: dt.date,
            side: str = "") -> None:
    """Write the chosen value as a new change; it has seen both sides, so it wins and travels on.
    A question about a group of fields (`side`: "kept" or "other") writes the whole side, in one event."""
    with db.write() as s:
        c = s.get(Conflict, conflict_id)
        if c is None:
            raise UserError(_("This conflict was already resolved."))
        record_type, record_id, field = c.record_type, c.record_id, c.field
        row = s.get(RECORD_TABLES[record_type], record_id)
        if row is None or getattr(row, "deleted", False):
            raise UserError(_("This record was deleted and can no longer be changed."))
        group = group_of(record_type, field)
        if group is not None and side:
            chosen = dict(zip(("kept", "other"), whole_sides(s, asked(s, c), row), strict=True))[side]
            data: dict[str, Any] = {}
            if group is ID_NUMBER and chosen["id_number"]:  # the ID number gives the sex and birth date
                data = validate_resident({"id_number": chosen["id_number"]}, today, existing=row)
            elif record_type == "resident" and set(chosen) <= EDITABLE:  # checked together (a helper's phone, name)
                data = validate_resident(dict(chosen), today, existing=row)
            else:
                for name, value in chosen.items():
                    data.update(_typed(s, record_type, record_id, name, value, today))
        else:
            data = _typed(s, record_type, record_id, field, choose(c), today)
        if record_type == "benefit" and data.keys() & {"start_on", "end_on"}:
            _period(row, data, today)
        label = _label(s, c)[0]
        event = writer(s).write(record_type, record_id, data)
        rebuild(s, [(record_type, record_id)])
        record_decision(s, event, field, label)  # u takes it back until a bundle carries it


def _period(row: Any, data: dict[str, Any], today: dt.date) -> None:
    """A benefit's period as decided, checked whole as the Benefits screen checks it: a start taken with the
    other side's end (a side that wrote only its end reads the kept start) may end before it starts."""
    from storage.register.benefits import validate_benefit

    fields = {"kind": row.kind, "start_on": row.start_on, "end_on": row.end_on, "note": row.note}
    validate_benefit({**fields, **{k: from_json_value("date", to_json_value(data[k])) for k in data
                                   if k in ("start_on", "end_on")}}, today)


# Each decision is checked on `today`, the app's day (a fixed one in tests and the demo), not the computer's.
def keep_winner(db: Database, conflict_id: str, *, today: dt.date) -> None:
    """Keep the value that won (as it stands when decided, not as a screen showed it)."""
    _decide(db, conflict_id, lambda c: c.winner_value, today, "kept")


def take_other(db: Database, conflict_id: str, *, today: dt.date) -> None:
    _decide(db, conflict_id, lambda c: c.loser_value, today, "other")


def resolve_conflict(db: Database, conflict_id: str, value: Any, *, today: dt.date) -> None:
    """A value typed by the clerk, checked as a form would check it.

    Text is read as the screen shows values (typed_value): 迁出 or moved_away, 低保对象、独居老年人 or
    dibao, solitary_elder; any other value is taken as it is. A grid's village is typed as it is shown (王家村（
    330521101201）, or a name, or a code) and placed as the Villages screen places it.
    """
    if isinstance(value, str) and _village_question(db, conflict_id, value):
        return
    with db.session() as s:
        c = s.get(Conflict, conflict_id)
        if c is not None and group_of(c.record_type, c.field) is not None:
            kept, other = whole_sides(s, asked(s, c), s.get(RECORD_TABLES[c.record_type], c.record_id))
            if not _decides_group(c) and any(kept[f] != other[f] for f in kept if f != c.field):  # typed for one, it would mix the two sides
                raise UserError(_(WHOLE_SIDES))
    _decide(db, conflict_id, lambda c: typed_value(c, value) if isinstance(value, str) else value, today)


def _village_question(db: Database, conflict_id: str, text: str) -> bool:
    """A village typed for a grid's village question: put in it as by the Villages screen (an existing village's
    name joins its code), the grid's code and name written together even when they stand as typed. False when
    the conflict is not about a grid's village."""
    from storage.core.conflict_groups import typed_village
    from storage.core.conflict_keys import VILLAGE
    from storage.register.villages import set_grid_village

    with db.session() as s:
        c = s.get(Conflict, conflict_id)
        if c is None:
            raise UserError(_("This conflict was already resolved."))
        if group_of(c.record_type, c.field) is not VILLAGE:
            return False
        grid_id = c.record_id
    name, code = typed_village(text)
    set_grid_village(db, grid_id, name, code, decided=True)
    return True


def typed_value(conflict: Conflict, text: str) -> Any:
    """Text typed for a conflict's field, as the value to store: labels back to their codes, a list when the
    field holds one, 是/否 (Yes/No) for a yes-or-no field."""
    from storage.register.value_labels import YES_NO, value_from_text

    sides = (conflict.winner_value, conflict.loser_value)
    if any(isinstance(v, bool) for v in sides):
        answers = {_(word).casefold(): answer for answer, word in YES_NO.items()}
        answers.update({"true": True, "false": False})
        return answers.get(text.strip().casefold(), text.strip())
    return value_from_text(conflict.record_type, conflict.field, text, as_list=any(isinstance(v, list) for v in sides))


def start_text(conflict: Conflict) -> str:
    """What the box to type a value in starts with: the kept value as the clerk reads it (迁出, not moved_away),
    in a form typed_value reads back."""
    from storage.register.value_labels import value_text

    value = conflict.winner_value
    if value is None:
        return ""
    if not isinstance(value, dict):
        words = value_text(conflict.record_type, conflict.field, value)
        if words is not None:
            return words
    if isinstance(value, list):
        return _(", ").join(map(str, value))
    return str(value)


# fields whose values hold an ID number: masked in listings unless asked for in full
ID_FIELDS = frozenset({("resident", "id_number"), ("resident", "disability_card")})


def shown_value(conflict: Conflict, value: Any, *, full_ids: bool = False) -> str:
    """A conflict's value as one printable line: JSON, ID numbers masked unless `full_ids`."""
    import json

    from storage.core.text import printable
    from storage.register.idnumbers import mask_id
    from storage.register.value_labels import value_text

    if not full_ids and (conflict.record_type, conflict.field) in ID_FIELDS and isinstance(value, str):
        value = mask_id(value)
    if value is None or value == "" or value == []:
        return "—"
    words = value_text(conflict.record_type, conflict.field, value)  # codes by their labels: 去世, not "deceased"
    if words is not None:
        return printable(words, limit=200)
    return printable(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), limit=200)


def conflict_lines(db: Database, *, full_ids: bool = False) -> list[str]:
    """`gridcare conflicts`: one line per conflict waiting for review; an office that signed a side (a clerk set up
    unnamed) in the reader's language, as the review screen names it."""
    from storage.core.offices import person_text
    from storage.core.text import printable
    from storage.register.field_labels import record_field_label

    lines = []
    for v in open_conflicts(db):
        c = v.conflict
        kept, other = (v.kept_full, v.other_full) if full_ids else (v.kept_text, v.other_text)
        winner = shown_value(c, c.winner_value, full_ids=full_ids) if kept is None else printable(kept)
        loser = shown_value(c, c.loser_value, full_ids=full_ids) if other is None else printable(other)
        lines.append(_("{record} · {field}: kept {winner} ({winner_author}); other value {loser} ({loser_author})").format(
            record=printable(v.record_label, limit=40), field=printable(record_field_label(c.record_type, v.field or c.field)),
            winner=winner, winner_author=person_text(c.winner_author, limit=20),
            loser=loser, loser_author=person_text(c.loser_author, limit=20)))
    return lines
