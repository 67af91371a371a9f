"""What the resident form asks before it saves: a name with digits, a category the values put in doubt, a move
to another grid, a new person who may be registered already. Each question is asked once for the values it was
about; the save resumes on Yes."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, SelectionList

from screens.dialogs import ConfirmScreen
from storage.core.glyphs import narrow
from storage.core.i18n import _, join_list
from storage.core.text import printable
from storage.register.category_rules import category_questions
from tui.formatting import format_date


def grid_label(grid_id: str, name: str, workers: str) -> str:
    """一网格 (G01, 王芳): the grid's name, its code and its worker, as far as the township knows them."""
    code = grid_id.split("-", 1)[-1]
    details = [part for part in (code if name else "", workers) if part]
    return _("{grid} ({details})").format(grid=name or code, details=narrow(" · ").join(details)) if details \
        else name or code


def ask_about_move(form: Any, fields: dict[str, Any]) -> bool:
    """Moving a person to another grid takes them off its worker's list: asked, not done silently (walk G, 1).
    True while the question is on screen."""
    old, new = getattr(form._resident, "grid_code", None), fields.get("grid_code")
    if form._resident is None or not old or not new or old == new or new == form._move_confirmed:
        return False
    names = {gid: name for gid, name, _workers in form._grids}

    def short(gid: str) -> str:  # (each named twice in the question: without its worker)
        return names.get(gid) or gid.split("-", 1)[-1]

    def answer(move: bool | None) -> None:
        if move:
            form._move_confirmed = new
            form.action_save()
        else:
            form.query_one("#grid_code", Select).focus()

    form.app.push_screen(ConfirmScreen(_("Move {name} from {old} to {new}? The person leaves {old}'s list; that "
                                         "grid's worker learns it with the next bundle sent there.").format(
        name=form._resident.name, old=short(old), new=short(new)),
        yes=_("Move"), no=_("Cancel")), answer)
    return True


def ask_about_categories(form: Any, fields: dict[str, Any]) -> bool:
    """A category whose definition the form's values put in doubt is a question, not silently accepted.

    True while the question is on screen (the save resumes when the user confirms).
    """
    questions = category_questions(fields, form.app.today())
    if not questions or questions == form._questions_confirmed:
        return False

    def answer(keep: bool | None) -> None:
        if keep:
            form._questions_confirmed = questions
            form.action_save()
        elif "child_in_difficulty" in (fields.get("categories") or []) and not fields.get("child_subtype"):
            form.query_one("#child_subtype", Select).focus()  # (shown: the category asks a child's fields)
        else:
            form.query_one("#categories", SelectionList).focus()

    form.app.push_screen(ConfirmScreen("\n".join([*questions, _("Save it as it is?")]), yes=_("Save it as it is"),
                                       no=_("Correct it"), danger=True), answer)
    return True


def ask_about_digits(form: Any, name: str) -> None:
    """A name with digits is often an ID number typed into the wrong field: ask, never take it silently."""

    def answer(keep: bool | None) -> None:
        if keep:
            form._digits_confirmed = name
            form.action_save()
        else:
            form.query_one("#name", Input).focus()

    form.app.push_screen(ConfirmScreen(_("The name {name} contains digits. Is that right?").format(name=name),
                                       yes=_("Save it as it is"), no=_("Correct the name"), danger=True), answer)


def ask_about_namesakes(form: Any, fields: dict[str, Any]) -> bool:
    """A new person with the name and birth date of one registered already (storage/register/namesakes.py):
    asked before a second record is made. True while the question is on screen."""
    from storage.register.namesakes import namesakes

    asked = (fields.get("name"), fields.get("birth_date"), fields.get("grid_code"))
    if form.resident_id is not None or asked == form._namesakes_confirmed:
        return False
    found = namesakes(form.app.db, fields, form.app.today())
    if not found:
        return False

    def answer(new: bool | None) -> None:
        if new:
            form._namesakes_confirmed = asked
            form.action_save()
        else:
            form.query_one("#name", Input).focus()

    def one(n) -> str:
        grid = _("{grid}, ID number ending {tail}").format(grid=n.grid, tail=n.id_tail) if n.id_tail else n.grid
        said = _("{name} (born {date}, {grid})") if n.birth_date else _("{name} (birth date unknown, {grid})")
        return said.format(name=printable(n.name, limit=20), date=format_date(n.birth_date),
                           grid=printable(grid, limit=50))

    who = join_list(one(n) for n in found)
    form.app.push_screen(ConfirmScreen(_("Registered already? {who}. Register a new person anyway?").format(who=who),
                                       yes=_("Register a new person"), no=_("Go back"), danger=True), answer)
    return True
