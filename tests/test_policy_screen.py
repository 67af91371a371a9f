"""The visit policy screen: the clerk changes it; a worker's laptop shows it and cannot change it."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, Select, Static

from storage.core.i18n import set_language
from storage.register.policy import CategoryRule
from storage.register.policy_set import current_policy
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_the_clerk_sets_methods_intervals_and_a_category_rule(tmp_path):
    from screens.policy import PolicyScreen

    set_language("en")
    db = make_db(tmp_path / "t.db", role="township", worker="周民政")
    app = HarnessApp(db, PolicyScreen, today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "Default visit policy" in str(screen.query_one("#policy-now", Static).content)
        screen.query_one("#count-phone", Select).value = "never"
        screen.query_one("#every-medium", Input).value = "14"
        screen.query_one("#rule-category", Select).value = "solitary_elder"
        screen.query_one("#rule-age", Input).value = "80"
        every = screen.query_one("#rule-every", Input)
        every.value = "7"
        every.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#rules", DataTable).row_count == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "saved" in str(screen.query_one("#policy-status", Static).content)
    stored = current_policy(db)
    assert stored.counts["phone"] == "never" and stored.every["medium"] == 14 and stored.since == TODAY
    assert stored.categories == (CategoryRule("solitary_elder", 7, 80),) and stored.set_by == "周民政"


@run_async
async def test_a_bad_interval_is_named_and_nothing_is_stored(tmp_path):
    from screens.policy import PolicyScreen

    set_language("en")
    db = make_db(tmp_path / "t.db", role="township")
    app = HarnessApp(db, PolicyScreen, today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#every-high", Input).value = "fortnightly"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "High risk" in str(app.screen.query_one("#policy-status", Static).content)
    assert current_policy(db).is_default


@run_async
async def test_a_workers_laptop_shows_the_policy_and_cannot_change_it(tmp_path):
    from screens.policy import PolicyScreen

    set_language("en")
    db = make_db(tmp_path / "w.db")
    app = HarnessApp(db, PolicyScreen, today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "Only the township sets the visit policy" in str(screen.query_one("#policy-now", Static).content)
        assert not screen.query("#count-phone")  # nothing to change
        # and no key offered to change it: the footer offered ^s Save and del Remove rule (an 80x24 walk)
        from tests.test_walkthrough import screen_text

        assert "Save" not in screen_text(app) and "Remove rule" not in screen_text(app) and "Back" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not str(screen.query_one("#policy-status", Static).content)
    assert current_policy(db).is_default


@run_async
async def test_esc_on_an_edited_policy_asks_before_throwing_the_edit_away(tmp_path):
    """Esc went straight back, the changed interval lost without a word (walk D 4); the other forms ask first."""
    from screens.dialogs import ConfirmScreen
    from screens.policy import PolicyScreen

    set_language("en")
    db = make_db(tmp_path / "t.db", role="township")
    app = HarnessApp(db, PolicyScreen, today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        policy = app.screen
        assert not policy.is_dirty()
        high = policy.query_one("#every-high", Input)
        high.value = "5"
        high.focus()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing: back to the form as it was filled in
        await settle(pilot)
        assert app.screen is policy and policy.query_one("#every-high", Input).value == "5"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # discard
        await settle(pilot)
        assert app.screen is not policy
        assert current_policy(db).is_default

        # nothing changed (a rule typed and added counts as a change; an untouched form does not): no question
        app.push_screen(PolicyScreen())
        await settle(pilot)
        assert not app.screen.is_dirty()
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (ConfirmScreen, PolicyScreen))


@run_async
async def test_the_rule_rows_placeholders_fit_at_80_columns_in_chinese(tmp_path):
    """At 80×24 in Chinese the rule row's hints were cut: "年满（周岁，可不填" and "月或天数，回车添加" ran into
    each other. Each now fits its box, and the heading says Enter adds the rule."""
    from rich.cells import cell_len

    from screens.policy import PolicyScreen

    set_language("zh_CN")
    try:
        db = make_db(tmp_path / "t.db", role="township", worker="周民政")
        for size in ((80, 24), (120, 30)):
            app = HarnessApp(db, PolicyScreen, today=TODAY)
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                for box in app.screen.query(".rule-new Input").results(Input):
                    assert box.placeholder and cell_len(box.placeholder) <= box.content_region.width, (
                        size, box.placeholder, box.content_region.width)
                headings = [str(s.content) for s in app.screen.query(".heading").results(Static)]
                assert any("回车添加" in h for h in headings), headings
    finally:
        set_language("en")
