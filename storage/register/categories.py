"""Key-person categories, flags, visit methods and the other code lists.

Labels are English msgids marked with N_; translate them where they are shown
(`label(code)`), so switching the language needs no restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.core.i18n import N_, _

CATEGORIES: dict[str, str] = {
    "left_behind_child": N_("Left-behind child"),
    "child_in_difficulty": N_("Child in difficulty"),
    "solitary_elder": N_("Elder living alone"),
    "empty_nest_elder": N_("Empty-nest elder"),
    "left_behind_elder": N_("Left-behind elder"),
    "severely_disabled": N_("Severely disabled"),
}
CHILD_CATEGORIES = {"left_behind_child": 16, "child_in_difficulty": 18}  # age-out age
ELDER_CATEGORIES = {"solitary_elder", "empty_nest_elder", "left_behind_elder"}

FLAGS: dict[str, str] = {
    "oldest_old": N_("Aged 80+"),
    "disabled_care": N_("Needs daily care"),
    "family_planning_special": N_("Special family-planning family"),
    "dibao": N_("Minimum living allowance"),
    "tekun": N_("Extreme poverty support"),
}

CHILD_SUBTYPES: dict[str, str] = {
    "poverty": N_("Family poverty"),
    "disability": N_("Own disability"),
    "guardianship": N_("Lacking or improper guardianship"),
    "orphan": N_("Orphan"),
    "de_facto_unsupported": N_("De facto unsupported child"),
}

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

# the six dimensions of the plans, used to structure a visit's observations
OBSERVATION_DIMENSIONS: dict[str, str] = {
    "economy": N_("Income and basic living"),
    "health": N_("Health"),
    "education": N_("Schooling"),
    "housing": N_("Housing"),
    "employment": N_("Work"),
    "social": N_("Family and social support"),
}

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

REFERRAL_STATUSES: dict[str, str] = {
    "open": N_("Open"),
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


def hazards_for(categories: list[str]) -> list[str]:
    """The safety checklist that fits a resident's categories."""
    cats = set(categories)
    codes = ["utilities", "housing", "fire", "food", "neglect", "abuse"]
    if cats & set(CHILD_CATEGORIES):
        codes += ["drowning", "traffic"]
    if cats & (ELDER_CATEGORIES | {"severely_disabled"}):
        codes += ["falls"]
    return [c for c in HAZARDS if c in codes]


def needs_for(categories: list[str]) -> list[str]:
    cats = set(categories)
    codes = ["daily_care", "company", "benefit_application", "medical"]
    if cats & set(CHILD_CATEGORIES):
        codes += ["schooling", "guardianship"]
    if cats & (ELDER_CATEGORIES | {"severely_disabled"}):
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
    return "、".join(label(table, c) for c in codes)
