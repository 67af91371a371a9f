"""Who should receive which subsidy: the rule table, computed on demand and never stored.

A hint is "this resident looks eligible for X"; 应享未享 (eligible, not recorded as
receiving) is a hint for a subsidy the resident has no current benefit record of —
the list the clerk acts on. A township that reads its own plan differently changes
RULES below and nothing else.

Sources (the township's reference documents, quoted in docs/design.md §1):

* 国发〔2015〕52号《关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》: the
  living subsidy (困难残疾人生活补贴) is for disabled people in 低保 families; the care
  subsidy (重度残疾人护理补贴) for disabilities assessed grade 1 or 2.
* 泰州《关于推进新时代泰州民政事业高质量发展的意见》(seed 002): 完善残疾人"两项补贴"制度,将所有
  一级和二级重度残疾人纳入护理补贴范围,将低保家庭外三、四级智力以及精神残疾人纳入生活补贴保障范围
  — so grade 1-2: care subsidy whatever the family; grade 3-4 intellectual (5) or mental (6)
  outside 低保: living subsidy too.
* the same plan on children: 对重病重残儿童和低保家庭中儿童…发放保障金 — the basic living
  allowance for children in difficulty, for seriously ill or severely disabled children and
  children in 低保 families.

Not encoded, because the plans leave them to local rules: exclusions such as 特困人员 in
institutional care, or a child who already receives the orphans' allowance. The hints are
hints: the clerk checks the file before applying.

What "in a 低保 family" means here: a current 低保对象 benefit record of the resident (the
register has no households), or the 低保 flag of an older release (storage/register/categories.py
LEGACY_FLAGS), which carried no dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from storage.core.i18n import N_
from storage.register.categories import CHILD_CATEGORIES
from storage.register.periods import Period

CHILD_UNDER = 18  # a child for the child allowance: under 18 (困境儿童's limit)
INTELLECTUAL, MENTAL = 5, 6  # disability categories of the card (第二代残疾人证)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read about one resident on one day (hashable: residents alike share their hints)."""

    child: bool  # under CHILD_UNDER on the day; without a birth date, registered in a child category
    categories: frozenset[str]
    disability_category: int | None
    disability_grade: int | None
    dibao: bool  # in a 低保 family on the day

    @property
    def severe(self) -> bool:
        """Grade 1 or 2 by the card, or registered as severely disabled (the category requires grade 1-2)."""
        return self.disability_grade in (1, 2) or "severely_disabled" in self.categories

    @property
    def grade_3_4_intellectual_mental(self) -> bool:
        if "disabled_3_4_intellectual_mental" in self.categories:
            return True
        return self.disability_grade in (3, 4) and self.disability_category in (INTELLECTUAL, MENTAL)

    @property
    def disabled(self) -> bool:
        return self.disability_grade is not None or self.severe or self.grade_3_4_intellectual_mental


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    benefit: str  # a SUBSIDY_KINDS code
    applies: Callable[[Facts], bool]
    why: str  # N_ msgid: the reason shown beside the hint


RULES: tuple[Rule, ...] = (
    # 52号文 and 泰州: every grade 1-2 disability
    Rule("care_grade_1_2", "care_subsidy", lambda f: f.severe, N_("disability of grade 1 or 2")),
    # 52号文: a disabled person in a 低保 family
    Rule("living_dibao", "living_subsidy", lambda f: f.disabled and f.dibao,
         N_("disabled, in a family on the minimum living allowance")),
    # 泰州's extension: grade 3-4 intellectual or mental disability outside 低保
    Rule("living_3_4_intellectual_mental", "living_subsidy", lambda f: f.grade_3_4_intellectual_mental and not f.dibao,
         N_("grade 3-4 intellectual or mental disability, not on the minimum living allowance")),
    # 泰州 on children: seriously ill, severely disabled, or in a 低保 family
    Rule("child_seriously_ill", "child_allowance", lambda f: f.child and "seriously_ill" in f.categories,
         N_("a seriously ill child")),
    Rule("child_severely_disabled", "child_allowance", lambda f: f.child and f.severe,
         N_("a severely disabled child")),
    Rule("child_dibao", "child_allowance", lambda f: f.child and f.dibao,
         N_("a child in a family on the minimum living allowance")),
)


# Every rule above needs a child or a disability: who has neither gets no hint, and the lists
# (storage/register/benefit_lists.py) read only residents who may have one, by these facts in SQL: a
# recorded grade, one of these categories, or a child (tests/test_benefit_narrow.py tries every Facts).
HINT_CATEGORIES = ("severely_disabled", "disabled_3_4_intellectual_mental")


def may_hint(f: Facts) -> bool:
    return f.child or f.disabled


@dataclass(frozen=True, slots=True)
class Hint:
    benefit: str
    rules: tuple[str, ...]  # the codes of the rules that give it
    why: tuple[str, ...]  # their msgids


def facts(age: int | None, categories: Iterable[str], disability_category: int | None,
          disability_grade: int | None, flags: Iterable[str], periods: Iterable[Period], day: dt.date) -> Facts:
    dibao = "dibao" in flags or any(p.kind == "dibao" and p.current(day) for p in periods)
    cats = frozenset(categories)
    child = age < CHILD_UNDER if age is not None else not cats.isdisjoint(CHILD_CATEGORIES)
    return Facts(child, cats, _int(disability_category), _int(disability_grade), dibao)


def _int(value) -> int | None:
    return None if value is None else int(value)


def hints(f: Facts) -> list[Hint]:
    """The subsidies the rules point to, each once, in the order of RULES."""
    return list(_hints(f))


@lru_cache(maxsize=4096)  # a township's residents fall into a few hundred kinds of Facts
def _hints(f: Facts) -> tuple[Hint, ...]:
    found: dict[str, list[Rule]] = {}
    for rule in RULES:
        if rule.applies(f):
            found.setdefault(rule.benefit, []).append(rule)
    return tuple(Hint(benefit, tuple(r.code for r in rules), tuple(r.why for r in rules)) for benefit, rules in found.items())


def receiving(periods: Iterable[Period], day: dt.date) -> set[str]:
    """Kinds the resident is recorded as receiving on `day`."""
    return {p.kind for p in periods if p.current(day)}


def unclaimed(f: Facts, periods: Iterable[Period], day: dt.date) -> list[Hint]:
    """应享未享: hints for a subsidy with no current record of receiving it."""
    found = _hints(f)
    if not found:
        return []
    have = receiving(periods, day)
    return [h for h in found if h.benefit not in have]
