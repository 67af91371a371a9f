"""Setting a database up as a county's, a township's or a grid worker's (`gridcare init`)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any, Literal

from storage.core import keys, places
from storage.core.changes import writer
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _
from storage.core.models import Identity, utc_now
from storage.core.private_keys import PrivateKeys, write_keys
from storage.core.schema import NAME_MAX
from storage.core.text import printable, storable, typed_code

TOWNSHIP_CODE = re.compile(r"^\d{9}$", re.ASCII)  # ASCII: "３３０…" (a Chinese IME's digits) is no code
COUNTY_CODE = re.compile(r"^\d{6}$", re.ASCII)
GRID_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def _storable(name: str) -> str:
    """A name as typed at set-up, cleaned as every form's text is (storage/core/text.py storable): it travels
    as the author of every event, which a township would refuse whole for a NUL in it."""
    return storable(name) if isinstance(name, str) else name


def get_identity(db: Database) -> Identity | None:
    with db.session() as s:
        return s.get(Identity, 1)


def _within_name_max(field: str, name: str) -> None:
    """Names travel in every bundle (the author of each event, the manifest's): a receiver refuses longer ones."""
    if len(name.strip()) > NAME_MAX:
        raise ValidationError(field, _("Too long: at most {n} characters.").format(n=NAME_MAX))


def _check_codes(township_code: str, township_name: str, grid_code: str | None = None) -> None:
    if not TOWNSHIP_CODE.match(township_code or ""):
        raise ValidationError(
            "township_code",
            _("A township code has 9 digits (county 6 + township 3), e.g. 330106001."),
        )
    if not (township_name or "").strip():
        raise ValidationError("township_name", _("Give the township's name."))
    _within_name_max("township_name", township_name)
    if grid_code is not None and not GRID_CODE.match(grid_code):
        raise ValidationError(
            "grid_code", _("A grid code is 1 to 16 letters, digits, '-' or '_', e.g. G03.")
        )


def grid_record_id(township_code: str, grid_code: str) -> str:
    return f"{township_code}-{grid_code}"


def _ensure_empty(db: Database) -> None:
    if get_identity(db) is not None:
        raise UserError(_("{path} is already set up; use another --db for a new database.").format(path=db.label))


def _office_holder(name: str | None, role_label: str) -> str:
    """The name an office's database signs its work with: the person's, if given; else the role's label."""
    name = _storable(name or "").strip()
    _within_name_max("worker", name)
    return name or role_label


def init_county(db: Database, county_code: str, county_name: str,
                key_out: Path | None = None, admin_name: str | None = None) -> tuple[Identity, Path | None, str]:
    """Create a county database and its key pair; returns (identity, key file, key text).

    The county's public key goes to each of its townships (`gridcare county-key FILE`): they
    encrypt their bundles to it. A county writes no records of its own: its state is the fold
    of its townships' events.
    """
    county_name, county_code = _storable(county_name), typed_code(county_code)
    admin = _office_holder(admin_name, _("County administrator"))
    if not COUNTY_CODE.match(county_code or ""):
        raise ValidationError("county_code", _("A county code has 6 digits, e.g. 330127."))
    if not (county_name or "").strip():
        raise ValidationError("county_name", _("Give the county's name."))
    _ensure_empty(db)
    ident, county = _office_identity(db, "county", township_code="", township_name="",
                                     worker_name=admin, county_code=county_code,
                                     county_name=county_name.strip())
    with db.write() as s:
        s.add(ident)
    text = keys.format_county_key(county_code, county_name.strip(), county)
    if key_out is not None:
        keys.write_county_key_file(key_out, county_code, county_name.strip(), county)
        _wrote_public_key(db, key_out)
    return ident, key_out, text


def _office_identity(db: Database, office: Literal["county", "township"],
                     **fields: Any) -> tuple[Identity, keys.KeyPair]:
    """A county's or a township's new identity (not yet stored) with two new key pairs: the office's (what is
    sent to it is encrypted to it) and this database's device's (it signs what the database sends). The private
    keys go beside the database (for a server database, in the user data folder), never in it."""
    office_keys, device = keys.generate_keypair(), keys.generate_keypair()
    write_keys(db.local_path, PrivateKeys(device_age_secret=device.age_secret, device_sign_secret=device.sign_secret,
                                          **{f"{office}_age_secret": office_keys.age_secret,
                                             f"{office}_sign_secret": office_keys.sign_secret}))
    ident = Identity(role=office, device_id=secrets.token_hex(8), created_at=utc_now(),
                     device_age_recipient=device.age_recipient, device_sign_public=device.sign_public,
                     **{f"{office}_age_recipient": office_keys.age_recipient,
                        f"{office}_sign_public": office_keys.sign_public}, **fields)
    return ident, office_keys


class CountyKeyChanged(UserError):
    """The township has a county key and the file gives another: replaced only when asked (`replace`)."""


def set_county_key(db: Database, key_file: Path, enroll_code: str | None = None, *, replace: bool = False) -> Identity:
    """A township learns its county's public key (from the file the county gave it), and the
    one-time code the county enrolled it with (`gridcare enroll --township` there), if given.

    The key's county must be the township's own (the first 6 digits of its code): a key of
    another county is refused, so the township's residents are never encrypted to it. Of the
    code only its proof is kept (storage/core/enrollment.py); every bundle to the county carries it.
    A key other than the one kept is refused unless `replace` (CountyKeyChanged, naming both
    fingerprints): any file with the county's code was swapped in, and the township's next bundle,
    its register of children with it, was encrypted to whoever made the file.
    """
    pub = keys.read_county_key_file(key_file)
    code = _county_code_given(enroll_code)
    with db.write() as s:
        ident = s.get(Identity, 1)
        if ident is None or ident.role != "township":
            raise UserError(_("Only a township database sends bundles to a county."))
        _check_county_of(ident.township_code, pub.county_code)
        kept = (ident.county_age_recipient, ident.county_sign_public)
        if any(kept) and kept != (pub.age_recipient, pub.sign_public) and not replace:
            raise CountyKeyChanged(_(
                "This township already sends its bundles to {name} ({code}), key fingerprint {old}; this file gives "
                "another key, fingerprint {new}. A county's key changes only when the county sets its database up "
                "again: check both fingerprints with the county.").format(
                name=printable(ident.county_name), code=ident.county_code,
                old=keys.fingerprint(ident.county_sign_public), new=keys.fingerprint(pub.sign_public)))
        if code is not None:
            ident.enroll_proof = _county_proof(ident, code, pub.county_code)
        elif pub.county_code != ident.county_code:
            ident.enroll_proof = ""  # a proof for another county's code proves nothing here
        ident.county_code = pub.county_code
        ident.county_name = pub.county_name
        ident.county_age_recipient = pub.age_recipient
        ident.county_sign_public = pub.sign_public
        s.add(ident)
    return ident


def _county_code_given(enroll_code: str | None) -> str | None:
    """The county's enrollment code, normalised; None if none was given; ValidationError if mistyped."""
    from storage.core import enrollment

    if enroll_code is None or not enroll_code.strip():
        return None
    code = enrollment.normalise_code(enroll_code)
    if code is None:
        raise ValidationError("enroll_code", _("This enrollment code is not right (a character is missing or "
                                               "mistyped): check it with the county."))
    return code


def _county_proof(ident: Identity, code: str, county_code: str) -> str:
    """A township's proof of the county's code: bound to the county, the township and this database's
    device keys (which sign its bundles to the county), as a worker's proof is bound to its grid."""
    from storage.core import enrollment

    key = enrollment.code_key(code, county_code, ident.township_code)
    return enrollment.proof(key, county_code, ident.township_code, ident.device_id, ident.device_sign_public,
                            ident.device_age_recipient)


def _check_county_of(township_code: str, county_code: str) -> None:
    if not COUNTY_CODE.match(county_code) or not township_code.startswith(county_code):
        raise UserError(_("The key file is for county {found}, but township {township} belongs to county {expected}.").format(
            found=printable(county_code, limit=12), township=township_code, expected=township_code[:6]))


def init_township(db: Database, township_code: str, township_name: str, key_out: Path | None = None,
                  county_key_file: Path | None = None, enroll_code: str | None = None,
                  clerk_name: str | None = None) -> tuple[Identity, Path | None, str]:
    """Create a township database and its key pair; returns (identity, key file, key text).

    `county_key_file`: the county's public key, if the township has it already (else `set_county_key` later);
    `enroll_code`: the one-time code the county enrolled this township with (needs the county's key);
    `clerk_name`: who works at it (the visitor a visit form proposes, the actor of its audit log); not given,
    the role's label in the language of the set-up.
    """
    township_name, township_code = _storable(township_name), typed_code(township_code)
    _check_codes(township_code, township_name)
    clerk = _office_holder(clerk_name, _("Township clerk"))
    county = keys.read_county_key_file(county_key_file) if county_key_file is not None else None
    if county is not None:
        _check_county_of(township_code, county.county_code)
    code = _county_code_given(enroll_code)
    if code is not None and county is None:
        raise UserError(_("An enrollment code from the county needs the county's key file too (--county-key)."))
    _ensure_empty(db)
    ident, township = _office_identity(db, "township", township_code=township_code,
                                       township_name=township_name.strip(), worker_name=clerk)
    if county is not None:
        ident.county_code, ident.county_name = county.county_code, county.county_name
        ident.county_age_recipient, ident.county_sign_public = county.age_recipient, county.sign_public
        if code is not None:
            ident.enroll_proof = _county_proof(ident, code, county.county_code)
    with db.write() as s:
        s.add(ident)
        s.flush()
        writer(s).write("township", township_code, {"name": township_name.strip()})
    text = keys.format_public_key(township_code, township_name.strip(), township)
    if key_out is not None:
        keys.write_public_key_file(key_out, township_code, township_name.strip(), township)
        _wrote_public_key(db, key_out)
    return ident, key_out, text


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
    a code the township holds the first bundle until the clerk approves the device. A township code or name
    left blank is the key file's: the clerk hands over the file and a code, and the file names the township."""
    from storage.core import enrollment, keys

    pub = keys.read_public_key_file(township_key_file) if township_key_file is not None else None
    if pub is not None:
        township_code = township_code if (township_code or "").strip() else pub.township_code
        township_name = township_name if (township_name or "").strip() else pub.township_name
    township_name, grid_name, worker_name = _storable(township_name), _storable(grid_name), _storable(worker_name)
    # in capitals, as the clerk's enrollment codes are made (storage/sync/grid_codes.py grid_id_for)
    township_code, grid_code = typed_code(township_code), typed_code(grid_code).upper()
    _check_codes(township_code, township_name, grid_code)
    village = None
    if (village_name or "").strip() or (village_code or "").strip():
        village = places.check_village(township_code, village_name, village_code)
    if not (worker_name or "").strip():
        raise ValidationError("worker", _("Give the grid worker's name."))
    if not (grid_name or "").strip():
        raise ValidationError("grid_name", _("Give the grid's name."))
    _within_name_max("worker", worker_name)
    _within_name_max("grid_name", grid_name)
    code = None
    if enroll_code is not None and enroll_code.strip():
        code = enrollment.normalise_code(enroll_code)
        if code is None:
            raise ValidationError("enroll_code", _("This enrollment code is not right (a character is missing or "
                                                   "mistyped): check it with the clerk."))
    _ensure_empty(db)
    device = keys.generate_keypair()
    township_age, township_sign = "", ""
    if pub is not None:
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
    write_keys(db.local_path, PrivateKeys(device_age_secret=device.age_secret, device_sign_secret=device.sign_secret))
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
                # no `worker_name`: a grid has more than one person (its worker, its children's director), each
                # on a laptop of their own; the event's author names this one (storage/register/grid_people.py)
                # the village's name travels on the grid (the village record above stays here)
                **({"village_name": village[0]} if village and village[0] else {}),
            },
        )
    return ident


