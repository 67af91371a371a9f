"""Registering a grid's residents from the township's roster (`gridcare roster import`).

A pipeline of typed steps: parse (storage/roster/parse.py: each row's cells into a ParsedRow) ->
place and match (the grid and village named; the resident each row already is) -> validate (the
register's own rules, `validate_resident`, plus what only a roster gets wrong) -> diff (a RowPlan's
status and the fields that change) -> write (storage/roster/write.py: one event per change, folded
in one pass).

All-or-nothing by default: the whole import is one write transaction, and any invalid row means
nothing is written (`skip_invalid` writes the good rows). Residents are matched on the ID number
(or, without one, name and birth date in the same grid), so importing the same file again changes
nothing, and a corrected file updates only the fields that differ, through the change log.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.core.audit import record
from storage.core.changes import load_identity
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.i18n import _
from storage.core.models import Grid, Identity, Resident, Village
from storage.register import idnumbers
from storage.register.residents import changed_fields, validate_resident
from storage.roster.columns import (
    FIELD_LABELS,
)
from storage.roster.benefit_rows import plan_benefits, row_warnings
from storage.roster.parse import ParsedRow, map_columns, parse_row
from storage.roster.read import RosterSheet, read_roster
from storage.roster.report import STATUS_LABELS, ColumnMap, Problem, RosterReport, RosterRow, describe, status_label
from storage.roster.write import write_changes

__all__ = ["ColumnMap", "Problem", "RosterReport", "RosterRow", "describe", "import_roster", "map_columns", "preview",
           "status_label"]

Progress = Callable[[int, int], None]
# resident fields -> the column that feeds them (derived fields point to their source)
FIELD_SOURCES = {"categories": "_categories", "flags": "_categories", "child_subtype": "_categories",
                 "father_status": "_father_status", "mother_status": "_mother_status",
                 "disability_category": "_disability_category", "disability_grade": "_disability_grade",
                 "grid_code": "_grid", "village_code": "_village", "notes": "_notes", "risk_level": "_risk",
                 "helper_since": "_helper_since"}
NOT_REPORTED = {"name_initials", "name_pinyin", "registered_on", "status", "township_code"}


@dataclass
class RowPlan:
    """Match, check, diff: what the import does with one parsed row."""

    parsed: ParsedRow
    existing: Resident | None = None  # the resident the row matches
    data: dict[str, Any] = field(default_factory=dict)  # the row's fields, checked and normalised
    diff: dict[str, Any] = field(default_factory=dict)  # the resident fields to write
    risk_changes: bool = False
    benefits: list[tuple[str, str, dt.date | None]] = field(default_factory=list)  # (column, kind, since) to record

    @property
    def row(self) -> RosterRow:
        return self.parsed.row

    @property
    def fields(self) -> dict[str, Any]:
        return self.parsed.fields

    @property
    def risk(self) -> str | None:
        return self.parsed.risk


def preview(path: str | Path, sheet: str | None = None, rows: int = 5) -> tuple[RosterSheet, list[ColumnMap]]:
    """The file read and its column mapping, for a screen to show before a dry run."""
    data = read_roster(path, sheet)
    data.rows = data.rows[:rows]
    return data, map_columns(data.headers)


class _Context:
    """What the rows are checked against: this database's identity, grids, villages, residents."""

    def __init__(self, session: Any, ident: Identity, columns: list[ColumnMap]):
        self.ident = ident
        self.headers = {c.field: c.header for c in columns if c.field}
        grids = list(session.execute(select(Grid).where(Grid.deleted == False)).scalars())  # noqa: E712
        self.grids = {g.id: g for g in grids}
        self.grid_names: dict[str, list[Grid]] = defaultdict(list)
        for g in grids:
            for key in {g.id, g.code, g.name}:
                if key:
                    self.grid_names[key.lower()].append(g)
        villages = list(session.execute(select(Village).where(Village.deleted == False)).scalars())  # noqa: E712
        self.villages: dict[str, Village] = {}
        for v in villages:
            self.villages[v.id] = v
            if v.name:
                self.villages.setdefault(v.name, v)

    def column(self, resident_field: str) -> str:
        source = FIELD_SOURCES.get(resident_field, resident_field)
        if source in ("_disability_category", "_disability_grade") and source not in self.headers:
            source = "_disability"  # 残疾类别/等级 in one column
        if source in self.headers:
            return self.headers[source]
        if resident_field in ("birth_date", "sex") and "id_number" in self.headers:
            return self.headers["id_number"]
        return _(FIELD_LABELS.get(source, source)) if source in FIELD_LABELS else resident_field

    def place(self, parsed: ParsedRow) -> None:
        """Grid, township and village of a row, from the grid and village it names."""
        fields, problems, named = parsed.fields, parsed.row.problems, parsed.grid
        if self.ident.role == "township":
            if not named:
                problems.append(Problem(self.headers["_grid"], _("The grid is empty."), _("Name the resident's grid.")))
                return
            found = self.grid_names.get(named.lower(), [])
            if len(found) != 1:
                msg = _("No grid is called {grid}.") if not found else _("Several grids are called {grid}.")
                problems.append(Problem(self.headers["_grid"], msg.format(grid=named),
                                        _("Use a grid's code or name as the township's grid list has it.")))
                return
            grid = found[0]
        else:
            grid = self.grids.get(self.ident.grid_code or "")
            if named and grid is not None and named.lower() not in {grid.id.lower(), grid.code.lower(), grid.name.lower()}:
                problems.append(Problem(self.headers["_grid"], _("This row belongs to grid {grid}, not yours ({mine}).").format(
                    grid=named, mine=grid.name or grid.code), _("Import only your grid's rows (or use --skip-invalid).")))
                return
        fields["grid_code"] = grid.id if grid else self.ident.grid_code
        fields["township_code"] = grid.township_code if grid and grid.township_code else self.ident.township_code
        village = parsed.village
        match = self.villages.get(village) if village else None
        if match is not None:
            fields["village_code"] = match.id
        elif village:
            # a village the database does not know: keep the words, never drop them
            fields["notes"] = (fields.get("notes", "") + "\n" + f"{self.headers['_village']}: {village}").strip()
        elif grid is not None and grid.village_code:
            fields["village_code"] = grid.village_code


