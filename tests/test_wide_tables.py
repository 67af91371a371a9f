"""At 80 columns the tables keep what matters whole, in both languages (issue #13): the resident page's
referrals (the reason wraps, never cut at the edge) and the county Home's townships (titles on two lines)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable

from storage.core.i18n import set_language
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import resident_id
from tests.test_walkthrough import screen_text
from tui.app import make_app

REASON = "监护人长期外出务工，祖母年迈多病，无力照看，孩子多次独自在河边玩耍，需要妇联和学校共同跟进"


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("en")


def no_wider_than_its_box(table: DataTable) -> None:
    assert table.virtual_size.width <= table.size.width, (table.id, table.virtual_size.width, table.size.width)


async def referral_shown(app, pilot, rid: str) -> DataTable:
    """The resident page opened from Home, its one referral listed and laid out: the referrals table."""
    from screens.resident import ResidentScreen

    await on_screen(pilot, "HomeScreen")
    app.push_screen(ResidentScreen(rid))
    await on_screen(pilot, ResidentScreen)
    table = app.screen.query_one("#referrals", DataTable)
    await settle(pilot, lambda: table.row_count == 1 and table.size.width > 0)
    return table


@run_async
async def test_the_referral_reason_wraps_inside_80_columns(tmp_path, lang):
    from storage.register.referrals import open_referral
    from tests.register_helpers import TODAY, make_register_db

    db = make_register_db(tmp_path / "w.db")

    rid = resident_id(db, "赵淑珍")
    open_referral(db, rid, "women_fed", REASON, department="县妇联", opened_on=TODAY, today=TODAY,
                  due_on=TODAY + dt.timedelta(days=7))
    db.dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await referral_shown(app, pilot, rid)
        no_wider_than_its_box(table)
        reason = table.get_row_at(0)[-1]
        assert reason.plain.replace("\n", "") == REASON  # all of it, over several lines
        table.focus()
        await settle(pilot)
        text = screen_text(app)
        for line in reason.plain.split("\n"):  # every line of it in view, none beginning with "，"
            assert line.strip() in text and line[:1] not in "，。、：", (line, text)


@run_async
async def test_the_county_townships_table_fits_80_columns(tmp_path, lang):
    from tests.test_county_screen import _county_with_a_township

    _county_with_a_township(tmp_path, tmp_path / "county.db")
    app = make_app(tmp_path / "county.db", lang=lang, today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        table = app.screen.query_one("#t-townships", DataTable)
        await settle(pilot, lambda: table.row_count == 1)
        no_wider_than_its_box(table)
        text = screen_text(app, " ")
        for words in (("Emergency", "+ high risk", "Missing", "bundles") if lang == "en" else ("紧急和", "高风险", "缺失")):
            assert words in text, (words, text)


@run_async
async def test_a_late_referral_says_how_late_in_words(tmp_path, lang):
    """The follow-up date of a late referral was only red: nothing in plain mode or to a colour-blind reader."""
    from storage.register.referrals import open_referral
    from tests.register_helpers import TODAY, make_register_db

    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "赵淑珍")
    opened = TODAY - dt.timedelta(days=30)
    open_referral(db, rid, "police", "走失", opened_on=opened, today=opened, due_on=TODAY - dt.timedelta(days=16))
    db.dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await referral_shown(app, pilot, rid)
        table.focus()
        await settle(pilot)
        text = screen_text(app, " ")
        assert ("逾期 16 天" if lang == "zh_CN" else "16 days late") in text, text


@run_async
async def test_the_guardian_line_is_for_children_and_for_adults_with_one(tmp_path, lang):
    """An elder's page said 监护人：— (a child's field, empty for every elder)."""
    from screens.resident import ResidentScreen
    from storage.register.residents import update_resident
    from tests.register_helpers import TODAY, make_register_db

    db = make_register_db(tmp_path / "w.db")
    child, elder, disabled = (resident_id(db, n) for n in ("张小明", "李建国", "陈志强"))
    update_resident(db, disabled, {"guardian_name": "陈大海", "guardian_relation": "兄"}, today=TODAY)
    db.dispose()
    word = "监护人" if lang == "zh_CN" else "Guardian"
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        for rid, shown in ((child, True), (elder, False), (disabled, True)):
            app.push_screen(ResidentScreen(rid))
            await on_screen(pilot, ResidentScreen)
            await settle(pilot, lambda: app.screen.profile is not None)
            assert (word in screen_text(app, " ")) is shown, (rid, screen_text(app, " "))
            await pilot.press("escape")
            await on_screen(pilot, "HomeScreen")
