"""A township's bundle to its county (`gridcare export --county`).

The township sends its merged **events** — its workers' and its own — not the state derived from
them, so the county's state is the same fold of the same events (docs/design.md §2, "Levels above the
township"). The bundle is encrypted to the county's key, signed by the township's device key, and
numbered in a sequence of its own (table county_export), so the county can say which is missing.
Incremental by default: the events no bundle to the county has carried yet (event.exported_seq,
which on a township database means exactly that); `full` sends every event again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlmodel import col

from storage.core.db import SCHEMA_VERSION, Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.json_text import DamagedValue
from storage.core.models import AuditEntry, CountyExport, Event, Identity
from storage.sync.export import ExportResult
from storage.sync.export_checks import check_change, unreadable_change

Progress = Callable[[int, int], None]
KIND = "to_county"
_COLUMNS = ("id", "record_type", "record_id", "fields", "hlc", "device_id", "base_hlc", "author")


def county_status(db: Database) -> tuple[Identity, CountyExport | None, int]:
    """(identity, the last bundle to the county or None, events waiting for the next one)."""
    with db.session() as s:
        ident = _township(s)
        last = s.execute(select(CountyExport).order_by(col(CountyExport.seq).desc()).limit(1)).scalars().first()
        waiting = s.execute(select(func.count()).select_from(Event).where(col(Event.exported_seq).is_(None))).scalar() or 0
    return ident, last, int(waiting)


def _township(s) -> Identity:
    from storage.core.changes import COUNTY_SENDS_NOTHING, load_identity

    ident = load_identity(s)
    if ident.role == "county":
        raise UserError(_(COUNTY_SENDS_NOTHING))
    if ident.role != "township":
        raise UserError(_("Only a township database sends bundles to a county."))
    return ident


def export_county_bundle(db: Database, out: Path | None = None, *, full: bool = False,
                         progress: Progress | None = None, now: dt.datetime | None = None) -> ExportResult:
    """Write the township's next bundle to its county; returns what was written.

    One write transaction from the read to the marking: no merge can add events in between, so
    exactly the events written are marked as sent. A crash before the commit leaves them unmarked
    (the next bundle carries them again under the same number: the county's merge is idempotent).
    """
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import bundle_file_name, write_bundle
    from storage.sync.bundle_place import place_bundle

    now = now or dt.datetime.now(dt.timezone.utc)
    out = Path(out) if out else Path.cwd()
    sign_secret = private_keys(db.local_path).device_sign_secret
    event_t = Event.__table__  # type: ignore[attr-defined]
    with db.write() as s:
        ident = _township(s)
        if not ident.county_age_recipient:
            raise UserError(_("This township has no county key yet: run `gridcare county-key FILE` with the file the county gave you."))
        seq = (s.execute(select(func.max(CountyExport.seq))).scalar() or 0) + 1
        wanted = event_t.c.exported_seq.is_(None) if not full else None
        count_query = select(event_t.c.record_type, func.count()).group_by(event_t.c.record_type)
        if wanted is not None:
            count_query = count_query.where(wanted)
        counts: dict[str, int] = {str(rtype): int(cast(int, n)) for rtype, n in s.execute(count_query)}
        total = sum(counts.values())
        if not total:
            raise UserError(_("Nothing new for the county since bundle {seq}.").format(seq=seq - 1))
        manifest = {
            "kind": KIND, "schema_version": SCHEMA_VERSION, "township_code": ident.township_code,
            "township_name": ident.township_name, "county_code": ident.county_code, "grid_code": None,
            "device_id": ident.device_id, "worker": ident.worker_name, "seq": seq, "full": bool(full),
            "age_recipient": ident.device_age_recipient, "sign_public": ident.device_sign_public,
            "enroll_proof": ident.enroll_proof,  # of the county's code (storage/sync/county_trust.py)
            "created_at": now.replace(microsecond=0).isoformat(), "counts": counts,
        }
        path, seq = place_bundle(out, seq, lambda n: bundle_file_name(KIND, ident.township_code, None,
                                                                      ident.worker_name, ident.device_id, n, now))
        manifest["seq"] = seq
        query = select(*(event_t.c[c] for c in _COLUMNS)).order_by(event_t.c.hlc, event_t.c.device_id)
        if wanted is not None:
            query = query.where(wanted)
        rows = s.connection().execution_options(yield_per=5000).execute(query)
        events = _events(rows, total, progress, s.connection().dialect.name == "postgresql")  # (not restored by us)
        try:
            info = write_bundle(path, manifest, events, ident.county_age_recipient, sign_secret)
        except DamagedValue:
            raise unreadable_change(s.connection(), unsent=not full) from None
        s.execute(update(Event).where(col(Event.exported_seq).is_(None)).values(exported_seq=seq),
                  execution_options={"synchronize_session": False})
        s.add(CountyExport(seq=seq, file_name=path.name, payload_sha256=info.manifest["payload_sha256"],
                           event_count=total, full=bool(full), written_at=dt.datetime.now(dt.timezone.utc)))
        s.add(AuditEntry(at=now, actor=ident.worker_name, action="export_county", file=str(path.absolute()),
                         counts={"seq": seq, "events": total, **counts}))
    return ExportResult(path, seq, total, counts, info.manifest)


def _events(rows, total: int, progress: Progress | None, server: bool) -> Iterator[dict[str, Any]]:
    done = 0
    for row in rows:
        ev = dict(zip(_COLUMNS, row, strict=True))
        check_change(ev["record_type"], ev["record_id"], ev["hlc"], ev["fields"], server=server)  # before writing
        yield ev
        done += 1
        if progress and done % 5000 == 0:
            progress(done, total)
    if progress:
        progress(total, total)
