"""`gridcare demo`: a realistic synthetic register, deterministic by seed.

Records are written as change events AND as the state those events fold to,
in bulk (the county set has 1.4 million visits). tests/test_demo.py checks that
the state written here is exactly what storage.changes would derive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select

from storage import demo_words as words
from storage import hlc as clock
from storage.categories import dimensions_for, hazards_for, needs_for
from storage.db import Database
from storage.errors import UserError
from storage.i18n import _
from storage.models import RECORD_TABLES, Event, Resident

Progress = Callable[[int, int], None]
COUNTY = "330521"
DEMO_TOWNSHIP = ("330521101", "新市镇")
GRIDS_PER_TOWNSHIP = 40
SCALES = {"grid": (1, 1, 300), "township": (1, GRIDS_PER_TOWNSHIP, 150), "county": (20, GRIDS_PER_TOWNSHIP, 150)}


@dataclass
class Batch:
    """Events and the state they fold to, for one grid."""

    events: list[dict[str, Any]] = field(default_factory=list)
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def _device_for(seed: int, grid_id: str) -> str:
    return hashlib.sha256(f"demo:{seed}:{grid_id}".encode()).hexdigest()[:16]


def _day_ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1000)


class GridBuilder:
    def __init__(self, seed: int, today: dt.date, township: tuple[str, str], grid_id: str, grid_name: str,
                 village: tuple[str, str], worker: str, device: str, residents: int, names_cache: dict):
        self.rng = random.Random(f"{seed}:{grid_id}")
        self.today, self.township, self.grid_id, self.grid_name = today, township, grid_id, grid_name
        self.village, self.worker, self.device, self.count = village, worker, device, residents
        self.names_cache = names_cache
        self.with_grid = True
        self.pending: list[tuple[dt.date, int, str, str, dict[str, Any]]] = []  # (day, order, type, id, fields)
        self.seq = 0

    def _id(self) -> str:
        return "%016x" % self.rng.getrandbits(64)

    def _add(self, day: dt.date, record_type: str, record_id: str, fields: dict[str, Any]) -> None:
        self.seq += 1
        self.pending.append((day, self.seq, record_type, record_id, fields))

    def _name(self, sex: str, age: int, surname: str | None = None) -> str:
        from storage.names import surname_weights

        weights = self.names_cache.setdefault("_weights", surname_weights())
        surname = surname or self.rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        pool = (words.BOY_CHILD if sex == "M" else words.GIRL_CHILD) if age < 18 else (
            (words.MAN_OLD if sex == "M" else words.WOMAN_OLD) if age >= 55 else (words.MAN_ADULT if sex == "M" else words.WOMAN_ADULT))
        return surname + self.rng.choice(pool)

    def _search_keys(self, name: str) -> tuple[str, str]:
        if name not in self.names_cache:
            from storage.names import name_pinyin, name_search_key

            self.names_cache[name] = (name_search_key(name), name_pinyin(name))
        return self.names_cache[name]

    def _phone(self) -> str:
        return "1" + self.rng.choice("35789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def build(self) -> Batch:
        today = self.today
        if self.with_grid:  # a worker's own grid record was written by `init`
            self._add(today - dt.timedelta(days=1600), "grid", self.grid_id, {
            "code": self.grid_id.split("-", 1)[1], "name": self.grid_name, "township_code": self.township[0],
                "village_code": self.village[0], "worker_name": self.worker})
        for _ in range(self.count):
            self._resident()
        return self._fold()

    def _birth(self, age: int, days_into_year: int | None = None) -> dt.date:
        offset = days_into_year if days_into_year is not None else self.rng.randrange(0, 365)
        return self.today - dt.timedelta(days=age * 365 + age // 4 + offset)

    def _resident(self) -> None:
        from storage.idnumbers import fake_id_number

        rng, today = self.rng, self.today
        rid = self._id()
        roll = rng.random()
        sex = rng.choice("MF")
        cats: list[str] = []
        flags: list[str] = []
        extra: dict[str, Any] = {}
        if roll < 0.35:
            cat = "left_behind_child" if rng.random() < 0.7 else "child_in_difficulty"
            limit = 16 if cat == "left_behind_child" else 18
            kind = rng.random()
            if kind < 0.06:  # ageing out within 90 days
                birth = today - dt.timedelta(days=limit * 365 + limit // 4 - rng.randrange(5, 85))
            elif kind < 0.08:  # already aged out, case still open
                birth = today - dt.timedelta(days=limit * 365 + limit // 4 + rng.randrange(5, 60))
            else:
                birth = self._birth(rng.randrange(2, limit - 1))
            cats.append(cat)
            if cat == "child_in_difficulty":
                extra["child_subtype"] = rng.choice(["poverty", "disability", "guardianship", "orphan", "de_facto_unsupported"])
            father_away = rng.random() < 0.85
            surname = None
        elif roll < 0.80:
            age = rng.randrange(60, 96)
            birth = self._birth(age)
            cats.append(rng.choices(["solitary_elder", "empty_nest_elder", "left_behind_elder"], [40, 35, 25])[0])
            if age >= 80:
                flags.append("oldest_old")
            if rng.random() < 0.08:
                cats.append("severely_disabled")
        else:
            birth = self._birth(rng.randrange(18, 76))
            cats.append("severely_disabled")
        age = (today - birth).days // 365
        if rng.random() < 0.15:
            flags.append("dibao")
        if rng.random() < 0.05:
            flags.append("tekun")
        name = self._name(sex, age)
        initials, pinyin = self._search_keys(name)
        id_number = fake_id_number(rng, birth, sex, COUNTY) if rng.random() > 0.03 else None
        registered = today - dt.timedelta(days=rng.randrange(30, 60) if rng.random() < 0.05 else rng.randrange(380, 1500))
        fields: dict[str, Any] = {
            "name": name, "name_initials": initials, "name_pinyin": pinyin, "id_number": id_number, "sex": sex,
            "birth_date": birth.isoformat(), "township_code": self.township[0], "village_code": self.village[0],
            "grid_code": self.grid_id, "categories": cats, "flags": flags, "status": "active",
            "registered_on": registered.isoformat(),
            "address": f"{self.village[1]}{rng.choice(words.ROADS)}{rng.randrange(1, 80)}号",
        }
        if age >= 18:
            fields["phone"] = self._phone() if rng.random() < 0.8 else ""
        else:
            g_sex = rng.choice("MF")
            fields.update(guardian_name=self._name(g_sex, 65, name[0]), guardian_phone=self._phone(),
                          guardian_relation=rng.choice(words.RELATIONS),
                          father_name=self._name("M", 38, name[0]), mother_name=self._name("F", 36),
                          father_status="away" if father_away else rng.choice(["home", "ill", "deceased"]),
                          mother_status="away" if rng.random() < 0.7 else rng.choice(["home", "ill", "unknown"]))
        if "severely_disabled" in cats or extra.get("child_subtype") == "disability":
            if id_number:
                grade = rng.choice([1, 2]) if "severely_disabled" in cats else rng.choice([2, 3, 4])
                category = rng.randrange(1, 8)
                fields.update(disability_card=f"{id_number}{category}{grade}", disability_category=category,
                              disability_grade=grade)
        fields.update(extra)
        self._add(registered, "resident", rid, fields)
        closed_on = None
        if rng.random() < 0.03:
            closed_on = today - dt.timedelta(days=rng.randrange(5, 180))
            reason = rng.choice(["moved_away", "deceased", "aged_out"])
            self._add(closed_on, "resident", rid, {"status": "closed", "close_reason": reason,
                                                   "closed_on": closed_on.isoformat()})
        level = rng.choices(["low", "medium", "high", "emergency"], [70, 20, 8, 2])[0]
        self._risk_history(rid, registered, level)
        self._visits(rid, cats, registered, closed_on, level)
        if rng.random() < 0.05:
            self._referral(rid, registered)

    def _risk_history(self, rid: str, registered: dt.date, level: str) -> None:
        rng = self.rng
        steps = [] if level == "low" and rng.random() < 0.7 else [rng.choice(["low", "medium"])] * rng.randrange(0, 2) + [level]
        span = max(1, (self.today - registered).days - 1)
        days = sorted(rng.sample(range(1, span), min(len(steps), span - 1))) if steps else []
        for step, offset in zip(steps, days):
            self._add(registered + dt.timedelta(days=offset), "risk", self._id(), {
                "resident_id": rid, "level": step, "reason": rng.choice(words.RISK_REASONS),
                "assessed_on": (registered + dt.timedelta(days=offset)).isoformat(), "assessor": self.worker})

    def _visits(self, rid: str, cats: list[str], registered: dt.date, closed_on: dt.date | None, level: str) -> None:
        rng, today = self.rng, self.today
        last_day = min(closed_on or today, today - dt.timedelta(days=1))
        start = max(registered, today - dt.timedelta(days=365))
        pattern = rng.random()
        skip_recent = 45 + rng.randrange(0, 20) if pattern < 0.06 else (today.day if pattern < 0.12 else 0)
        month = dt.date(start.year, start.month, 1)
        dims, hazards, needs = dimensions_for(cats), hazards_for(cats), needs_for(cats)
        while month <= last_day:
            per_month = 1 + (rng.randrange(1, 4) if level in ("high", "emergency") and (today - month).days < 70 else 0)
            per_month += 1 if rng.random() < 0.15 else 0  # a follow-up visit now and then
            for _ in range(per_month):
                day = month + dt.timedelta(days=rng.randrange(0, 28))
                if day < start or day > last_day or (today - day).days < skip_recent or rng.random() < 0.06:
                    continue
                method = rng.choices(["home", "phone", "video"], [85, 10, 5])[0]
                fields: dict[str, Any] = {
                    "resident_id": rid, "grid_code": self.grid_id, "visit_date": day.isoformat(), "method": method,
                    "visitor": self.worker, "met_with": "本人" if rng.random() < 0.8 else "家属",
                    "resident_seen": method != "home" or rng.random() < 0.96,
                    "observations": {d: rng.choice(words.OBSERVATIONS[d]) for d in rng.sample(dims, rng.randrange(1, 3))},
                    "hazards": [rng.choice(hazards)] if rng.random() < 0.1 else [],
                    "needs": [rng.choice(needs)] if rng.random() < 0.15 else [],
                    "services": [rng.choice(["counselling", "supplies", "health_check", "contacted_family"])] if rng.random() < 0.3 else [],
                    "notes": rng.choice(words.NOTES),
                    "next_visit_on": (day + dt.timedelta(days=7 if level in ("high", "emergency") else 30)).isoformat(),
                }
                if rng.random() < 0.2:
                    fields["risk_after"] = level
                self._add(day, "visit", self._id(), fields)
            month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)

    def _referral(self, rid: str, registered: dt.date) -> None:
        rng, today = self.rng, self.today
        agency = rng.choice(sorted(words.REFERRAL_REASONS))
        opened = max(registered, today - dt.timedelta(days=rng.randrange(3, 180)))
        ref_id = self._id()
        self._add(opened, "referral", ref_id, {"resident_id": rid, "agency": agency, "reason": words.REFERRAL_REASONS[agency],
                                               "status": "open", "opened_on": opened.isoformat()})
        if rng.random() < 0.66 and (today - opened).days > 2:
            closed = opened + dt.timedelta(days=rng.randrange(1, (today - opened).days))
            self._add(closed, "referral", ref_id, {"status": "closed", "closed_on": closed.isoformat(), "outcome": "已办理"})

    def _fold(self) -> Batch:
        batch = Batch()
        last: dict[tuple[str, str], int] = {}
        stamp = 0
        per_day: dict[dt.date, int] = defaultdict(int)
        for day, _order, rtype, rid, fields in sorted(self.pending, key=lambda p: (p[0], p[1])):
            per_day[day] += 1
            stamp = max(stamp + 1, clock.pack(_day_ms(day) + per_day[day] * 1000, 0))
            key = (rtype, rid)
            batch.events.append({"id": f"{self.device}-{stamp}", "record_type": rtype, "record_id": rid, "fields": fields,
                                 "hlc": stamp, "device_id": self.device, "base_hlc": last.get(key, 0), "author": self.worker})
            last[key] = stamp
            batch.records.setdefault(key, {"_hlc": 0}).update(fields)
            batch.records[key]["_hlc"] = stamp
        return batch


def _state_rows(batch: Batch) -> dict[str, list[dict[str, Any]]]:
    """The state the batch's events fold to (one device, so no conflicts), built as the fold builds it."""
    from storage.changes import state_row, visit_risk_row

    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    risks: dict[str, list[tuple]] = defaultdict(list)  # resident -> (date, hlc, level)
    for (rtype, rid), values in batch.records.items():
        stamp = values.pop("_hlc")
        row = state_row(rtype, rid, values, False, stamp)
        rows[rtype].append(row)
        if rtype == "risk":
            risks[row["resident_id"]].append((row["assessed_on"], stamp, row["level"]))
        elif rtype == "visit":
            derived = visit_risk_row(row, stamp)
            if derived:
                rows["risk"].append(derived)
                risks[row["resident_id"]].append((derived["assessed_on"], stamp, derived["level"]))
    for row in rows["resident"]:
        history = risks.get(row["id"])
        row["risk_level"] = max(history)[2] if history else "low"
    return rows