def write_own_public_key(db: Database, out: Path | None) -> tuple[Path, str]:
    """This township's (or county's) public key file written again, to give to a new worker (or township) when
    the one `init` wrote is lost: (the file written, its text). `out`: a file, or a folder to write it in
    under its usual name; None: the usual name in the current folder. Only public halves leave the database."""
    ident = get_identity(db)
    if ident is None or ident.role == "worker":
        raise UserError(_("A grid worker's database has no key of its own to give: the township's key file comes "
                          "from the township's clerk."))
    if ident.role == "county":
        county = keys.CountyPublicKey(ident.county_code, ident.county_name, ident.county_age_recipient,
                                      ident.county_sign_public)
        path = key_path(out, f"county-{ident.county_code}.pub")
        keys.write_county_key_file(path, ident.county_code, ident.county_name, county)
        _wrote_public_key(db, path)
        return path, keys.format_county_key(ident.county_code, ident.county_name, county)
    township = keys.TownshipPublicKey(ident.township_code, ident.township_name, ident.township_age_recipient,
                                      ident.township_sign_public)
    path = key_path(out, f"township-{ident.township_code}.pub")
    keys.write_public_key_file(path, ident.township_code, ident.township_name, township)
    _wrote_public_key(db, path)
    return path, keys.format_public_key(ident.township_code, ident.township_name, township)


def _wrote_public_key(db: Database, path: Path) -> None:
    """In the audit log: a county's enrollment codes name the key file by the name it was written under (--key-out
    gives it any), as the township's clerk receives it (audit.last_file); a township's says who gave out its
    key again, and when, should a file turn up where it should not (the key a worker's laptop trusts)."""
    from storage.core.audit import record

    record(db, "public key", str(path))


def county_key_file_name(db: Database, county_code: str) -> str:
    """The name of the county's public key file as last written here; the default name if none was."""
    from storage.core.audit import last_file

    written = last_file(db, "public key")
    return Path(written).name if written else f"county-{county_code}.pub"


def key_path(out: Path | None, name: str) -> Path:
    """Where `--key-out`/`--out` asks for a public key: a file, or a folder to write it in under its usual name
    (a folder given as a file was replaced by it and failed once the database was set up)."""
    return Path.cwd() / name if out is None else out / name if out.is_dir() else out
