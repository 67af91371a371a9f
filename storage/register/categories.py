"""Key-person categories, flags, visit methods and the other code lists.

Labels are English msgids marked with N_; translate them where they are shown
(`label(code)`), so switching the language needs no restart.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from storage.core.i18n import N_, _, join_list  # noqa: F401  (join_list: also imported from here)

CATEGORIES: dict[str, str] = {
    "left_behind_child": N_("Left-behind child"),
    "child_in_difficulty": N_("Child in difficulty"),
    "solitary_elder": N_("Elder living alone"),
    "empty_nest_elder": N_("Empty-nest elder"),
    "left_behind_elder": N_("Left-behind elder"),
    "severely_disabled": N_("Severely disabled"),
    # issue #15: the other key persons the plans name (appended: the stored order of old lists stays)
    "left_behind_woman": N_("Left-behind woman"),
    "widowed_childless_elder": N_("Widowed or childless elder"),
    "seriously_ill": N_("Seriously ill"),
    # grade 3-4 intellectual (5) or mental (6) disability: registrable for the living subsidy.
    # severely_disabled keeps meaning grades 1-2, so old data and old rules stay as they were.
    "disabled_3_4_intellectual_mental": N_("Grade 3-4 intellectual or mental disability"),
}
CHILD_CATEGORIES = {"left_behind_child": 16, "child_in_difficulty": 18}  # age-out age
ELDER_CATEGORIES = {"solitary_elder", "empty_nest_elder", "left_behind_elder", "widowed_childless_elder"}
DISABILITY_KEY_CATEGORIES = {"severely_disabled", "disabled_3_4_intellectual_mental"}

# Categories derived from other fields, never stored: 高龄老年人 from the birth date (a stored
# box goes stale on the 80th birthday). Shown and counted beside the stored ones.
ADVANCED_AGE = "advanced_age"
ADVANCED_AGE_FROM = 80
DERIVED_CATEGORIES: dict[str, str] = {ADVANCED_AGE: N_("Advanced age (80+)")}
# every category as shown and counted, in the order of the plans (children, women, elders, disabled, ill)
SHOWN_CATEGORIES: dict[str, str] = {code: (CATEGORIES | DERIVED_CATEGORIES)[code] for code in (
    "left_behind_child", "child_in_difficulty", "left_behind_woman", "solitary_elder", "empty_nest_elder",
    "left_behind_elder", "widowed_childless_elder", ADVANCED_AGE, "severely_disabled",
    "disabled_3_4_intellectual_mental", "seriously_ill")}
# shorter words for a narrow column (the register's at 80 columns: 14 cells, 12 at a county; Home's lists: 16;
# Home's categories two to a line), where the label and "+1" do not fit: plain words, 12 cells or fewer save
# "Widowed elder" (which a category beside it stands in for when it does not fit), never a cut word nor an
# initialism ("LB child" was read as nothing). In Chinese the plans' own shorter words: the 三留守 as they are
# named together, 留守儿童、留守妇女、留守老年人 (GLOSSARY.md); the other Chinese labels fit whole, but one.
SHORT_CATEGORIES: dict[str, str] = {
    "left_behind_child": N_("Parents away"),
    "child_in_difficulty": N_("Needy child"),
    "left_behind_woman": N_("Husband away"),
    "solitary_elder": N_("Lives alone"),
    "empty_nest_elder": N_("Empty-nester"),
    "left_behind_elder": N_("Kids away"),
    "widowed_childless_elder": N_("Widowed elder"),
    ADVANCED_AGE: N_("80 and over"),  # (not "Aged 80+": "Aged 80++1" beside the count)
    "severely_disabled": N_("Disabled 1-2"),
    "disabled_3_4_intellectual_mental": N_("Disabled 3-4"),
    "seriously_ill": N_("Very ill"),
}
# the categories a person ticks, in that same order (storage keeps CATEGORIES' order whatever the form's)
CHOOSABLE_CATEGORIES: dict[str, str] = {code: CATEGORIES[code] for code in SHOWN_CATEGORIES if code in CATEGORIES}
# categories whose residents should have a paired helper (结对帮扶人)
PAIRING_CATEGORIES = ("left_behind_child", "child_in_difficulty", "widowed_childless_elder", "solitary_elder")

FLAGS: dict[str, str] = {
    "disabled_care": N_("Needs daily care"),
    "family_planning_special": N_("Special family-planning family"),
}
# Flags older releases offered. Accepted and shown where a record has them, never offered again:
# 高龄 is derived from the birth date, 低保 and 特困 are dated benefit records (storage/register/benefits.py).
LEGACY_FLAGS: dict[str, str] = {
    "oldest_old": N_("Aged 80+"),
    "dibao": N_("Minimum living allowance"),
    "tekun": N_("Extreme poverty support"),
}
# in the order records have always stored them (a resident's flags are kept in this order)
ALL_FLAGS: dict[str, str] = {code: (FLAGS | LEGACY_FLAGS)[code] for code in (
    "oldest_old", "disabled_care", "family_planning_special", "dibao", "tekun")}

# Assistance statuses (dated, from-to) and the subsidies a resident receives (since when): one
# benefit record per period (storage/register/benefits.py); eligibility: storage/register/eligibility.py.
ASSISTANCE_KINDS: dict[str, str] = {
    "dibao": N_("Minimum living allowance recipient"),
    "tekun": N_("Extreme poverty support recipient"),
    "dibao_edge": N_("Marginal low-income family"),
    "low_income": N_("Low-income population"),
    "expenditure_hardship": N_("Expenditure-type hardship family"),
    "temporary_assistance": N_("Temporary assistance"),
}
SUBSIDY_KINDS: dict[str, str] = {
    "living_subsidy": N_("Living subsidy for disabled people in difficulty"),
    "care_subsidy": N_("Care subsidy for severely disabled people"),
    "child_allowance": N_("Basic living allowance for children in difficulty"),
}
BENEFIT_KINDS: dict[str, str] = ASSISTANCE_KINDS | SUBSIDY_KINDS
# a benefit's shorter words, for Home's list where the whole name does not fit in 80 columns
# ("Basic living allowance for children in difficulty" ran the list off the screen)
SHORT_BENEFITS: dict[str, str] = {
    "dibao": N_("Living allowance"),
    "tekun": N_("Extreme poverty"),
    "dibao_edge": N_("Marginal income"),
    "low_income": N_("Low income"),
    "expenditure_hardship": N_("Expense hardship"),
    "temporary_assistance": N_("Temporary aid"),
    "living_subsidy": N_("Living subsidy"),
    "care_subsidy": N_("Care subsidy"),
    "child_allowance": N_("Child allowance"),
}

CHILD_SUBTYPES: dict[str, str] = {
    "poverty": N_("Family poverty"),
    "disability": N_("Own disability"),
    "guardianship": N_("Lacking or improper guardianship"),
    "orphan": N_("Orphan"),
    "de_facto_unsupported": N_("De facto unsupported child"),
}

SEXES = ("M", "F")  # as an ID number's 17th digit gives it: odd male, even female
RESIDENT_STATUSES = ("active", "closed")

RISK_LEVELS: dict[str, str] = {
    "emergency": N_("Emergency"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
}
RISK_ORDER = {"emergency": 0, "high": 1, "medium": 2, "low": 3}

VISIT_METHODS: dict[str, str] = {
    "home": N_("Home visit"),
    "phone": N_("Phone call"),
    "video": N_("Video call"),
    "proxy": N_("Through someone else"),
}

# the six dimensions of the plans, in their order and with their words (GLOSSARY.md: the sixth is 社会参与):
# 经济、健康、教育、居住、就业、社会参与. An assessment grades each (storage/register/assessments.py); a visit's
# observations are noted by them; their codes are the assessment table's columns.
DIMENSIONS: dict[str, str] = {
    "economy": N_("Economy"),
    "health": N_("Health"),
    "education": N_("Education"),
    "housing": N_("Housing"),
    "employment": N_("Employment"),
    "social": N_("Social participation"),
}
OBSERVATION_DIMENSIONS = DIMENSIONS

HAZARDS: dict[str, str] = {
    "utilities": N_("Water, power or gas"),
    "housing": N_("Unsafe housing"),
    "fire": N_("Fire risk"),
    "drowning": N_("Drowning risk (ponds, rivers)"),
    "traffic": N_("Traffic"),
    "falls": N_("Falls"),
    "food": N_("Food or medicine safety"),
    "neglect": N_("Neglect"),
    "abuse": N_("Suspected abuse"),
}

NEEDS: dict[str, str] = {
    "daily_care": N_("Daily care"),
    "rehabilitation": N_("Rehabilitation"),
    "company": N_("Company and emotional support"),
    "home_adaptation": N_("Home adaptation"),
    "benefit_application": N_("Help applying for a benefit"),
    "medical": N_("Medical care"),
    "schooling": N_("Schooling support"),
    "guardianship": N_("Guardianship arrangement"),
}

SERVICES: dict[str, str] = {
    "counselling": N_("Talked and gave advice"),
    "supplies": N_("Delivered supplies"),
    "benefit_help": N_("Helped with a benefit application"),
    "health_check": N_("Checked health"),
    "safety_fix": N_("Fixed a safety hazard"),
    "contacted_family": N_("Contacted the family"),
}

REFERRAL_AGENCIES: dict[str, str] = {
    "minzheng": N_("Civil affairs office"),
    "police": N_("Police station"),
    "school": N_("School"),
    "clinic": N_("Township health centre"),
    "disabled_fed": N_("Disabled persons' federation"),
    "women_fed": N_("Women's federation"),
    "other": N_("Other"),
}

# an agency's shorter words, for Home's referral list at 80 columns
SHORT_AGENCIES: dict[str, str] = {
    "minzheng": N_("Civil affairs"),
    "clinic": N_("Health centre"),
    "disabled_fed": N_("Disabled federation"),
}

REFERRAL_STATUSES: dict[str, str] = {
    "open": N_("Pending"),
    "in_progress": N_("In progress"),
    "closed": N_("Closed"),
}

CLOSE_REASONS: dict[str, str] = {
    "aged_out": N_("Aged out"),
    "moved_away": N_("Moved away"),
    "deceased": N_("Deceased"),
    "no_longer_eligible": N_("No longer eligible"),
    "duplicate": N_("Duplicate record"),
    "other": N_("Other"),
}

PARENT_STATUSES: dict[str, str] = {
    "home": N_("At home"),
    "away": N_("Working away"),
    "ill": N_("Seriously ill or disabled"),
    "deceased": N_("Deceased"),
    "unknown": N_("Unknown"),
}


def with_derived(categories: list[str], age: int | None) -> list[str]:
    """The categories as shown and counted: the stored ones plus the derived (高龄 from the age), in SHOWN order.

    `age` on the day in question (storage.register.policy.age_on); None when the birth date is unknown.
    """
    if age is None or age < ADVANCED_AGE_FROM:
        return categories
    return list(_with_advanced_age(tuple(categories)))


@functools.lru_cache(maxsize=1024)  # a county's elders share a few lists of categories
def _with_advanced_age(categories: tuple[str, ...]) -> tuple[str, ...]:
    return tuple([c for c in SHOWN_CATEGORIES if c in categories or c == ADVANCED_AGE] +
                 [c for c in categories if c not in SHOWN_CATEGORIES])


def may_age_out(categories: list[str] | None) -> bool:
    """Whether a case may close as "aged out": a left-behind child or a child in difficulty only."""
    return bool(set(categories or []) & set(CHILD_CATEGORIES))


def close_reason_for(categories: list[str], age: int | None) -> str | None:
    """The reason a close dialog offers first: "aged out" for a child past the age of every category they
    are on the register for (a child also severely disabled stays a key person); else none, the worker says."""
    if categories and age is not None and all(age >= CHILD_CATEGORIES.get(c, 999) for c in categories):
        return "aged_out"
    return None


def hazards_for(categories: list[str]) -> list[str]:
    """The safety checklist that fits a resident's categories."""
    cats = set(categories)
    codes = ["utilities", "housing", "fire", "food", "neglect", "abuse"]
    if cats & set(CHILD_CATEGORIES):
        codes += ["drowning", "traffic"]
    if cats & (ELDER_CATEGORIES | DISABILITY_KEY_CATEGORIES | {ADVANCED_AGE}):
        codes += ["falls"]
    return [c for c in HAZARDS if c in codes]


