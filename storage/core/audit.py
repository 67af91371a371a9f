"""The audit log: every export, merge, report to file, dump, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from storage.core.db import Database
from storage.core.i18n import N_, _
from storage.core.models import AuditEntry, Identity, utc_now
from storage.core.text import path_text


def record(db: Database, action: str, file: str = "", counts: dict[str, Any] | None = None) -> None:
    with db.write() as s:
        add_entry(s, action, file, counts)


def add_entry(session: Session, action: str, file: str = "", counts: dict[str, Any] | None = None) -> None:
    """An entry in the caller's transaction (a refused bundle's, beside its rolled-back savepoint)."""
    ident = session.get(Identity, 1)
    session.add(AuditEntry(at=utc_now(), actor=ident.worker_name if ident else "",
                           action=action, file=path_text(file), counts=counts or {}))


def last_file(db: Database, action: str) -> str | None:
    """The file of the newest entry of `action` (the county's public key file, as `init` or `public-key` wrote it)."""
    with db.session() as s:
        entry = s.exec(select(AuditEntry).where(col(AuditEntry.action) == action).order_by(col(AuditEntry.id).desc())).first()
        return entry.file if entry is not None and entry.file else None


def last_folder(db: Database, action: str) -> Path | None:
    """The folder of the newest entry of `action`'s file, while it is there (a USB stick is usually mounted at the
    same place); an entry written before the path was kept whole (a bare name, relative) gives none."""
    last = last_file(db, action)
    folder = Path(last).parent if last else None
    return folder if folder is not None and folder.is_absolute() and folder.is_dir() else None


def entries(db: Database, limit: int = 500) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all())


# What `gridcare audit` prints for the codes an entry stores: the action and each count by its name.
ACTION_LABELS = {
    "export": N_("Export"), "merge": N_("Merge"), "merge refused": N_("Bundle refused"), "report": N_("Report to file"), "dump": N_("Dump"),
    "backup": N_("Backup"), "restore": N_("Restore"), "roster_import": N_("Roster import"),
    "enroll": N_("Enrollment code"), "approve device": N_("Approve device"), "revoke device": N_("Revoke device"),
    "reject device": N_("Reject device"), "withdraw enrollment codes": N_("Withdraw enrollment codes"),
    "export_county": N_("Export for the county"), "enroll township": N_("Enrollment code for a township"),
    "approve township": N_("Approve a township's key"),
    "public key": N_("Public key file written"),
    "conflict decision": N_("Conflict decided"), "conflict decision undone": N_("Conflict decision undone"),
    "merge residents": N_("Residents registered twice merged"), "undo resident merge": N_("Resident merge undone"),
    "move resident": N_("Resident moved to another grid"),
    "moved here": N_("Resident moved to this grid by the township"), "moved here seen": N_("Resident moved or registered here, opened"),
    "registered here": N_("Resident registered in this grid by the township"),
}
COUNT_LABELS = {
    "seq": N_("bundle no."), "events": N_("changes"), "new_events": N_("new changes"), "records": N_("records"),
    "files": N_("files"),
    "month": N_("month of"), "key_persons": N_("key persons"), "visited": N_("visited"), "overdue": N_("overdue"),
    "emergency_high": N_("emergency + high risk"), "open_referrals": N_("open referrals"),
    "aged_out": N_("aged out"), "full_ids": N_("full ID numbers"), "bytes": N_("bytes"),
    "pruned": N_("old backups removed"), "kept_aside": N_("kept aside as"), "device": N_("device"),
    "grid": N_("grid"), "enrollment": N_("enrollment"), "new": N_("new"), "update": N_("updated"),
    "unchanged": N_("unchanged"), "invalid": N_("invalid"), "unit": N_("grid or township"), "codes": N_("codes"),
    "reason": N_("reason"), "problem": N_("reason"), "township": N_("township"),
    "changes_dropped": N_("changes after the backup left aside"),
    "record": N_("record"),
    "kept": N_("record kept"), "merged": N_("record merged into it"), "carried": N_("fields taken over"),
    "given_back": N_("fields given back"), "record_id": N_("record id"), "from_grid": N_("from grid"),
    "to_grid": N_("to grid"),
}


def action_text(action: str) -> str:
    """An entry's action by its name ("导出"); an action of a newer release as it was stored."""
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def counts_parts(counts: dict[str, Any]) -> list[str]:
    """An entry's counts, one "数据包编号 3" each (record types by their names too: 关爱对象 8)."""
    from storage.core.schema import RECORD_LABELS

    if not isinstance(counts, dict):  # the file edited by hand: the entry is listed, its counts said unreadable
        return [_("(counts unreadable)")]
    parts = []
    for key, value in counts.items():
        if key == "reason" and counts.get("problem"):
            continue  # the reason in words is said instead of its code ("wrong_township")
        if key in ("record_type", "field", "event"):
            continue  # a conflict decision's codes ("phone", its event), kept for storage/sync/conflict_undo.py
        name = COUNT_LABELS.get(key) or RECORD_LABELS.get(key)
        shown = _(YES_NO[value]) if isinstance(value, bool) else value
        parts.append(_("{name} {value}").format(name=_(name) if name else key, value=shown))
    return parts


def counts_text(counts: dict[str, Any]) -> str:
    return _(", ").join(counts_parts(counts))


YES_NO = {True: N_("yes"), False: N_("no")}
