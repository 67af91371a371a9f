"""`gridcare dump`: every current record as JSON Lines, in a stable order.

Same events in, same bytes out: this is both a feature for other systems and
audits, and the yardstick of the merge laws in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select

from storage.core.db import Database
from storage.core.fields import to_json_value
from storage.core.models import RECORD_TABLES, Conflict

DUMP_TABLES = {**RECORD_TABLES, "conflict": Conflict}


def dump_lines(db: Database) -> Iterator[str]:
    with db.engine.connect() as conn:
        for record_type in sorted(DUMP_TABLES):
            table = DUMP_TABLES[record_type].__table__  # type: ignore[attr-defined]
            for row in conn.execute(select(table).order_by(table.c.id)).mappings():
                record = {k: to_json_value(v) for k, v in row.items()}
                yield json.dumps({"type": record_type, **record}, ensure_ascii=False, sort_keys=True,
                                 separators=(",", ":"))


def write_dump(db: Database, out: IO[str]) -> int:
    n = 0
    for line in dump_lines(db):
        out.write(line + "\n")
        n += 1
    return n
