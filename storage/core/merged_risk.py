"""A record that duplicates were merged into carries the newest risk finding of them all.

After the clerk merged 江爱珍's two records, the other grid's worker went on assessing the duplicate: the
report took the pair's newest finding (高) while Home, the register and the visit form kept the record's own
(低), so a person at high risk was missing from Home's high-risk list (walk G, 2). `resident.risk_level` is now
the newest assessment of the record and of every record merged into it, directly or through another
(report_query.ALIAS_CTE's chains: a deleted record is no one's alias).

Duplicates are few: the chains are read whole (ix_resident_merged) and followed in Python; the records with
duplicates are refreshed one by one, every other record by the one statement of storage/core/fold.py.
The refresh is a function of the final state, whatever order the events came in, provided every record
whose family changed is named: the caller names the records it folded and the records they pointed at
before it wrote them (a duplicate un-merged no longer points at the record it left).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection


def merge_families(conn: Connection, resident_ids: Iterable[str]) -> tuple[set[str], dict[str, list[str]]]:
    """The records whose level to refresh: (those without duplicates, {record: its duplicates}).

    The records given, the records they point at (deleted ones too: a deletion leaves its record's family),
    and every record above those along the chains of merges.
    """
    given = set(resident_ids)
    raw: dict[str, str] = {}  # every record merged into another -> that record
    alias: dict[str, str] = {}  # the same, for the records that count as an alias (not deleted)
    for rid, into, deleted in conn.execute(text(
            "SELECT id, merged_into, deleted FROM resident WHERE merged_into IS NOT NULL")):
        raw[str(rid)] = str(into)
        if not deleted:
            alias[str(rid)] = str(into)
    targets = set(given)
    for rid in given:
        if rid in raw:
            targets.add(raw[rid])
    for start in list(targets):
        seen = {start}
        rid = start
        while rid in alias and alias[rid] not in seen:  # (a cycle of merges made on two devices unseen ends here)
            rid = alias[rid]
            seen.add(rid)
            targets.add(rid)
    below: dict[str, list[str]] = defaultdict(list)
    for rid, into in alias.items():
        below[into].append(rid)
    families: dict[str, list[str]] = {}
    for root in targets:
        if root not in below:
            continue
        found, todo = {root}, [root]
        while todo:
            for child in below.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        found.discard(root)
        if found:
            families[root] = sorted(found)
    return targets - families.keys(), families


def pointed_at(conn: Connection, resident_ids: list[str]) -> set[str]:
    """The records these records are merged into now (read before they are written again)."""
    if not resident_ids:
        return set()
    sql = text("SELECT merged_into FROM resident WHERE id IN :ids AND merged_into IS NOT NULL").bindparams(
        bindparam("ids", expanding=True))
    return {str(into) for (into,) in conn.execute(sql, {"ids": resident_ids})}


def refresh_families(conn: Connection, families: dict[str, list[str]]) -> None:
    """Each record's level: the newest assessment of it and its duplicates (by date, then clock, then id)."""
    newest = text(
        "SELECT level FROM risk_assessment WHERE resident_id IN :ids AND NOT deleted"
        " ORDER BY assessed_on DESC, hlc DESC, id DESC LIMIT 1").bindparams(bindparam("ids", expanding=True))
    store = text("UPDATE resident SET risk_level = :level WHERE id = :id AND risk_level <> :level")
    for root in sorted(families):
        level = conn.execute(newest, {"ids": [root, *families[root]]}).scalar()
        conn.execute(store, {"id": root, "level": level or "low"})
