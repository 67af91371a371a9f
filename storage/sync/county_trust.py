"""Which townships a county merges from: enrollment codes, townships awaiting approval, revocation.

The county's twin of storage/sync/devices.py. A township's bundles to the county are signed by the
township database's device key; that key is trusted for one township code, by one of:
- an enrollment code (`gridcare enroll --township CODE` on the county): the township gives it once
  (`gridcare county-key FILE --enroll-code CODE`, or `init --county-key FILE --enroll-code CODE`) and
  keeps only its proof (storage/core/enrollment.py, the township as the "unit", salted with the
  county), which every bundle to the county carries; the first one that arrives enrolls the key;
- the county's approval (`gridcare devices approve ID --township CODE`), after comparing the key
  fingerprint with the township clerk.

A bundle from any other key is not merged: it waits in DeviceRequest (keyed by device id AND key,
so an impostor never stands in the real township's way), with its file to merge on approval.
A key enrolled for one township never sends another township's bundles. Revoking a township's
key (a stolen laptop) refuses its bundles from then on; the township enrolls its new one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from storage.core.changes import load_identity
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _
from storage.core.identity import TOWNSHIP_CODE
from storage.core.models import Device, DeviceRequest, Identity
from storage.core.text import printable, storable, typed_code
from storage.sync.devices import DeviceView, EnrollmentView, Trust, _find
from storage.sync.trust_rows import make_room, new_enrollment, proved_enrollment, take_place


def _county(session: Session) -> Identity:
    ident = load_identity(session)
    if ident.role != "county":
        raise UserError(_("Only a county database enrolls townships."))
    return ident


def township_code_for(ident: Identity, code: str) -> str:
    """A township code of this county (9 digits beginning with the county's 6); ValidationError otherwise.
    Typed as a township's own set-up takes it: "330521 101" and full-width digits too (storage/core/text.py)."""
    code = typed_code(code)
    if not TOWNSHIP_CODE.match(code):
        raise ValidationError("township", _("A township code has 9 digits (county 6 + township 3), e.g. 330106001."))
    if not code.startswith(ident.county_code):
        raise ValidationError("township", _("Township {township} is not in county {county}.").format(
            township=code, county=ident.county_code))
    return code


def enroll_township(db: Database, township_code: str, name: str = "") -> tuple[str, EnrollmentView]:
    """A new one-time code for township `township_code`: (the code to give its clerk, the record).
    Only a key derived from the code is stored; the code is bound to the county and the township."""
    from storage.core.audit import record

    with db.write() as s:
        ident = _county(s)
        township = township_code_for(ident, township_code)
        code, row = new_enrollment(s, ident.county_code, township, storable(name or "").strip())
        view = EnrollmentView(row.id, township, row.worker_name, row.created_at, None)
    record(db, "enroll township", "", {"township": township, "enrollment": view.id})
    return code, view


def trust_township_bundle(s: Session, ident: Identity, manifest: dict[str, Any], refuse) -> Trust:
    """Decide about a township's bundle from its verified manifest. `refuse(code, problem)` raises."""
    device_id, key = str(manifest["device_id"]), str(manifest["sign_public"])
    township = str(manifest["township_code"])
    known = s.get(Device, device_id)
    if known is not None and known.sign_public == key:
        if known.status == "revoked":
            refuse("revoked", _("the key of township {township} (device {device}) was revoked by the county: its "
                                "bundles are refused.").format(township=printable(township, limit=12),
                                                              device=printable(device_id[:8])))
        if known.township_code != township:
            refuse("untrusted_signer", _("its key is enrolled for township {enrolled}, but it speaks for township "
                                         "{township}: refused.").format(enrolled=known.township_code,
                                                                        township=printable(township, limit=12)))
        return Trust(device_id, township, str(manifest.get("worker") or ""), kind="township")
    if known is not None and known.status == "approved":
        refuse("untrusted_signer", _("it claims device {device} but is signed by another key: refused.").format(
            device=printable(device_id[:8])))
    request = s.get(DeviceRequest, (device_id, key))
    if request is not None and request.status == "rejected":
        refuse("rejected", _("township {township} (device {device}) was rejected by the county.").format(
            township=printable(township, limit=12), device=printable(device_id[:8])))
    worker = str(manifest.get("worker") or "")
    enrollment, reason = proved_enrollment(s, ident.county_code, township, manifest)  # one code, one key
    if enrollment is None:
        return Trust(device_id, township, worker, waiting=True, reason=reason, kind="township")
    return Trust(device_id, township, worker, enrollment=enrollment, register=True, kind="township")


def other_keys(s: Session, township: str, sign_public: str) -> list[Device]:
    """The keys approved for `township` other than `sign_public`: a second key for an enrolled township is an
    impostor, or the township's replaced computer (whose old key should then be revoked)."""
    rows: list[Device] = list(s.execute(select(Device).where(
        col(Device.kind) == "township", col(Device.township_code) == township, col(Device.status) == "approved")).scalars())
    return [d for d in rows if d.sign_public != sign_public]


def other_keys_text(township: str, fingerprints: list[str] | tuple[str, ...], key: str) -> str:
    """Said wherever a second key of an enrolled township is shown (the merge, the keys list, approval):
    `fingerprints`, of the keys approved already; `key`, of this one."""
    return _("Township {township} already has an approved key ({old}); this is another key ({fp}). Approve it only "
             "if the township's computer was replaced, and then revoke the old key.").format(
        township=printable(township, limit=12), old=_("; ").join(fingerprints), fp=key)


def waiting_problem(s: Session, manifest: dict[str, Any], trust: Trust) -> str:
    """Why a township's bundle waits for the county's approval (the merge's line names the file before it)."""
    from storage.core.keys import fingerprint

    key = str(manifest["sign_public"])
    township, device = printable(trust.grid_id, limit=12), printable(trust.device_id[:8])
    approved = other_keys(s, trust.grid_id, key)
    if approved:
        return _("{problem} It waits for the county: gridcare devices approve {device} --township {township}").format(
            device=device, township=township, problem=other_keys_text(
                trust.grid_id, [fingerprint(d.sign_public) for d in approved], fingerprint(key)))
    return _("township {township} is not enrolled at this county (device {device}, key fingerprint {fp}). It "
             "waits for the county: gridcare devices approve {device} --township {township}").format(
        township=township, device=device, fp=fingerprint(key))


def register_township(s: Session, manifest: dict[str, Any], trust: Trust, now: dt.datetime) -> tuple[bool, list[str]]:
    """After a township's bundle merged: its key registered if this bundle enrolled it, stamped
    otherwise. Returns whether the key is new here, and the files of its bundles that waited for
    it (sent before the township had the county's code), to be merged now."""
    released: list[str] = []
    if trust.register:
        device = Device(device_id=trust.device_id, sign_public=str(manifest["sign_public"]), first_seen=now,
                        last_seen=now, status="approved", enrolled_by="code")
        released = take_place(s, device, trust.enrollment, now)
    else:
        known = s.get(Device, trust.device_id)
        assert known is not None  # trusted: enrolled by this bundle, or known
        device = known
    device.age_recipient = str(manifest.get("age_recipient", ""))
    device.kind, device.township_code, device.grid_code = "township", trust.grid_id, None
    device.worker_name, device.last_seen = trust.worker, now
    s.add(device)
    return trust.register, released


def approve_township(db: Database, text: str, township_code: str) -> tuple[DeviceView, list[Path]]:
    """Approve a waiting township key for the township it speaks for (or a revoked one again).

    Returns the key's view and the bundle files that waited for it, to be merged now.
    """
    from storage.core.audit import record
    from storage.core.keys import fingerprint

    with db.write() as s:
        ident = _county(s)
        township = township_code_for(ident, township_code)
        target = _find(s, text)
        if target.township_code != township:
            raise UserError(_("Device {device} speaks for township {claimed}, not {township}. Approve it for "
                              "{claimed}, or have that township enrolled again.").format(
                device=target.device_id[:8], claimed=printable(target.township_code, limit=12), township=township))
        files: list[Path] = []
        if isinstance(target, Device):
            if target.status == "approved":
                raise UserError(_("Device {device} is already approved for township {township}.").format(
                    device=target.device_id[:8], township=township))
            target.status, target.revoked_at = "approved", None
            device = target
        else:
            make_room(s, target.device_id, _("Another key is approved as device {device}: revoke that one first if it "
                                             "is not the township's.").format(device=target.device_id[:8]))
            device = Device(device_id=target.device_id, sign_public=target.sign_public,
                            age_recipient=target.age_recipient, kind="township", township_code=township,
                            worker_name=target.worker_name, first_seen=target.first_seen, last_seen=target.last_seen,
                            status="approved", enrolled_by="county")
            files = [Path(f) for f in target.files or []]
            s.delete(target)
        s.add(device)
        s.flush()
        others = tuple(fingerprint(d.sign_public) for d in other_keys(s, township, device.sign_public))
        view = DeviceView(device.device_id, "approved", township, device.worker_name, fingerprint(device.sign_public),
                          device.enrolled_by, device.first_seen, device.last_seen, other_keys=others, kind="township")
    record(db, "approve township", "", {"device": view.device_id, "township": township})
    return view, [f for f in files if f.is_file()]


def township_event_check(s: Session, trust: Trust):
    """The check each chunk of a township's bundle passes before it is written (NotAllowed otherwise):
    no event may claim to be written by another township's database. A township relays its workers'
    events, whose devices the county does not know, but the devices of the other townships it does;
    their events (their visit policy among them, storage/register/township_policies.py) come only
    from them. Nor may any event touch another township's record, whoever wrote it
    (storage/sync/county_authorise.py)."""
    from storage.sync.authorise import NotAllowed
    from storage.sync.county_authorise import own_records_check

    own_records = own_records_check(s, trust.grid_id)

    others: set[str] = set(s.execute(select(col(Device.device_id)).where(col(Device.kind) == "township",
                                                               col(Device.township_code) != trust.grid_id)).scalars())

    def check(chunk: list[dict[str, Any]]) -> None:
        for ev in chunk:
            if ev.get("device_id") in others:
                raise NotAllowed(_("record {record}: written by another township's database ({device}); a township "
                                   "sends only its own and its workers' work.").format(
                    record=printable(f"{ev['record_type']} {ev['record_id']}", limit=60),
                    device=printable(str(ev["device_id"])[:8])))
        own_records(chunk)

    return check
