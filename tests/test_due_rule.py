"""The counting rule (storage/register/due.py) against plain restatements of docs/reports.md.

Each property states the rule the long way round — day by day over the calendar, or
visit by visit — and checks the rule's code against it: months of 28 to 31 days, leap
years, visits on the first and last day, closes and registrations mid-month, every method.
The SQL twin of the due rule (the register's filters) is checked against the Python rule.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.register.categories import CATEGORIES, RISK_LEVELS, VISIT_METHODS
from storage.register.due import (
    IN_PERSON,
    NOT_VISITED,
    OTHER_WAYS,
    DueFacts,
    add_months,
    days_overdue,
    due_before_sql,
    due_on,
    month_bounds,
    month_end,
    month_standing,
    risk_from_sql,
)
from storage.register.entered import clock_date, clock_date_sql
from storage.register.policy import (
    ALWAYS,
    COUNT_RULES,
    MONTH,
    NEVER,
    REACHED,
    CategoryRule,
    Policy,
    age_on,
    counting_visit_sql,
)

DAY = dt.timedelta(days=1)
days = st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2031, 12, 31))
months = st.tuples(st.integers(1999, 2031), st.integers(1, 12))
methods = st.sampled_from(list(VISIT_METHODS))
everys = st.one_of(st.just(MONTH), st.integers(1, 40))


def near(first: dt.date, last: dt.date):
    """A day in the month or the month either side of it, with the edges drawn often."""
    edges = [first, last, first - DAY, last + DAY, first + DAY, last - DAY]
    return st.one_of(st.sampled_from(edges), st.dates(min_value=first - dt.timedelta(days=31),
                                                       max_value=last + dt.timedelta(days=31)))


@st.composite
def month_cases(draw):
    year, month = draw(months)
    first, last = month_bounds(year, month)
    registered = draw(st.one_of(st.none(), near(first, last)))
    closed = draw(st.booleans())
    closed_on = draw(st.one_of(st.none(), near(first, last))) if closed else None
    visits = draw(st.lists(st.tuples(near(first, last), methods, st.booleans()), max_size=6))
    policy = draw(policies())
    return first, last, registered, closed, closed_on, visits, policy


@st.composite
def policies(draw):
    counts = {m: draw(st.sampled_from(COUNT_RULES[m])) for m in VISIT_METHODS}
    every = {level: draw(everys) for level in RISK_LEVELS}
    rules = draw(st.lists(st.builds(CategoryRule, st.sampled_from(list(CATEGORIES)), everys,
                                    st.one_of(st.none(), st.integers(0, 100))), max_size=2))
    return Policy(counts=counts, every=every, categories=tuple(rules))


@settings(max_examples=400, deadline=None)
@given(month_cases())
def test_who_counts_in_a_month_and_how(case):
    first, last, registered, closed, closed_on, visits, policy = case
    counting = [(d, m) for d, m, reached in visits if policy.counts_visit(m, reached)]
    got = month_standing(first, last, registered, "closed" if closed else "active", closed_on, counting)

    month_days = [first + i * DAY for i in range((last - first).days + 1)]

    def on_register(d: dt.date) -> bool:  # registered by that day, and not closed before it
        return (registered is None or registered <= d) and (not closed or (closed_on is not None and d <= closed_on))

    def counts_on(d: dt.date) -> list[str]:
        return [m for vd, m, reached in visits if vd == d and policy.counts_visit(m, reached)]

    if not any(on_register(d) for d in month_days):
        assert got is None
        return
    closes_in_month = closed and closed_on is not None and first <= closed_on <= last
    # visits that count on the days of the month up to the close (a closed case: on or before its close day)
    window = [d for d in month_days if not closes_in_month or d <= closed_on]
    seen = [m for d in window for m in counts_on(d)]
    if closes_in_month and not seen:
        assert got is None  # closed in the month before any visit that counts: not a key person of it
    elif "home" in seen:
        assert got == IN_PERSON
    elif seen:
        assert got == OTHER_WAYS
    else:
        assert got == NOT_VISITED


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(VISIT_METHODS)), st.booleans(), st.sampled_from([ALWAYS, REACHED, NEVER]))
def test_a_visit_counts_as_the_policy_says_in_python_and_in_sql(method, reached, rule):
    if rule not in COUNT_RULES[method]:
        rule = NEVER
    policy = Policy(counts={**Policy().counts, method: rule})
    expected = rule == ALWAYS or (rule == REACHED and reached)
    assert policy.counts_visit(method, reached) is expected
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE visit (method TEXT, contact_made BOOLEAN, deleted BOOLEAN)")
    conn.execute("INSERT INTO visit VALUES (?, ?, 0)", (method, reached))
    assert conn.execute(f"SELECT count(*) FROM visit v WHERE {counting_visit_sql(policy)}").fetchone()[0] == expected


def test_the_default_policy_counts_in_person_always_calls_when_reached_and_hearsay_never():
    p = Policy()
    assert p.counts_visit("home", False) and p.counts_visit("home", True)
    assert p.counts_visit("phone", True) and not p.counts_visit("phone", False)
    assert p.counts_visit("video", True) and not p.counts_visit("video", False)
    assert not p.counts_visit("proxy", True) and not p.counts_visit("proxy", False)


@settings(max_examples=400, deadline=None)
@given(days, st.integers(0, 800))
def test_once_every_calendar_month(seen_on, later):
    """Seen on a day (and not since): overdue exactly once a whole calendar month has passed without a visit."""
    day = seen_on + dt.timedelta(days=later)
    due = due_on(Policy(), DueFacts(seen_on, None), day)
    months_between = (day.year * 12 + day.month) - (seen_on.year * 12 + seen_on.month) - 1
    assert (due < day) == (months_between >= 1)
    assert due == month_end(add_months(seen_on, 1))  # the last day of the next month, 28 to 31 days long


def test_february_cannot_be_skipped():
    p = Policy()
    for year in (2026, 2028, 2100, 2000):  # common, leap, century common, century leap
        feb_end = dt.date(year, 3, 1) - DAY
        assert due_on(p, DueFacts(dt.date(year, 1, 31), None), feb_end) == feb_end
        assert due_on(p, DueFacts(dt.date(year, 1, 1), None), feb_end) == feb_end
        assert due_on(p, DueFacts(dt.date(year, 1, 31), None), feb_end + DAY) < feb_end + DAY


@settings(max_examples=300, deadline=None)
@given(days, st.integers(0, 100))
def test_registered_in_a_month_is_due_by_its_end(registered, later):
    day = registered + dt.timedelta(days=later)
    due = due_on(Policy(), DueFacts(None, registered), day)
    assert due == month_end(registered)
    assert (due < day) == (day.month != registered.month or day.year != registered.year)


@settings(max_examples=300, deadline=None)
@given(days, st.integers(-20, 20), st.sampled_from(["high", "emergency"]), st.integers(0, 30))
def test_high_risk_weekly_and_emergency_within_a_day_of_the_finding(seen_on, finding_shift, level, later):
    finding = seen_on + dt.timedelta(days=finding_shift)
    day = max(seen_on, finding) + dt.timedelta(days=later)
    due = due_on(Policy(), DueFacts(seen_on, None, level, finding), day)
    interval = 7 if level == "high" else 1
    assert due == max(seen_on, finding) + dt.timedelta(days=interval)


def test_a_finding_never_forgives_a_month_already_missed():
    """Seen on a Home in tmux: an elder last visited on 18 September, found at emergency level on 24 November,
    showed as 7 days overdue on 2 December; the month rule has had her overdue since 1 November."""
    seen, finding, day = dt.date(2026, 9, 18), dt.date(2026, 11, 24), dt.date(2026, 12, 2)
    for level in ("high", "emergency"):
        due = due_on(Policy(), DueFacts(seen, None, level, finding), day)
        assert due == dt.date(2026, 10, 31)
        assert days_overdue(due, day) == 32


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), days), days, st.sampled_from(list(RISK_LEVELS)), st.one_of(st.none(), days),
       st.integers(0, 200), policies())
def test_a_risk_level_only_ever_makes_a_visit_due_sooner(seen_on, registered, level, finding, later, policy):
    day = max(d for d in (seen_on, registered, finding) if d is not None) + dt.timedelta(days=later)
    low = due_on(policy, DueFacts(seen_on, registered), day)
    assert due_on(policy, DueFacts(seen_on, registered, level, finding), day) <= low


@settings(max_examples=200, deadline=None)
@given(days, st.integers(1, 366), st.integers(0, 60))
def test_an_own_interval_only_ever_makes_a_visit_due_sooner(seen_on, own, later):
    day = seen_on + dt.timedelta(days=later)
    plain = due_on(Policy(), DueFacts(seen_on, None), day)
    assert due_on(Policy(), DueFacts(seen_on, None, override=own), day) == min(plain, seen_on + dt.timedelta(days=own))


def test_a_category_rule_applies_from_its_age():
    p = Policy(categories=(CategoryRule("solitary_elder", 7, 80),))
    day = dt.date(2028, 2, 29)
    seen = dt.date(2028, 2, 1)
    turning_80_today = dt.date(1948, 2, 29)
    turning_80_tomorrow = dt.date(1948, 3, 1)
    assert due_on(p, DueFacts(seen, None, categories=["solitary_elder"], birth_date=turning_80_today), day) \
        == dt.date(2028, 2, 8)
    assert due_on(p, DueFacts(seen, None, categories=["solitary_elder"], birth_date=turning_80_tomorrow), day) \
        == dt.date(2028, 3, 31)
    assert due_on(p, DueFacts(seen, None, categories=["empty_nest_elder"], birth_date=turning_80_today), day) \
        == dt.date(2028, 3, 31)


# --- the SQL twin (register filters) agrees with the Python rule ---------------------------------------

SCHEMA = """
CREATE TABLE resident (id TEXT PRIMARY KEY, registered_on DATE, risk_level TEXT, categories TEXT,
                       birth_date DATE, visit_frequency_days INTEGER);
