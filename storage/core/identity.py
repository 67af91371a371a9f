"""Setting a database up as a township's or a grid worker's (`gridcare init`)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from storage.core import keys, places
from storage.core.changes import writer
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _
from storage.core.models import Identity, utc_now
from storage.core.private_keys import PrivateKeys, write_keys
from storage.core.schema import NAME_MAX
from storage.core.text import printable

TOWNSHIP_CODE = re.compile(r"^\d{9}$")
GRID_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def get_identity(db: Database) -> Identity | None:
    with db.session() as s:
        return s.get(Identity, 1)


def _check_codes(township_code: str, township_name: str, grid_code: str | None = None) -> None:
    if not TOWNSHIP_CODE.match(township_code or ""):
        raise ValidationError(
            "township_code",
            _("A township code has 9 digits (county 6 + township 3), e.g. 330106001."),
        )
    if not (township_name or "").strip():
        raise ValidationError("township_name", _("Give the township's name."))
    if len(township_name.strip()) > NAME_MAX:
        raise ValidationError("township_name", _("Too long: at most {n} characters.").format(n=NAME_MAX))
    if grid_code is not None and not GRID_CODE.match(grid_code):
        raise ValidationError(
            "grid_code", _("A grid code is 1 to 16 letters, digits, '-' or '_', e.g. G03.")
        )


def grid_record_id(township_code: str, grid_code: str) -> str:
    return f"{township_code}-{grid_code}"


def _ensure_empty(db: Database) -> None:
    if get_identity(db) is not None:
        raise UserError(_("{path} is already set up; use another --db for a new database.").format(path=db.path))


def init_township(db: Database, township_code: str, township_name: str, key_out: Path | None = None) -> tuple[Identity, Path | None, str]:
    """Create a township database and its key pair; returns (identity, key file, key text)."""
    _check_codes(township_code, township_name)
    _ensure_empty(db)
    township = keys.generate_keypair()
    device = keys.generate_keypair()
    write_keys(db.path, PrivateKeys(device_age_secret=device.age_secret, device_sign_secret=device.sign_secret,
                                    township_age_secret=township.age_secret, township_sign_secret=township.sign_secret))
    ident = Identity(
        role="township",
        device_id=secrets.token_hex(8),
        township_code=township_code,
        township_name=township_name.strip(),
        worker_name=_("Township clerk"),
        created_at=utc_now(),
        device_age_recipient=device.age_recipient,
        device_sign_public=device.sign_public,
        township_age_recipient=township.age_recipient,
        township_sign_public=township.sign_public,
    )
    with db.write() as s:
        s.add(ident)
        s.flush()
        writer(s).write("township", township_code, {"name": township_name.strip()})
    text = keys.format_public_key(township_code, township_name.strip(), township)
    written = None
    if key_out is not None:
        keys.write_public_key_file(key_out, township_code, township_name.strip(), township)
        written = key_out
    return ident, written, text


def init_worker(
    db: Database,
    township_code: str,
    township_name: str,
    grid_code: str,
    grid_name: str,
    worker_name: str,
    township_key_file: Path | None,
    *,
    village_code: str | None = None,
    village_name: str | None = None,
    demo: bool = False,
    enroll_code: str | None = None,
) -> Identity:
    """A grid worker's database. `enroll_code`: the one-time code the clerk gave for this grid
    (`gridcare enroll`); the device keeps only its proof, which every bundle carries. Without
    a code the township holds the first bundle until the clerk approves the device."""
    from storage.core import enrollment, keys

    _check_codes(township_code, township_name, grid_code)
    village = None
    if (village_name or "").strip() or (village_code or "").strip():
        village = places.check_village(township_code, village_name, village_code)
    if not (worker_name or "").strip():
        raise ValidationError("worker", _("Give the grid worker's name."))
    if not (grid_name or "").strip():
        raise ValidationError("grid_name", _("Give the grid's name."))
    for field, value in (("worker", worker_name), ("grid_name", grid_name)):
        if len(value.strip()) > NAME_MAX:  # they travel in every bundle: a township refuses longer ones
            raise ValidationError(field, _("Too long: at most {n} characters.").format(n=NAME_MAX))
    code = None
    if enroll_code is not None and enroll_code.strip():
        code = enrollment.normalise_code(enroll_code)
        if code is None:
            raise ValidationError("enroll_code", _("This enrollment code is not right (a character is missing or "
                                                   "mistyped): check it with the clerk."))
    _ensure_empty(db)
    device = keys.generate_keypair()
    township_age, township_sign = "", ""
    if township_key_file is not None:
        pub = keys.read_public_key_file(township_key_file)
        if pub.township_code != township_code:
            raise UserError(
                _("The key file is for township {found}, not {expected}.").format(
                    found=printable(pub.township_code, limit=20), expected=township_code
                )
            )
        township_age, township_sign = pub.age_recipient, pub.sign_public
    device_id = secrets.token_hex(8)
    grid_id = grid_record_id(township_code, grid_code)
    proof = ""
    if code is not None:
        key = enrollment.code_key(code, township_code, grid_id)
        proof = enrollment.proof(key, township_code, grid_id, device_id, device.sign_public, device.age_recipient)
    # a worker's key file holds its device's keys only: never the township's private key
    write_keys(db.path, PrivateKeys(device_age_secret=device.age_secret, device_sign_secret=device.sign_secret))
    ident = Identity(
        role="worker",
        device_id=device_id,
        township_code=township_code,
        township_name=township_name.strip(),
        grid_code=grid_record_id(township_code, grid_code),
        grid_name=grid_name.strip(),
        worker_name=worker_name.strip(),
        created_at=utc_now(),
        device_age_recipient=device.age_recipient,
        device_sign_public=device.sign_public,
        township_age_recipient=township_age,
        township_sign_public=township_sign,
        demo=demo,
        enroll_proof=proof,
    )
    village_ref = places.village_id(township_code, *village) if village else None
    with db.write() as s:
        s.add(ident)
        s.flush()
        w = writer(s)
        w.write("township", township_code, {"name": township_name.strip()})
        if village and village[0] and village_ref:
            # on this laptop only (a village is the township's record); the grid's village_code travels
            w.write("village", village_ref, {"name": village[0], "township_code": township_code})
        w.write(
            "grid",
            grid_record_id(township_code, grid_code),
            {
                "code": grid_code,
                "name": grid_name.strip(),
                "township_code": township_code,
                "village_code": village_ref,
                "worker_name": worker_name.strip(),
            },
        )
    return ident
