"""The demo's six-dimension assessments and the township's acknowledgements of emergency findings.

Run by storage/demo/grid.py after a resident's year of visits is laid out, with a random
generator of its own (`GridBuilder.rng_followup`), so the rest of the data set stays the same
whether or not these are generated. Proportions, as a township would see them:
- most residents were assessed when registered (9 in 10; the register is older than the practice
  for the rest), and reassessed at a visit about every six months, with small drifts;
- a few got worse this month: about 1 in 120 residents reassessed at this month's visit with one
  or two dimensions worse (some by two steps, or to 重度: the risk review is suggested), besides
  the small drifts of the routine reassessments;
- the township acknowledged every emergency finding within hours (a few after a day), except
  about one in five of yesterday's, which still wait at the top of Home.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage.register.assessments import DIMENSIONS, STEP

if TYPE_CHECKING:
    from storage.demo.grid import GridBuilder, Person

DAY = dt.timedelta(days=1)
ORDER = ["none", "mild", "moderate", "severe"]
# grade weights (none, mild, moderate, severe) per group and dimension; "na" where it does not apply
WEIGHTS: dict[str, dict[str, Any]] = {
    "child": {"economy": (35, 40, 20, 5), "health": (75, 18, 6, 1), "education": (60, 28, 10, 2),
              "housing": (50, 35, 12, 3), "employment": (30, 40, 25, 5), "social": (55, 30, 12, 3)},
    "elder": {"economy": (30, 40, 24, 6), "health": (15, 40, 35, 10), "education": "na",
              "housing": (45, 35, 16, 4), "employment": "na", "social": (30, 40, 24, 6)},
    "disabled": {"economy": (20, 40, 30, 10), "health": (5, 25, 45, 25), "education": (40, 30, 20, 10),
                 "housing": (40, 35, 20, 5), "employment": (15, 25, 35, 25), "social": (20, 40, 30, 10)},
    # left-behind women and seriously ill adults: the household's schooling is the children's, often 不适用
    "adult": {"economy": (25, 40, 28, 7), "health": (30, 30, 25, 15), "education": (45, 30, 15, 10),
              "housing": (45, 35, 16, 4), "employment": (20, 35, 30, 15), "social": (35, 40, 20, 5)},
}
NOTES = {
    "economy": {"moderate": ["收入不稳定，靠低保和子女接济", "家庭开支大，医药费负担重"],
                "severe": ["无固定收入，生活困难", "欠债较多，基本生活难以维持"]},
    "health": {"moderate": ["慢性病，需长期服药", "行动不便，需人搀扶"],
               "severe": ["卧床，生活不能自理", "病情加重，需住院治疗"]},
    "education": {"moderate": ["学习跟不上，偶有逃学", "上学路途远，出勤不稳定"],
                  "severe": ["已辍学在家", "长期缺课，学校多次联系"]},
    "housing": {"moderate": ["房屋老旧，雨天漏水", "厨房和厕所条件差"],
                "severe": ["危房，需尽快安置", "住所无人照看，存在安全隐患"]},
    "employment": {"moderate": ["家中劳力外出务工，收入不稳", "打零工，时有时无"],
                   "severe": ["家中无劳动力", "失业在家"]},
    "social": {"moderate": ["很少出门，与邻居来往少", "情绪低落，不愿交流"],
               "severe": ["长期独处，几乎无人来往", "拒绝与人接触"]},
}
REASSESS_DAYS = 180
WORSEN_THIS_MONTH = 1 / 120


def _grade(rng, group: str, dim: str) -> str:
    w = WEIGHTS[group][dim]
    if w == "na":
        return "na" if rng.random() < 0.9 else "none"
    return rng.choices(ORDER, w)[0]


def _notes(rng, grades: dict[str, str]) -> dict[str, str]:
    return {d: rng.choice(NOTES[d][g]) for d, g in grades.items() if g in ("moderate", "severe") and rng.random() < 0.7}


def _drift(rng, grades: dict[str, str]) -> dict[str, str]:
    out = dict(grades)
    for dim, grade in grades.items():
        if grade in STEP and rng.random() < 0.12:
            step = STEP[grade] + rng.choice((-1, -1, -1, 1))  # care helps more often than not
            out[dim] = ORDER[max(0, min(3, step))]
    return out


def _worse(rng, grades: dict[str, str]) -> dict[str, str]:
    out = dict(grades)
    dims = [d for d, g in grades.items() if g in STEP and g != "severe"] or [d for d in grades if grades[d] in STEP]
    for dim in rng.sample(dims, min(len(dims), rng.choice((1, 1, 2)))):
        out[dim] = ORDER[min(3, STEP[out[dim]] + rng.choice((1, 1, 2)))]
    return out


def assessments(b: GridBuilder, person: Person, visits: list[tuple[dt.date, str]]) -> None:
    rng = b.rng_followup
    if rng.random() >= 0.9:
        if not visits:
            return
        first_day = visits[0][0]  # assessed at a visit instead
    else:
        first_day = person.registered
    grades = {d: _grade(rng, person.group, d) for d in DIMENSIONS}
    first_visit = next((vid for day, vid in visits if day == first_day), None) if first_day != person.registered else None
    _write(b, person, first_day, grades, first_visit)
    this_month = b.today.replace(day=1)
    last = first_day
    for day, vid in visits:
        if day <= first_day:
            continue
        if day >= this_month and rng.random() < WORSEN_THIS_MONTH:
            grades = _worse(rng, grades)
            _write(b, person, day, grades, vid)
            last = day
            continue
        if (day - last).days >= REASSESS_DAYS and rng.random() < 0.35:
            grades = _drift(rng, grades)
            _write(b, person, day, grades, vid)
            last = day


def _write(b: GridBuilder, person: Person, day: dt.date, grades: dict[str, str], visit_id: str | None) -> None:
    rng = b.rng_followup
    b._add(day, "assessment", f"{rng.getrandbits(64):016x}", {
        "resident_id": person.rid, "visit_id": visit_id, "assessed_on": day.isoformat(), "assessor": b.spec.worker,
        **grades, "notes": _notes(rng, grades)})


def acknowledgements(b: GridBuilder, records: list[tuple[dt.date, int, str, str, dict[str, Any]]]) -> None:
    """The township's acknowledgement of each emergency finding among a resident's records (day, order, type,
    id, fields), by the rule of storage/register/emergencies.py: one per resident and day, under its first key."""
    if not b.shared.township_device:
        return
    rng = b.rng_followup
    level = None
    first_of_day: dict[dt.date, str] = {}
    resident = None
    for day, _order, rtype, rid, fields in sorted(records, key=lambda r: (r[0], r[1])):
        if rtype == "risk":
            new, mandatory, key = fields.get("level"), False, "risk:" + rid
        elif rtype == "visit":
            new, mandatory, key = fields.get("risk_after"), bool(fields.get("mandatory_report")), "visit:" + rid
        else:
            continue
        resident = fields.get("resident_id", resident)
        if (new == "emergency" and level != "emergency") or mandatory:
            first_of_day.setdefault(day, key)
        if new:
            level = new
    for day, key in sorted(first_of_day.items()):
        if day >= b.today or (day == b.today - DAY and rng.random() < 0.2):
            continue  # a few of yesterday's still wait on Home
        hours = rng.choice((1, 2, 2, 3, 4, 6, 8)) if rng.random() < 0.9 else rng.randrange(20, 40)
        at = dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=dt.timezone.utc) + dt.timedelta(hours=hours)
        b._add(at.date(), "emergency_ack", key, {
            "resident_id": resident, "acknowledged_at": at.isoformat(), "acknowledged_by": b.shared.clerk,
            "note": ""}, by=(b.shared.township_device, b.shared.clerk))


# where each kind of referral goes: the level of the chain and the office there
REFERRAL_OFFICES = {
    "minzheng": [("township", "乡镇民政办"), ("county", "县民政局社会救助科")],
    "clinic": [("township", "乡镇卫生院"), ("village", "村卫生室")],
    "disabled_fed": [("county", "县残联"), ("township", "乡镇残联")],
    "police": [("township", "派出所")],
    "school": [("township", "中心小学"), ("village", "村小")],
    "women_fed": [("township", "乡镇妇联"), ("county", "县妇联")],
    "other": [("township", "乡镇综治中心")],
}


def referral_follow_up(b: GridBuilder, records: list[tuple[dt.date, int, str, str, dict[str, Any]]]) -> None:
    """The level, office and follow-up deadline of each referral opened among a resident's records, set on
    the event that opens it (a week for most, three days when the risk was high, a month for a slow office)."""
    rng = b.rng_followup
    for day, _order, rtype, _rid, fields in records:
        if rtype != "referral" or "agency" not in fields:
            continue
        level, office = rng.choice(REFERRAL_OFFICES.get(fields["agency"], REFERRAL_OFFICES["other"]))
        wait = rng.choices((3, 7, 14, 30, 45), (10, 40, 25, 15, 10))[0]
        fields.update(level=level, department=office, due_on=(day + dt.timedelta(days=wait)).isoformat())
