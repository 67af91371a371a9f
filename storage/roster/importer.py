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
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.core.audit import record
from storage.core.changes import writing_identity
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.i18n import _, join_list
from storage.core.models import Grid, Identity, Resident, Village
from storage.core.text import text_key
from storage.register import idnumbers
from storage.register.categories import BENEFIT_KINDS, CATEGORIES, label
from storage.register.grid_choice import not_merged_grids
from storage.register.residents import changed_fields, validate_resident
from storage.roster.benefit_rows import plan_benefits, row_warnings
from storage.roster.columns import (
    FIELD_LABELS,
)
from storage.roster.duplicate_rows import Duplicates
from storage.roster.matching import match_existing
from storage.roster.moves import what_an_update_takes
from storage.roster.parse import ParsedRow, is_footer, map_columns, parse_row
from storage.roster.read import RosterSheet, open_roster, read_roster
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
# (a registration date the roster gives is reported: a re-import moving it says so on the row)
NOT_REPORTED = {"name_initials", "name_pinyin", "status", "township_code"}


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
    data = read_roster(path, sheet, limit=rows)
    columns = map_columns(data.headers)
    data.rows = [(n, cells) for n, cells in data.rows if not is_footer(columns, cells)]  # as the import reads them
    return data, columns


class _Context:
    """What the rows are checked against: this database's identity, grids, villages, residents."""

    def __init__(self, session: Any, ident: Identity, columns: list[ColumnMap]):
        self.ident = ident
        self.headers = {c.field: c.header for c in columns if c.field}
        grids = list(session.execute(select(Grid).where(Grid.deleted == False)).scalars())  # noqa: E712
        if ident.role == "township":
            grids += not_merged_grids(session.connection(), ident.township_code, {g.id for g in grids})
        self.grids = {g.id: g for g in grids}
        self.grid_names: dict[str, list[Grid]] = defaultdict(list)
        for g in grids:
            for key in {g.id, g.code, g.name}:
                if key:
                    self.grid_names[text_key(key)].append(g)
        villages = list(session.execute(select(Village).where(Village.deleted == False)).scalars())  # noqa: E712
        self.villages: dict[str, Village] = {}
        for v in villages:
            self.villages[v.id] = v
            if v.name:  # as the grids: a full-width bracket in the file or in the register, the same village
                self.villages.setdefault(text_key(v.name), v)

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
            found = self.grid_names.get(text_key(named), [])
            if len(found) != 1:
                msg = _("No grid is called {grid}.") if not found else _("Several grids are called {grid}.")
                # the screens first, the commands in brackets: most clerks import on screen (walk G, 9); enrolling a
                # worker is how a grid comes to be
                hint = _("Use the grid's code as the Villages screen lists it (gridcare villages).") if found else _(
                    "Use a grid's code or name as the Villages screen lists them (gridcare villages); for a new grid, "
                    "enroll its worker first on the Devices screen (gridcare enroll --grid {grid} --worker NAME).")
                problems.append(Problem(self.headers["_grid"], msg.format(grid=named), hint.format(grid=named)))
                return
            grid = found[0]
        else:
            grid = self.grids.get(self.ident.grid_code or "")
            if named and grid is not None and text_key(named) not in {text_key(grid.id), text_key(grid.code), text_key(grid.name)}:
                problems.append(Problem(self.headers["_grid"], _("This row belongs to grid {grid}, not yours ({mine}).").format(
                    grid=named, mine=grid.name or grid.code), _("Import only your grid's rows (or use --skip-invalid).")))
                return
        fields["grid_code"] = grid.id if grid else self.ident.grid_code
        fields["township_code"] = grid.township_code if grid and grid.township_code else self.ident.township_code
        village = parsed.village
        match = (self.villages.get(village) or self.villages.get(text_key(village))) if village else None
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
            info = idnumbers.parse_id_number(number, today=today) if number else None
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
    if existing is not None and existing.merged_into:
        # the township merged this person into a record of another grid: an update here would change a record the
        # register no longer shows, and at the township too (walked: a phone updated on the merged-away record)
        problems.append(Problem(ctx.column("id_number"), _("The township merged {name} into a record of another grid: "
                                                            "this row changes nothing here.").format(name=existing.name),
                                _("Tell the township what has changed.")))
        return
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
        statuses_only = [kind for column, kind, _since in parsed.benefits if column == "_categories"]
        for err in errors:
            message = err.message
            if err.field == "categories" and statuses_only and not fields.get("categories"):
                # 五保户 alone in the category cell: "choose at least one category" read as if the cell were empty
                # (walk G, 8); the status is kept as the resident's assistance, the category is still to be written
                message = _("The category column names only an assistance status ({statuses}), not a key-person "
                            "category: write the category too (for example {example}).").format(
                    statuses=join_list([_(BENEFIT_KINDS[k]) for k in statuses_only if k in BENEFIT_KINDS]),
                    example=label(CATEGORIES, "widowed_childless_elder"))
            problems.append(Problem(ctx.column(err.field), message))
    data = plan.data
    if existing is not None and data and data.get("name") and data["name"] != existing.name:
        # matched by ID number under another name: a number typed wrong (or copied from the row above) would
        # rename someone else, listed as one more "update" among hundreds
        problems.append(Problem(ctx.column("name"), _("This ID number is registered to {name}, under another name.").format(
            name=existing.name), _("Check the ID number and the name; a name is changed on the resident's page.")))
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
        row.changed = list(dict.fromkeys(changed)) if row.status == "update" else ()
        row.warnings += what_an_update_takes(ctx.column, ctx.grids, existing, diff)
    plan.diff = diff if (diff or plan.risk_changes) else {}


