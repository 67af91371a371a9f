"""What a township (its workers' devices: storage/sync/devices.py) and a county (its townships' keys:
storage/sync/county_trust.py) do alike with the tables of trust: make an enrollment code's row, find the enrollment
a bundle's proof shows, and put an enrolled or approved key in its place under its device id."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.core.errors import UserError
from storage.core.models import Device, DeviceRequest, Enrollment, utc_now


def new_enrollment(s: Session, scope: str, unit: str, name: str) -> tuple[str, Enrollment]:
    """A new one-time code for `unit` (a grid id in township `scope`; at a county, a township code in county
    `scope`), for `name`: the code to give, and its row, which holds only a key derived from the code."""
    from storage.core.enrollment import code_key, new_code, normalise_code

    code = new_code()
    raw = normalise_code(code)
    assert raw is not None  # a code we just made is well formed
    row = Enrollment(id=secrets.token_hex(6), township_code=scope, grid_code=unit, worker_name=name,
                     code_key=code_key(raw, scope, unit), created_at=utc_now())
    s.add(row)
    s.flush()
    return code, row


def proved_enrollment(s: Session, scope: str, unit: str, manifest: dict[str, Any]) -> tuple[Enrollment | None, str]:
    """The enrollment of `unit` (in `scope`, as for new_enrollment) whose code the bundle's proof shows, or None and
    why not: no_code (it carries none), bad_code (no code of the unit's), code_used (by another device: one code, one
    device, so a copy of the proof enrolls nothing)."""
    from storage.core.enrollment import proof_ok

    given = manifest.get("enroll_proof")
    if not given:
        return None, "no_code"
    device_id, key = str(manifest["device_id"]), str(manifest["sign_public"])
    e: Enrollment
    for e in s.execute(select(Enrollment).where(col(Enrollment.township_code) == scope,
                                                col(Enrollment.grid_code) == unit)).scalars():
        if proof_ok(e.code_key, given, scope, unit, device_id, key, str(manifest.get("age_recipient", ""))):
            if e.used_by is not None and e.used_by != device_id:
                return None, "code_used"
            return e, ""
    return None, "bad_code"


def take_place(s: Session, device: Device, enrollment: Enrollment | None, now: dt.datetime) -> list[str]:
    """`device` (not yet added), just enrolled by a bundle's proof of `enrollment`, takes its place: a revoked key
    under its id goes, the code is used up, and its waiting request goes. Returns the files of the bundles that
    waited for it."""
    old = s.get(Device, device.device_id)
    if old is not None:
        s.delete(old)  # a revoked key under this id: the enrolled one replaces it
        s.flush()
    if enrollment is not None:
        enrollment.used_by, enrollment.used_at = device.device_id, now
        s.add(enrollment)
    waiting = s.get(DeviceRequest, (device.device_id, device.sign_public))
    if waiting is None:
        return []
    files = list(waiting.files or [])
    s.delete(waiting)
    return files


def make_room(s: Session, device_id: str, taken: str) -> None:
    """Before a waiting key is approved as `device_id`: a revoked key under that id goes (the approved one replaces
    it); an approved one stays, and the approval is refused with the message `taken`."""
    existing = s.get(Device, device_id)
    if existing is not None and existing.status == "approved":
        raise UserError(taken)
    if existing is not None:
        s.delete(existing)
        s.flush()
