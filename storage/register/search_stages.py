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


def phone_stages(q: str, col: Callable[[str], str], pg: bool, scan_order: str) -> list[Stage]:
    """The stages of `q` (digits only) read as a phone number: the beginning of the resident's phone, through its
    index, then its end, then the guardian's phone, its beginning or its end (a scan of the
    guardians' phones' index: ~1 ms over 6,000 residents, 17 ms over 120,000).
    `col`: the engine's byte-by-byte text column (search._Sql.col)."""
    stages = [Stage(f"({col('r.phone')} >= :ph AND {col('r.phone')} < :ph_hi)", "r.phone, r.id",
                    {"ph": q, "ph_hi": upper_bound(q)})]
    # a landline is stored with the dash it was typed with (0571-86123456): its beginning typed with
    # the area code, dashed or not, found nobody; an index range for each place the dash can be
    for n in AREA_CODES:
        if q.startswith("0") and len(q) > n:
            dashed = f"{q[:n]}-{q[n:]}"
            stages.append(Stage(f"({col('r.phone')} >= :ph{n} AND {col('r.phone')} < :ph{n}_hi)", "r.phone, r.id",
                                {f"ph{n}": dashed, f"ph{n}_hi": upper_bound(dashed)}))
    tail = ("r.phone LIKE :ph_tail ESCAPE '\\'" if pg else
            "r.rowid IN (SELECT rowid FROM resident WHERE phone LIKE :ph_tail ESCAPE '\\')")
    stages.append(Stage(tail, scan_order, {"ph_tail": "%" + like_escape(q)}))
    digits = "replace(r.guardian_phone, '-', '')" if pg else "replace(guardian_phone, '-', '')"
    guardian = f"({digits} LIKE :gph_head ESCAPE '\\' OR {digits} LIKE :gph_tail ESCAPE '\\')"
    # (the children's only: the condition of the index of guardians' phones, models.Resident, which it scans)
    guardian = f"r.guardian_phone <> '' AND {guardian}" if pg else (
        f"r.rowid IN (SELECT rowid FROM resident WHERE guardian_phone <> '' AND {guardian})")
    stages.append(Stage(guardian, scan_order, {"gph_head": like_escape(q) + "%", "gph_tail": "%" + like_escape(q)}))
    return stages
