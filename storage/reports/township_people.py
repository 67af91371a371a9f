"""The people behind one township's figure of a county's month, read for that township alone.

The county's Home lists a township's figures; Enter on one lists its people. Reading the whole county's
month for it took 7–8 s (those not visited) to 15 s (every key person: 120,000 read one by one) for a
twentieth of them. Here the same rows are read with the township's filter in the SQL (report_query's
key_person_where) and the list is the one MonthlyReport.behind gives (tests/test_county_views.py compares them).
"""

from __future__ import annotations

import datetime as dt

from storage.core.china_day import china_today
from storage.core.collector import collector_paused
from storage.core.db import Database
from storage.register import report_query as q
from storage.reports.beside import server_settings
from storage.reports.county_passes import township_of
from storage.reports.lines import Person
from storage.reports.monthly import DRILL, MonthlyReport, month_of
from storage.reports.people import read_people, referral_lines


def alone_in(report: MonthlyReport, grouping: str, key: str | None) -> str | None:
    """The one township whose people a row of a county's table holds (its people can be read for it alone), or None
    (a township's report, the totals, a category: across townships)."""
    if not report.is_county or key is None:
        return None
    if grouping == "township":
        return key
    if grouping == "grid":  # (a county's grid ids name their township: "330521101-G01")
        return township_of(key, "") if "-" in key else None
    towns = report.village_townships.get(key, set()) if grouping == "village" else set()
    return next(iter(towns)) if len(towns) == 1 else None


@collector_paused()  # (storage/core/collector.py)
def township_people(db: Database, year: int, month: int, township: str, measure: str, *,
                    today: dt.date | None = None, grouping: str = "township", key: str | None = None) -> list:
    """What `monthly_report(...).behind(grouping, key, measure)` lists, at a county, read for the township alone
    (a measure of monthly.MEASURES; a row of `grouping` whose people are all of the township: alone_in's)."""
    with db.session() as s:
        conn = s.connection()
        report, passes, m, _history = month_of(s, year, month, today or china_today(), None, township)
        roots = q.alias_roots(conn)
        server_settings(conn)
        target = DRILL[measure]

        def by_sort_key(people: dict[str, Person]) -> list[Person]:
            return sorted(people.values(), key=lambda p: p.sort_key)

        if target in ("key_persons", "visited"):
            everyone = read_people(conn, passes, m, roots)
            referral_lines(everyone, q.open_referrals(conn, m.day), roots, m.day)  # (counted on each, as people's)
            report.read_everyone = lambda: by_sort_key(everyone)
        else:
            # without the report's own extra ids: listed and quiet still split the not visited between them,
            # and the overdue, at risk and aged out are never quiet (month_sql's plain)
            listed = read_people(conn, passes, m, roots, listed=[])
            report.listed = by_sort_key(listed)
            report.referrals = referral_lines(listed, q.open_referrals(conn, m.day), roots, m.day)
            if target == "not_visited":
                quiet = read_people(conn, passes, m, roots, listed=[], quiet=True)
                report.read_quiet = lambda: list(quiet.values())
    return report.behind(grouping, township if key is None else key, measure)