def _write(db: Database, batch: Batch) -> None:
    rows = _state_rows(batch)
    with db.write() as s:
        conn = s.connection()
        conn.execute(insert(Event.__table__), [{**ev, "exported_seq": None} for ev in batch.events])
        for rtype, table_rows in rows.items():
            conn.execute(insert(RECORD_TABLES[rtype].__table__), table_rows)


def _plan(db: Database, scale: str, seed: int, residents: int | None = None):
    """(townships, grids) to build, initialising a demo identity on an empty database."""
    from storage.identity import get_identity, init_township, init_worker

    ident = get_identity(db)
    if ident is None:
        if scale == "grid":
            ident = init_worker(db, DEMO_TOWNSHIP[0], DEMO_TOWNSHIP[1], "G01", "柳溪一网格", "王芳", None,
                                village_code=DEMO_TOWNSHIP[0] + "001", demo=True)
        else:
            ident, _path, _text = init_township(db, DEMO_TOWNSHIP[0], DEMO_TOWNSHIP[1], None)
    with db.session() as s:
        if s.execute(select(func.count()).select_from(Resident)).scalar():
            raise UserError(_("This database already holds residents; use `demo` on a new database."))
    townships_n, grids_n, per_grid = SCALES[scale]
    plan = []
    if ident.role == "worker":
        village = ident.township_code + "001"
        plan.append(((ident.township_code, ident.township_name), ident.grid_code, ident.grid_name or "", (village, "柳溪村"),
                     ident.worker_name, ident.device_id, residents or 300))
        return ident, plan
    rng = random.Random(seed)
    for t in range(townships_n):
        code = ident.township_code if t == 0 else f"{COUNTY}{101 + t:03d}"
        name = ident.township_name if t == 0 else words.TOWNSHIPS[t % len(words.TOWNSHIPS)] + "镇"
        for g in range(grids_n):
            v = g // 4
            village = (f"{code}{v + 1:03d}", words.VILLAGES[v % len(words.VILLAGES)] + "村")
            grid_id = f"{code}-G{g + 1:02d}"
            worker = rng.choice(list("王李张刘陈杨黄赵吴周")) + rng.choice(words.WOMAN_ADULT + words.MAN_ADULT)
            plan.append(((code, name), grid_id, f"{village[1]}{g % 4 + 1}网格", village, worker,
                         _device_for(seed, grid_id), per_grid if scale != "grid" else 300))
    return ident, plan


