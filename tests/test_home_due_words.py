"""Home's due and planned days: relative words within a week, the day itself beyond it.

Seen in tmux (English, demo): the week's list said "in 1 month" for a visit due on Dec 31 (Babel rounds 29 days
to a month), less than the date said, and wide enough to push "Planned" off an 80-column screen."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from screens.home_lists import list_rows
from storage.core.i18n import set_language

TODAY = dt.date(2026, 12, 2)


def _row(due: dt.date, planned: dt.date | None) -> SimpleNamespace:
    return SimpleNamespace(id="r1", name="张三", masked_id="3305**********0023", risk_level="low",
                           categories=["solitary_elder"], last_seen=None, days_overdue=0, due_on=due, planned_on=planned)


def test_due_and_planned_words():
    set_language("en")
    data = SimpleNamespace(today=TODAY, due_week=[_row(dt.date(2026, 12, 31), TODAY), _row(dt.date(2026, 12, 5), None)])
    (_k1, _r1, far), (_k2, _r2, near) = list_rows("due_week", data)
    assert far[-2:] == ("Dec 31", "today")
    assert near[-2:] == ("in 3 days", "")
    set_language("zh_CN")
    try:
        (_k1, _r1, far), _near = list_rows("due_week", data)
        assert far[-2] == "12月31日"
    finally:
        set_language("en")


def test_a_due_day_gone_by_is_said_late_in_the_risk_list():
    set_language("en")
    data = SimpleNamespace(today=TODAY, high_risk=[_row(dt.date(2026, 10, 31), None), _row(dt.date(2026, 12, 1), None)])
    (_k1, _r1, far), (_k2, _r2, near) = list_rows("high_risk", data)
    assert str(far[-1]) == "Oct 31, 32 days late" and far[-1].style == "bold red"
    assert str(near[-1]) == "Dec 1, 1 day late"
