"""A worker database learns its township's public key after it was set up (the file came later).

Without it the worker cannot export (bundles are encrypted to it) nor read the township's
return bundles (signed with it). The key of one township never changes: a different key for
a database that has one is refused, not swapped in (that would let a stranger's file take over).
"""

from __future__ import annotations

from pathlib import Path

from storage.core.changes import COUNTY_SENDS_NOTHING
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.keys import TownshipPublicKey, fingerprint, read_public_key_file
from storage.core.models import Identity
from storage.core.text import printable


def has_township_key(ident: Identity | None) -> bool:
    return bool(ident and ident.township_age_recipient and ident.township_sign_public)


def set_township_key(db: Database, key_file: Path) -> tuple[TownshipPublicKey, bool]:
    """Read and keep the township's public key; (the key, False if the database already had this very key)."""
    with db.write() as s:
        ident = s.get(Identity, 1)
        if ident is None:
            raise UserError(_("This database is not set up yet: run `gridcare init` (or `gridcare demo`) first."))
        if ident.role == "county":
            raise UserError(_(COUNTY_SENDS_NOTHING))
        if ident.role != "worker":
            raise UserError(_("Only a grid worker's database takes a township key: a township has its own."))
        pub = read_public_key_file(Path(key_file))  # (after the role: a county's or a township's, any file is wrong)
        if pub.township_code != ident.township_code:
            raise UserError(_("The key file is for township {found}, not {expected}.").format(
                found=printable(pub.township_code, limit=20), expected=ident.township_code))
        same = (ident.township_age_recipient, ident.township_sign_public) == (pub.age_recipient, pub.sign_public)
        if has_township_key(ident) and not same:
            raise UserError(_("This database already has another key of township {code} (fingerprint {fp}). A "
                              "township's key does not change: check the file with the clerk.").format(
                code=ident.township_code, fp=fingerprint(ident.township_sign_public)))
        ident.township_age_recipient, ident.township_sign_public = pub.age_recipient, pub.sign_public
        s.add(ident)
    return pub, not same