def check_row(ctx: _Context, plan: RowPlan, today: dt.date) -> None:
    """The row's fields through the register's own rules (validate_resident), and what only a roster can get wrong."""
    parsed = plan.parsed
    fields, problems = parsed.fields, parsed.row.problems
    month = parsed.birth_month
    if month:
        number = fields.get("id_number")
        try:
            info = idnumbers.parse_id_number(number) if number else None
        except ValidationError:
            info = None  # the ID column's own problem is reported by validation
        if number and info and (info.birth_date.year, info.birth_date.month) != month:
            problems.append(Problem(ctx.column("birth_date"), _("The birth month does not match the ID number ({date}).").format(
                date=info.birth_date.isoformat())))
        elif not number:
            problems.append(Problem(ctx.column("birth_date"), _("Only a year and month: the full birth date is needed without an ID number."),
                                    _("Write the date as 2015-06-01.")))
    columns_say = {"disability_category": parsed.disability_category, "disability_grade": parsed.disability_grade}
    columns_say = {key: value for key, value in columns_say.items() if value is not None}
    if "disability_card" not in fields:
        fields.update(columns_say)
    existing = plan.existing
    if existing is None:
        fields.setdefault("name", "")
        fields.setdefault("categories", [])
        if parsed.flags:
            fields["flags"] = parsed.flags
    else:
        new_flags = [f for f in parsed.flags if f not in existing.flags]
        if new_flags:
            fields["flags"] = existing.flags + new_flags
        if fields.get("notes"):
            missing = [line for line in fields["notes"].split("\n") if line not in existing.notes.split("\n")]
            if missing:
                fields["notes"] = "\n".join([existing.notes, *missing]).strip() if existing.notes else "\n".join(missing)
            else:
                del fields["notes"]
    try:
        plan.data = validate_resident(fields, today, existing=existing)
    except ValidationErrors as e:
        errors = e.errors
        if any(err.field == "id_number" for err in errors):
            # a wrong ID number also "lacks" the birth date and sex it would give: say it once
            errors = [err for err in errors if err.field not in ("birth_date", "sex") or err.field in fields]
        problems.extend(Problem(ctx.column(err.field), err.message) for err in errors)
    data = plan.data
    plan.benefits = list(parsed.benefits)  # plan_benefits keeps those not recorded yet
    if data:
        plan.row.warnings += row_warnings(ctx.column, {**(existing.model_dump() if existing else {}), **data},
                                          parsed.derived, today)
    if data and "disability_card" in data and data.get("disability_card"):
        for key in columns_say:
            if columns_say[key] != data[key]:
                problems.append(Problem(ctx.column(key), _("The disability card says {value}.").format(
                    value=data[key]), _("Correct the card number or this column.")))


def plan_change(ctx: _Context, plan: RowPlan) -> None:
    """A valid row's status (new, update, unchanged), the fields to write and the columns they change."""
    diff = _diff(ctx, plan)
    existing = plan.existing
    plan.risk_changes = plan.risk is not None and plan.risk != (existing.risk_level if existing else "low")
    row = plan.row
    if existing is None:
        row.status = "new"
    else:
        row.resident_id = existing.id
        row.status = "update" if (diff or plan.risk_changes or plan.benefits) else "unchanged"
        changed = [ctx.column(k) for k in diff if k not in NOT_REPORTED]
        if plan.risk_changes:
            changed.append(ctx.column("risk_level"))
        changed += [ctx.headers.get(column, column) for column, _kind, _since in plan.benefits]
        row.changed = list(dict.fromkeys(changed)) if row.status == "update" else []
    plan.diff = diff if (diff or plan.risk_changes) else {}