CREATE TABLE visit (resident_id TEXT, visit_date DATE, method TEXT, contact_made BOOLEAN, deleted BOOLEAN);
CREATE TABLE risk_assessment (resident_id TEXT, level TEXT, assessed_on DATE, hlc INTEGER, deleted BOOLEAN);
CREATE TABLE event (record_type TEXT, record_id TEXT, hlc INTEGER);
"""


@st.composite
def residents(draw, today: dt.date):
    back = st.integers(0, 150).map(lambda n: today - dt.timedelta(days=n))
    visits = draw(st.lists(st.tuples(back, methods, st.booleans(), st.booleans()), max_size=4))
    drawn = draw(st.lists(st.tuples(st.sampled_from(list(RISK_LEVELS)), back, st.booleans()), max_size=4))
    # clocks are unique, as a device's are; their order need not follow the dates
    clocks = draw(st.permutations(range(1, len(drawn) + 1)))
    risks = [(level, d, clock, deleted) for (level, d, deleted), clock in zip(drawn, clocks, strict=True)]
    return {
        "registered_on": draw(st.one_of(st.none(), back)),
        "categories": draw(st.lists(st.sampled_from(list(CATEGORIES)), max_size=2, unique=True)),
        "birth_date": draw(st.one_of(st.none(), st.dates(dt.date(1930, 1, 1), dt.date(2025, 12, 31)))),
        "override": draw(st.one_of(st.none(), st.integers(1, 40))),
        "visits": visits,  # (date, method, reached, deleted)
        "risks": risks,  # (level, date, clock, deleted)
        # the record's events' clocks (none: a record older than its events, as no database should hold)
        "events": draw(st.lists(stamps(today), max_size=3)),
    }


CHINA = dt.timezone(dt.timedelta(hours=8))


@st.composite
def stamps(draw, today: dt.date):
    """An event's clock on a day around `today` in China (ahead of it too: a laptop's clock can run ahead),
    often a millisecond from midnight there."""
    day = today + dt.timedelta(days=draw(st.integers(-3000, 40)))
    ms_in_day = draw(st.one_of(st.sampled_from([0, 1, 86_399_999, 57_600_000, 57_599_999]),
                               st.integers(0, 86_399_999)))
    at = dt.datetime.combine(day, dt.time(), CHINA) + dt.timedelta(milliseconds=ms_in_day)
    ms = (at - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)
    return (ms << 16) | draw(st.integers(0, 0xFFFF))


def _china_day(stamp: int) -> dt.date:
    return dt.datetime.fromtimestamp((stamp >> 16) / 1000, CHINA).date()


def _python_facts(person: dict, policy: Policy, today: dt.date) -> DueFacts:
    """The facts stated plainly: the last visit that counts, and the day the current level's run began."""
    seen = [d for d, m, reached, deleted in person["visits"] if not deleted and d <= today
            and policy.counts_visit(m, reached)]
    live = sorted((d, clock, level) for level, d, clock, deleted in person["risks"] if not deleted)
    level = live[-1][2] if live else "low"
    began = None
    for d, _clock, lv in reversed(live):
        if lv != level:
            break
        began = d
    entered = _china_day(min(person["events"])) if person["events"] else None
    return DueFacts(max(seen, default=None), person["registered_on"], level, began, person["categories"],
                    person["birth_date"], person["override"], entered)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), policies(), days)
