"""The demo's year of follow-up for one resident: risk assessments, visits, referrals.

Functions over a `storage.demo.grid.GridBuilder` (its seeded rng, today, the
grid it builds); every record is added as a dated change event.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import TYPE_CHECKING

from storage.demo import words
from storage.register.categories import SERVICES, dimensions_for, hazards_for, needs_for
from storage.register.due import DueFacts, next_visit_proposal
from storage.register.policy import Policy

if TYPE_CHECKING:
    from storage.demo.grid import GridBuilder, Person

DAY = dt.timedelta(days=1)
LEVELS = ["low", "medium", "high", "emergency"]
RANK = {level: i for i, level in enumerate(LEVELS)}
POLICY = Policy()
Step = tuple[dt.date, str]  # (assessed on, level)
SERVICE_CODES = list(SERVICES)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def risk_history(b: GridBuilder, person: Person) -> list[Step]:
    """1-3 assessments ending at the resident's current level (most low-risk residents have none)."""
    rng, today = b.rng, b.today
    final = rng.choices(LEVELS, [70, 20, 8, 2])[0]
    if final == "low" and rng.random() >= 0.35:
        return []
    n = rng.randrange(2, 4) if final == "low" else rng.randrange(1, 4)  # a low history is a risk that passed
    start, end = person.registered, max(person.registered, (person.closed_on or today) - DAY)
    recent = {"emergency": (1, 10), "high": (5, 90)}.get(final)
    last = today - dt.timedelta(days=rng.randrange(*recent)) if recent else b._between(start, end)
    last = min(max(last, start), end)
    days = sorted(b._between(start, last - DAY) for _ in range(n - 1)) if last > start else []
    levels = [final]
    for _ in days:
        choices = [lv for lv in LEVELS if lv != levels[0]]
        levels.insert(0, rng.choices(choices, [{"low": 35, "medium": 40, "high": 20, "emergency": 5}[c] for c in choices])[0])
    steps = list(zip([*days, last], levels, strict=True))
    previous = "low"
    for day, level in steps:
        if day == person.registered:
            reason = words.RISK_INITIAL
        elif RANK[level] > RANK[previous]:
            reason = rng.choice(words.fitting((words.RISK_EMERGENCY if level == "emergency" else words.RISK_UP)[person.group],
                                              person.facts))
        elif RANK[level] < RANK[previous]:
            reason = rng.choice(words.fitting(words.RISK_DOWN[person.group], person.facts))
        else:
            reason = "定期复评，等级不变"
        b._add(day, "risk", b._id(), {"resident_id": person.rid, "level": level, "reason": reason,
                                      "assessed_on": day.isoformat(), "assessor": b.spec.worker})
        previous = level
    return steps


# The month's round: a worker plans each resident's visit on one of the month's first PLAN_DAYS days
# (done by the 24th, leaving the last week for the late ones) and works through the plan day by day.
# "Today" is a working day half done: half of today's planned visits are made (this morning). So the
# demo reads as a register on any day it is made: on the 1st last month is complete and a few are
# visited already (this morning's round, and the weekly visits of the high-risk), by the 15th about
# three in five, by the month's end nearly everyone (less the overdue and the late ones). Before,
# the history stopped at yesterday: a demo made on the 1st showed every bar of the month at 0%.
PLAN_DAYS = 24


def _planned_day(b: GridBuilder, month: dt.date) -> dt.date:
    return month + dt.timedelta(days=b.rng.randrange(PLAN_DAYS))


def _visit_days(b: GridBuilder, person: Person, steps: list[Step]) -> list[dt.date]:
    rng, today = b.rng, b.today
    this_month = today.replace(day=1)
    last_month = (this_month - DAY).replace(day=1)
    # a year back, as far as the app lets a visit be logged: a report of last month has (nearly)
    # twelve months behind it for its trend; up to today (its morning), and before a closed case's close
    start = max(person.registered, today - dt.timedelta(days=365))
    end = min(person.closed_on - DAY, today) if person.closed_on else today
    if end < start:
        return []
    u = rng.random()
    status = "overdue" if u < 0.06 else "not_yet" if u < 0.12 else "done"
    days: set[dt.date] = set()
    month = start.replace(day=1)
    while month <= end:  # about monthly, with a gap now and then
        lo, hi = max(month, start), min(_next_month(month) - DAY, end)
        if month == last_month and status == "not_yet":
            lo = min(max(lo, today - dt.timedelta(days=40)), hi)  # late last month: not overdue yet
        if month == this_month:
            # this month's round as far as it has gone (the plan above); a resident registered after
            # their planned day is visited the day they were registered
            planned = max(_planned_day(b, month), lo)
            if lo <= hi and (planned < today or planned == today and rng.random() < 0.5):
                days.add(planned)
        elif lo <= hi and rng.random() >= 0.04:
            days.add(b._between(lo, hi))
        if lo <= hi and rng.random() < 0.02:
            # a follow-up, on a day before today's round (which is the plan's)
            days.add(b._between(lo, min(hi, today - DAY)) if lo < today else lo)
        month = _next_month(month)
    for i, (day, level) in enumerate(steps):  # closer follow-up while the risk is high
        days.add(day)
        if level not in ("high", "emergency"):
            continue
        until = min(steps[i + 1][0] if i + 1 < len(steps) else end, end)
        gap = (1, 3) if level == "emergency" else (5, 8)
        for _ in range(12 if level == "emergency" else 30):
            day += dt.timedelta(days=rng.randrange(*gap))
            if day > until:
                break
            days.add(day)
    if status == "overdue":
        cut = today - dt.timedelta(days=rng.randrange(45, 75))
        days = {d for d in days if d <= cut}
    elif status == "not_yet":
        days = {d for d in days if d < this_month}
    return sorted(d for d in days if start <= d <= end)


