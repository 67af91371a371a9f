"""Who may be the person about to be registered: asked before a new record is made, not found a month later.

A clerk registered 单小明, born 2014-05-06, in G01, where the worker had registered him with his ID number; the
form saved a second record, and the list of possible duplicates grew by one for the clerk to review and merge
(storage/register/duplicates.py). Much as that list's rule, asked of one new record: the same name and birth
date anywhere in the township (two ID numbers that differ are two people); where either birth date is unknown,
the same name in the same grid only (a common name repeats across a township).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from storage.core.db import Database
from storage.core.errors import ValidationErrors
from storage.core.identity import get_identity

LIMIT = 3  # named in the question; more would not fit it


@dataclass(frozen=True)
class Namesake:
    name: str
    birth_date: dt.date | None
    grid: str  # its grid's name, else its code
    id_tail: str = ""  # the last four characters of its ID number: two namesakes of one grid told apart


def namesakes(db: Database, fields: dict[str, Any], today: dt.date | None = None) -> list[Namesake]:
    """The registered people a new record with `fields` (as the form gives them) may duplicate; [] when its values
    do not pass the checks (the save says why)."""
    from storage.register.report_query import as_date
    from storage.register.residents import validate_resident

    try:
        data = validate_resident({**fields, "name": fields.get("name", "")}, today)
    except ValidationErrors:
        return []
    birth, id_number = data.get("birth_date"), data.get("id_number")
    where = ["r.name = :name", "NOT r.deleted", "r.merged_into IS NULL"]
    # a worker's form has no grid to choose: register_resident puts the record in theirs
    in_grid = data.get("grid_code") or getattr(get_identity(db), "grid_code", None)
    params: dict[str, Any] = {"name": data["name"], "grid": in_grid}
    if birth is not None:  # born that day anywhere in the township; born when unknown, in the same grid
        where.append("(r.birth_date = :birth OR r.birth_date IS NULL AND r.grid_code = :grid)")
        params["birth"] = birth.isoformat()
    else:
        where.append("r.grid_code = :grid")
    if id_number:
        where.append("(r.id_number IS NULL OR r.id_number = '')")
    sql = ("SELECT r.name, r.birth_date, g.name, r.grid_code, r.id_number FROM resident r"
           f" LEFT JOIN grid g ON g.id = r.grid_code WHERE {' AND '.join(where)}")
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql + " ORDER BY r.grid_code, r.id LIMIT :n"), {**params, "n": LIMIT}).all()
    # a grid by its name, else by its code (G01, not 330521101-G01)
    return [Namesake(str(name), as_date(born), str(grid or str(code or "").split("-", 1)[-1]), str(number or "")[-4:])
            for name, born, grid, code, number in rows]
