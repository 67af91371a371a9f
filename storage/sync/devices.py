"""Which devices a township merges from: enrollment codes, devices awaiting approval, revocation.

A device is trusted for one grid, by one of:
- an enrollment code (`enroll`): its bundles carry a proof of the code (storage/core/enrollment.py)
  and the first one that reaches the township registers it for the grid the code was made for;
- the clerk's approval (`approve`), after comparing the key fingerprint with the worker;
- an upgrade from before enrollment existed (registered by trust on first use, kept).

A bundle from any other device is not merged: the device waits in `DeviceRequest` with its
fingerprint, keyed by device id AND key, so that an impostor claiming a worker's device id
(readable in file names) waits beside the real device and never stands in its way.
Revoking a device (a lost laptop) refuses its bundles from then on; re-enrolling the
worker's new laptop is a new code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from storage.core.changes import load_identity
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _
from storage.core.models import BundleReceived, Device, DeviceRequest, Enrollment, Identity, utc_now
from storage.core.text import printable, storable, typed_code
from storage.sync.grid_codes import code_for_a_name, grid_id_for
from storage.sync.trust_rows import make_room, new_enrollment, proved_enrollment, take_place

MAX_HELD_FILES = 20  # bundle files remembered per waiting device, merged again on approval


@dataclass(frozen=True)
class DeviceView:
    device_id: str
    status: str  # approved | revoked | waiting | rejected
    grid_code: str  # the grid's short code (approved for, or claimed)
    worker: str
    fingerprint: str
    enrolled_by: str = ""
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    first_seq: int | None = None
    last_seq: int | None = None
    reason: str = ""
    files: tuple[str, ...] = field(default_factory=tuple)
    codes_unused: int = 0  # approved: codes made for its worker and grid and not used (each enrolls a device)
    unit_name: str = ""  # at a county: the township's name, once its records are here (its code alone says little)
    # at a county: the fingerprints of the other keys approved for the same township (a second key: an impostor,
    # or the township's replaced computer whose old key is to be revoked)
    other_keys: tuple[str, ...] = ()
    kind: str = "worker"  # worker: a grid worker's device; township: at a county, a township database's key


@dataclass(frozen=True)
class EnrollmentView:
    id: str
    grid_code: str
    worker: str
    created_at: dt.datetime
    used_by: str | None


def short_grid(grid_id: str | None) -> str:
    return (grid_id or "").split("-", 1)[-1]


def _township(session: Session) -> Identity:
    ident = load_identity(session)
    if ident.role == "county":
        raise UserError(_("A county enrolls and approves townships, not grid workers' devices: give --township CODE "
                          "instead of --grid (and --worker)."))
    if ident.role != "township":
        raise UserError(_("Only a township database enrolls and approves devices."))
    return ident


def _manager(session: Session) -> Identity:
    """A database that decides whose bundles it merges: a township (its workers' devices) or a county
    (its townships' keys, storage/sync/county_trust.py)."""
    ident = load_identity(session)
    if ident.role not in ("township", "county"):
        raise UserError(_("Only a township or a county database lists, approves and revokes devices."))
    return ident


def _unit(grid_code: str | None, township_code: str, kind: str) -> str:
    """What a device writes, as listed: a worker's grid (short code), a township's code."""
    return township_code if kind == "township" else short_grid(grid_code)


# ---------------------------------------------------------------- enrolling


def enroll(db: Database, grid_code: str, worker: str) -> tuple[str, EnrollmentView]:
    """A new one-time code for `worker`'s device in `grid_code`: (the code to read out, the record).
    Only a key derived from the code is stored."""
    worker = storable(worker or "").strip()  # as typed by the clerk, cleaned as every form's text
    if not worker:
        raise ValidationError("worker", _("Give the grid worker's name."))
    problem = code_for_a_name(worker)
    if problem:
        raise ValidationError("worker", problem)
    with db.write() as s:
        ident = _township(s)
        grid_id = grid_id_for(ident, grid_code, s)
        code, row = new_enrollment(s, ident.township_code, grid_id, worker)
        view = EnrollmentView(row.id, short_grid(grid_id), worker, row.created_at, None)
    from storage.core.audit import record

    record(db, "enroll", "", {"grid": short_grid(grid_id), "enrollment": view.id})
    return code, view


def enrollments(db: Database) -> list[EnrollmentView]:
    """Codes not used yet, oldest first (the codes themselves are not kept)."""
    with db.session() as s:
        county = _manager(s).role == "county"  # a county's codes are for townships: the code is the township's
        rows = s.execute(select(Enrollment).where(Enrollment.used_by.is_(None)).order_by(Enrollment.created_at)).scalars()
        return [_enrollment_view(r, county) for r in rows]


def _enrollment_view(row: Enrollment, county: bool) -> EnrollmentView:
    return EnrollmentView(row.id, row.grid_code if county else short_grid(row.grid_code), row.worker_name,
                          row.created_at, row.used_by)


def withdraw_codes(db: Database, unit: str, worker: str | None = None, *, reason: str = "") -> list[EnrollmentView]:
    """Withdraw the enrollment codes not used yet for a grid (at a county: a township's 9-digit code), or only
    `worker`'s there. A code not used is a key to that grid's records for whoever holds it: one written on a
    note that went astray, or one made for a worker whose device was approved without it."""
    with db.write() as s:
        ident = _manager(s)
        county = ident.role == "county"
        unit_id = typed_code(unit) if county else grid_id_for(ident, unit, s)
        rows = _unused(s, unit_id, worker)
        if not rows:
            raise UserError(_("No enrollment code is waiting to be used for {unit}.").format(
                unit=printable(unit, limit=20) if worker is None else f"{printable(unit, limit=20)}, "
                                                                         f"{printable(worker, limit=20)}"))
        views = [_enrollment_view(r, county) for r in rows]
        for row in rows:
            s.delete(row)
    from storage.core.audit import record

    record(db, "withdraw enrollment codes", "", {"unit": views[0].grid_code, "codes": len(views),
                                                 "reason": storable(reason).strip()})
    return views


def _unused(s: Session, unit_id: str, worker: str | None = None) -> list[Enrollment]:
    query = select(Enrollment).where(Enrollment.grid_code == unit_id, Enrollment.used_by.is_(None))
    if worker is not None:
        query = query.where(Enrollment.worker_name == storable(worker).strip())
    return list(s.execute(query.order_by(Enrollment.created_at)).scalars())


# ---------------------------------------------------------------- listing


def list_devices(db: Database) -> list[DeviceView]:
    """Approved and revoked devices by grid, then the ones waiting or rejected."""
    from storage.core.keys import fingerprint

    with db.session() as s:
        ident = _manager(s)
        seqs = {d: (lo, hi) for d, lo, hi in s.execute(
            select(BundleReceived.device_id, func.min(BundleReceived.seq), func.max(BundleReceived.seq))
            .group_by(BundleReceived.device_id)).all()}
        names: dict[str, str] = {}
        if ident.role == "county":
            from storage.register.report_query import township_names

            names = township_names(s.connection())
        devices = list(s.execute(select(Device).order_by(Device.grid_code, Device.first_seen)).scalars())
        approved: dict[str, list[Device]] = {}  # a county's township -> its approved keys
        for d in devices:
            if d.kind == "township" and d.status == "approved":
                approved.setdefault(d.township_code, []).append(d)

        def others(kind: str, township: str, key: str) -> tuple[str, ...]:
            if kind != "township":
                return ()
            return tuple(fingerprint(d.sign_public) for d in approved.get(township, []) if d.sign_public != key)

        views = []
        for d in devices:
            lo, hi = seqs.get(d.device_id, (None, None))
            unit = _unit(d.grid_code, d.township_code, d.kind)
            views.append(DeviceView(d.device_id, d.status, unit, d.worker_name, fingerprint(d.sign_public),
                                    d.enrolled_by, d.first_seen, d.last_seen, lo, hi,
                                    unit_name=names.get(unit, "") if d.kind == "township" else "",
                                    other_keys=others(d.kind, d.township_code, d.sign_public), kind=d.kind))
        for r in s.execute(select(DeviceRequest).order_by(DeviceRequest.status.desc(), DeviceRequest.first_seen)).scalars():
            unit = _unit(r.grid_code, r.township_code, r.kind)
            views.append(DeviceView(r.device_id, r.status, unit, r.worker_name, fingerprint(r.sign_public), "",
                                    r.first_seen, r.last_seen, reason=r.reason, files=tuple(r.files or ()),
                                    unit_name=names.get(unit, "") if r.kind == "township" else "",
                                    other_keys=others(r.kind, r.township_code, r.sign_public), kind=r.kind))
    return views


def _matches(text: str, device_id: str, sign_public: str) -> bool:
    from storage.core.keys import fingerprint

    wanted = "".join(text.split()).lower()
    if len(wanted) < 4:
        return False
    return device_id.lower().startswith(wanted) or fingerprint(sign_public).replace(" ", "").startswith(wanted)


def _find(s: Session, text: str, *, devices: bool = True, requests: bool = True) -> Device | DeviceRequest:
    """The one device or waiting device that `text` names: a device id or key fingerprint, or
    their first characters (at least 4)."""
    found: list[Device | DeviceRequest] = []
    if devices:
        found += [d for d in s.execute(select(Device)).scalars() if _matches(text, d.device_id, d.sign_public)]
    if requests:
        found += [r for r in s.execute(select(DeviceRequest)).scalars() if _matches(text, r.device_id, r.sign_public)]
    if not found:
        raise UserError(_("No device {id} here (give its id or key fingerprint, as `gridcare devices` shows them).").format(
            id=printable(text, limit=40)))
    if len(found) > 1:
        raise UserError(_("Several devices match {id}: give more of the id, or the key fingerprint.").format(
            id=printable(text, limit=40)))
    return found[0]


# ---------------------------------------------------------------- the clerk's decisions


def approve(db: Database, text: str, grid_code: str) -> tuple[DeviceView, list[Path]]:
    """Approve a waiting device for the grid it was set up for (or a revoked one again).

    Returns the device and the bundle files that waited for it, to be merged now.
    """
    from storage.core.keys import fingerprint

    with db.write() as s:
        ident = _township(s)
        grid_id = grid_id_for(ident, grid_code, s)
        target = _find(s, text)
        if (target.grid_code or "").upper() == grid_id.upper():  # the grid as the device spells it: "g01" typed "G01"
            grid_id = str(target.grid_code)
        if isinstance(target, Device):
            if target.status == "approved" and target.grid_code == grid_id:
                raise UserError(_("Device {device} is already approved for grid {grid}.").format(
                    device=target.device_id[:8], grid=short_grid(grid_id)))
            if target.grid_code != grid_id:
                raise UserError(_("Device {device} was set up for grid {claimed}, not {grid}: its worker writes that "
                                  "grid's records. Approve it for {claimed}, or have it set up again.").format(
                    device=target.device_id[:8], claimed=printable(short_grid(target.grid_code)), grid=short_grid(grid_id)))
            target.status, target.revoked_at = "approved", None
            s.add(target)
            files: list[Path] = []
            device = target
        else:
            if target.grid_code != grid_id:
                raise UserError(_("Device {device} was set up for grid {claimed}, not {grid}: its worker writes that "
                                  "grid's records. Approve it for {claimed}, or have it set up again.").format(
                    device=target.device_id[:8], claimed=printable(short_grid(target.grid_code), limit=20),
                    grid=short_grid(grid_id)))
            make_room(s, target.device_id, _("Another key is approved as device {device}: revoke that one first if it "
                                             "is not the worker's.").format(device=target.device_id[:8]))
            device = Device(device_id=target.device_id, sign_public=target.sign_public, age_recipient=target.age_recipient,
                            kind=target.kind, township_code=target.township_code, grid_code=grid_id,
                            worker_name=target.worker_name, first_seen=target.first_seen, last_seen=target.last_seen,
                            status="approved", enrolled_by="clerk")
            files = [Path(f) for f in target.files or []]
            s.delete(target)
            s.add(device)
        # the worker set up without the code made for them: it would enroll a second device for the grid.
        # Said, not withdrawn here: if the key approved is not the worker's (fingerprint not checked), the
        # worker's own code is what enrolls the real device once that key is revoked (tests/test_trust.py)
        unused = len(_unused(s, grid_id, device.worker_name))
        s.flush()
        view = DeviceView(device.device_id, "approved", short_grid(grid_id), device.worker_name,
                          fingerprint(device.sign_public), device.enrolled_by, device.first_seen, device.last_seen,
                          codes_unused=unused)
    from storage.core.audit import record

    record(db, "approve device", "", {"device": view.device_id, "grid": view.grid_code})
    return view, [f for f in files if f.is_file()]


def revoke(db: Database, text: str, *, only_waiting: bool = False) -> DeviceView:
    """Revoke an approved device (its later bundles are refused), or reject a waiting one."""
    from storage.core.keys import fingerprint

    with db.write() as s:
        _manager(s)
        target = _find(s, text, devices=not only_waiting)
        if isinstance(target, Device):
            if target.status == "revoked":
                raise UserError(_("Device {device} is revoked already.").format(device=target.device_id[:8]))
            target.status, target.revoked_at = "revoked", utc_now()
            status = "revoked"
        else:
            if target.status == "rejected":
                raise UserError(_("Device {device} is rejected already.").format(device=target.device_id[:8]))
            target.status = "rejected"
            target.files = []
            status = "rejected"
        s.add(target)
        view = DeviceView(target.device_id, status, _unit(target.grid_code, target.township_code, target.kind),
                          target.worker_name, fingerprint(target.sign_public), kind=target.kind)
    from storage.core.audit import record

    record(db, "revoke device" if status == "revoked" else "reject device", "", {"device": view.device_id})
    return view


# ---------------------------------------------------------------- at merge


@dataclass
class Trust:
    """What the merge may do with a worker bundle, decided from its (signed) manifest."""

    device_id: str
    grid_id: str = ""  # the grid it writes
    worker: str = ""  # the name its events carry
    waiting: bool = False  # not enrolled: record the request, merge nothing
    reason: str = ""  # why it waits: no_code | bad_code | code_used
    enrollment: Enrollment | None = None  # enrolled by this bundle's proof
    register: bool = False  # a new Device row to write (enrolled, or replacing a revoked key)
    kind: str = "worker"  # worker: grid_id is its grid; township (at a county): grid_id is the township code


def trust_worker_bundle(s: Session, ident: Identity, manifest: dict[str, Any], refuse) -> Trust:
    """Decide about a worker bundle from its verified manifest. `refuse(code, problem)` raises."""
    device_id, key = str(manifest["device_id"]), str(manifest["sign_public"])
    known = s.get(Device, device_id)
    if known is not None and known.sign_public == key:
        if known.status == "revoked":
            refuse("revoked", _("device {device} was revoked by the clerk: its bundles are refused.").format(
                device=printable(device_id[:8])))
        return Trust(device_id, known.grid_code or "", known.worker_name)
    if known is not None and known.status == "approved":
        refuse("untrusted_signer", _("it claims device {device} but is signed by another key: refused. If it is the "
                                     "worker's new laptop, enroll it; if the approved key is not the worker's, revoke "
                                     "it.").format(device=printable(device_id[:8])))
    request = s.get(DeviceRequest, (device_id, key))
    if request is not None and request.status == "rejected":
        refuse("rejected", _("device {device} was rejected by the clerk.").format(device=printable(device_id[:8])))
    grid_id, worker = str(manifest.get("grid_code") or ""), str(manifest.get("worker") or "")
    enrollment, reason = proved_enrollment(s, ident.township_code, grid_id, manifest)
    if enrollment is None:
        return Trust(device_id, grid_id, worker, waiting=True, reason=reason)
    return Trust(device_id, grid_id, worker, enrollment=enrollment, register=True)


def hold(s: Session, manifest: dict[str, Any], trust: Trust, path: Path) -> None:
    """Record (or refresh) the waiting device, with the file to merge once it is approved."""
    now = utc_now()
    key = str(manifest["sign_public"])
    request = s.get(DeviceRequest, (trust.device_id, key))
    if request is None:
        request = DeviceRequest(device_id=trust.device_id, sign_public=key, first_seen=now, last_seen=now)
    request.age_recipient = str(manifest.get("age_recipient", ""))
    request.kind = trust.kind
    request.township_code = str(manifest.get("township_code", ""))
    request.grid_code, request.worker_name = trust.grid_id or None, trust.worker
    request.reason, request.last_seen = trust.reason, now
    where = str(Path(path).absolute())
    request.files = ([f for f in request.files or [] if f != where] + [where])[-MAX_HELD_FILES:]
    s.add(request)


def register(s: Session, manifest: dict[str, Any], trust: Trust, now: dt.datetime) -> bool:
    """After a bundle merged: a device enrolled by it is registered (its code used up), a known
    one is stamped. Returns whether the device is new here."""
    if trust.register:
        device = Device(device_id=trust.device_id, sign_public=str(manifest["sign_public"]),
                        age_recipient=str(manifest.get("age_recipient", "")), kind="worker",
                        township_code=str(manifest.get("township_code", "")), grid_code=trust.grid_id,
                        worker_name=trust.worker, first_seen=now, last_seen=now, status="approved", enrolled_by="code")
        take_place(s, device, trust.enrollment, now)
    else:
        known = s.get(Device, trust.device_id)
        assert known is not None  # trusted: enrolled by this bundle, or known
        device = known
    device.last_seen = now
    s.add(device)
    return trust.register