def test_the_register_filters_say_what_the_rule_says(data, policy, today):
    people = data.draw(st.lists(residents(today), min_size=1, max_size=6))
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    for i, p in enumerate(people):
        facts = _python_facts(p, policy, today)
        conn.execute("INSERT INTO resident VALUES (?, ?, ?, ?, ?, ?)",
                     (f"r{i}", _iso(p["registered_on"]), facts.risk_level, json.dumps(p["categories"]),
                      _iso(p["birth_date"]), p["override"]))
        conn.executemany("INSERT INTO visit VALUES (?, ?, ?, ?, ?)",
                         [(f"r{i}", d.isoformat(), m, reached, deleted) for d, m, reached, deleted in p["visits"]])
        conn.executemany("INSERT INTO risk_assessment VALUES (?, ?, ?, ?, ?)",
                         [(f"r{i}", lv, d.isoformat(), clock, deleted) for lv, d, clock, deleted in p["risks"]])
        conn.executemany("INSERT INTO event VALUES ('resident', ?, ?)", [(f"r{i}", stamp) for stamp in p["events"]])
        conn.execute("INSERT INTO event VALUES ('visit', ?, 0)", (f"r{i}",))  # another record's, with the same id
    bounds = [today - dt.timedelta(days=40), today, today + dt.timedelta(days=7)]
    for chosen in ([today], [today, bounds[2]], bounds):
        band, params = due_before_sql(policy, chosen, today)
        found = dict(conn.execute(f"SELECT r.id, {band} FROM resident r", {**params, "today": today.isoformat()}))
        dues = {f"r{i}": due_on(policy, _python_facts(p, policy, today), today) for i, p in enumerate(people)}
        assert found == {rid: sum(due < b for b in chosen) for rid, due in dues.items()}
    began = dict(conn.execute(f"SELECT r.id, {risk_from_sql()} FROM resident r"))
    for i, p in enumerate(people):
        assert _date(began[f"r{i}"]) == _python_facts(p, policy, today).risk_from


