"""What each field of a record is called on screen, in reports, conflicts and the roster's report: one table.

Keys are the state tables' column names (a resident's, and the few of a visit or a risk
assessment that a conflict can name). The Chinese words are the project glossary's: 困境类型, 父亲状况,
监护人与儿童关系, 保障类别及其他情况, 退出（销号）.
"""

from __future__ import annotations

from storage.core.i18n import N_, _

FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "id_number": N_("ID number"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "grid_code": N_("Grid"),
    "village_code": N_("Village"),
    "categories": N_("Categories"),
    "flags": N_("Flags"),
    "child_subtype": N_("Child's situation"),
    "guardian_name": N_("Guardian"),
    "guardian_relation": N_("Relation to guardian"),
    "guardian_phone": N_("Guardian's phone"),
    "father_name": N_("Father's name"),
    "father_status": N_("Father's situation"),
    "mother_name": N_("Mother's name"),
    "mother_status": N_("Mother's situation"),
    "disability_card": N_("Disability card"),
    "disability_category": N_("Disability category"),
    "disability_grade": N_("Disability grade"),
    "visit_frequency_days": N_("Visit every (days)"),
    "risk_level": N_("Risk level"),
    "status": N_("Case status"),
    "close_reason": N_("Reason for closing"),
    "closed_on": N_("Closed on"),
    "close_note": N_("Remark on closing"),
    "notes": N_("Notes"),
    "merged_into": N_("Merged into"),
    "level": N_("Risk level"),  # a risk assessment's
    "visit_date": N_("Visit date"),
    # an assessment's grades, by dimension (storage/register/assessments.py), and a referral's follow-up
    "economy": N_("Economy"),
    "health": N_("Health"),
    "education": N_("Education"),
    "housing": N_("Housing"),
    "employment": N_("Employment"),
    "social": N_("Social participation"),
    "department": N_("Department"),
    "due_on": N_("Follow up by"),
    # issue #15: the paired helper (resident fields) and a benefit period's fields
    "helper_name": N_("Paired helper"),
    "helper_phone": N_("Paired helper's phone"),
    "helper_unit": N_("Paired helper's unit"),
    "helper_since": N_("Paired since"),
    "kind": N_("Assistance or subsidy"),
    "start_on": N_("From"),
    "end_on": N_("Until"),
    "note": N_("Note"),
}


def field_label(field: str) -> str:
    """The field's name in the interface language (the column name itself for a field not in the table)."""
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else field
