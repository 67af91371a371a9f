"""A toast's lines broken as Chinese is set (tui/as_text.py notify_text, tui/line_breaks.py): Textual breaks a
toast's line at a space, so a message with a date or a number after its first words ("登记日期现在是 2026年…")
kept those words alone on the first line and went on below."""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region

from storage.core.i18n import set_language
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import make_register_db
from tui.app import make_app
from tui.as_text import notify_text
from tui.line_breaks import NO_LINE_START

# a sentence as the app's Chinese messages are written: a space on either side of a date or a number
MESSAGE = "登记日期现在是 2026年12月4日：这次探访计入当月报表，请在“报表”页查看本月的探访率和逾期对象名单。"


def _toast_lines(app) -> list[str]:
    toast = app.screen.query_one("Toast")
    strips = toast.render_lines(Region(0, 0, *toast.outer_size))
    lines = [s.text.lstrip("▌").strip() for s in strips]  # (its left border, its padding)
    return [line for line in lines if line]


@run_async
async def test_a_chinese_toast_fills_its_lines(tmp_path):
    set_language("zh_CN")
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        notify_text(app, MESSAGE)
        await settle(pilot)
        await pilot.pause(0.2)
        lines = _toast_lines(app)
    assert "".join(lines).replace(" ", "") == MESSAGE.replace(" ", "")  # all of it, in order
    # 95 cells in a toast of 57: two lines, the first one full (Textual's own: "登记日期现在是" alone, then two more)
    assert len(lines) == 2 and cell_len(lines[0]) >= 50 and not any(line[0] in NO_LINE_START for line in lines), lines
