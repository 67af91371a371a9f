"""A referral followed up: its status, what came of it, and the next follow-up date, from the worker to the
township's figures.

Before, a follow-up could only change the status: a referral still being handled stayed on Home's overdue
follow-ups (转介逾期未跟进) and in the township's overdue referrals however often the worker had called.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.errors import ValidationError
from storage.register.home import home_data
from storage.register.referrals import open_referral, set_referral_status
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def late_referral(db, name: str = "张三"):
    r = elder(db, name)
    opened = TODAY - dt.timedelta(days=20)
    return open_referral(db, r.id, "clinic", "配药", opened_on=opened, today=opened,
                         due_on=TODAY - dt.timedelta(days=10))


def test_a_follow_up_with_a_new_date_leaves_the_overdue_follow_ups_everywhere(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    ref = late_referral(a)
    assert home_data(a, TODAY).counts["referrals_overdue"] == 1
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    assert [f.reason for f in monthly_report(t.db, 2026, 11, today=TODAY).overdue_referrals] == ["配药"]

    done = set_referral_status(a, ref.id, "in_progress", "已预约  下周", today=TODAY, follow_up_by="12-01")
    assert (done.status, done.outcome, done.due_on) == ("in_progress", "已预约 下周", dt.date(2026, 12, 1))
    assert home_data(a, TODAY).counts["referrals_overdue"] == 0

    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert monthly_report(t.db, 2026, 11, today=TODAY).overdue_referrals == []
    assert home_data(t.db, TODAY).counts["referrals_overdue"] == 0
    # and once the new date has passed without another follow-up, it is overdue again
    assert home_data(t.db, dt.date(2026, 12, 2)).counts["referrals_overdue"] == 1


def test_without_a_new_date_the_old_one_stays(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    ref = late_referral(a)
    assert set_referral_status(a, ref.id, "in_progress", today=TODAY).due_on == TODAY - dt.timedelta(days=10)


@pytest.mark.parametrize("typed", ["昨天", "2026-11-23", "13-45", "abc", ""])
def test_a_next_date_before_today_or_unreadable_is_refused_and_nothing_changes(tmp_path, typed):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    ref = late_referral(a)
    with pytest.raises(ValidationError) as refused:
        set_referral_status(a, ref.id, "in_progress", "x", today=TODAY, follow_up_by=typed)
    assert refused.value.field == "due_on"
    assert home_data(a, TODAY).counts["referrals_overdue"] == 1


def test_closing_ignores_the_next_date(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    ref = late_referral(a)
    closed = set_referral_status(a, ref.id, "closed", "已就诊", today=TODAY, follow_up_by="11-01")
    assert (closed.status, closed.closed_on, closed.due_on) == ("closed", TODAY, TODAY - dt.timedelta(days=10))
