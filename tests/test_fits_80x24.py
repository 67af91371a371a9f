"""What a walk at 80×24 found wrapped or cut, in the real app, in both languages.

"Visit every (days)", "Relation to guardian" and "Social participation" took two lines in the forms' label
column; F1's list ran past its box on a clerk's Home (its last keys and "Esc closes this help." unseen); a
benefit already recorded put "it." alone on a line and the form's buttons below the screen; choosing a visit to
correct, "d:" ended a line and "delete it." began the next; the register's category list ran its longest option into
the list behind it ("…mental disabilityild").
"""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len
from textual.widgets import Button, Collapsible, Input, Label, Select, SelectionList

from storage.core.i18n import set_language
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    yield request.param
    set_language("en")


def _two_line_labels(screen) -> list[str]:
    """The form's field labels laid out on more than one line (the folded assessment's are opened first)."""
    return [f"{label.content} ({label.size.height} lines)" for label in screen.query(".field-label").results(Label)
            if label.size.width and label.size.height != 1]


@run_async
async def test_the_resident_forms_labels_are_one_line_each(tmp_path, lang):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentFormScreen")
        form = app.screen
        form.query_one("#categories", SelectionList).select("left_behind_child")  # the child's fields shown too
        form.query_one(Collapsible).collapsed = False
        await settle(pilot, lambda: form.query_one("#child-fields").display)
        labels = {str(label.content) for label in form.query(".field-label").results(Label) if label.size.width}
        assert {"Relation to guardian", "Visit every (days)", "Social participation"} <= labels or lang != "en"
        assert not _two_line_labels(form)


@run_async
async def test_the_visit_forms_labels_are_one_line_each(tmp_path, lang):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen")
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "VisitFormScreen")
        form = app.screen
        form.query_one(Collapsible).collapsed = False
        await settle(pilot)
        shown = [str(label.content) for label in form.query(".field-label").results(Label) if label.size.width]
        assert shown.count("Social participation") == 2 or lang != "en"  # an observation, and an assessment's row
        assert not _two_line_labels(form)


@run_async
async def test_choosing_a_visit_says_its_keys_in_one_line(tmp_path, lang):
    from textual.widgets import Static

    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen")
        await pilot.press("v")
        await settle(pilot, lambda: type(app.screen).__name__ == "VisitPickScreen")
        message = app.screen.query_one("#dialog-message", Static)
        assert message.size.height == 1, message.content


@run_async
async def test_an_open_choice_keeps_a_cell_between_its_options_and_the_screen_behind(tmp_path):
    from textual.widgets._select import SelectOverlay

    from tests.test_walkthrough import screen_text

    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("r")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentsScreen")
        await pilot.press("down", "f", "enter")
        await settle(pilot, lambda: app.screen.query(SelectOverlay).first().display)
        longest = "Grade 3-4 intellectual or mental disability"
        assert any(line.endswith(longest) for line in screen_text(app).splitlines())  # (its option, at the edge)
        overlay = app.screen.query(SelectOverlay).first()
        assert overlay.region.right >= overlay.content_region.x + cell_len(longest) + 1, overlay.region


@run_async
async def test_the_help_box_holds_every_key_and_its_hint_on_a_clerks_home(tmp_path, lang):
    from screens.help import HelpScreen

    make_db(tmp_path / "t.db", role="township", worker="周民政").dispose()
    app = make_app(tmp_path / "t.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        box, table = app.screen.query_one("#help-box"), app.screen.query_one("#help-keys")
        assert table.row_count > table.size.height - 1  # (more keys than rows: what this test is about)
        assert box.content_region.contains_region(table.region), (box.content_region, table.region)
        assert "Esc" in str(box.border_subtitle)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no sideways scrolling
        await pilot.press(*["down"] * table.row_count)
        await settle(pilot)
        assert table.cursor_row == table.row_count - 1 and table.max_scroll_y > 0 and table.scroll_y > 0


@run_async
async def test_a_benefit_already_recorded_says_so_in_two_lines_above_the_buttons(tmp_path):
    from screens.benefit_form import BenefitFormScreen
    from screens.resident import ResidentScreen
    from storage.register.benefits import record_benefit
    from storage.register.residents import register_resident

    db = make_db(tmp_path / "w.db")
    today = dt.date(2026, 11, 24)
    rid = register_resident(db, {"name": "赵淑珍", "categories": ["widowed_childless_elder"]}, today=today).id
    record_benefit(db, rid, "dibao", start_on="2026-01-01", today=today)  # the longest English name of a kind
    app = make_app(db.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentScreen(rid))
        await settle(pilot)
        await pilot.press("b")
        await on_screen(pilot, "BenefitsScreen")
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, BenefitFormScreen))
        form = app.screen
        form.query_one("#kind", Select).value = "dibao"
        await pilot.press("ctrl+s")
        error = form.query_one("#err-start_on", Label)
        await settle(pilot, lambda: str(error.content).strip())
        lines = str(error.content).splitlines()
        assert "already recorded" in lines[0] and len(lines) <= 2, lines
        assert cell_len(lines[-1]) > 10, lines  # never a word alone ("it.")
        bottom = app.screen.region.bottom - 1  # the dialog's own footer line
        for button in form.query(Button).results(Button):
            assert button.region.bottom <= bottom, (button.label, button.region)


