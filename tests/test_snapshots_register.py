"""SVG snapshots of the register, a resident and the visit form at 80×24, in Chinese and English.

They run in the small harness app (tests/register_helpers.py) so that nothing
but these screens is in the picture: the app's own header names the database
file, which differs on every run.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.core.i18n import set_language
from storage.core.models import Resident
from tests.pilot_helpers import still
from tests.register_helpers import HarnessApp, make_register_db


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("zh_CN")


def test_residents_list(snap_compare, tmp_path, lang):
    from screens.residents import ResidentsScreen

    db = make_register_db(tmp_path / "w.db")
    assert snap_compare(HarnessApp(db, ResidentsScreen), terminal_size=(80, 24), run_before=still)


def test_visit_form(snap_compare, tmp_path, lang):
    from screens.visit_form import VisitFormScreen

    db = make_register_db(tmp_path / "w.db")
    with db.session() as s:
        rid = s.exec(select(Resident).where(Resident.name == "张小明")).one().id
    assert snap_compare(HarnessApp(db, lambda: VisitFormScreen(rid)), terminal_size=(80, 24), run_before=still)


def test_resident_profile(snap_compare, tmp_path, lang):
    from screens.resident import ResidentScreen

    db = make_register_db(tmp_path / "w.db")
    with db.session() as s:
        rid = s.exec(select(Resident).where(Resident.name == "赵淑珍")).one().id
    assert snap_compare(HarnessApp(db, lambda: ResidentScreen(rid)), terminal_size=(80, 24), run_before=still)
