"""The conditions a register search is answered in (storage/register/search.py), and those of digits that may be
a phone number: the resident's own, or the guardian's of a child.

A child has no phone of their own on the register: the guardian's (a grandmother's landline) is the number the
worker is called from and has written down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AREA_CODES = (3, 4)  # 010, 020-029 have three digits; the others (0571) four


@dataclass(frozen=True)
class Stage:
    where: str
    order: str
    params: dict[str, Any]


def upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (binary order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _range(expr: str, name: str) -> str:
    """`expr` between :name and :name_hi byte by byte, as the server's index of it compares."""
    return f'({expr} COLLATE "C" >= :{name} AND {expr} COLLATE "C" < :{name}_hi)'


def phone_stages(q: str, col: Callable[[str], str], pg: bool, scan_order: str) -> list[Stage]:
    """The stages of `q` (digits only) read as a phone number: the beginning of the resident's phone, through its
    index, then its end, then the guardian's phone, its beginning or its end (on SQLite a scan of the guardians'
    phones' index: ~1 ms over 6,000 residents, 17 ms over 120,000; on a server, ranges of indexes of their own).
    `col`: the engine's byte-by-byte text column (search_sql.EngineSql.col)."""
    stages = [Stage(f"({col('r.phone')} >= :ph AND {col('r.phone')} < :ph_hi)", "r.phone, r.id",
                    {"ph": q, "ph_hi": upper_bound(q)})]
    # a landline is stored with the dash it was typed with (0571-86123456): its beginning typed with
    # the area code, dashed or not, found nobody; an index range for each place the dash can be
    for n in AREA_CODES:
        if q.startswith("0") and len(q) > n:
            dashed = f"{q[:n]}-{q[n:]}"
            stages.append(Stage(f"({col('r.phone')} >= :ph{n} AND {col('r.phone')} < :ph{n}_hi)", "r.phone, r.id",
                                {f"ph{n}": dashed, f"ph{n}_hi": upper_bound(dashed)}))
    if pg:  # ranges of the server's indexes of a phone's reverse and a guardian's digits (models.PG_PHONE_INDEXES)
        rev = q[::-1]
        digits = "replace(r.guardian_phone, '-', '')"
        stages.append(Stage(_range("reverse(r.phone)", "ph_rev"), scan_order,
                            {"ph_rev": rev, "ph_rev_hi": upper_bound(rev)}))
        guardian = (f"r.guardian_phone <> '' AND ({_range(digits, 'gph')} OR {_range(f'reverse({digits})', 'gph_rev')})")
        stages.append(Stage(guardian, scan_order, {"gph": q, "gph_hi": upper_bound(q), "gph_rev": rev,
                                                   "gph_rev_hi": upper_bound(rev)}))
        return stages
    stages.append(Stage("r.rowid IN (SELECT rowid FROM resident WHERE phone LIKE :ph_tail ESCAPE '\\')", scan_order,
                        {"ph_tail": "%" + like_escape(q)}))
    digits = "replace(guardian_phone, '-', '')"
    guardian = f"({digits} LIKE :gph_head ESCAPE '\\' OR {digits} LIKE :gph_tail ESCAPE '\\')"
    # (the children's only: the condition of the index of guardians' phones, models.Resident, which it scans)
    guardian = f"r.rowid IN (SELECT rowid FROM resident WHERE guardian_phone <> '' AND {guardian})"
    stages.append(Stage(guardian, scan_order, {"gph_head": like_escape(q) + "%", "gph_tail": "%" + like_escape(q)}))
    return stages