LONG_REASON = "老人独居，子女在外务工，近期摔倒过一次，行动不便，需要乡镇民政办协调居家养老服务和临时救助，并联系村医定期上门查看血压。" * 4


async def _buttons_on_screen_and_fields_reached(pilot, dialog) -> None:
    """The dialog's buttons inside the screen above its footer, and Tab reaching each field and button in sight."""
    box = dialog.query_one("#dialog")
    bottom = dialog.region.bottom - 1  # the dialog's own footer line
    for button in dialog.query(Button).results(Button):
        assert button.region.bottom <= bottom and box.region.contains_region(button.region), (button.label, button.region)
    reached = set()
    for _ in range(len(dialog.focus_chain) + 1):
        await pilot.press("tab")
        await settle(pilot)
        focused = dialog.focused
        assert focused is not None and box.scrollable_content_region.contains_region(focused.region) \
            or isinstance(focused, Button), (focused, focused and focused.region)
        reached.add(focused.id)
    assert {w.id for w in dialog.focus_chain} <= reached


@run_async
async def test_a_follow_up_with_a_long_reason_keeps_its_buttons_on_screen_with_an_error(tmp_path, lang):
    """A referral's reason may be long (up to 1000 characters): the follow-up's title took the rows of its buttons."""
    from storage.register.referrals import open_referral

    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen")
        open_referral(db, app.screen.resident_id, "minzheng", LONG_REASON, today=TODAY)
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen" and app.screen.profile is not None)
        await pilot.press("c")
        await settle(pilot, lambda: type(app.screen).__name__ == "FollowUpScreen")
        dialog = app.screen
        await pilot.press("ctrl+s")  # no status chosen
        await settle(pilot, lambda: str(dialog.query_one("#err-status", Label).content).strip())
        await _buttons_on_screen_and_fields_reached(pilot, dialog)
        # the title's start in sight, no key reaching it once scrolled away: the reason cut to about four lines
        title = dialog.query_one("#dialog-title")
        assert dialog.query_one("#dialog").scrollable_content_region.contains_region(title.region), title.region
        assert 2 <= title.region.height <= 5 and str(title.content).endswith("…")
        assert LONG_REASON[:10] in str(title.content)
    db.dispose()


@run_async
async def test_the_referral_and_paired_helper_dialogs_keep_their_buttons_with_errors(tmp_path, lang):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen")
        # every error the dialog can show at once, the longest of each field (a date's two lines in English)
        for key, name, values, errors in (
                ("f", "ReferralScreen", {"due_on": "2020-01-01"}, ("agency", "reason", "due_on")),
                ("p", "PairedHelperScreen", {"helper_name": "李四", "helper_phone": "12"}, ("helper_phone",))):
            await pilot.press(key)
            await settle(pilot, lambda: type(app.screen).__name__ == name)  # noqa: B023 (awaited here)
            dialog = app.screen
            for field, value in values.items():
                dialog.query_one(f"#{field}", Input).value = value
            await pilot.press("ctrl+s")
            shown = [dialog.query_one(f"#err-{f}", Label) for f in errors]
            await settle(pilot, lambda: all(str(e.content).strip() for e in shown))  # noqa: B023
            await _buttons_on_screen_and_fields_reached(pilot, dialog)
            await pilot.press("escape")  # with values typed, Esc asks before throwing them away (walk h-walk, 4)
            await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
            await pilot.press("y")
            await settle(pilot, lambda: type(app.screen).__name__ == "ResidentScreen")


