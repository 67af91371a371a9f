"""The month's rule applied to key persons one by one: each one's standing, due date, risk and age-out.

The monthly report counts most of its figures in grouped SQL (storage/reports/month_sql.py) and reads
here, one by one, only the key persons its lists name ("listed"); `every_person` reads them all, for a
drill-down into every key person of a table's row, and is how the report was computed before (the tests
compare the two). Either way the same function turns a row into the report's Person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from storage.core.db import driver_connection
from storage.core.i18n import _
from storage.core.places import village_label
from storage.register import report_query as q
from storage.register.categories import with_derived
from storage.register.due import IN_PERSON, OTHER_WAYS, DueFacts, days_overdue, due_on, month_standing
from storage.register.entered import entered_dates
from storage.register.placed import Place
from storage.register.policy import Policy, age_on, age_out_date
from storage.reports.county_passes import Pass, add_aliases, key_persons_of, township_of
from storage.reports.lines import Person, ReferralLine
from storage.reports.month_sql import listed_rows

HIGH_RISK = ("emergency", "high")


@dataclass(frozen=True)
class Month:
    """What a report's people are computed against: the month, the day, the place names."""

    first: dt.date
    last: dt.date
    day: dt.date
    grid_code: str | None
    county: bool
    villages: dict[str, str]
    grids: dict[str, str]
    townships: dict[str, str]
    # the key persons counted in another grid or village than now (storage/register/placed.py)
    placed: dict[str, Place] = field(default_factory=dict)
    township: str | None = None  # at a county, the people of this township alone (the county Home's Enter)


def sort_key(grid: str, name: str, pinyin: str, rid: str) -> tuple:
    return (grid, pinyin or name, name, rid)


def read_people(conn: Any, passes: list[Pass], m: Month, roots: dict[str, str], *,
                listed: list[str] | None = None, quiet: bool = False, category: str | None = None) -> dict[str, Person]:
    """The key persons of the month as Person; `listed` (ids that must be read, e.g. the emergencies'):
    only those month_sql does not count on its own, else every key person; `quiet`: instead those it counts
    on its own that are not visited (month_sql.QUIET; `listed` are never among them); `category`: of everyone,
    those who may be in it (report_query.category_where: the caller keeps those who are)."""
    rows: dict[str, Any] = {}
    policy_of: dict[str, Policy] = {}
    risk_moved: set[str] = set()
    everyone = listed is None and not quiet
    for one in passes:  # one pass per distinct policy of the townships (a township: one)
        if everyone:
            part = key_persons_of(conn, one, m.first, m.last, m.day, m.grid_code, roots, risk_moved, m.placed,
                                  m.township, category)
        else:
            part = _listed_of(conn, one, m, roots, listed or [], risk_moved, quiet)
        rows.update(part)
        policy_of.update(dict.fromkeys(part, one.policy))
    if everyone:
        began = q.risk_began(conn, {r.id: r.risk_level for r in rows.values() if r.id not in risk_moved}, m.day)
    else:  # read with the rows
        began = {r.id: r.risk_from for r in rows.values() if r.risk_from is not None and r.id not in risk_moved}
    for row in rows.values():  # a duplicate's finding: from its own date
        row.risk_from = row.risk_since if row.id in risk_moved else began.get(row.id, row.risk_since)
    entered = entered_dates(driver_connection(conn), (r.id for r in rows.values() if r.last_seen is None))
    for rid, day in entered.items():  # the due rule counts a never-visited person from it (register/entered.py)
        rows[rid].entered_on = day
    people: dict[str, Person] = {}
    for r in rows.values():
        p = person_of(r, policy_of[r.id], m)
        if p is not None:
            people[r.id] = p
    return people


def _listed_of(conn: Any, one: Pass, m: Month, roots: dict[str, str], extra: list[str],
               risk_moved: set[str], quiet: bool) -> dict[str, Any]:
    """As county_passes.key_persons_of, for the listed key persons of one pass (`quiet`: its quiet ones)."""
    rows = {}
    for raw in listed_rows(conn, one.policy, m.first, m.last, m.day, m.grid_code, extra, m.placed, quiet=quiet,
                           township=m.township):
        row = q.person_row(raw)
        town = township_of(row.grid_code, row.village_code)
        if not one.has(town) or (m.township and town != m.township):
            continue
        # the first visit in person and the first that counts: all month_standing needs of the month's visits
        first_home, first_any = q.as_date(raw[17]), q.as_date(raw[18])
        row.visits = [(first_home, "home")] if first_home else []
        if first_any:
            row.visits.append((first_any, "any"))
        row.risk_from = q.as_date(raw[19])  # the day its own level began (high or emergency); see read_people
        rows[row.id] = row
    if rows:  # every record with duplicates is listed (month_sql: not plain)
        add_aliases(rows, q.merged_aliases(conn, one.policy, roots, m.first, m.last, m.day), risk_moved)
    return rows


