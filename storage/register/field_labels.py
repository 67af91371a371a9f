"""What each field of a record is called on screen, in reports, conflicts and the roster's report: one table.

Keys are the state tables' column names (a resident's, and the few of a visit or a risk
assessment that a conflict can name). The Chinese words are the project glossary's: 困境类型, 父亲状况,
监护人与儿童关系, 保障类别及其他情况, 退出（销号）.
"""

from __future__ import annotations

from storage.core.i18n import N_, _
from storage.register.categories import DIMENSIONS

FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "id_number": N_("ID number"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "grid_code": N_("Grid"),
    "village_code": N_("Village"),
    "village_name": N_("Village name"),  # a grid's: the name its worker gave the village
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
    # an assessment's grades, by dimension (storage/register/categories.py), and a referral's follow-up
    **DIMENSIONS,
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
    # a visit's, a referral's and an assessment's fields: a refused bundle names the field it found wrong
    # (storage/sync/event_checks.py), and the clerk reads its name, not its column
    "method": N_("Visit method"),
    "contact_made": N_("Contact made"),
    "resident_seen": N_("Resident seen"),
    "met_with": N_("Met with"),
    "observations": N_("Observations"),
    "hazards": N_("Hazards"),
    "needs": N_("Needs"),
    "services": N_("Services"),
    "risk_after": N_("After the visit"),
    "mandatory_report": N_("Must be reported at once"),
    "next_visit_on": N_("Next visit"),
    "visitor": N_("Visited by"),
    "agency": N_("Referred to"),
    "reason": N_("Reason"),
    "outcome": N_("Outcome"),
    "opened_on": N_("Opened on"),
    "assessed_on": N_("Assessed on"),
    "assessor": N_("Assessed by"),
    "registered_on": N_("Registered on"),
    "worker_name": N_("Worker"),
    "township_code": N_("Township"),
    "resident_id": N_("Resident"),
    "visit_id": N_("Visit"),
    "acknowledged_at": N_("Acknowledged at"),
    "acknowledged_by": N_("Acknowledged by"),
    "deleted": N_("Deleted"),
    "delete_reason": N_("Reason for deleting"),
}

# a field two record types use for different things: a referral's status is not a case status
RECORD_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("referral", "status"): N_("Status"),
    ("referral", "level"): N_("Level"),
    ("setting", "value"): N_("Value"),
}


def field_label(field: str) -> str:
    """The field's name in the interface language (the column name itself for a field not in the table)."""
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else field


def record_field_label(record_type: str, field: str) -> str:
    """The field's name for a record of `record_type` (a referral's `status` is 状态, a resident's 在册状态)."""
    if (record_type, field) in RECORD_FIELD_LABELS:
        return _(RECORD_FIELD_LABELS[(record_type, field)])
    return field_label(field)