@run_async
async def test_the_draft_question_keeps_its_date_and_time_on_one_line(tmp_path, lang):
    """Offered a visit left unsaved, the question read "…left unsaved at Dec 5," and "2026 11:43?" on the next line."""
    from screens.dialogs import ConfirmScreen
    from screens.visit_form import VisitFormScreen
    from storage.register.drafts import save_draft
    from tests.pilot_helpers import started
    from tests.register_helpers import resident_id
    from tests.test_walkthrough import screen_text
    from tui.formatting import format_date

    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    saved = dt.datetime(2026, 12, 5, 3, 43, tzinfo=dt.timezone.utc)
    save_draft(db.path, rid, {"met_with": "neighbour"}, resident_name="王桂英", now=saved)
    app = make_app(db.path, lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        local = saved.astimezone()
        when = format_date(local.date()) + " " + local.strftime("%H:%M")
        message = app.screen.query_one("#dialog-message")
        assert message.size.height == (2 if lang == "en" else 1)  # (the English line breaks: what this is about)
        # the message, one blank line, the buttons (3 rows) and the border: no second blank line above the buttons
        assert app.screen.query_one("#dialog").outer_size.height == message.size.height + 6
        assert any(when in line for line in screen_text(app).splitlines()), (when, screen_text(app))
    db.dispose()


CLERKS_SCREENS = ("residents", "sync", "conflicts", "duplicates", "reports", "roster_import", "policy", "villages",
                  "devices", "backup")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@run_async
async def test_a_clerks_title_bar_keeps_each_screens_title_whole_beside_a_long_path(tmp_path, lang, size):
    """Each screen's title, the township and the clerk whole; the database's path gives way first (at 80 columns it
    was cut with "…" and took the rest of the line)."""
    from tests.test_walkthrough import screen_text
    from tui.header import shortened_path

    folder = tmp_path / "home" / "zhoumin" / ".local" / "share" / "gridcare" / "township-backups-and-data"
    folder.mkdir(parents=True)
    make_db(folder / "xinshi-township.db", role="township", worker="周民政").dispose()
    app = make_app(folder / "xinshi-township.db", lang=lang, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await on_screen(pilot, "HomeScreen")
        for name in ("home", *CLERKS_SCREENS):
            app.open_screen(name)
            await settle(pilot, lambda: type(app.screen).__name__ != "HomeScreen" or name == "home")  # noqa: B023
            top = screen_text(app).splitlines()[0]
            title, who = str(app.screen.title), app.sub_title.removesuffix(str(folder / "xinshi-township.db"))
            assert len(str(folder)) > size[0] and f"{title} — {who}" in top, (name, top)  # (the path is long)
            assert top.endswith("xinshi-township.db"), top  # the file's name at least
            if name != "home":
                app.pop_screen()
                await on_screen(pilot, "HomeScreen")
    assert shortened_path("/home/zhou/data/xinshi.db", 30) == "/home/zhou/data/xinshi.db"
    assert shortened_path("/home/zhou/data/xinshi.db", 16) == "/home…/xinshi.db"
    assert shortened_path("/home/zhou/data/xinshi.db", 12) == "xinshi.db"
    assert shortened_path("/home/zhou/data/xinshi.db", 8) == ""


@run_async
async def test_homes_tabs_show_their_counts_at_80_columns(tmp_path, lang):
    """In English the words took the room of the counts: "Age-out  Recent  Benefits  Unpaired" without theirs."""
    from textual.widgets import Tabs

    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        counts, tabs = app.screen.data.counts, app.screen.query_one(Tabs)
        labels = {str(tab.id).removeprefix("--content-tab-"): str(tab.label) for tab in tabs.query("Tab") if tab.display}
        assert all(labels[p].endswith(f" {n}") for p, n in counts.items() if p in labels and n is not None), labels
        assert sum(1 for n in counts.values() if n is not None) >= 6, counts  # (counts to show: what this is about)
        assert tabs.virtual_size.width <= tabs.size.width, labels  # no tab cut at the edge


def test_a_clerks_tabs_keep_the_counts_most_needed_in_english(lang):
    """A township's counts (the demo's) at 80 and 100 columns: Chinese as it was; English with its shorter words."""
    from screens.home import LISTS
    from screens.home_tabs import SHORT_WORDS, SHORTER_WORDS, tab_labels
    from storage.core.i18n import _

    set_language(lang)
    counts = {"overdue": 581, "due_week": 1327, "high_risk": 569, "referrals": 111, "ageing_out": 196,
              "benefits": 440, "unpaired": 451}
    words = {p: _(tab) for p, (tab, _name) in LISTS.items()}
    short = [{p: _(word) for p, word in tier.items()} for tier in (SHORT_WORDS, SHORTER_WORDS)]
    at_80, at_100 = (" ".join(tab_labels(words, counts, width, *short).values()) for width in (80, 100))
    if lang == "zh_CN":
        assert at_80 == "逾期581 本周1327 风险569 转介111 超龄提醒196 最近 补贴440 未结对 网格"
        assert at_100 == "逾期 581 本周 1,327 风险 569 转介 111 超龄提醒 196 最近 补贴 440 未结对 451 网格"
    else:  # (it kept "Overdue 581" alone at 80, and lost Benefits' and Unpaired's at 100; then three of seven at 80)
        assert at_80 == "Late 581 Week Risk 569 Refer 111 Age-out 196 Recent Aid Unpaired Grids"
        assert at_100 == "Overdue 581 Week 1,327 Risk 569 Refer 111 Age-out 196 Recent Aid 440 Unpaired 451 Grids"
