"""Closing a case whose referrals (转介) are still open (walk h-stale, 3).

The closing question said nothing of them; once closed, Home's referral list leaves the case out, and the referrals
were open with no list showing them. They stay open (each is followed up until closed: DESIGN §1, and only the
worker knows how it ended); the question says how many, to whom, and where they are followed up now.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from textual.widgets import Select

from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.resident import ResidentScreen
from storage.core.i18n import set_language
from storage.register.referrals import close_referral, open_referral, open_referrals_of, still_open_text
from storage.register.residents import get_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import elder
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


def _with_referrals(tmp_path, *, closed_one: bool = True):
    db = make_db(tmp_path / "w.db")
    rid = elder(db, "张三").id
    open_referral(db, rid, "police", "走失后找回，需核实住处", opened_on=dt.date(2026, 11, 2), today=TODAY)
    open_referral(db, rid, "clinic", "血压偏高", opened_on=dt.date(2026, 11, 20), today=TODAY)
    if closed_one:
        done = open_referral(db, rid, "minzheng", "申请临时救助", today=TODAY)
        close_referral(db, done.id, "已发放", today=TODAY)
    return db, rid


def test_the_open_referrals_are_said_and_the_closed_one_is_not(tmp_path):
    db, rid = _with_referrals(tmp_path)
    still = open_referrals_of(db, rid)
    assert [f.agency for f in still] == ["police", "clinic"]
    set_language("zh_CN")
    try:
        assert still_open_text(still) == "还有 2 条未办结的转介（派出所、乡镇卫生院）。"
    finally:
        set_language("en")
    assert still_open_text(still) == "2 referrals are still open (Police station, Township health centre)."
    assert still_open_text([]) == ""
    db.dispose()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_the_closing_question_says_the_open_referrals_which_stay_open(tmp_path, lang):
    set_language(lang)
    db, rid = _with_referrals(tmp_path)
    app = make_app(db.path, lang=lang, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: ResidentScreen(rid))
            await pilot.press("x")
            await on_screen(pilot, ChooseScreen)
            app.screen.query_one("#choice", Select).value = "moved_away"
            await pilot.press("ctrl+s")
            await on_screen(pilot, ConfirmScreen)
            question = " ".join(app.screen.message.split())
            if lang == "zh_CN":
                assert "还有 2 条未办结的转介（派出所、乡镇卫生院）。退出（销号）后首页不再列出" in question
            else:
                assert "2 referrals are still open (Police station, Township health centre). Home no longer lists a closed case's" in question
            assert app.screen.query_one("#yes").region.bottom <= 24  # the buttons on the screen at 80×24
            await pilot.press("y")
            await on_screen(pilot, ResidentScreen)
            await settle(pilot, lambda: app.screen.profile.resident.status == "closed")
        assert get_resident(db, rid).status == "closed"
        assert [f.agency for f in open_referrals_of(db, rid)] == ["police", "clinic"]  # left open, as said
    finally:
        set_language("en")
        db.dispose()


@run_async
async def test_no_referral_open_no_word_of_them(tmp_path):
    db = make_db(tmp_path / "w.db")
    rid = elder(db, "张三").id
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        app.screen.query_one("#choice", Select).value = "moved_away"
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        assert "referral" not in app.screen.message
    db.dispose()


def test_the_close_command_says_the_open_referrals(tmp_path):
    db, rid = _with_referrals(tmp_path)
    path = db.path
    db.dispose()
    done = subprocess.run([sys.executable, "-m", "gridcare", "close", rid, "--db", str(path), "--lang", "zh_CN",
                           "--reason", "moved_away"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "还有 2 条未办结的转介（派出所、乡镇卫生院）。退出（销号）后首页不再列出" in done.stdout
