"""A small deterministic register and a harness app for the register / visit screens' tests.

The harness honours the contract screens rely on (`app.db`, `app.identity`,
`app.today()`), so the screens can be tested before and apart from the shell.
"""

from __future__ import annotations

import atexit
import datetime as dt
import random
import shutil
import tempfile
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from storage.core.db import Database, open_database
from storage.core.identity import get_identity
from storage.register.idnumbers import fake_id_number
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from tests.foundation_helpers import copy_db, make_db

TODAY = dt.date(2026, 11, 24)

PEOPLE = [
    # name, birth, sex, categories, risk, phone
    ("张小明", dt.date(2016, 3, 5), "M", ["left_behind_child"], "high", "13800001234"),
    ("单丽", dt.date(2012, 7, 9), "F", ["child_in_difficulty"], "medium", ""),
    ("王桂英", dt.date(1941, 1, 20), "F", ["solitary_elder"], "low", "13900005678"),
    ("李建国", dt.date(1950, 10, 1), "M", ["empty_nest_elder"], "low", ""),
    ("赵淑珍", dt.date(1948, 4, 12), "F", ["left_behind_elder", "severely_disabled"], "emergency", ""),
    ("陈志强", dt.date(1975, 8, 30), "M", ["severely_disabled"], "low", "0571-8888777"),
]


def resident_id(db: Database, name: str) -> str:
    """The id of the one resident of that name."""
    from sqlmodel import select

    from storage.core.models import Resident

    with db.session() as s:
        return s.exec(select(Resident).where(Resident.name == name)).one().id


_BUILT: dict[tuple[bool, str], Path] = {}


def make_register_db(path: Path, *, visits: bool = True) -> Database:
    """The register at `path`: a copy of one built once per test process (each caller its own copy).

    Built per language too: a risk assessment's reason at registration is written in the language in use.
    """
    from storage.core.i18n import current_language

    key = (visits, current_language())
    if key not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="gridcare-register-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _build_register_db(folder / "register.db", visits=visits).dispose()
        _BUILT[key] = folder / "register.db"
    return open_database(copy_db(_BUILT[key], path))


def _build_register_db(path: Path, *, visits: bool) -> Database:
    db = make_db(path)
    rng = random.Random(7)
    for i, (name, born, sex, cats, risk, phone) in enumerate(PEOPLE):
        fields = {"name": name, "id_number": fake_id_number(rng, born, sex, "330521"), "categories": cats,
                  "phone": phone, "registered_on": dt.date(2026, 1, 10), "address": f"新市镇东村{i + 1}号"}
        if "severely_disabled" in cats:
            fields["disability_card"] = fields["id_number"] + "41"
        # entered on the day registered, as a register kept since January: its risk levels date from then
        r = register_resident(db, fields, risk_level=risk, today=fields["registered_on"])
        if visits and i % 2 == 0:
            log_visit(db, r.id, {"visit_date": TODAY - dt.timedelta(days=10 + i * 9), "met_with": "本人"}, today=TODAY)
    return db


class HarnessApp(App):
    """Opens one screen on a database; Esc on the last screen does nothing."""

    def __init__(self, db: Database, screen_factory, *, today: dt.date = TODAY):
        super().__init__()
        self.db = db
        self.identity = get_identity(db)
        self._today = today
        self._factory = screen_factory

    def today(self) -> dt.date:
        return self._today

    def on_mount(self) -> None:
        screen: Screen = self._factory()
        self.push_screen(screen)
