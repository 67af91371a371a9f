"""The short report a worker sends the township at once after an emergency finding.

Plain text for the messaging app the township uses (pasted from the clipboard, or from the file
written beside the database): who (the name masked, never the ID number), which village, what was
found, when, what was done, and whom to call. In the interface language, dates through Babel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _, babel_locale
from storage.core.offices import name_text
from storage.core.text import printable
from storage.register.categories import (
    HAZARDS,
    NEEDS,
    REFERRAL_AGENCIES,
    RISK_LEVELS,
    SERVICES,
    SHOWN_CATEGORIES,
    label,
    with_derived,
)
from storage.register.policy import age_on

MAX_NOTE = 120  # characters of the visit's notes quoted: a message, not the file


@dataclass(frozen=True)
class UrgentReport:
    key: str
    text: str


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小明 -> 张*明, 欧阳小明 -> 欧**明: enough for the township to match it to the register."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _join(items: list[str]) -> str:
    return _("、").join(x for x in items if x)


def _date(day: dt.date) -> str:
    from babel.dates import format_date

    return format_date(day, "long", locale=babel_locale())


def _time(at: dt.datetime) -> str:
    from babel.dates import format_time

    return format_time(at.astimezone(), "short", locale=babel_locale())


def report_for(db: Database, key: str) -> UrgentReport:
    """The report of an emergency finding, by its key (storage/register/emergencies.py)."""
    from sqlmodel import col, select

    from storage.core.models import Grid, Identity, Referral, Resident, Visit
    from storage.register.emergencies import find_emergencies, finding_source, parse_key
    from storage.register.report_query import village_names

    kind, rid = parse_key(key)
    with db.session() as s:
        source, day = finding_source(s, kind, rid)
        found = [e for e in find_emergencies(s, day, day) if key in e.keys] if source and day and not source.deleted else []
        if source is None or day is None or not found:
            raise UserError(_("No such emergency: {key}.").format(key=key))
        e = found[0]
        r = s.get(Resident, e.resident_id)
        ident = s.get(Identity, 1)
        grid = s.get(Grid, r.grid_code) if r else None
        names = village_names(s.connection())
        live = col(Referral.deleted) == False  # noqa: E712  (SQL, not Python truth)
        referrals: list[Referral] = (list(s.execute(select(Referral).where(col(Referral.visit_id) == rid, live)).scalars())
                                     if kind == "visit" else [])
    if r is None:
        raise UserError(_("No such resident."))
    # the village record is the township's (a worker's stays on the laptop): without it, the name the grid's
    # worker gave it, or the one inside the village id (330521101-柳溪村), as the reports do (the township's report
    # said "Village: -"); the resident's own village, else its grid's, as on the resident's page
    from storage.core.places import village_label

    village_name = village_label(r.village_code or (grid.village_code if grid else None), names)
    place = " ".join(x for x in (ident.township_name if ident else "", village_name, grid.name if grid else "") if x)
    # the categories as the resident's page shows them (高龄 from the age): an elder of 81 with none stored
    # read "江*珍（，81岁）"
    age = age_on(r.birth_date, day) if r.birth_date else None
    categories = _join([label(SHOWN_CATEGORIES, c) for c in with_derived(r.categories, age)])
    who = (_("{name} ({categories}, {age} years)") if categories else _("{name} ({age} years)")).format(
        name=mask_name(r.name), categories=categories, age="?" if age is None else age)
    # the risk on a line of its own, then what was found, then what is needed: one 、 list of all three read
    # "情况：风险等级：紧急、须立即上报、跌倒风险、照料缺失、日常照料" (walk F)
    risk = [label(RISK_LEVELS, "emergency")] if e.emergency_level else []
    if e.mandatory:
        risk.append(_("must be reported at once"))
    what = [label(HAZARDS, c) for c in source.hazards] if isinstance(source, Visit) else []  # (kind "visit")
    needs = [label(NEEDS, c) for c in source.needs] if isinstance(source, Visit) else []
    note = " ".join(((source.notes if isinstance(source, Visit) else source.reason) or "").split())
    if note:
        what.append(note if len(note) <= MAX_NOTE else note[:MAX_NOTE - 1] + "…")
    done = [label(SERVICES, c) for c in source.services] if isinstance(source, Visit) else []
    for f in referrals:
        done.append(_("referred to {agency}").format(agency=" ".join(
            x for x in (label(REFERRAL_AGENCIES, f.agency), getattr(f, "department", "")) if x)))
    worker = (source.visitor if isinstance(source, Visit) else source.assessor) or (ident.worker_name if ident else "")
    contacts = [_("grid worker {name}").format(name=name_text(worker))]
    if r.guardian_name or r.guardian_phone:
        contacts.append(_("guardian {name} ({relation}) {phone}").format(
            name=mask_name(r.guardian_name), relation=r.guardian_relation or "-", phone=r.guardian_phone).strip())
    elif r.phone:
        contacts.append(_("the resident {phone}").format(phone=r.phone))
    when = (_("visit of {date}, recorded at {time}") if kind == "visit" else _("risk set on {date}, recorded at {time}"))
    lines = [
        _("[Urgent] {place}").format(place=place),
        _("Who: {who}").format(who=who),
        _("Village: {village}").format(village=village_name or "-"),
        _("Risk: {risk}").format(risk=_("; ").join(risk)),
        _("What: {what}").format(what=_join(what) or "-"),
        *([_("Needs: {needs}").format(needs=_join(needs))] if needs else []),
        _("When: {when}").format(when=when.format(date=_date(day), time=_time(e.found_at))),
        _("Done: {done}").format(done=_join(done) or _("nothing yet")),
        _("Call: {contacts}").format(contacts=_("; ").join(contacts)),
    ]
    # names and notes came from bundles too: nothing a terminal would execute when it is printed or pasted
    return UrgentReport(key, printable("\n".join(lines), multiline=True) + "\n")


def urgent_dir(db_path: Path) -> Path:
    """Reports written beside the database they come from."""
    return db_path.parent / f"{db_path.name}.urgent"


def save_report(db: Database, report: UrgentReport, now: dt.datetime | None = None) -> Path:
    """The report as a UTF-8 text file (owner-only) in the folder beside the database; returns its path."""
    from storage.core.files import atomic_text_writer

    now = (now or dt.datetime.now()).astimezone()
    path = urgent_dir(db.local_path) / f"{now:%Y%m%d-%H%M%S}-{report.key.replace(':', '-')}.txt"
    try:
        with atomic_text_writer(path, bom=True) as fh:  # the BOM: Notepad on an old Windows reads it as UTF-8
            fh.write(report.text)
    except OSError as exc:
        raise UserError(_("Could not write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc
    return path
