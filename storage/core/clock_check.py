"""Is this computer's clock plausible? Old laptops often say 2001 or 2035.

Judged against the newest change this device wrote. A change stamped where no clock of gridcare's stamps (past the
horizon, storage/core/hlc.py: the file edited by hand, e.g. 2^63 - 1, the year 6400) is the file's fault, not the
computer's: the start said "This computer's clock says 2026-12-05, which looks too early" on a computer that was
right. It says the database is damaged instead (every export refuses such a change: storage/sync/export_checks.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from storage.core import hlc
from storage.core.db import Database
from storage.core.i18n import _
from storage.core.models import Event, Identity

EARLIEST_PLAUSIBLE = dt.date(2026, 1, 1)  # before this release existed
MAX_AHEAD_DAYS = 2 * 365
LATEST_PLAUSIBLE = dt.date(2034, 1, 1)  # a release this old would have been replaced


def clock_warning(db: Database | None, now: dt.datetime | None = None) -> str | None:
    """A translated warning if the clock looks wrong, else None.

    The change order stays right either way (hybrid logical clock); the
    warning is about the dates people type and see.
    """
    now = now or dt.datetime.now()
    newest = None
    if db is not None:
        # only this device's own events: other devices' clocks may be wrong too
        with db.engine.connect() as conn:
            device = conn.execute(select(Identity.device_id)).scalar()
            stamp = conn.execute(select(func.max(Event.hlc)).where(Event.device_id == device)).scalar()
        # (SQLite orders a text after every number: a clock edited into a text is the newest)
        if stamp is not None and not (type(stamp) is int and hlc.within_horizon(stamp)):
            if db.engine.dialect.name == "postgresql":  # a server: not restored by gridcare (nor by Home's b)
                from storage.core.refused import SERVER_ADVICE

                return _("The database on the server holds a change dated past any date gridcare writes: it is "
                         "damaged. {advice}").format(advice=_(SERVER_ADVICE))
            return _("The database holds a change dated past any date gridcare writes: the file is damaged. Put back a "
                     "backup (b on Home opens Backup and restore; or gridcare restore).")
        if stamp:
            newest = dt.datetime.fromtimestamp(hlc.wall_ms(stamp) / 1000)
    if now.date() < EARLIEST_PLAUSIBLE or (newest and now < newest - dt.timedelta(days=1)):
        return _("This computer's clock says {date}, which looks too early. Set the date and time, or visit dates will be wrong.").format(date=now.date().isoformat())
    if now.date() > LATEST_PLAUSIBLE or (newest and now > newest + dt.timedelta(days=MAX_AHEAD_DAYS)):
        return _("This computer's clock says {date}, years after the last record. Check the date and time.").format(date=now.date().isoformat())
    return None
