"""The resident's page says the next visit the worker planned, beside the day it is due (storage/register/profile.py
planned_on, tui/resident_lines.py due_line).

Walked in tmux: the visit form proposed 下次探访 2027-01-04, the worker saved it, and the page said only 下次应访
2027年1月31日, the policy's deadline; the worker's own date was nowhere on it (Home's 本周 lists by it).
"""

from __future__ import annotations

import datetime as dt

from storage.core.i18n import set_language
from storage.register.duplicates import merge_residents
from storage.register.profile import resident_profile
from storage.register.visits import log_visit
from tests.foundation_helpers import make_db
from tests.sync_helpers import elder
from tui.resident_lines import due_line

TODAY = dt.date(2026, 11, 24)


def test_the_page_says_the_planned_visit_before_the_due_day(tmp_path):
    set_language("zh_CN")  # (English again after the test: tests/conftest.py)
    db = make_db(tmp_path / "w.db")
    r = elder(db, "张桂兰")
    log_visit(db, r.id, {"visit_date": TODAY, "met_with": "本人", "next_visit_on": dt.date(2026, 12, 10)}, today=TODAY)
    p = resident_profile(db, r.id, TODAY)
    assert p.planned_on == dt.date(2026, 12, 10) and p.due_on > p.planned_on
    assert due_line(p, TODAY).endswith("，计划 12月10日 探访")
    # a later visit without a plan: no plan any more (as Home's 本周)
    log_visit(db, r.id, {"visit_date": TODAY + dt.timedelta(days=1), "met_with": "本人", "next_visit_on": None},
              today=TODAY + dt.timedelta(days=1))
    assert resident_profile(db, r.id, TODAY + dt.timedelta(days=1)).planned_on is None
    # a duplicate merged into the record brings its visits, not its plan: the record's own latest visit plans
    dup = elder(db, "张桂兰")
    log_visit(db, dup.id, {"visit_date": TODAY + dt.timedelta(days=2), "met_with": "本人",
                           "next_visit_on": dt.date(2026, 12, 5)}, today=TODAY + dt.timedelta(days=2))
    merge_residents(db, r.id, dup.id)
    day = TODAY + dt.timedelta(days=2)
    kept = resident_profile(db, r.id, day)
    assert kept.planned_on is None and "计划" not in due_line(kept, day)


def test_a_visit_without_a_date_is_the_oldest_not_a_crash(tmp_path):
    """A bundle may carry a visit that sets no date (tests/test_value_laws.py drew one: its merge passes); the
    page's plan compared None with a date (TypeError) and the resident's page could not open."""
    from sqlalchemy import text

    db = make_db(tmp_path / "w.db")
    r = elder(db, "张桂兰")
    log_visit(db, r.id, {"visit_date": TODAY, "met_with": "本人", "next_visit_on": dt.date(2026, 12, 10)}, today=TODAY)
    undated = log_visit(db, r.id, {"visit_date": TODAY - dt.timedelta(days=3), "met_with": "本人",
                                   "next_visit_on": dt.date(2026, 12, 1)}, today=TODAY)
    with db.engine.begin() as conn:  # the state such a bundle's fold leaves
        conn.execute(text("UPDATE visit SET visit_date = NULL WHERE id = :v"), {"v": undated.id})
    p = resident_profile(db, r.id, TODAY)
    assert p.planned_on == dt.date(2026, 12, 10) and p.last_visit == TODAY
