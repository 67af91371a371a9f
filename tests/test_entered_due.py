"""A roster's key persons, registered years ago and never visited in gridcare, are due this month (walk E, A3).

Before, the due rule counted a never-visited person from the registration date alone: the day a worker
imported the roster (纳入日期 2019 …), Home, the register's 逾期 filter, the resident page and the monthly
report all called every one of them overdue by years. Now it counts from the later of the registration
and the day the record entered gridcare (its first event's clock). A person gridcare has known since
last year and never visited is still overdue: the path is walked with both, on both engines.
"""

from __future__ import annotations

import datetime as dt

from storage.core import hlc
from storage.core.changes import writer
from storage.register.due import month_end
from storage.register.entered import clock_date
from storage.register.home import home_data
from storage.register.profile import resident_profile
from storage.register.search import ResidentFilter, search_residents
from storage.reports.monthly import monthly_report
from storage.roster.importer import import_roster
from tests.foundation_helpers import make_db
from tests.roster_helpers import CHILD_ID, ELDER_ID, id_number, write_xlsx

HEADER = ["序号", "姓名", "身份证号码", "性别", "人员类别", "纳入日期"]
KNOWN_ID = id_number(dt.date(1938, 2, 1), 46)


def test_imported_key_persons_are_due_this_month_and_known_ones_stay_overdue(tmp_path, db_target, monkeypatch):
    # the day in China, as the day a record entered is read (storage/register/entered.py): the machine's own date
    # is the day before from 16:00 UTC, when a record entered "tomorrow" counts from its registration
    today = clock_date(hlc.pack(hlc.now_ms(), 0))
    # registered on this laptop in January 2024 and never visited since: overdue, as before
    entered_then = dt.datetime(2024, 1, 5, 10, tzinfo=dt.timezone.utc).timestamp() * 1000
    with monkeypatch.context() as m:
        m.setattr(hlc, "now_ms", lambda: int(entered_then))
        db = make_db(db_target)
        with db.write() as s:
            writer(s).write("resident", "known-1", {
                "name": "刘大爷", "id_number": KNOWN_ID, "birth_date": dt.date(1938, 2, 1), "sex": "M",
                "categories": ["solitary_elder"], "grid_code": "330521101-G01", "township_code": "330521101",
                "registered_on": dt.date(2024, 1, 5), "status": "active"})
    rows = [[1, "张小明", CHILD_ID, "男", "留守儿童", "2019-05-03"], [2, "王桂英", ELDER_ID, "女", "独居老人", "2021-03-15"]]
    report = import_roster(db, write_xlsx(tmp_path / "花名册.xlsx", rows, header=HEADER), today=today)
    assert report.imported, report

    data = home_data(db, today)
    assert [r.name for r in data.overdue] == ["刘大爷"]
    assert data.overdue[0].days_overdue == (today - month_end(dt.date(2024, 1, 5))).days
    with db.session() as s:
        overdue = search_residents(s, "", filters=ResidentFilter(due="overdue"), today=today)
        everyone = {r.name: r for r in search_residents(s, "", today=today)}
    assert [r.name for r in overdue] == ["刘大爷"]
    assert everyone["张小明"].due_on == everyone["王桂英"].due_on == month_end(today)
    assert resident_profile(db, everyone["王桂英"].id, today).due_on == month_end(today)
    assert resident_profile(db, "known-1", today).due_on == month_end(dt.date(2024, 1, 5))

    month = monthly_report(db, today.year, today.month, today=today)
    assert [p.name for p in month.overdue] == ["刘大爷"]
    assert month.totals.overdue == 1
    assert sorted(p.name for p in month.not_visited) == ["刘大爷", "张小明", "王桂英"]  # none visited this month
    db.dispose()
