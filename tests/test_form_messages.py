"""A field's message under its field, its lines broken as Chinese is set (screens/form.py set_message)."""

from __future__ import annotations

from textual.widgets import Input, Label

from screens.resident_form import ResidentFormScreen
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import TODAY
from tui.app import make_app


@run_async
async def test_the_phone_message_keeps_its_example_on_one_line_at_80_columns(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#phone", Input).focus()
        await pilot.press(*"123", "ctrl+s")
        await settle(pilot)
        label = app.screen.query_one("#err-phone", Label)
        lines = ["".join(seg.text for seg in strip).strip() for strip in label.render_lines(label.region.reset_offset)]
        # Textual broke it at the last space that fits: "电话号码应为11位手机号（1xx xxxx" over "xxxx），…"
        assert any("（1xx xxxx xxxx），" in line for line in lines), lines
        assert any("（0xxx-xxxxxxx）。" in line for line in lines), lines
        assert "".join(lines) == "电话号码应为11位手机号（1xx xxxx xxxx），或带区号的固定电话（0xxx-xxxxxxx）。"
