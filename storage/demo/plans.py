"""The demo's benefits and paired helpers (issue #15), in believable proportions.

* statuses: 低保 for the families the builder marked (poor children, a quarter of the
  disabled, some elders...), most recorded with dates, a third of them with an end date
  (some ending within the month); 特困 for many widowed/childless elders; a few 低保边缘,
  低收入, 支出型 and short 临时救助 periods;
* subsidies: whatever storage/register/eligibility.py says a resident should receive is
  recorded for most (care subsidy 88%, living subsidy 82%, child allowance 78%) — the
  rest is the township's 应享未享 list; a few recorded subsidies stopped;
* paired helpers: most children in difficulty and left-behind children, most widowed and
  solitary elders, a few others; the rest are the "unpaired" list.

Draws from the builder's side stream (`b.side`), so the register's own residents, visits
and referrals do not depend on what is decided here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage.demo import words
from storage.register import eligibility
from storage.register.periods import Period

if TYPE_CHECKING:
    from storage.demo.grid import GridBuilder, Person

DAY = dt.timedelta(days=1)
RECORDED = {"care_subsidy": 0.88, "living_subsidy": 0.82, "child_allowance": 0.78}
PAIRED = {"child_in_difficulty": 0.92, "left_behind_child": 0.88, "widowed_childless_elder": 0.85, "solitary_elder": 0.8}


def _ago(b: GridBuilder, lo_days: int, hi_days: int) -> dt.date:
    return b.today - dt.timedelta(days=b.side.randrange(lo_days, hi_days))


def _add_period(b: GridBuilder, person: Person, kind: str, start: dt.date | None, end: dt.date | None,
                note: str = "") -> Period:
    """One benefit record, written by the worker on the day it began (not before registration, not after today)."""
    last = min(b.today, (person.closed_on or b.today))
    written = min(max(start or person.registered, person.registered), last)
    b._add(written, "benefit", f"{b.side.getrandbits(64):016x}", {"resident_id": person.rid, "kind": kind,
                                         "start_on": start.isoformat() if start else None,
                                         "end_on": end.isoformat() if end else None, "note": note})
    return Period(kind, start, end)


def _dibao(b: GridBuilder, person: Person) -> list[Period]:
    """低保: open-ended for most; a third with the end of the approval year (then mostly renewed)."""
    side = b.side
    start = None if side.random() < 0.06 else _ago(b, 60, 6 * 365)
    if start is None or side.random() < 0.67:
        return [_add_period(b, person, "dibao", start, None, side.choice(("A类", "B类", "", "")))]
    end = b.today + dt.timedelta(days=side.randrange(-40, 200))
    end = max(end, start + dt.timedelta(days=30))
    periods = [_add_period(b, person, "dibao", start, end)]
    if end < b.today and side.random() < 0.8:  # renewed after the yearly review
        periods.append(_add_period(b, person, "dibao", end + DAY, None))
    return periods


def benefits(b: GridBuilder, person: Person, fields: dict[str, Any], age: int, wants: dict[str, bool]) -> None:
    side, today = b.side, b.today
    periods: list[Period] = []
    if wants.get("_dibao"):
        periods += _dibao(b, person)
    if wants.get("_tekun"):
        periods.append(_add_period(b, person, "tekun", _ago(b, 90, 8 * 365), None, side.choice(("分散供养", ""))))
    if not wants.get("_dibao"):
        for kind, share in (("dibao_edge", 0.04), ("low_income", 0.05), ("expenditure_hardship", 0.015)):
            if side.random() < share:
                periods.append(_add_period(b, person, kind, _ago(b, 30, 3 * 365), None))
    if side.random() < 0.04:  # 临时救助: a month or three, some ending soon
        start = _ago(b, 5, 150)
        periods.append(_add_period(b, person, "temporary_assistance", start,
                                   start + dt.timedelta(days=side.randrange(30, 91))))
    f = eligibility.facts(age, person.cats, fields.get("disability_category"), fields.get("disability_grade"),
                          fields.get("flags", ()), periods, today)
    for hint in eligibility.hints(f):
        if side.random() >= RECORDED.get(hint.benefit, 0.8):
            continue  # eligible, not recorded as receiving: the 应享未享 list
        start = _ago(b, 30, 5 * 365)
        stopped = side.random() < 0.03
        _add_period(b, person, hint.benefit, start, (today - dt.timedelta(days=side.randrange(10, 120))) if stopped
                    and start < today - dt.timedelta(days=130) else None)


def pairing(b: GridBuilder, person: Person) -> None:
    """A paired helper from some day after registration (a resident event of its own)."""
    side = b.side
    chance = max((PAIRED.get(c, 0.0) for c in person.cats), default=0.0) or 0.08
    if side.random() >= chance:
        return
    last = min(b.today, person.closed_on or b.today) - DAY
    if last <= person.registered:
        return
    first = person.registered + DAY
    since = first + dt.timedelta(days=side.randrange(0, (last - first).days + 1)) if side.random() < 0.5 else first
    surname = side.choices(b.shared.surnames, cum_weights=b.shared.cum_weights)[0]
    sex = side.choice("MF")
    name = surname + side.choice(words.WOMAN_ADULT if sex == "F" else words.MAN_ADULT)
    phone = "1" + side.choice("3589") + "".join(side.choice("0123456789") for _ in range(9))
    b._add(since, "resident", person.rid, {"helper_name": name, "helper_phone": phone,
                                          "helper_unit": side.choice(words.HELPER_UNITS),
                                          "helper_since": since.isoformat()})