@settings(max_examples=300, deadline=None)
@given(days, st.data())
def test_the_day_a_record_entered_is_its_first_clock_in_china(today, data):
    stamp = data.draw(stamps(today))
    conn = sqlite3.connect(":memory:")
    assert clock_date(stamp) == _china_day(stamp)
    assert conn.execute(f"SELECT {clock_date_sql('?', 'sqlite')}", (stamp,)).fetchone()[0] == _china_day(stamp).isoformat()


@settings(deadline=None)  # (a rule's answer, not its speed: no 200 ms default deadline on a loaded machine)
@given(days, st.integers(0, 3000), st.integers(1, 2000))
def test_a_key_person_new_to_gridcare_is_due_this_month_not_overdue_since_registration(today, years_ago, ahead):
    """A roster's key person registered long ago, never visited in gridcare: due by this month's end
    (walk E, A3). A day after the one asked about (a past month's report, a clock running ahead) is not
    known on it, and one before the registration changes nothing: the registration counts."""
    registered = today - dt.timedelta(days=years_ago)
    assert due_on(Policy(), DueFacts(None, registered, entered_on=today), today) == month_end(today)
    assert due_on(Policy(), DueFacts(None, registered, entered_on=today + dt.timedelta(days=ahead)), today) \
        == month_end(registered)
    assert due_on(Policy(), DueFacts(None, registered, entered_on=registered - DAY), today) == month_end(registered)
    seen = today - dt.timedelta(days=40)  # once visited, the visit counts, not the day the record came in
    assert due_on(Policy(), DueFacts(seen, registered, entered_on=today), today) \
        == due_on(Policy(), DueFacts(seen, registered), today)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def test_age_is_whole_years_on_leap_days():
    assert age_on(dt.date(2000, 2, 29), dt.date(2080, 2, 28)) == 79
    assert age_on(dt.date(2000, 2, 29), dt.date(2080, 2, 29)) == 80