def _diff(ctx: _Context, plan: RowPlan) -> dict[str, Any]:
    data = plan.data
    if plan.existing is not None and ctx.ident.role != "township":
        # a worker's import never moves someone between grids
        data = {k: v for k, v in data.items() if k not in ("grid_code", "township_code")}
    return changed_fields(plan.existing, data)


BATCH_ROWS = 2_000  # rows parsed, checked and written at a time: an import holds a batch, not the file


class _Redo(Exception):
    """Rows already written that a later row made invalid (one ID number twice, with skip_invalid)."""

    def __init__(self, rows: set[int]):
        self.rows = rows


class _NothingWritten(Exception):
    def __init__(self, report: RosterReport):
        self.report = report


def import_roster(db: Database, path: str | Path, *, dry_run: bool = False, skip_invalid: bool = False,
                  sheet: str | None = None, progress: Progress | None = None, today: dt.date | None = None) -> RosterReport:
    """Import a roster a batch of rows at a time (parse, match, check, diff, write), in one transaction.

    Any invalid row and no `skip_invalid`: the transaction is rolled back and the report says why.
    With `skip_invalid`, a row already written that a later row makes invalid (its ID number again)
    is left out by importing again, leaving out every such row from the start: rare, and the import
    stays one transaction either way.
    """
    started = time.perf_counter()
    today = today or china_today()
    leave_out: set[int] = set()
    for _attempt in range(2):
        try:
            report = _import(db, path, dry_run=dry_run, skip_invalid=skip_invalid, sheet=sheet, progress=progress,
                             today=today, leave_out=leave_out)
        except _Redo as redo:
            leave_out = redo.rows
            continue
        except _NothingWritten as nothing:
            report = nothing.report
        break
    report.seconds = time.perf_counter() - started
    if report.imported:
        record(db, "roster_import", str(Path(path).expanduser().absolute()), {status: report.count(status) for status in STATUS_LABELS})
    return report


def _import(db: Database, path: str | Path, *, dry_run: bool, skip_invalid: bool, sheet: str | None,
            progress: Progress | None, today: dt.date, leave_out: set[int]) -> RosterReport:
    data = open_roster(path, sheet)
    try:
        columns = map_columns(data.headers)
        fields_present = {c.field for c in columns}
        if "name" not in fields_present:
            raise UserError(_("The roster has no name column (姓名): found {headers}.").format(
                headers=join_list(h for h in data.headers if h)))
        report = RosterReport(str(path), data.sheet_name, data.header_row, columns, dry_run=dry_run)
        with (db.session() if dry_run else db.write()) as s:
            ident = writing_identity(s)  # a county registers no one (not even to try a roster)
            if ident.role == "township" and "_grid" not in fields_present:
                raise UserError(_("On a township database the roster needs a grid column (所属网格) saying whose grid each resident is in."))
            _batches(s, _Context(s, ident, columns), data, report, today, progress, dry_run=dry_run,
                     skip_invalid=skip_invalid, leave_out=leave_out)
            if not data.extra_seen:  # no row had data beyond the named columns: no such column
                report.columns.pop()
            if not dry_run and report.count("invalid") and not skip_invalid:
                raise _NothingWritten(report)  # rolls the transaction back
            report.imported = not dry_run
    finally:
        data.close()
    return report


def _batches(s: Any, ctx: _Context, data: RosterSheet, report: RosterReport, today: dt.date,
             progress: Progress | None, *, dry_run: bool, skip_invalid: bool, leave_out: set[int]) -> None:
    """Parse, place, match, check and diff each batch of rows; write its valid rows while the import may."""
    columns = report.columns
    dups = Duplicates(ctx.column("id_number"))
    # residents registered by earlier batches from rows without an ID number (a row with one that matches
    # such a resident repeats its number: both rows are invalid, whatever the match)
    made: set[str] = set()
    late: set[int] = set()  # rows written that a later row made invalid
    done = 0
    invalid = False
    for batch in _chunks(data.rows):
        plans: list[RowPlan] = []
        for number, cells in batch:  # parse
            if is_footer(columns, cells):  # 合计：7人, 填表人：…: never a resident, never blocking the import
                report.footer.append(number)
                continue
            parsed = parse_row(columns, number, cells)
            if parsed is None:
                report.skipped.append(number)
                continue
            ctx.place(parsed)
            plans.append(RowPlan(parsed))
        match_existing(s, plans, made)  # match
        for plan in plans:  # validate
            check_row(ctx, plan, today)
        # a row of an earlier batch made invalid now was written if anything was (skip_invalid: every valid row is)
        late.update(row.row for row in dups.add(plans) if row.row < batch[0][0] and skip_invalid)
        plan_benefits(s, plans, today)  # of the benefits a row names, those not recorded yet
        for plan in plans:  # diff
            report.rows.append(plan.row)
            if plan.row.problems or plan.row.row in leave_out:
                plan.row.status = "invalid"
                invalid = True
            else:
                plan_change(ctx, plan)
        invalid = invalid or bool(dups.groups)
        if not dry_run and (skip_invalid or not invalid):  # else nothing is written: no need to write more
            valid = [plan for plan in plans if plan.row.status != "invalid"]
            write_changes(s, valid, today, None, 0)  # write
            made.update(plan.row.resident_id for plan in valid
                        if plan.row.status == "new" and plan.row.resident_id and not plan.fields.get("id_number"))
        done += len(batch)
        if progress:
            progress(done, max(done, data.expected_rows or 0))
    dups.finish()
    if late:
        raise _Redo(leave_out | late | {r.row for group in dups.groups.values() for r in group})


def _chunks(rows: Any) -> Any:
    """BATCH_ROWS rows at a time (itertools.batched, which Python 3.10 and 3.11 lack)."""
    it = iter(rows)
    while chunk := tuple(itertools.islice(it, BATCH_ROWS)):
        yield chunk
