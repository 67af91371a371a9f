"""Visit-form drafts (storage/register/drafts.py)."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from storage.core.paths import drafts_dir
from storage.register.drafts import delete_draft, draft_path, list_drafts, load_draft, save_draft

T1 = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)
T2 = dt.datetime(2026, 11, 24, 18, 5, tzinfo=dt.timezone.utc)


def test_a_draft_round_trips_beside_its_database(tmp_path):
    db = tmp_path / "w.db"
    values = {"notes": "孩子说奶奶腿疼", "hazards": ["fire"], "resident_seen": True, "visit_date": "2026-11-24"}
    save_draft(db, "abc123", values, resident_name="张三", now=T1)
    assert draft_path(db, "abc123").parent == drafts_dir(db)
    back = load_draft(db, "abc123")
    assert back is not None
    assert (back.values, back.saved_at, back.resident_name) == (values, T1, "张三")


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_draft_is_owner_only(tmp_path):
    save_draft(tmp_path / "w.db", "abc", {"notes": "x"})
    mode = stat.S_IMODE(draft_path(tmp_path / "w.db", "abc").stat().st_mode)
    assert mode == 0o600


def test_saving_again_replaces_and_delete_removes(tmp_path):
    db = tmp_path / "w.db"
    save_draft(db, "r1", {"notes": "a"}, now=T1)
    save_draft(db, "r1", {"notes": "ab"}, now=T2)
    assert load_draft(db, "r1").values == {"notes": "ab"}
    assert [p.name for p in drafts_dir(db).iterdir()] == ["visit-r1.json"]  # no temporary files left
    assert delete_draft(db, "r1") is True
    assert load_draft(db, "r1") is None
    assert delete_draft(db, "r1") is False


def test_list_drafts_newest_first_and_skips_damaged_files(tmp_path):
    db = tmp_path / "w.db"
    assert list_drafts(db) == []
    save_draft(db, "old", {"notes": "1"}, now=T1)
    save_draft(db, "new", {"notes": "2"}, now=T2)
    draft_path(db, "bad").write_text("{not json", encoding="utf-8")
    draft_path(db, "deep").write_text("[" * 5_000 + "]" * 5_000, encoding="utf-8")  # raised RecursionError: Home crashed
    assert [d.resident_id for d in list_drafts(db)] == ["new", "old"]
    assert load_draft(db, "bad") is None and load_draft(db, "deep") is None


def test_drafts_of_another_database_are_not_listed(tmp_path):
    save_draft(tmp_path / "a.db", "r1", {"notes": "1"})
    assert list_drafts(tmp_path / "b.db") == []


def test_a_resident_id_cannot_escape_the_drafts_folder(tmp_path):
    with pytest.raises(ValueError):
        save_draft(tmp_path / "w.db", "../../etc/passwd", {})


def test_a_draft_of_another_shape_is_restored_as_far_as_it_fits_never_a_crash(tmp_path):
    """A draft left by another release (or edited by hand) whose values have other types: the form opens,
    offers it, and restoring takes what fits; it raised AttributeError on `observations` as a list."""
    import asyncio

    from screens.visit_form import VisitFormScreen
    from tests.foundation_helpers import make_db
    from tests.pilot_helpers import on_screen, settle, started
    from tests.sync_helpers import elder
    from tui.app import make_app

    db = make_db(tmp_path / "w.db")
    rid = elder(db, "张三").id
    save_draft(db.path, rid, {"notes": "上次没写完", "observations": ["健康"], "hazards": "fire",
                              "assessment_grades": "2", "assessment_notes": ["x"], "contact_made": True},
               resident_name="张三")

    async def run() -> None:
        app = make_app(db.path, lang="zh_CN")
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: VisitFormScreen(rid))
            await on_screen(pilot, "ConfirmScreen")
            await pilot.press("y")  # restore
            await settle(pilot)
            assert isinstance(app.screen, VisitFormScreen)
            from textual.widgets import TextArea

            assert app.screen.query_one("#notes", TextArea).text == "上次没写完"

    asyncio.run(run())


ODD_VALUES = [["home"], {"home": 1}, 3, None, True, [[1]]]


@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
def test_a_draft_holding_a_list_or_object_where_a_code_was_restores_the_rest(tmp_path, odd):
    """A list or an object in a draft where a choice's code was (another release's form, a file edited by hand):
    restoring it raised TypeError (unhashable) in both forms, and the form closed on the worker. Now what fits
    is restored, each choice given an odd value keeps the form's own."""
    import asyncio

    from textual.widgets import Input, Select, TextArea

    from screens.resident_form import ResidentFormScreen
    from screens.visit_form import VisitFormScreen
    from tests.foundation_helpers import make_db
    from tests.pilot_helpers import on_screen, settle, started
    from tests.sync_helpers import elder
    from tui.app import make_app

    db = make_db(tmp_path / "w.db")
    rid = elder(db, "张三").id
    save_draft(db.path, rid, {"notes": "上次没写完", "method": odd, "risk_after": odd, "referral_agency": odd,
                              "observations": {"health": odd, "economy": "低保"}, "hazards": [odd, "fire"],
                              "assessment_grades": {"health": odd}, "assessment_notes": {"health": odd}},
               resident_name="张三")
    save_draft(db.path, rid, {"notes": "改了电话", "sex": odd, "father_status": odd, "risk_level": odd,
                              "grid_code": odd, "categories": [odd, "elder_alone"], "flags": odd}, kind="resident",
               resident_name="张三")

    async def run(screen: type) -> None:
        app = make_app(db.path, lang="zh_CN")
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: screen(rid))
            await on_screen(pilot, "ConfirmScreen")
            own = {w.id: w.value for w in app.screen_stack[-2].query(Select)}  # the form as built, under the question
            await pilot.press("y")  # restore
            await settle(pilot)
            assert isinstance(app.screen, screen)
            assert app.screen.query_one("#notes", TextArea).text in ("上次没写完", "改了电话")
            assert {w.id: w.value for w in app.screen.query(Select)} == own
            if screen is VisitFormScreen:  # text fields take text: not "None", "[1]" or "True"
                assert app.screen.query_one("#obs-economy", Input).value == "低保"
                assert app.screen.query_one("#obs-health", Input).value == ""
                assert app.screen.query_one("#assess_note_health", Input).value == ""

    asyncio.run(run(VisitFormScreen))
    asyncio.run(run(ResidentFormScreen))
