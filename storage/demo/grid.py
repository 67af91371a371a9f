"""One grid of the demo data set: residents, risk history, visits and referrals.

Built in memory as change events (dated like the history they tell) and as the
state rows those events fold to, using the fold's own row builders
(`storage.core.fold.state_row`, `visit_risk_row`), so the bulk write in
storage/demo/build.py stores exactly what a rebuild from the events would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from storage.core import hlc as clock
from storage.core.derive import stamp_event
from storage.core.fold import state_row, visit_risk_row
from storage.core.models import RECORD_TABLES
from storage.core.schema import clean
from storage.demo import followup, history, plans, words
from storage.register.categories import CATEGORIES, CHILD_CATEGORIES, DISABILITY_KEY_CATEGORIES, ELDER_CATEGORIES
from storage.register.idnumbers import fake_id_number
from storage.register.names import name_pinyin, name_search_key, surname_weights
from storage.register.policy import age_on, birthday_at

DAY = dt.timedelta(days=1)
DISABILITY_KINDS = ([1, 2, 3, 4, 5, 6, 7], [10, 8, 2, 40, 15, 15, 10])  # 视力 听力 言语 肢体 智力 精神 多重


@dataclass
class GridSpec:
    township: tuple[str, str]  # (code, name)
    grid_id: str  # f"{township code}-{grid code}"
    grid_name: str
    village: tuple[str, str]  # (12-digit code, name)
    worker: str
    device: str
    residents: int
    write_grid_record: bool  # a worker's own grid record was written by `init`


@dataclass
class Shared:
    """What the grids of one run share: surname table, pinyin cache, ID numbers in use."""

    county: str
    township_device: str = ""  # the township's device: it acknowledges emergency findings
    clerk: str = ""  # and signs them so
    # today's events are stamped no later than this clock (ms; 0: no limit): the morning visits of a demo
    # made before office hours stay behind the real clock, so the person's own edits on it win
    stamp_ceiling_ms: int = 0
    surnames: list[str] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)
    pinyin: dict[str, tuple[str, str]] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        pairs = surname_weights()
        self.surnames = [s for s, _w in pairs]
        self.cum_weights = list(accumulate(w for _s, w in pairs))

    def search_keys(self, name: str) -> tuple[str, str]:
        keys = self.pinyin.get(name)
        if keys is None:  # pypinyin is slow: once per distinct name
            keys = self.pinyin[name] = (name_search_key(name), name_pinyin(name))
        return keys


@dataclass
class Batch:
    events: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # state table name -> rows
    counts: dict[str, int] = field(default_factory=dict)  # record type -> records
    newest_hlc: int = 0


@dataclass
class Person:
    rid: str
    group: str  # child | elder | disabled | adult (a left-behind woman, a seriously ill adult)
    cats: list[str]
    birth: dt.date
    registered: dt.date
    closed_on: dt.date | None
    guardian_relation: str = ""
    facts: frozenset[str] = frozenset()  # what the words written of them may take for granted (words.fitting)


@lru_cache(maxsize=4096)
def _day_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1000)


def _birth_for_age_out(out: dt.date, limit: int) -> dt.date:
    return dt.date(out.year - limit, out.month, 28 if (out.month, out.day) == (2, 29) else out.day)


class GridBuilder:
    def __init__(self, seed: int, today: dt.date, spec: GridSpec, shared: Shared):
        self.rng = random.Random(f"demo:{seed}:{spec.grid_id}")
        # assessments and acknowledgements draw from their own: the rest of the set does not move with them
        self.rng_followup = random.Random(f"demo:{seed}:{spec.grid_id}:followup")
        # benefits and paired helpers draw from a stream of their own (storage/demo/plans.py)
        self.side = random.Random(f"demo:{seed}:{spec.grid_id}:plans")
        self.today, self.spec, self.shared = today, spec, shared
        self.pending: list[tuple[dt.date, int, str, str, dict[str, Any]]] = []  # (day, order, type, id, fields)
        self.writers: dict[int, tuple[str, str]] = {}  # order -> (device, author) of events another device wrote

    # --- small helpers ---------------------------------------------------------
    def _id(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def _add(self, day: dt.date, record_type: str, record_id: str, fields: dict[str, Any],
             by: tuple[str, str] | None = None) -> None:
        if by is not None:
            self.writers[len(self.pending)] = by
        self.pending.append((day, len(self.pending), record_type, record_id, fields))

    def _surname(self) -> str:
        return self.rng.choices(self.shared.surnames, cum_weights=self.shared.cum_weights)[0]

    def _given(self, sex: str, age: int) -> str:
        if age < 18:
            pool = words.BOY_CHILD if sex == "M" else words.GIRL_CHILD
        elif age < 55:
            pool = words.MAN_ADULT if sex == "M" else words.WOMAN_ADULT
        else:
            pool = words.MAN_OLD if sex == "M" else words.WOMAN_OLD
        return self.rng.choice(pool)

    def _phone(self, chance: float) -> str:
        if self.rng.random() >= chance:
            return ""
        rng = self.rng
        return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))

    def _id_number(self, birth: dt.date, sex: str) -> str:
        for _attempt in range(50):  # two people never share a number
            number = fake_id_number(self.rng, birth, sex, self.shared.county)
            if number not in self.shared.used_ids:
                self.shared.used_ids.add(number)
                return number
        raise RuntimeError("no free ID number left for this birth date")

    def _born(self, age: int) -> dt.date:
        return self.today - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(1, 365))

    def _between(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=self.rng.randrange(0, max(0, (hi - lo).days) + 1))

    # --- build -----------------------------------------------------------------
    def build(self, on_resident: Callable[[], None] | None = None) -> Batch:
        spec = self.spec
        if spec.write_grid_record:
            self._add(self.today - dt.timedelta(days=1600), "grid", spec.grid_id, {
                "code": spec.grid_id.split("-", 1)[1], "name": spec.grid_name, "township_code": spec.township[0],
                "village_code": spec.village[0], "worker_name": spec.worker})
        for _ in range(spec.residents):
            self._resident()
            if on_resident:
                on_resident()
        return self._fold()

    def _resident(self) -> None:
        rng, today = self.rng, self.today
        u = rng.random()
        sex = rng.choice("MF")
        fields: dict[str, Any] = {}
        if u < 0.35:
            person = self._child(sex, fields)
        elif u < 0.78:
            person = self._elder(sex, fields)
        elif u < 0.82:
            sex = "F"
            person = self._woman(fields)
        elif u < 0.85:
            person = self._ill(fields)
        else:
            person = self._disabled(sex, fields)
        age = age_on(person.birth, today) or 0
        person.facts = words.household_facts(person.group, person.cats, person.guardian_relation, sex, fields)
        close_reason = fields.pop("_close_reason", None)
        surname = fields.pop("_surname", None) or self._surname()
        name = surname + self._given(sex, age)
        initials, pinyin = self.shared.search_keys(name)
        no_id = rng.random() < {"child": 0.05, "elder": 0.03, "disabled": 0.0, "adult": 0.01}[person.group]
        id_number = None if no_id else self._id_number(person.birth, sex)
        if fields.pop("_card", None) and id_number:
            if "disabled_3_4_intellectual_mental" in person.cats:
                category, grade = rng.choice([5, 6]), rng.choice([3, 4])
            else:
                category = rng.choices(*DISABILITY_KINDS)[0]
                grade = rng.choice([1, 2]) if "severely_disabled" in person.cats else rng.choices([1, 2, 3, 4], [1, 2, 3, 3])[0]
            fields.update(disability_card=f"{id_number}{category}{grade}", disability_category=category, disability_grade=grade)
        elif set(person.cats) & DISABILITY_KEY_CATEGORIES:  # no card, no disability category (its rule needs the grade)
            person.cats = [c for c in person.cats if c not in DISABILITY_KEY_CATEGORIES]
            person.cats = person.cats or ["solitary_elder" if age >= 60 else "child_in_difficulty" if age < 18 else "seriously_ill"]
            if person.cats == ["child_in_difficulty"]:
                fields["child_subtype"] = "disability"  # a child in difficulty by their own disability, card or none
        wants = {k: fields.pop(k) for k in ("_dibao", "_tekun") if k in fields}
        fields.update({
            "name": name, "name_initials": initials, "name_pinyin": pinyin, "id_number": id_number, "sex": sex,
            "birth_date": person.birth.isoformat(), "township_code": self.spec.township[0],
            "village_code": self.spec.village[0], "grid_code": self.spec.grid_id,
            "categories": [c for c in CATEGORIES if c in person.cats], "status": "active",
            "registered_on": person.registered.isoformat(),
            "address": f"{self.spec.village[1]}{rng.choice(words.ROADS)}{rng.randrange(1, 120)}号",
            "notes": rng.choice(words.fitting(words.RESIDENT_NOTES[person.group], person.facts))
            if rng.random() < 0.3 else "",
        })
        fields.setdefault("flags", [])
        start = len(self.pending)
        self._add(person.registered, "resident", person.rid, fields)
        if person.closed_on:
            self._add(person.closed_on, "resident", person.rid, {  # with the remark a worker makes (退出原因说明)
                "status": "closed", "close_reason": close_reason, "closed_on": person.closed_on.isoformat(),
                "close_note": self.side.choice(words.fitting(words.CLOSE_NOTES[close_reason], person.facts))})
        plans.benefits(self, person, fields, age, wants)
        plans.pairing(self, person)
        steps = history.risk_history(self, person)
        visits = history.visits(self, person, steps)
        history.referral(self, person, steps, visits)
        followup.assessments(self, person, visits)
        followup.acknowledgements(self, self.pending[start:])
        followup.referral_follow_up(self, self.pending[start:])

    def _child(self, sex: str, fields: dict[str, Any]) -> Person:
        rng, today = self.rng, self.today
        cats = ["left_behind_child" if rng.random() < 0.65 else "child_in_difficulty"]
        if cats[0] == "left_behind_child" and rng.random() < 0.08:
            cats.append("child_in_difficulty")  # left behind and poor
        limit = min(CHILD_CATEGORIES[c] for c in cats)
        k = rng.random()
        closed_on = None
        if k < 0.06:  # ages out within the warning window
            birth = _birth_for_age_out(today + dt.timedelta(days=rng.randrange(5, 86)), limit)
        elif k < 0.09:  # aged out already: half still open (the worker must act), half closed
            out = today - dt.timedelta(days=rng.randrange(5, 61))
            birth = _birth_for_age_out(out, limit)
            if rng.random() < 0.5:
                closed_on = min(today - DAY, out + dt.timedelta(days=rng.randrange(0, 15)))
                fields["_close_reason"] = "aged_out"
        else:
            birth = self._born(rng.randrange(2, limit))
        subtype = None
        if "child_in_difficulty" in cats:
            subtype = "poverty" if len(cats) > 1 else rng.choices(
                ["poverty", "disability", "guardianship", "orphan", "de_facto_unsupported"], [35, 20, 20, 10, 15])[0]
            fields["child_subtype"] = subtype
        if subtype in (None, "poverty") and "left_behind_child" in cats:
            parents = rng.choices([("away", "away"), ("away", "ill"), ("away", "deceased"), ("ill", "away"),
                                   ("deceased", "away"), ("away", "unknown")], [70, 10, 4, 6, 4, 6])[0]
        else:
            parents = rng.choice({
                "orphan": [("deceased", "deceased")],
                "de_facto_unsupported": [("deceased", "unknown"), ("ill", "unknown"), ("unknown", "ill")],
                "guardianship": [("away", "unknown"), ("ill", "away"), ("unknown", "unknown")],
                "poverty": [("home", "ill"), ("ill", "home"), ("home", "home"), ("deceased", "home")],
                "disability": [("home", "home"), ("away", "home"), ("home", "away")],
            }[subtype or "poverty"])
        surname, mother_surname = self._surname(), self._surname()
        father = surname + self._given("M", 38)
        mother = mother_surname + self._given("F", 36)
        if parents[1] == "home":
            relation, guardian = "母亲", mother
        elif parents[0] == "home":
            relation, guardian = "父亲", father
        else:
            relation = rng.choices(list(words.RELATION_WEIGHTS), list(words.RELATION_WEIGHTS.values()))[0]
            g_sex, side = words.RELATIONS[relation]
            g_surname = {"child": surname, "mother": mother_surname}.get(side) or self._surname()
            guardian = g_surname + self._given(g_sex, 68 if "祖" in relation else 45)
        fields.update(_surname=surname, guardian_name=guardian, guardian_phone=self._phone(0.92),
                      guardian_relation=relation, father_name=father, mother_name=mother,
                      father_status=parents[0], mother_status=parents[1], phone="", flags=[],
                      _dibao=subtype == "poverty" or rng.random() < 0.08)
        if subtype == "disability":
            fields["_card"] = True
        registered = self._registered(birth + dt.timedelta(days=200), birthday_at(birth, limit) - dt.timedelta(days=30))
        if closed_on and closed_on <= registered:
            closed_on = None
        closed_on = closed_on or self._closed(registered, "child", fields)
        if self.side.random() < 0.03:
            cats.append("seriously_ill")  # a seriously ill child (the child allowance names them)
        return Person(self._id(), "child", cats, birth, registered, closed_on, relation)

    def _elder(self, sex: str, fields: dict[str, Any]) -> Person:
        rng = self.rng
        age = 60 + int(36 * rng.random() ** 1.5)
        birth = self._born(age)
        cats = [rng.choices(["left_behind_elder", "empty_nest_elder", "solitary_elder", "widowed_childless_elder"],
                            [22, 32, 34, 12])[0]]
        if rng.random() < 0.08:
            cats.append("severely_disabled")
            fields["_card"] = True
        real_age = age_on(birth, self.today) or age
        flags = []  # 高龄 is derived from the birth date, never a flag
        if rng.random() < (0.15 if real_age >= 80 else 0.04):
            flags.append("disabled_care")
        if rng.random() < 0.03:
            flags.append("family_planning_special")
        fields["_dibao"] = rng.random() < 0.12
        fields["_tekun"] = rng.random() < {"solitary_elder": 0.1, "widowed_childless_elder": 0.45}.get(cats[0], 0.0)
        fields.update(phone=self._phone(0.8 if real_age < 80 else 0.5), flags=flags)
        registered = self._registered(birthday_at(birth, 60))
        return Person(self._id(), "elder", cats, birth, registered, self._closed(registered, "elder", fields))

    def _disabled(self, sex: str, fields: dict[str, Any]) -> Person:
        rng = self.rng
        birth = self._born(rng.randrange(18, 76))
        # a quarter: grade 3-4 intellectual or mental disability, registered for the living subsidy
        cats = ["disabled_3_4_intellectual_mental" if self.side.random() < 0.25 else "severely_disabled"]
        if (age_on(birth, self.today) or 0) >= 60 and rng.random() < 0.35:
            cats.append(rng.choice(sorted(ELDER_CATEGORIES)))
        flags = [f for f, p in (("disabled_care", 0.35),) if rng.random() < p]
        fields.update(phone=self._phone(0.7), flags=flags, _card=True, _dibao=rng.random() < 0.25)
        registered = self._registered(birthday_at(birth, 60 if len(cats) > 1 else 18))
        return Person(self._id(), "disabled", cats, birth, registered, self._closed(registered, "disabled", fields))

    def _woman(self, fields: dict[str, Any]) -> Person:
        """农村留守妇女: a woman at home while her husband works away."""
        rng = self.rng
        birth = self._born(rng.randrange(24, 56))
        fields.update(phone=self._phone(0.95), flags=[], _dibao=rng.random() < 0.06)
        registered = self._registered(birthday_at(birth, 18))
        return Person(self._id(), "adult", ["left_behind_woman"], birth, registered,
                      self._closed(registered, "adult", fields))

    def _ill(self, fields: dict[str, Any]) -> Person:
        """重病患者 (an adult; seriously ill children are children with a second category)."""
        rng = self.rng
        birth = self._born(rng.randrange(18, 71))
        fields.update(phone=self._phone(0.85), flags=[], _dibao=rng.random() < 0.3)
        registered = self._registered(birthday_at(birth, 18))
        return Person(self._id(), "adult", ["seriously_ill"], birth, registered, self._closed(registered, "adult", fields))

    def _registered(self, earliest: dt.date, latest: dt.date | None = None) -> dt.date:
        """Mostly years ago, some this year, a few last month; never before the category applied."""
        r = self.rng.random()
        days = self.rng.randrange(20, 60) if r < 0.05 else self.rng.randrange(60, 365) if r < 0.15 else self.rng.randrange(365, 1826)
        latest = min(latest or self.today - dt.timedelta(days=5), self.today - DAY)
        return min(max(min(self.today - dt.timedelta(days=days), latest), earliest), self.today - DAY)

    def _closed(self, registered: dt.date, group: str, fields: dict[str, Any]) -> dt.date | None:
        rng = self.rng
        if rng.random() >= 0.025 or (self.today - registered).days < 40:
            return None
        reasons = {"child": {"moved_away": 60, "no_longer_eligible": 40}, "elder": {"deceased": 60, "moved_away": 40},
                   "disabled": {"deceased": 35, "moved_away": 65},
                   "adult": {"no_longer_eligible": 60, "moved_away": 40}}[group]
        fields["_close_reason"] = rng.choices(list(reasons), list(reasons.values()))[0]
        return self._between(max(registered + dt.timedelta(days=30), self.today - dt.timedelta(days=200)), self.today - DAY)

    def _fold(self) -> Batch:
        """Stamp the events in date order and fold them (one device: the newest event sets each field)."""
        batch = Batch()
        spec = self.spec
        last: dict[tuple[str, str], int] = {}
        values: dict[tuple[str, str], dict[str, Any]] = {}
        stamp, day_seen, n = 0, None, 0
        ceiling = self.shared.stamp_ceiling_ms
        for day, order, rtype, rid, fields in sorted(self.pending, key=lambda p: (p[0], p[1])):
            n = n + 1 if day == day_seen else 0
            day_seen = day
            # office hours in China (UTC+8): from 08:30, three minutes per record
            at = _day_ms(day) + (30 + 3 * n) * 60_000
            if day == self.today and ceiling and at > ceiling:
                at = ceiling  # this morning's, made before 08:30 (only today's: a past `today` is never near it)
            stamp = max(stamp + 1, clock.pack(at, 0))
            key = (rtype, rid)
            fields = clean(rtype, fields)  # as every writer does: one stored form of "no value"
            device, author = self.writers.get(order, (spec.device, spec.worker))  # the township's acknowledgements
            batch.events.append(stamp_event(device, author, rtype, rid, fields, stamp, last.get(key, 0)))
            last[key] = stamp
            values.setdefault(key, {}).update(fields)
        batch.newest_hlc = stamp
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        risks: dict[str, list[tuple]] = defaultdict(list)  # resident -> (assessed on, hlc, level)
        for (rtype, rid), folded in values.items():
            row = state_row(rtype, rid, folded, False, last[(rtype, rid)])
            rows[rtype].append(row)
            batch.counts[rtype] = batch.counts.get(rtype, 0) + 1
            derived = visit_risk_row(row.get, last[(rtype, rid)]) if rtype == "visit" else row if rtype == "risk" else None
            if derived:
                if rtype == "visit":
                    rows["risk"].append(derived)
                risks[derived["resident_id"]].append((derived["assessed_on"], derived["hlc"], derived["level"]))
        for row in rows["resident"]:  # as storage.core.fold.refresh_risk: the latest assessment, by date then clock
            history = risks.get(row["id"])
            row["risk_level"] = max(history)[2] if history else "low"
        batch.rows = {RECORD_TABLES[t].__tablename__: r for t, r in rows.items()}
        return batch