def person_of(r: Any, policy: Policy, m: Month) -> Person | None:
    """The month's Person of one row of report_query.PersonRow; None when no key person of the month."""
    first, last, day = m.first, m.last, m.day
    standing = month_standing(first, last, r.registered_on, r.status, r.closed_on, r.visits)
    if standing is None:  # closed in the month before any visit that counts: not a key person of it
        return None
    town_code = township_of(r.grid_code, r.village_code)
    town = m.townships.get(town_code, town_code)
    grid = m.grids.get(r.grid_code, r.grid_code)
    due = due_on(policy, DueFacts(r.last_seen, r.registered_on, r.risk_level, r.risk_from, r.categories,
                                  r.birth_date, r.frequency_override, r.entered_on), day)
    open_at_day = r.status != "closed" or (r.closed_on is not None and r.closed_on > day)
    open_at_end = r.status != "closed" or (r.closed_on is not None and r.closed_on > last)
    out_on = age_out_date(r.categories, r.birth_date)
    visited = standing in (IN_PERSON, OTHER_WAYS)
    age = age_on(r.birth_date, day)
    return Person(
        id=r.id, name=r.name, id_number=r.id_number, sex=r.sex, age=age,
        birth_date=r.birth_date, village_code=r.village_code, village=place_label(m, r.village_code, town),
        grid_code=r.grid_code, grid=grid,
        categories=with_derived(r.categories, age), risk_level=r.risk_level,
        risk_since=r.risk_since, last_seen=r.last_seen,
        due_on=due, days_overdue=days_overdue(due, day) if open_at_day else 0,
        visited=visited, visited_how=standing if visited else None, overdue=open_at_day and due < day,
        high_risk=open_at_day and r.risk_level in HIGH_RISK,
        aged_out=out_on is not None and out_on <= last and (open_at_end or r.close_reason == "aged_out"),
        age_out_on=out_on, status=r.status, closed_on=r.closed_on, close_reason=r.close_reason, close_note=r.close_note,
        sort_key=sort_key(grid, r.name, r.pinyin, r.id), township_code=town_code, township=town,
    )


def place_label(m: Month, village_code: str, town: str) -> str:
    """A key person's village as the report shows it (a county's below its township's name, 新市镇无所属村 too)."""
    village = village_label(village_code, m.villages) if village_code else _("No village")
    return town + village if m.county else village


def village_key(village_code: str, town_code: str, county: bool) -> str:
    """The village table's row of a key person: its village's code; without a village, "" at a township and at a
    county its township's own row, "330521101-" (every township's residents with no village yet were one row
    across the county). A code-less village's id has its name after the dash, so no village is named so."""
    return village_code or (f"{town_code}-" if county and town_code else "")


def is_no_village(key: str | None) -> bool:
    """Whether a village table's row (village_key's) holds key persons whose grid is in no village yet."""
    key = key or ""
    return key == "" or (key.endswith("-") and key.count("-") == 1 and key[:-1].isdigit())


def village_order(key: str | None) -> tuple[bool, str, bool, str]:
    """The village table's order: by code, a township's row of no village after its villages, a township's last."""
    key = key or ""
    return key == "", key.split("-", 1)[0][:9], is_no_village(key), key


def referral_lines(people: dict[str, Person], referral_rows: list[tuple], roots: dict[str, str],
                   day: dt.date) -> list[ReferralLine]:
    """The open referrals of key persons (a duplicate's on its record); counts them on each Person."""
    out = []
    for ref_id, resident_id, agency, reason, status, opened_on, level, department, due, closed_on in referral_rows:
        p = people.get(roots.get(resident_id, resident_id))
        if p is None:
            continue
        p.open_referrals += 1
        out.append(ReferralLine(
            id=ref_id, resident_id=p.id, name=p.name, id_number=p.id_number, village_code=p.village_code,
            village=p.village, grid_code=p.grid_code, grid=p.grid, categories=p.categories, agency=agency,
            reason=reason, status=status, opened_on=opened_on,
            days_open=(day - opened_on).days if opened_on else None, township_code=p.township_code, level=level,
            department=department, due_on=due, days_overdue=(day - due).days if due else None,
            closed_on=closed_on if status == "closed" else None))
    out.sort(key=lambda f: (f.opened_on or dt.date.min, f.grid, f.name, f.id))
    return out
