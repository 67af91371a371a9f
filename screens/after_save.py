"""What follows a save, shared by the forms and the resident page: the emergency report, the risk review.

`follow_up` runs in the saving worker thread (it reads the database and writes the report file);
`show_follow_up` runs on the app's thread with what it found.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import UserError
from storage.register.assessments import Worsening
from storage.register.urgent_report import UrgentReport

log = logging.getLogger(__name__)


@dataclass
class FollowUp:
    report: UrgentReport | None = None  # an emergency finding was saved
    saved_to: Path | None = None
    can_export: bool = False  # a worker's database: its bundle goes to the township
    review: list[Worsening] = field(default_factory=list)
    problem: str = ""  # the report could not be written (the save itself went through)


def follow_up(db: Database, resident_id: str, visit_id: str | None = None, finding: str | None = None) -> FollowUp:
    """`finding`: the key of a finding just saved (a risk change); else the visit's, if it is one."""
    from storage.core.identity import get_identity
    from storage.register.assessments import review_for
    from storage.register.emergencies import finding_of_visit
    from storage.register.urgent_report import report_for, save_report

    out = FollowUp(review=review_for(db, resident_id))
    key = finding or (finding_of_visit(db, visit_id) if visit_id else None)
    if key is None:
        return out
    ident = get_identity(db)
    out.can_export = ident is not None and ident.role == "worker"
    try:
        out.report = report_for(db, key)
        out.saved_to = save_report(db, out.report)
    except UserError as exc:
        out.problem = str(exc)
    return out


def show_follow_up(app, after: FollowUp, then: Callable[[None], object] | None = None) -> None:
    """`then`: called once the emergency's report is closed (at once when there is none)."""
    from tui.as_text import notify_text
    from tui.assessment_view import review_text

    if after.review:
        notify_text(app, review_text(after.review), severity="warning", timeout=12)
    if after.problem:
        notify_text(app, after.problem, severity="error")
    if after.report is not None and after.saved_to is not None:
        from screens.urgent import UrgentReportScreen

        app.push_screen(UrgentReportScreen(after.report, after.saved_to, can_export=after.can_export), then)
    elif then is not None:
        then(None)
