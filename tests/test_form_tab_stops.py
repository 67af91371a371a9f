"""Shift+Tab from a form's first field goes to its last field, never to the scrolling box the fields sit in.

Walk of a worker's first week: on the visit form, Shift+Tab from the date (to reach the notes, the last field)
focused the form's VerticalScroll, which takes the focus once the form overflows, as it does at 80×24. Nothing
showed the focus, and 需要联系女儿 typed next went nowhere; the next Shift+Tab reached the notes, one more the next
visit's date, whose selected text the Space meant for the 须立即上报 box replaced (tui/form_scroll.py).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Input, TextArea

from screens.resident_form import ResidentFormScreen
from screens.setup import SetupScreen
from screens.visit_form import VisitFormScreen
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.register_helpers import TODAY, make_register_db, resident_id
from tui.app import make_app


@run_async
async def test_shift_tab_from_the_visit_date_reaches_the_notes_and_what_is_typed_is_kept(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(resident_id(db, "王桂英")))
        await settle(pilot, lambda: app.focused is not None and app.focused.id == "visit_date")
        await pilot.press("shift+tab")
        await pilot.press(*"需要联系女儿")
        await settle(pilot)
        assert app.screen.query_one("#notes", TextArea).text == "需要联系女儿"
        await pilot.press("tab")  # and on from the notes to the date, the first field
        assert app.focused is app.screen.query_one("#visit_date", Input)


@run_async
async def test_the_resident_form_and_the_first_run_form_have_no_invisible_stop(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen())
        await settle(pilot, lambda: app.focused is not None)
        for _ in range(60):  # round the whole form and more
            await pilot.press("tab")
            assert not isinstance(app.focused, VerticalScroll), app.focused
    app = make_app(tmp_path / "new.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        await pilot.press("shift+tab")
        assert not isinstance(app.focused, VerticalScroll), app.focused


@run_async
async def test_the_label_of_the_field_with_the_cursor_is_the_one_in_bold(tmp_path):
    """The row's label follows the focus: 日期 stayed bold while the cursor went down the form (it was restyled only
    when the focus left the scrolling box, at the form's opening)."""
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)

    def bold() -> list[str]:
        return [str(label.render()) for label in app.screen.query(".field-label") if label.styles.text_style.bold]

    async with app.run_test(size=(80, 24)) as pilot:
        for screen in (lambda: VisitFormScreen(resident_id(db, "王桂英")), ResidentFormScreen):
            await started(pilot, screen)
            await settle(pilot, lambda: app.focused is not None and bool(app.screen.query(".field-label")))
            first = bold()
            assert len(first) == 1, first
            await pilot.press("tab")
            await settle(pilot)
            assert len(bold()) == 1 and bold() != first, (first, bold())
            app.screen.dismiss(None)
            await settle(pilot)
