"""What the resident form asks before it saves: a name with digits, a category the values put in doubt, a move
to another grid, a new person who may be registered already. Each question is asked once for the values it was
about; the save resumes on Yes."""

from __future__ import annotations

from typing import Any

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

    # both workers are told (storage/register/moved_here.py): the one who gains the person as well as the one who loses them
    _ask(form, _("Move {name} from {old} to {new}? The person leaves {old}'s list for {new}'s; both grids' workers "
                 "are told with the next bundle the township sends each of them.").format(name=form._resident.name, old=short(old), new=short(new)),
         _("Move"), _("Cancel"), "_move_confirmed", new, "grid_code", danger=False)
    return True


def ask_about_categories(form: Any, fields: dict[str, Any]) -> bool:
    """A category whose definition the form's values put in doubt is a question, not silently accepted.

    True while the question is on screen (the save resumes when the user confirms).
    """
    questions = category_questions(fields, form.app.today())
    if not questions or questions == form._questions_confirmed:
        return False

    # (the child's fields are shown when the category asks for them)
    back = "child_subtype" if "child_in_difficulty" in (fields.get("categories") or []) and not fields.get(
        "child_subtype") else "categories"
    _ask(form, "\n".join([*questions, _("Save it as it is?")]), _("Save it as it is"), _("Correct it"),
         "_questions_confirmed", questions, back)
    return True


def ask_about_digits(form: Any, name: str) -> None:
    """A name with digits is often an ID number typed into the wrong field: ask, never take it silently."""
    _ask(form, _("The name {name} contains digits. Is that right?").format(name=name), _("Save it as it is"),
         _("Correct the name"), "_digits_confirmed", name, "name")


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

    def one(n) -> str:
        grid = _("{grid}, ID number ending {tail}").format(grid=n.grid, tail=n.id_tail) if n.id_tail else n.grid
        said = _("{name} (born {date}, {grid})") if n.birth_date else _("{name} (birth date unknown, {grid})")
        return said.format(name=printable(n.name, limit=20), date=format_date(n.birth_date),
                           grid=printable(grid, limit=50))

    who = join_list(one(n) for n in found)
    _ask(form, _("Registered already? {who}. Register a new person anyway?").format(who=who),
         _("Register a new person"), _("Go back"), "_namesakes_confirmed", asked, "name")
    return True


def _ask(form: Any, message: str, yes: str, no: str, remember: str, value: Any, back: str, *,
         danger: bool = True) -> None:
    """Ask before saving: Yes keeps `value` in the form's attribute `remember` (the question is not asked again for
    it) and saves; No puts the cursor on the field `back`."""

    def answer(ok: bool | None) -> None:
        if ok:
            setattr(form, remember, value)
            form.action_save()
        else:
            form.query_one(f"#{back}").focus()

    form.app.push_screen(ConfirmScreen(message, yes=yes, no=no, danger=danger), answer)