def checklists_for(categories: list[str], age: int | None) -> tuple[list[str], list[str], list[str]]:
    """The visit form's observation dimensions, safety checklist and needs for a resident of `age`: 高龄 from the
    age counts as the register shows it (a woman of 90 on the register for 特困 alone had no 跌倒风险 to tick)."""
    cats = with_derived(categories, age)
    return dimensions_for(cats), hazards_for(cats), needs_for(cats)


def needs_for(categories: list[str]) -> list[str]:
    cats = set(categories)
    codes = ["daily_care", "company", "benefit_application", "medical"]
    if cats & set(CHILD_CATEGORIES):
        codes += ["schooling", "guardianship"]
    if cats & (ELDER_CATEGORIES | DISABILITY_KEY_CATEGORIES | {ADVANCED_AGE, "seriously_ill"}):
        codes += ["rehabilitation", "home_adaptation"]
    return [c for c in NEEDS if c in codes]


def dimensions_for(categories: list[str]) -> list[str]:
    cats = set(categories)
    dims = ["economy", "health", "housing", "social"]
    if cats & set(CHILD_CATEGORIES):
        dims.append("education")
    if not cats & set(CHILD_CATEGORIES):
        dims.append("employment")
    return [d for d in OBSERVATION_DIMENSIONS if d in dims]


def label(table: Mapping[Any, str], code: Any) -> str:
    """The translated label of `code` in `table` (codes are text, or numbers for disability grades)."""
    if not code:
        return ""
    return _(table[code]) if code in table else str(code)  # an unknown code as it is, still text




def labels(table: dict[str, str], codes: list[str]) -> str:
    return join_list(label(table, c) for c in codes)
