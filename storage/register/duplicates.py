"""The same person registered twice: found for the clerk, merged, and un-merged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import col, select

from storage.core.audit import add_entry
from storage.core.changes import live_row, load_identity, writer
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import N_, _, join_list
from storage.core.models import Event, Resident
from storage.core.places import village_label
from storage.core.schema import spec
from storage.core.text import printable
from storage.register.duplicate_sql import _PAIRS_BY_ID, _PAIRS_BY_NAME  # Home counts them too
from storage.register.report_query import as_date, place_names

REASONS = {"id_number": N_("Same ID number"), "name_birth_village": N_("Same name, birth, village")}


@dataclass(frozen=True)
class DuplicatePair:
    first_id: str
    second_id: str
    reason: str  # a key of REASONS
    name: str


def possible_duplicates(db: Database) -> list[DuplicatePair]:
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    with db.engine.connect() as conn:
        for sql, reason in ((_PAIRS_BY_ID, "id_number"), (_PAIRS_BY_NAME, "name_birth_village")):
            for a, b, name in conn.execute(text(sql)):
                pairs.setdefault((a, b), DuplicatePair(a, b, reason, name))
    return sorted(pairs.values(), key=lambda p: (p.name, p.first_id))


# what the kept record takes from the duplicate when it has none: a merged record leaves the register's search,
# so an ID number only it held was found nowhere, while the form still refused it as registered (walk F, 1)
CARRIED = ("id_number", "birth_date", "sex", "phone", "address")


def not_carried(kept, other) -> list[tuple[str, Any]]:
    """What a merge of `other` into `kept` leaves behind ((field, the other's value)): a phone or address of the
    other that differs from the kept record's own (merge_residents carries only what the kept record lacks), and
    categories only the other has. The clerk is told before merging (walked: 王桂花's 空巢老年人 and phone went)."""
    left = [(f, getattr(other, f)) for f in ("phone", "address")
            if getattr(kept, f) and getattr(other, f) and getattr(kept, f) != getattr(other, f)]
    only = [c for c in other.categories if c not in kept.categories]
    return left + ([("categories", only)] if only else [])


def refuse_at_worker(db: Database) -> None:
    """The township refuses a worker's bundle that merges residents (storage/sync/authorise.py: every report follows
    the chains of merges), so a worker's laptop is told before it merges; the screen is the township's and county's."""
    with db.session() as s:
        role = load_identity(s).role
    if role == "worker":
        raise UserError(_("Residents registered twice are merged by the township clerk, who sees every grid's "
                          "records: this laptop receives the merge in the township's return bundle."))


def merge_residents(db: Database, keep_id: str, duplicate_id: str) -> None:
    """The duplicate points at the kept resident; its visits and referrals show there, and the kept record
    takes the ID number, birth date, sex, phone and address it lacks from the duplicate."""
    if keep_id == duplicate_id:
        raise UserError(_("A resident cannot be merged into itself."))
    with db.write() as s:
        keep, dup = live_row(s, "resident", keep_id), live_row(s, "resident", duplicate_id)
        if keep.merged_into:
            raise UserError(_("{name} was itself merged into another record; merge into that one.").format(name=keep.name))
        if dup.merged_into:
            raise UserError(_("{name} is already merged into another record.").format(name=dup.name))
        w = writer(s)
        w.write("resident", duplicate_id, {"merged_into": keep_id})
        taken = {f: getattr(dup, f) for f in CARRIED if not getattr(keep, f) and getattr(dup, f)}
        if taken:
            w.write("resident", keep_id, taken)
        # who merged which two records, asked later when two people turn out not to be one: by record id,
        # the names and what was carried staying in the register's own history
        add_entry(s, "merge residents", counts={"kept": keep_id, "merged": duplicate_id, "carried": len(taken)})


def undo_merge(db: Database, duplicate_id: str) -> None:
    """The duplicate stands on its own again, and the kept record gives back what the merge made it take
    from it, unless someone has set that field since: un-merging two people found not to be one must not
    leave one of them with the other's ID number, phone or address."""
    with db.write() as s:
        dup = s.get(Resident, duplicate_id) or _merged_record(s, duplicate_id)
        if not dup.merged_into:
            raise UserError(_("This resident was not merged."))
        duplicate_id, keep_id = dup.id, dup.merged_into  # (the record's own id, where its start or name was given)
        given_back = _taken_by_merge(s, duplicate_id, keep_id)
        w = writer(s)
        w.write("resident", duplicate_id, {"merged_into": None})
        if given_back:
            w.write("resident", keep_id, {f: spec("resident", f).empty() for f in given_back})
        add_entry(s, "undo resident merge", counts={"kept": keep_id, "merged": duplicate_id,
                                                    "given_back": len(given_back)})


def _merged_record(s, key: str) -> Resident:
    """The merged record `key` names when it is not a whole record id: the start of one (as the listing's column
    may be read), or a name; one line saying so when none or several are (it said "not merged" of a merged one)."""
    key = " ".join(key.split())
    merged = s.exec(select(Resident).where(col(Resident.merged_into).is_not(None), Resident.deleted == False)  # noqa: E712
                    ).all()
    found = [r for r in merged if r.name == key] or [r for r in merged if len(key) >= 4 and r.id.startswith(key)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError(_("No merged record has the id or name {key}: give the record id `gridcare duplicates` "
                          "lists.").format(key=printable(key, limit=40)))
    raise UserError(_("{n} merged records are named {key}: give the record id of the one to put back ({ids}).").format(
        n=len(found), key=printable(key, limit=40), ids=join_list(r.id for r in found)))


def _taken_by_merge(s, duplicate_id: str, keep_id: str) -> list[str]:
    """The fields the newest merge of the duplicate into `keep_id` carried over and nobody has set since.

    That merge wrote two events in one transaction: `merged_into` on the duplicate, then the carried
    fields on the kept record, the next event of the same device (merge_residents)."""
    merge = s.execute(select(Event).where(
        col(Event.record_type) == "resident", col(Event.record_id) == duplicate_id
    ).order_by(col(Event.hlc).desc())).scalars()
    merged = next((e for e in merge if e.fields.get("merged_into") == keep_id), None)
    if merged is None:
        return []
    carried = s.execute(select(Event).where(
        col(Event.device_id) == merged.device_id, col(Event.hlc) > merged.hlc
    ).order_by(col(Event.hlc)).limit(1)).scalars().first()
    if carried is None or (carried.record_type, carried.record_id) != ("resident", keep_id) \
            or not set(carried.fields) <= set(CARRIED):
        return []
    later = s.execute(select(Event.fields).where(
        col(Event.record_type) == "resident", col(Event.record_id) == keep_id, col(Event.hlc) > carried.hlc
    )).scalars()
    since = {name for fields in later for name in fields}
    return [f for f in CARRIED if f in carried.fields and f not in since]


def resident_ids_for(db: Database, keep_id: str) -> list[str]:
    """The kept resident and every record merged into it, directly or through another merged one."""
    ids, frontier = [keep_id], [keep_id]
    with db.engine.connect() as conn:
        while frontier:
            rows = []
            for i in range(0, len(frontier), 500):
                chunk = frontier[i:i + 500]
                marks = ", ".join(f":k{n}" for n in range(len(chunk)))
                rows += [r[0] for r in conn.execute(
                    text(f"SELECT id FROM resident WHERE merged_into IN ({marks}) ORDER BY id"),
                    {f"k{n}": k for n, k in enumerate(chunk)})]
            frontier = [r for r in rows if r not in ids]
            ids += frontier
    return ids


@dataclass(frozen=True)
class ResidentBrief:
    """One of a pair, with what tells a clerk whether the two are one person and which record to keep."""

    id: str
    name: str
    id_number: str | None
    birth_date: dt.date | None
    grid_code: str
    address: str
    sex: str | None = None
    phone: str = ""
    village: str = ""  # by name: the resident's own village, else its grid's
    grid: str = ""  # the grid's name
    categories: tuple[str, ...] = ()  # codes, stored ones only
    registered_on: dt.date | None = None
    status: str = "active"
    visits: int = 0
    last_visit: dt.date | None = None


@dataclass(frozen=True)
class MergedResident:
    duplicate: ResidentBrief
    kept: ResidentBrief | None


def _briefs(s, ids: list[str]) -> dict[str, ResidentBrief]:
    """Each resident's brief, with its visits counted and its places named (one query each, not one per row)."""
    if not ids:
        return {}
    conn = s.connection()
    villages, grids = place_names(conn)
    grid_village = dict(conn.execute(text("SELECT id, village_code FROM grid WHERE NOT deleted")).all())
    visits: dict[str, tuple[int, dt.date | None]] = {}
    for chunk in range(0, len(ids), 500):  # SQLite's bound parameters: a township may hold many merged records
        for rid, n, last in conn.execute(
                text("SELECT resident_id, count(*), max(visit_date) FROM visit WHERE NOT deleted AND resident_id IN"
                     " :ids GROUP BY resident_id").bindparams(bindparam("ids", expanding=True)),
                {"ids": ids[chunk:chunk + 500]}):
            visits[rid] = (n, as_date(last))
    out = {}
    for row in s.exec(select(Resident).where(col(Resident.id).in_(ids))).all():
        n, last = visits.get(row.id, (0, None))
        out[row.id] = ResidentBrief(
            row.id, row.name, row.id_number, row.birth_date, row.grid_code, row.address, sex=row.sex,
            phone=row.phone, village=village_label(row.village_code or grid_village.get(row.grid_code), villages),
            grid=grids.get(row.grid_code, row.grid_code.split("-", 1)[-1]), categories=tuple(row.categories),
            registered_on=row.registered_on, status=row.status, visits=n, last_visit=last)
    return out


def review(db: Database) -> tuple[list[tuple[DuplicatePair, ResidentBrief, ResidentBrief]], list[MergedResident]]:
    """For the review screen: the possible duplicates with both residents, and the merges made (to undo)."""
    pairs = possible_duplicates(db)
    with db.session() as s:
        merged_rows = s.exec(select(Resident.id, Resident.merged_into)
                             .where(col(Resident.merged_into).is_not(None), col(Resident.deleted).is_(False))
                             .order_by(Resident.name, Resident.id)).all()
        wanted = {rid for p in pairs for rid in (p.first_id, p.second_id)}
        wanted |= {rid for row in merged_rows for rid in row if rid}
        briefs = _briefs(s, sorted(wanted))
    merged = [MergedResident(briefs[dup], briefs.get(kept or "")) for dup, kept in merged_rows]
    return [(p, *_keep_first(briefs[p.first_id], briefs[p.second_id])) for p in pairs], merged


def _keep_first(a: ResidentBrief, b: ResidentBrief) -> tuple[ResidentBrief, ResidentBrief]:
    """The pair as (the record to keep, the one to merge into it), as proposed: the one still on the register,
    then the one with an ID number, then the one with more visits (its history is the one a worker has been keeping), then the earlier one;
    past those, by grid and by what the records hold, never by their random ids: the proposal stays the same
    from one opening to the next."""
    def weight(r: ResidentBrief) -> tuple:
        # an ID number, the stronger identity, before the visits (the duplicate's show on the kept one anyway)
        return (r.status != "active", not r.id_number, -r.visits, r.registered_on or dt.date.max, r.grid_code,
                r.phone, r.address, r.name, r.id)
    return (a, b) if weight(a) <= weight(b) else (b, a)
