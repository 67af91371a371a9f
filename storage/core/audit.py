"""The audit log: every export, merge, report to file, dump, backup and restore."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.core.db import Database
from storage.core.models import AuditEntry, Identity, utc_now


def record(db: Database, action: str, file: str = "", counts: dict[str, Any] | None = None) -> None:
    with db.write() as s:
        ident = s.get(Identity, 1)
        s.add(AuditEntry(at=utc_now(), actor=ident.worker_name if ident else "",
                         action=action, file=file, counts=counts or {}))


def entries(db: Database, limit: int = 500) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all())
