"""What an export refuses to carry: a change every merge would refuse, the database having been edited outside gridcare.

A change stamped with a clock gridcare never writes (past the year-2100 horizon, below zero), or whose fields are not
JSON or not a JSON object, is refused by every merge, the township's and the worker's and the county's, with the whole
bundle and every full one after it. The open does not look for one (storage/core/clock_range.py: a scan of the event
table at every start); the export reads each change it carries anyway, so it says so there, in one line naming the
record, and writes nothing. One comparison per change exported.
"""

from __future__ import annotations

from typing import Any

from storage.core import hlc
from storage.core.errors import UserError
from storage.core.i18n import _


def check_change(record_type: str, record_id: str, stamp: Any, fields: Any, *, server: bool = False) -> None:
    """UserError naming the record when the change is one every merge refuses (see the module's words); `server`:
    the database is on a server, which gridcare does not restore."""
    if type(stamp) is not int or not 0 <= stamp < hlc.HORIZON:
        raise _refused(_("Nothing was exported: a change to the {record} record {id} carries a clock past any date "
                         "gridcare writes (the database was edited outside gridcare), and every merge would refuse "
                         "the bundle. {advice}"), record_type, record_id, server)
    if type(fields) is not dict:
        raise unreadable(record_type, record_id, server=server)


def unreadable(record_type: str, record_id: str, *, server: bool = False) -> UserError:
    return _refused(_("Nothing was exported: a change to the {record} record {id} cannot be read (the database was "
                      "edited outside gridcare), and every merge would refuse the bundle. {advice}"),
                    record_type, record_id, server)


def unreadable_change(conn: Any, *, device: str | None = None, unsent: bool = False) -> UserError:
    """The refusal naming the first change whose fields are not JSON (a SQLite file: a server's JSON column holds
    none), asked after the engine's reader found one (storage/core/json_text.py: DamagedValue): the error path only.
    `device`: only that device's changes; `unsent`: only those not yet sent. The damaged file's own line when
    SQLite finds none (a text Python's reader refuses and SQLite's accepts)."""
    from sqlalchemy import text

    from storage.core.json_text import damaged

    where = "NOT json_valid(fields)"
    if device is not None:
        where += " AND device_id = :device"
    if unsent:
        where += " AND exported_seq IS NULL"
    row = conn.execute(text(f"SELECT record_type, record_id FROM event WHERE {where} ORDER BY hlc LIMIT 1"),
                       {"device": device} if device is not None else {}).first()
    server = conn.dialect.name == "postgresql"
    return unreadable(row[0], row[1], server=server) if row is not None else damaged()


def _refused(message: str, record_type: str, record_id: str, server: bool) -> UserError:
    from storage.core.refused import SERVER_ADVICE
    from storage.core.schema import RECORD_LABELS
    from storage.core.text import printable

    record = _(RECORD_LABELS[record_type]) if record_type in RECORD_LABELS else printable(str(record_type), limit=40)
    advice = _(SERVER_ADVICE) if server else _("Restore a backup (gridcare restore).")
    return UserError(message.format(record=record, id=printable(str(record_id), limit=40), advice=advice))
