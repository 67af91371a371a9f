"""A grid code as a clerk types it (`enroll --grid g01`, the Devices screen, `export --grid`) -> the grid's id.

Grid codes are typed in capitals: a clerk's 'g01' and the worker's 'G01' (as the set-up form's example shows) are
one grid; an enrollment code made for the one held the other's bundles as not enrolled (walked in tmux). A worker's
set-up takes them the same way (storage/core/identity.py init_worker).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.identity import GRID_CODE
from storage.core.models import Device, Enrollment, Grid, Identity
from storage.core.text import typed_code


def grid_id_for(ident: Identity, code: str, s: Session) -> str:
    """'G01', 'g01' or '330521101-G01' -> the grid id of this township; ValidationError if not a grid code.

    Grid codes are typed in capitals (a clerk's 'g01' and the worker's 'G01' are one grid: an enrollment made
    for the one held the other's bundles as not enrolled); a grid this database knows by another case (its grids,
    devices and codes, read in `s`) keeps the spelling it has: the one typed if it knows it, else the one it knows.
    """
    code = typed_code(code)
    prefix = f"{ident.township_code}-"
    short = code[len(prefix):] if code.startswith(prefix) else code
    if not GRID_CODE.match(short):
        raise ValidationError("grid", _("A grid code is 1 to 16 letters, digits, '-' or '_', e.g. G03."))
    wanted = prefix + short.upper()
    # as typed first ('g01' withdraws the code made for 'g01' where G01 has records too)
    for match in (lambda c: c == prefix + short, lambda c: func.upper(c) == wanted):
        for column in (col(Grid.id), col(Device.grid_code), col(Enrollment.grid_code)):
            known = s.execute(select(column).where(match(column)).limit(1)).scalar()
            if known is not None:
                return str(known)
    return wanted


_CODE_LIKE = re.compile(r"[A-Za-z]{0,3}[-_]?[0-9]{1,4}")  # G04, g4, 04: a grid's code, never a person's name


def code_for_a_name(worker: str) -> str:
    """Why `worker` is not a worker's name but a grid's code ("" if it may be a name)."""
    # walked: the grid field came filled from the list's row, G04 typed into the name: a code for "G04" in G01
    if _CODE_LIKE.fullmatch(worker.strip()):
        return _("{name} looks like a grid code, not a worker's name: give the grid in its own field.").format(
            name=worker.strip())
    return ""
