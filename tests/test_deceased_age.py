"""A person whose case was closed because they died keeps the age they died at on their page (found by h-walk:
it counted up each year, "88岁" for a man who died at 86)."""

from __future__ import annotations

import datetime as dt

from storage.register.profile import resident_profile
from storage.register.residents import close_case, register_resident, reopen_case
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
DIED = dt.date(2025, 2, 10)


def _closed_elder(path):
    db = make_db(path)
    r = register_resident(db, {"name": "王德明", "categories": ["solitary_elder"], "birth_date": dt.date(1938, 3, 1),
                               "registered_on": dt.date(2024, 1, 10)}, today=DIED)
    close_case(db, r.id, "deceased", DIED, today=TODAY)
    return db, r.id


def test_the_profile_gives_the_age_on_the_day_the_case_was_closed_for_a_death(tmp_path):
    db, rid = _closed_elder(tmp_path / "w.db")
    assert resident_profile(db, rid, TODAY).age == 86
    reopen_case(db, rid)  # a closing made in error: alive, and as old as today makes him
    assert resident_profile(db, rid, TODAY).age == 88
    close_case(db, rid, "moved_away", TODAY, today=TODAY)
    assert resident_profile(db, rid, TODAY).age == 88
    db.dispose()


@run_async
async def test_the_page_says_the_age_he_died_at(tmp_path):
    import os

    from rich.console import Console
    from textual.widgets import Static

    from screens.resident import ResidentScreen

    db, rid = _closed_elder(tmp_path / "w.db")
    db.dispose()
    app = make_app(str(tmp_path / "w.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentScreen(rid))
        await on_screen(pilot, ResidentScreen)
        profile = app.screen.query_one("#profile", Static)
        await settle(pilot, lambda: getattr(app.screen, "profile", None) is not None)
        console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
        console.print(profile.content)
        first = console.export_text().splitlines()[0]
        assert "86岁" in first and "88岁" not in first, first
