"""The same person registered twice: found for the clerk, merged, and un-merged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import select

from storage.core.changes import live_row, writer
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import N_, _
from storage.core.models import Resident
from storage.register.duplicate_sql import _PAIRS_BY_ID, _PAIRS_BY_NAME  # Home counts them too

REASONS = {"id_number": N_("Same ID number"), "name_birth_village": N_("Same name, birth date and village")}


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


def merge_residents(db: Database, keep_id: str, duplicate_id: str) -> None:
    """The duplicate points at the kept resident; its visits and referrals show there."""
    if keep_id == duplicate_id:
        raise UserError(_("A resident cannot be merged into itself."))
    with db.write() as s:
        keep, dup = live_row(s, "resident", keep_id), live_row(s, "resident", duplicate_id)
        if keep.merged_into:
            raise UserError(_("{name} was itself merged into another record; merge into that one.").format(name=keep.name))
        if dup.merged_into:
            raise UserError(_("{name} is already merged into another record.").format(name=dup.name))
        writer(s).write("resident", duplicate_id, {"merged_into": keep_id})


def undo_merge(db: Database, duplicate_id: str) -> None:
    with db.write() as s:
        dup = s.get(Resident, duplicate_id)
        if dup is None or not dup.merged_into:
            raise UserError(_("This resident was not merged."))
        writer(s).write("resident", duplicate_id, {"merged_into": None})


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
    id: str
    name: str
    id_number: str | None
    birth_date: object
    grid_code: str
    address: str


@dataclass(frozen=True)
class MergedResident:
    duplicate: ResidentBrief
    kept: ResidentBrief | None


def _brief(row: Resident) -> ResidentBrief:
    return ResidentBrief(row.id, row.name, row.id_number, row.birth_date, row.grid_code, row.address)


def review(db: Database) -> tuple[list[tuple[DuplicatePair, ResidentBrief, ResidentBrief]], list[MergedResident]]:
    """For the review screen: the possible duplicates with both residents, and the merges made (to undo)."""
    pairs = possible_duplicates(db)
    with db.session() as s:
        rows = {}
        for p in pairs:
            for rid in (p.first_id, p.second_id):
                if rid not in rows:
                    rows[rid] = _brief(s.get(Resident, rid))
        merged = []
        for dup in s.exec(select(Resident).where(Resident.merged_into.is_not(None), Resident.deleted == False)  # noqa: E712
                          .order_by(Resident.name, Resident.id)).all():
            kept = s.get(Resident, dup.merged_into)
            merged.append(MergedResident(_brief(dup), _brief(kept) if kept is not None else None))
    return [(p, rows[p.first_id], rows[p.second_id]) for p in pairs], merged
