""""Today" is the day in China whatever zone the machine is set to (storage/core/china_day.py).

The day a record entered gridcare and the day a person arrived are read off event clocks in China's zone; "today"
was the machine's own date, a day behind China from 16:00 UTC on a laptop (or a CI machine) set to UTC. A worker
logging a visit at 00:30 on 1 December in China (30 November 16:30 UTC) had it dated 30 November, counted in
November's report, and a December visit date typed then was refused as in the future.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from storage.core.china_day import china_day_start, china_today
from storage.register.residents import register_resident
from storage.register.visits import log_visit, validate_visit
from storage.reports.monthly import monthly_report
from tests.foundation_helpers import make_db
from tui.app import make_app

UTC = dt.timezone.utc
CHINA = dt.timezone(dt.timedelta(hours=8))


def test_the_day_in_china_turns_at_16_utc_and_the_year_with_it():
    assert china_today(dt.datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)) == dt.date(2026, 11, 30)
    assert china_today(dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == dt.date(2026, 12, 1)
    assert china_today(dt.datetime(2026, 12, 31, 15, 50, tzinfo=UTC)) == dt.date(2026, 12, 31)
    assert china_today(dt.datetime(2026, 12, 31, 23, 50, tzinfo=UTC)) == dt.date(2027, 1, 1)
    assert china_day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 11, 30, 16, tzinfo=UTC)


@pytest.fixture
def machine_a_day_from_china():
    """The machine set to a zone whose date is not China's now: UTC−12 (a day behind until 20:00 in China), or
    from 18:00 in China UTC+14 (a day ahead). Yields the zone's name."""
    before = os.environ.get("TZ")
    zone = "Etc/GMT+12" if dt.datetime.now(CHINA).hour < 18 else "Etc/GMT-14"  # (POSIX: the sign turned round)
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield zone
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def _story(tmp_path) -> tuple[dt.date, dt.date, object, object, object]:
    """Register, visit and report with no day given, as the forms and commands leave it to storage."""
    china = dt.datetime.now(CHINA).date()
    db = make_db(tmp_path / "w.db")
    person = register_resident(db, {"name": "陈阿婆", "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3)})
    visit = log_visit(db, person.id, {"method": "home", "notes": "身体好"})
    validate_visit({"visit_date": china, "method": "phone"})  # today in China is not "in the future"
    report = monthly_report(db, china.year, china.month)
    app_today = make_app(tmp_path / "w.db").today()
    db.engine.dispose()
    return china, dt.datetime.now(CHINA).date(), person, visit, (report, app_today)


def test_a_machine_in_another_zone_dates_and_counts_in_chinas_day(tmp_path, machine_a_day_from_china):
    china, after, person, visit, (report, app_today) = _story(tmp_path / "first")
    if after != china:  # midnight in China came during the story: told again, hours from the next one
        china, after, person, visit, (report, app_today) = _story(tmp_path / "again")
    assert dt.date.today() != china, machine_a_day_from_china  # the premise: this machine's date is another day
    assert (person.registered_on, visit.visit_date, app_today) == (china, china, china)
    assert (report.year, report.month, report.day) == (china.year, china.month, china)
    assert (report.totals.key_persons, report.totals.visited) == (1, 1)  # this month's visit, in this month's report