def match_existing(session: Any, plans: list[RowPlan]) -> None:
    """The resident each row is: the same ID number, or without one the same name, grid and birth date."""
    numbers = {}
    for p in plans:
        number = p.fields.get("id_number")
        if number:
            try:
                numbers[idnumbers.parse_id_number(number).number] = p
            except ValidationError:
                continue
    found: dict[str, Resident] = {}
    keys = sorted(numbers)
    for i in range(0, len(keys), 500):
        query = select(Resident).where(Resident.id_number.in_(keys[i:i + 500]), Resident.deleted == False)  # noqa: E712
        for r in session.execute(query).scalars():
            if r.merged_into is None or r.id_number not in found:
                found[r.id_number] = r
    for number, p in numbers.items():
        p.existing = found.get(number)
    without = [p for p in plans if not p.fields.get("id_number") and p.fields.get("name")]
    if without:
        names = sorted({p.fields["name"] for p in without})
        query = select(Resident).where(Resident.name.in_(names), Resident.id_number.is_(None),
                                       Resident.deleted == False, Resident.merged_into.is_(None))  # noqa: E712
        by_key = {(r.name, r.grid_code, r.birth_date): r for r in session.execute(query).scalars()}
        for p in without:
            p.existing = by_key.get((p.fields["name"], p.fields.get("grid_code"), p.fields.get("birth_date")))


def duplicates(ctx: _Context, plans: list[RowPlan]) -> None:
    """Two rows with one ID number: both invalid."""
    rows_by_number: dict[str, list[RowPlan]] = defaultdict(list)
    for p in plans:
        number = p.data.get("id_number") if p.data else None
        if number:
            rows_by_number[number].append(p)
    for same in rows_by_number.values():
        if len(same) > 1:
            listed = ", ".join(str(p.row.row) for p in same)
            for p in same:
                p.row.problems.append(Problem(ctx.column("id_number"), _("The same ID number is on rows {rows}.").format(rows=listed),
                                              _("Keep one row per person.")))


def _diff(ctx: _Context, plan: RowPlan) -> dict[str, Any]:
    data = plan.data
    if plan.existing is not None and ctx.ident.role != "township":
        # a worker's import never moves someone between grids
        data = {k: v for k, v in data.items() if k not in ("grid_code", "township_code")}
    return changed_fields(plan.existing, data)


def import_roster(db: Database, path: str | Path, *, dry_run: bool = False, skip_invalid: bool = False,
                  sheet: str | None = None, progress: Progress | None = None, today: dt.date | None = None) -> RosterReport:
    started = time.perf_counter()
    today = today or dt.date.today()
    data = read_roster(path, sheet)
    columns = map_columns(data.headers)
    fields_present = {c.field for c in columns}
    if "name" not in fields_present:
        raise UserError(_("The roster has no name column (姓名): found {headers}.").format(headers=", ".join(data.headers)))
    report = RosterReport(str(path), data.sheet_name, data.header_row, columns, dry_run=dry_run)
    total = len(data.rows) * 2
    with (db.session() if dry_run else db.write()) as s:
        ident = load_identity(s)
        if ident.role == "township" and "_grid" not in fields_present:
            raise UserError(_("On a township database the roster needs a grid column (所属网格) saying whose grid each resident is in."))
        ctx = _Context(s, ident, columns)
        plans: list[RowPlan] = []
        for number, cells in data.rows:  # parse
            parsed = parse_row(columns, number, cells)
            if parsed is None:
                report.skipped.append(number)
                continue
            ctx.place(parsed)
            plans.append(RowPlan(parsed))
        match_existing(s, plans)  # match
        for i, plan in enumerate(plans):  # validate
            check_row(ctx, plan, today)
            if progress:
                progress(i + 1, total)
        duplicates(ctx, plans)
        plan_benefits(s, plans, today)  # of the benefits a row names, those not recorded yet
        for plan in plans:  # diff
            report.rows.append(plan.row)
            if plan.row.problems:
                plan.row.status = "invalid"
            else:
                plan_change(ctx, plan)
        invalid = report.count("invalid")
        if dry_run or (invalid and not skip_invalid):
            report.seconds = time.perf_counter() - started
            return report
        write_changes(s, plans, today, progress, total)  # write
        report.imported = True
    report.seconds = time.perf_counter() - started

    record(db, "roster_import", Path(path).name, {status: report.count(status) for status in STATUS_LABELS})
    return report
