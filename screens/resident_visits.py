"""Correcting or deleting one of the resident's visits, from the resident page's v (screens/visit_pick.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storage.core.i18n import _
from storage.register.visits import delete_visit, visit_deletion
from tui.as_text import notify_text

if TYPE_CHECKING:
    from screens.host import ScreenHost
    from storage.register.profile import Profile


class VisitActions:
    """ResidentScreen's actions on a visit already saved (it gives the profile shown and the writer)."""

    app: ScreenHost
    profile: Profile | None
    resident_id: str
    _write: Callable[..., Any]

    def action_pick_visit(self) -> None:
        from screens.visit_form import VisitFormScreen
        from screens.visit_pick import VisitPickScreen

        if self.profile is None:
            return
        if not self.profile.visits:
            notify_text(self, _("No visit yet: press n to log one."))
            return

        def chosen(choice: tuple[str, str, str] | None) -> None:
            if choice is None:
                return
            what, vid, reason = choice
            if what == "correct":
                self.app.push_screen(VisitFormScreen(self.resident_id, visit_id=vid))
            else:
                self._write(_("Visit deleted."), delete_visit, vid, reason)

        def with_visit(vid: str) -> list[str]:
            return visit_deletion(self.app.db, vid).lines()

        self.app.push_screen(VisitPickScreen(self.profile.resident.name, self.profile.visits, with_visit), chosen)