def visits(b: GridBuilder, person: Person, steps: list[Step]) -> list[tuple[dt.date, str]]:
    rng = b.rng
    step_days = [d for d, _lv in steps]
    dims, hazards, needs = dimensions_for(person.cats), hazards_for(person.cats), needs_for(person.cats)
    overrides = {"child": words.OBSERVATIONS_CHILD, "elder": words.OBSERVATIONS_ELDER,
                 "disabled": words.OBSERVATIONS_DISABLED, "adult": words.OBSERVATIONS_ADULT}[person.group]
    notes = words.fitting({"child": words.NOTES_CHILD, "elder": words.NOTES_ELDER, "disabled": words.NOTES_DISABLED,
                           "adult": words.NOTES_ADULT}[person.group], person.facts)
    # only the words that hold for this person (an 独居 elder's visits never met 老伴, an orphan's never 父母)
    observations = {d: words.fitting(overrides.get(d) or words.OBSERVATIONS[d], person.facts) for d in dims}
    others = words.fitting(["家属", "老伴", "邻居"], person.facts)
    done = []
    for day in _visit_days(b, person, steps):
        at = bisect.bisect_right(step_days, day)
        level = steps[at - 1][1] if at else "low"
        assessed_today = at > 0 and step_days[at - 1] == day
        u = rng.random()
        method = "home" if u < 0.85 else "phone" if u < 0.94 else "video" if u < 0.99 else "proxy"
        if person.group == "child":
            met = person.guardian_relation if rng.random() < 0.6 else "本人"
        else:
            met = "本人" if rng.random() < 0.8 else rng.choice(others)
        chosen = rng.sample(dims, rng.randrange(1, min(3, len(dims)) + 1))
        found = [rng.choice(hazards)] if rng.random() < 0.08 else []
        if found == ["drowning"] and day.month not in (5, 6, 7, 8, 9):
            found = ["fire"]  # ponds are a summer hazard
        fields = {
            "resident_id": person.rid, "grid_code": b.spec.grid_id, "visit_date": day.isoformat(), "method": method,
            "visitor": b.spec.worker, "met_with": met,
            "contact_made": _reached(method, u, rng),
            "observations": {d: rng.choice(observations[d]) for d in chosen},
            "hazards": found,
            "needs": [rng.choice(needs)] if rng.random() < 0.12 else [],
            "services": [rng.choice(SERVICE_CODES)] if rng.random() < 0.3 else [],
            "mandatory_report": assessed_today and level == "emergency",
            "next_visit_on": next_visit_proposal(POLICY, DueFacts(day, person.registered, level, day), day).isoformat(),
            "notes": rng.choice(notes),
        }
        fields["resident_seen"] = fields["contact_made"] and method == "home"
        if not fields["contact_made"] and met == "本人":
            fields["met_with"] = "家属"  # nobody home, or the call reached a relative
        if assessed_today or rng.random() < 0.25:
            fields["risk_after"] = level
        vid = b._id()
        b._add(day, "visit", vid, fields)
        done.append((day, vid))
    return done


def _reached(method: str, u: float, rng) -> bool:
    """Whether a visit reached the person: nine phone calls in ten, nearly every home visit and video call.

    A phone call's answer comes from the draw that chose the method (u in 0.85..0.94 is a
    phone call; the top tenth of that band did not get through), so the demo's other draws,
    and everything built from them, stay as they were before visits recorded a contact.
    """
    if method == "phone":
        return u < 0.93
    if method in ("home", "video"):
        return rng.random() < 0.97
    return False  # learnt through others


def referral(b: GridBuilder, person: Person, steps: list[Step], done: list[tuple[dt.date, str]]) -> None:
    """About 5% of residents (a quarter of those at high risk); a third still open."""
    rng, today = b.rng, b.today
    high = bool(steps) and steps[-1][1] in ("high", "emergency")
    if not done or rng.random() >= (0.25 if high else 0.03):
        return
    still_open = rng.random() < 1 / 3
    recent = [v for v in done if (today - v[0]).days <= 45]
    opened, visit_id = rng.choice(recent if still_open and recent else done)
    agency = rng.choice(words.REFERRAL_AGENCIES_BY_GROUP[person.group])
    reasons, outcomes = words.REFERRALS[agency]
    ref = b._id()
    b._add(opened, "referral", ref, {"resident_id": person.rid, "visit_id": visit_id, "agency": agency,
                                     "reason": rng.choice(reasons), "status": "open", "opened_on": opened.isoformat()})
    room = (today - opened).days - 1
    if room < 1:
        return
    later = opened + dt.timedelta(days=rng.randrange(1, min(room, 45) + 1))
    if not still_open:
        b._add(later, "referral", ref, {"status": "closed", "outcome": rng.choice(outcomes), "closed_on": later.isoformat()})
    elif rng.random() < 0.5:
        b._add(later, "referral", ref, {"status": "in_progress", "closed_on": None})

