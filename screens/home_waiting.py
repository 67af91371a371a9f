"""Home's keys that go somewhere only while something waits there: an unsaved visit (u), the emergencies (e),
a key person the township moved to this grid or registered in it (t)."""

from __future__ import annotations

from typing import Any

# action -> the HomeData list it needs not to be empty
WAITS_FOR = {"go_on_visit": "visit_drafts", "focus_emergencies": "emergencies", "open_moved_here": "arrivals"}


def open_moved_here(app: Any, data: Any) -> None:
    """The page of the first person moved or registered here not opened nor visited yet: opening it takes them off
    Home's notice (screens/resident.py), so the next t opens the next one."""
    if data is None or not data.arrivals:
        return
    from screens.resident import ResidentScreen  # deferred: Home is up before SQLModel is loaded

    resident_id = data.arrivals[0]
    app.after_open(lambda: app.push_screen(ResidentScreen(resident_id)))


def go_on_visit(app: Any, data: Any) -> None:
    """The newest unsaved visit's form, over its resident's page (where saving it leads, as from there)."""
    if data is None or not data.visit_drafts:
        return
    resident_id = data.visit_drafts[0][0]
    from screens.resident import ResidentScreen
    from screens.visit_form import VisitFormScreen

    def open_form() -> None:
        app.push_screen(ResidentScreen(resident_id))
        app.push_screen(VisitFormScreen(resident_id))

    app.after_open(open_form)