def generate(db: Database, *, seed: int = 1, scale: str = "grid", progress: Progress | None = None,
             today: dt.date | None = None, residents: int | None = None) -> dict[str, int]:
    """`residents` sets a worker grid's size (the benchmarks build 40 grids of 150)."""
    if scale not in SCALES:
        raise UserError(_("Unknown scale {scale}: choose grid, township or county.").format(scale=scale))
    today = today or dt.date.today()
    ident, plan = _plan(db, scale, seed, residents)
    names_cache: dict = {}
    counts: dict[str, int] = defaultdict(int)
    seen_villages: set[str] = set()
    seen_townships: set[str] = {ident.township_code}
    for i, (township, grid_id, grid_name, village, worker, device, n) in enumerate(plan):
        if progress:
            progress(i, len(plan))
        builder = GridBuilder(seed, today, township, grid_id, grid_name, village, worker, device, n, names_cache)
        builder.with_grid = ident.role != "worker"
        batch = builder.build()
        _write(db, batch)
        for ev in batch.events:
            counts[ev["record_type"]] += 1
        counts["events"] += len(batch.events)
        _places(db, township, village, seen_townships, seen_villages)
    with db.write() as s:  # later real edits on this device must come after every generated stamp
        from storage.models import Identity

        identity = s.get(Identity, 1)
        newest = s.execute(select(func.max(Event.hlc)).where(Event.device_id == identity.device_id)).scalar() or 0
        identity.last_hlc = max(identity.last_hlc, newest)
        s.add(identity)
    if progress:
        progress(len(plan), len(plan))
    with db.session() as s:
        residents = s.execute(select(func.count()).select_from(Resident)).scalar() or 0
    return {"residents": residents, "visits": counts["visit"], "referrals": counts["referral"], "grids": len(plan),
            "events": counts["events"]}


def _places(db: Database, township: tuple[str, str], village: tuple[str, str], townships: set[str], villages: set[str]) -> None:
    """Townships and villages, written by this database's own device (the clerk set them up)."""
    from storage.changes import writer

    if township[0] in townships and village[0] in villages:
        return
    with db.write() as s:
        w = writer(s)
        if township[0] not in townships:
            w.write("township", township[0], {"name": township[1]})
            townships.add(township[0])
        if village[0] not in villages:
            w.write("village", village[0], {"name": village[1], "township_code": township[0]})
            villages.add(village[0])
