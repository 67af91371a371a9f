"""The lists a clerk acts on: 应享未享 (eligible, not recorded as receiving), benefits ending
within 30 days, and residents who should have a paired helper and do not.

Computed on a day from the register and the benefit records (never stored), for Home and
the monthly report alike. Reads through a DB-API connection with plain SQL, as Home's
figures do (storage/register/home.py), so it runs on the quick start-up path too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from storage.register import eligibility
from storage.register.categories import BENEFIT_KINDS, CHILD_CATEGORIES, PAIRING_CATEGORIES, with_derived
from storage.register.periods import ENDING_DAYS, Period
from storage.register.policy import age_on, born_by
from storage.register.report_query import ALIAS_CTE, ALIAS_ROOTS_SQL, as_date, category_list


@dataclass(slots=True)
class WatchRow:
    resident_id: str
    name: str
    id_number: str | None
    village_code: str
    grid_code: str
    categories: list[str]  # as shown: with the derived ones (高龄)
    age: int | None
    benefit: str = ""  # BENEFIT_KINDS code; "" in the unpaired list
    why: tuple[str, ...] = ()  # msgids of the rules that give an 应享未享 hint
    start_on: dt.date | None = None  # the period ending (ending list)
    end_on: dt.date | None = None
    village: str = ""  # place names, filled in by a report
    grid: str = ""


@dataclass
class Watch:
    day: dt.date
    unclaimed: list[WatchRow] = field(default_factory=list)
    ending: list[WatchRow] = field(default_factory=list)
    unpaired: list[WatchRow] = field(default_factory=list)

    def name_places(self, village_of: Callable[[WatchRow], str], grids: dict[str, str]) -> None:
        """Each row's village and grid by name (`village_of`: as the report names a key person's village)."""
        for row in (*self.unclaimed, *self.ending, *self.unpaired):
            row.village = village_of(row)
            row.grid = grids.get(row.grid_code, row.grid_code)


# the JSON lists as text on both engines (a server's driver would decode each row's): alike residents share one key
# a resident without a village of its own is in its grid's (as the monthly report's key persons are)
_RESIDENTS = ("SELECT r.id, r.name, r.id_number, coalesce(r.village_code, g.village_code, ''), r.grid_code,"
              " CAST(r.categories AS TEXT), CAST(r.flags AS TEXT), r.birth_date, r.disability_category,"
              " r.disability_grade, r.helper_name, r.name_pinyin FROM resident r LEFT JOIN grid g ON g.id = r.grid_code"
              " WHERE NOT r.deleted AND r.merged_into IS NULL AND r.status = 'active'")
_BENEFITS = "SELECT id, resident_id, kind, start_on, end_on FROM benefit WHERE NOT deleted"
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # what str.strip() takes away
_ORDER = {code: i for i, code in enumerate(BENEFIT_KINDS)}
_PAIRING = frozenset(PAIRING_CATEGORIES)
_NONE: list = []


def _like(code: str) -> str:
    """A LIKE pattern for '"code"' inside the JSON list of categories (as the monthly report's SQL writes it)."""
    return '%"' + code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'


def _may_appear(day: dt.date, child_after: str, params: dict[str, str]) -> str:
    """SQL true for every resident who may be on a list on `day`: with a grade or a category some hint
    needs (eligibility.may_hint), a child, of a category that wants a paired helper, or with a period
    ending within ENDING_DAYS (a merged duplicate's on its record). Of the bench county's 116,000 active
    residents these name 66,000 (children and disability grades are common there), ~18,000 list rows;
    the rule in benefit_watch still decides each one read, so the terms may name too many, never too few."""
    cats = "coalesce(CAST(r.categories AS TEXT), '')"
    codes = sorted({*eligibility.HINT_CATEGORIES, *CHILD_CATEGORIES})
    params.update({f"may{i}": _like(code) for i, code in enumerate(codes)})
    params.update({f"pair{i}": _like(code) for i, code in enumerate(PAIRING_CATEGORIES)})
    params.update(day=day.isoformat(), until=(day + dt.timedelta(days=ENDING_DAYS)).isoformat(), child=child_after,
                  blank=_BLANK)
    # most elders living alone have their helper: unpaired only with none, or one of whitespace (as .strip())
    pairing = " OR ".join(f"{cats} LIKE :pair{i} ESCAPE '\\'" for i in range(len(PAIRING_CATEGORIES)))
    terms = ["r.disability_grade IS NOT NULL", "r.birth_date > :child",
             *(f"{cats} LIKE :may{i} ESCAPE '\\'" for i in range(len(codes))),
             f"(({pairing}) AND (r.helper_name IS NULL OR ltrim(r.helper_name, :blank) = ''))",
             "r.id IN (SELECT coalesce(a.root, b.resident_id) FROM benefit b LEFT JOIN alias a"
             " ON a.id = b.resident_id WHERE NOT b.deleted AND b.end_on >= :day AND b.end_on <= :until)"]
    return "(" + " OR ".join(terms) + ")"


def _periods(raw: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Each resident's benefit rows (a merged duplicate's count for the record it was merged into), as read:
    made Periods only for the residents the lists read (_own), not for all of a county's 75,000."""
    roots = {dup: root for dup, root in raw.execute(ALIAS_ROOTS_SQL)}
    out: dict[str, list[tuple]] = defaultdict(list)
    # fetchall: a server's cursor walked row by row cost more than the rows' own work (a county: 75,000)
    for row in raw.execute(_BENEFITS).fetchall():
        out[roots.get(row[1], row[1])].append(row)
    return out


def _own(rows: list[tuple]) -> list[tuple[str, Period]]:
    return [(bid, Period(kind, as_date(start), as_date(end))) for bid, _rid, kind, start, end in rows]


def _continued(p: Period, others: list[tuple[str, Period]]) -> bool:
    """Another period of the same kind carries on after this one ends (a renewal already recorded)."""
    assert p.end_on is not None
    for _bid, q in others:
        if q is not p and q.kind == p.kind and (q.start_on or dt.date.min) <= p.end_on + dt.timedelta(days=1) \
                and (q.end_on is None or q.end_on > p.end_on):
            return True
    return False


def benefit_watch(raw: sqlite3.Connection, day: dt.date, grid_code: str | None = None, *,
                  everyone: bool = False) -> Watch:
    """The three lists on `day`, for one grid or all. `raw`: a sqlite3 connection (see db.driver_connection).
    `everyone`: the rule over every active resident, not only those _may_appear names (the tests compare)."""
    periods = _periods(raw)
    # a child for the rules: born after this day (ISO dates compare as text, as SQLite holds them)
    child_after = born_by(day, eligibility.CHILD_UNDER).isoformat()
    params: dict[str, str] = {}
    sql = _RESIDENTS
    if not everyone:
        sql = f"WITH RECURSIVE {ALIAS_CTE} {sql} AND {_may_appear(day, child_after, params)}"
    if grid_code:
        sql += " AND r.grid_code = :grid"
        params["grid"] = grid_code
    watch = Watch(day)
    keyed: list[tuple[tuple, WatchRow]] = []
    # residents alike (same categories, flags, card, child or not, 低保 or not) get the same hints:
    # worked out once per kind of resident, not once per resident (Home reads this at start-up)
    kinds: dict[tuple, tuple[tuple[eligibility.Hint, ...], bool]] = {}  # -> (hints, should be paired)
    residents = raw.execute(sql, params).fetchall()  # at once, as the periods (a county: 120,000 rows)
    for rid, name, number, village, grid, cats, flags, birth, dcat, dgrade, helper, pinyin in residents:
        own = _own(periods[rid]) if rid in periods else _NONE
        mine = [p for _bid, p in own] if own else _NONE
        dibao = bool(mine) and any(p.kind == "dibao" and p.current(day) for p in mine)
        key = (cats, flags, dcat, dgrade, None if not birth else str(birth)[:10] > child_after, dibao)
        kind = kinds.get(key)
        if kind is None:
            stored = category_list(cats)
            kind = kinds[key] = (tuple(eligibility.hints(eligibility.facts(
                age_on(as_date(birth), day), stored, dcat, dgrade, category_list(flags), mine, day))),
                not _PAIRING.isdisjoint(stored))
        found, pairs = kind
        have = eligibility.receiving(mine, day) if found and mine else _NONE
        unclaimed = [h for h in found if h.benefit not in have] if found else _NONE
        ending = [p for _bid, p in own if p.ends_soon(day, ENDING_DAYS) and not _continued(p, own)] if own else _NONE
        unpaired = pairs and not (helper or "").strip()
        if not (unclaimed or ending or unpaired):
            continue  # most residents: nothing to act on
        age = age_on(as_date(birth), day)
        shown = with_derived(category_list(cats), age)
        sort = (grid or "", pinyin or name or "", rid)
        row = partial(WatchRow, rid, name or "", number, village or "", grid or "", shown, age)  # this resident's rows

        for hint in unclaimed:
            keyed.append(((0,) + sort + (_ORDER.get(hint.benefit, 99),), row(benefit=hint.benefit, why=hint.why)))
        for p in ending:
            watch.ending.append(row(benefit=p.kind, start_on=p.start_on, end_on=p.end_on))
        if unpaired:
            keyed.append(((1,) + sort, row()))
    keyed.sort(key=lambda pair: pair[0])
    watch.unclaimed = [r for key, r in keyed if key[0] == 0]
    watch.unpaired = [r for key, r in keyed if key[0] == 1]
    watch.ending.sort(key=lambda r: (r.end_on, r.grid_code, r.name, r.resident_id, _ORDER.get(r.benefit, 99)))
    return watch
