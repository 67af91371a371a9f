"""The monthly report as files the clerk can send: one XLSX workbook, or CSV files.

The column layout of every list lives here (LIST_COLUMNS) and is shared by the
terminal output and the Reports screen, so a list looks the same everywhere.
Definitions of the figures: docs/reports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.core.audit import record
from storage.core.collector import collector_paused
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.files import atomic_text_writer, windows_name
from storage.core.i18n import N_, _, current_language, day_text
from storage.core.offices import name_text
from storage.register.categories import (
    BENEFIT_KINDS,
    CLOSE_REASONS,
    REFERRAL_AGENCIES,
    REFERRAL_STATUSES,
    RISK_LEVELS,
    SHOWN_CATEGORIES,
    join_list,
    label,
    labels,
)
from storage.register.idnumbers import mask_id
from storage.register.referrals import REFERRAL_LEVELS
from storage.reports.cell_safety import csv_row, csv_text
from storage.reports.monthly import GROUPINGS, LISTS, MEASURES, MonthlyReport, Progress, ReportRow
from storage.reports.xlsx_sheets import COVERAGE_SHEET, TREND_SHEET, policy_line, sheet_title

SEXES = {"M": N_("Male"), "F": N_("Female")}
STATUSES = {"active": N_("Active"), "closed": N_("Off the register")}  # 在册 / 已退出（销号）, not a referral's 已办结


@dataclass(frozen=True)
class Column:
    header: str  # an N_ msgid, translated where shown
    kind: str  # text | date | int | rate | id
    get: Callable[[Any], Any]


def _status(p) -> str:
    # label() translates: Babel 2.18 took a string key inside _(...) for a message of its own
    if p.status != "closed":
        return label(STATUSES, "active")
    return label(CLOSE_REASONS, p.close_reason) or label(STATUSES, "closed")


def _referral_status(f) -> str:
    if f.closed_on is not None:  # open on the report day, closed since: "closed" was not its status then
        return _("Closed on {date}, after the report day").format(date=day_text(f.closed_on, "medium"))
    return label(REFERRAL_STATUSES, f.status)


_NAME = Column(N_("Name"), "text", lambda p: p.name)
_ID = Column(N_("ID number"), "id", lambda p: p.id_number)
_SEX = Column(N_("Sex"), "text", lambda p: label(SEXES, p.sex))
_AGE = Column(N_("Age"), "int", lambda p: p.age)
_VILLAGE = Column(N_("Village"), "text", lambda p: p.village)
_GRID = Column(N_("Grid"), "text", lambda p: p.grid)
_CATS = Column(N_("Categories"), "text", lambda p: labels(SHOWN_CATEGORIES, p.categories))
_RISK = Column(N_("Risk"), "text", lambda p: label(RISK_LEVELS, p.risk_level))
_LAST = Column(N_("Last seen"), "date", lambda p: p.last_seen)
_STATUS = Column(N_("Case"), "text", _status)
_CLOSED = Column(N_("Closed on"), "date", lambda p: p.closed_on)
_CLOSE_NOTE = Column(N_("Remark on closing"), "text", lambda p: p.close_note if p.status == "closed" else "")
_WHO = [_NAME, _ID, _SEX, _AGE, _VILLAGE, _GRID, _CATS]

LIST_COLUMNS: dict[str, list[Column]] = {
    "not_visited": _WHO + [_RISK, _LAST, _STATUS, _CLOSED, _CLOSE_NOTE],
    "overdue": _WHO + [_RISK, _LAST, Column(N_("Due"), "date", lambda p: p.due_on),
                       Column(N_("Days overdue"), "int", lambda p: p.days_overdue)],
    "emergency_high": _WHO + [_RISK, Column(N_("Risk since"), "date", lambda p: p.risk_since), _LAST,
                              Column(N_("Open referrals"), "int", lambda p: p.open_referrals)],
    "open_referrals": [_NAME, _ID, _VILLAGE, _GRID,
                       Column(N_("Referred to"), "text", lambda f: label(REFERRAL_AGENCIES, f.agency)),
                       Column(N_("Reason"), "text", lambda f: f.reason),
                       Column(N_("Status"), "text", _referral_status),
                       Column(N_("Opened on"), "date", lambda f: f.opened_on),
                       Column(N_("Days open"), "int", lambda f: f.days_open)],
    "aged_out": [_NAME, _ID, _SEX, Column(N_("Birth date"), "date", lambda p: p.birth_date), _AGE, _VILLAGE, _GRID,
                 _CATS, Column(N_("Aged out on"), "date", lambda p: p.age_out_on), _STATUS, _CLOSED, _CLOSE_NOTE],
    "visits_by_worker": [
        Column(N_("Worker"), "text", lambda w: name_text(w.visitor)), Column(N_("Grid"), "text", lambda w: w.grid),
        Column(N_("Visits"), "int", lambda w: w.visits), Column(N_("Home visits"), "int", lambda w: w.home),
        Column(N_("Phone calls"), "int", lambda w: w.phone), Column(N_("Video calls"), "int", lambda w: w.video),
        Column(N_("Through someone else"), "int", lambda w: w.proxy),
        Column(N_("Person not reached"), "int", lambda w: w.not_seen),
        Column(N_("Visits that count"), "int", lambda w: w.counted),
        Column(N_("Residents visited"), "int", lambda w: w.residents_visited),
        Column(N_("Residents seen"), "int", lambda w: w.residents_seen)],
}
# issue #15: the benefit and pairing lists (storage/register/benefit_lists.py WatchRow)
_BENEFIT = Column(N_("Assistance or subsidy"), "text", lambda w: label(BENEFIT_KINDS, w.benefit))

def _changes(w) -> str:
    from storage.register.assessments import DIMENSIONS, GRADES

    return join_list(_("{dimension}: {before} to {after}").format(
        dimension=_(DIMENSIONS[c.dimension]), before=label(GRADES, c.before), after=label(GRADES, c.after))
        for c in w.changes)


def _finding(e) -> str:
    from storage.register.emergencies import finding_words

    return finding_words(e)


def _hours(value: float | None) -> int | None:
    return None if value is None else int(value + 0.5)


LIST_COLUMNS.update({
    "overdue_referrals": [_NAME, _ID, _VILLAGE, _GRID,
                          Column(N_("Referred to"), "text", lambda f: label(REFERRAL_AGENCIES, f.agency)),
                          Column(N_("Level"), "text", lambda f: label(REFERRAL_LEVELS, f.level)),
                          Column(N_("Department"), "text", lambda f: f.department),
                          Column(N_("Reason"), "text", lambda f: f.reason),
                          Column(N_("Opened on"), "date", lambda f: f.opened_on),
                          Column(N_("Follow up by"), "date", lambda f: f.due_on),
                          Column(N_("Days overdue"), "int", lambda f: f.days_overdue)],
    "worsened": [_NAME, _ID, _VILLAGE, _GRID, _CATS, _RISK,
                 Column(N_("Assessed on"), "date", lambda w: w.assessed_on),
                 Column(N_("Worsened"), "text", _changes)],
    "emergencies": [_NAME, _ID, _VILLAGE, _GRID, _CATS,
                    Column(N_("Found on"), "date", lambda e: e.found_on),
                    Column(N_("Finding"), "text", _finding),
                    Column(N_("Acknowledged by the township"), "text", lambda e: name_text(e.acknowledged_by)
                           if e.acknowledged_at else _("not yet")),
                    Column(N_("Hours to acknowledgement"), "int", lambda e: _hours(e.hours_to_acknowledge)),
                    # the first visit after the finding (the response), not the date a visit form planned (下次探访)
                    Column(N_("First visit after the finding"), "date", lambda e: e.next_visit_on),
                    Column(N_("Days to the first visit"), "int", lambda e: e.days_to_next_visit)],
    "unclaimed_benefits": [_NAME, _ID, _AGE, _VILLAGE, _GRID, _CATS, _BENEFIT,
                           Column(N_("Why"), "text", lambda w: join_list(_(why) for why in w.why))],
    "benefits_ending": [_NAME, _ID, _VILLAGE, _GRID, _BENEFIT, Column(N_("From"), "date", lambda w: w.start_on),
                        Column(N_("Until"), "date", lambda w: w.end_on)],
    "unpaired": [_NAME, _ID, _AGE, _VILLAGE, _GRID, _CATS],
})
# the persons behind "key persons" and "visited" (drill-down) look like the not-visited list
LIST_COLUMNS["key_persons"] = LIST_COLUMNS["visited"] = LIST_COLUMNS["not_visited"]
LIST_SLUGS = {name: name.replace("_", "-") for name in LISTS}
SUMMARY_MEASURES = list(MEASURES)

DEFINITIONS = (
    N_("Key person: registered by the month's end, not merged, active at some time in the month "
       "(a closed case counts until its close date)."),
    # the rule of storage/register/policy.py (a home visit counts whether or not the person was met: the words
    # "seen at least once" said otherwise, and 14 of a grid's November figure were home visits to family)
    N_("Visited: at least one visit in the month that counts under the visit policy (by default a home visit "
       "always; a phone or video call when the person was reached; what was learnt from others, never)."),
    N_("Overdue: open cases past their due date (last visit in which the resident was seen, or registration or "
       "entry into gridcare if later, plus the frequency for the risk level) on the report day."),
    N_("Emergency + high risk, open referrals: as they stood on the report day (the month's end, or today)."),
    N_("Aged out: children past the age limit of a child category whose case is still open, or was closed "
       "as aged out in the month. A resident counts in each of their category rows, once in the totals."),
)


def cell_value(column: Column, item: Any, full_ids: bool) -> Any:
    value = column.get(item)
    if column.kind == "id":
        return (value or "") if full_ids else mask_id(value)
    return value


def summary_cells(row: ReportRow) -> list[Any]:
    return [row.shown_label] + [row.visit_rate if m == "visit_rate" else getattr(row, m) for m in SUMMARY_MEASURES]


def summary_headers(grouping: str) -> list[str]:
    return [_(GROUPINGS[grouping])] + [_(MEASURES[m]) for m in SUMMARY_MEASURES]


def title(report: MonthlyReport) -> str:
    """The report's title, the same on screen, in the terminal and in every file: 新市镇2026年12月重点对象探访情况."""
    return sheet_title(report)


def notes(report: MonthlyReport) -> str:
    """One line: the report day and the policy the figures follow (the files add which visits counted).

    The day in the words of the language (2026年12月2日, Dec 2, 2026); "medium": the line fits 80 columns in English."""
    return _("Report day {day}. {policy}.").format(day=day_text(report.day, "medium"), policy=report.policy_title())


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet or terminal: CJK characters count double."""
    if text.isascii():  # (IDs, dates, figures: most of a workbook's cells)
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(report: MonthlyReport, path: Path, *, full_ids: bool = False, progress: Progress | None = None) -> None:
    """The workbook (storage/reports/xlsx_book.py); `progress(done, total)`: after the tables, each list, the
    assessments, and the file written."""
    from storage.reports.xlsx_book import write_workbook  # (it reads this module's columns)

    write_workbook(report, path, full_ids=full_ids, progress=progress)


def csv_value(value: Any, kind: str = "") -> str:
    if value is None:
        return ""
    if kind == "id" and value and "*" not in value:
        # a full ID number as a formula that gives the text: Excel and WPS (which turn a bare 18-digit number
        # into 1.10105E+17 and lose its last digits) keep it exactly, and LibreOffice reads back the same digits
        return f'="{value}"'

    if kind == "rate" or isinstance(value, float):
        return f"{value * 100:.1f}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def part_path(path: Path, title: str, slug: str) -> Path:
    """The file beside `path` holding one table of the report, named as the workbook's sheet of it is in the
    user's language (NAME-本月未探访.csv: a clerk sends these on to the county); in English the slug
    (NAME-not-visited.csv), as the first releases named every one."""
    path = Path(path)
    part = slug
    if not current_language().startswith("en"):
        part = windows_name(_(title)) or slug
    return path.with_name(f"{path.stem}-{part}{path.suffix}")


def report_file_name(report: MonthlyReport) -> str:
    """The workbook's name offered when none is typed, in the interface's language: the report's title
    (新市镇2026年11月重点对象探访情况.xlsx, as a clerk files it); in English gridcare-report-2026-11.xlsx, as
    the first releases named it (the English title holds a colon, which Windows refuses)."""
    if not current_language().startswith("en"):
        shown = windows_name(title(report))
        if shown:
            return f"{shown}.xlsx"
    return f"gridcare-report-{report.month_text}.xlsx"


def csv_list_path(path: Path, name: str) -> Path:
    return part_path(path, LISTS[name], LIST_SLUGS[name])


@collector_paused()
def write_csv(report: MonthlyReport, path: Path, *, full_ids: bool = False,
              progress: Progress | None = None) -> list[Path]:
    """The summary in `path`, each list in `<stem>-<list>.csv` beside it; returns every file written."""
    path, step = Path(path), progress or (lambda done, total: None)
    with atomic_text_writer(path, bom=True) as fh:
        out = csv.writer(fh)
        out.writerow(csv_row([title(report)]))
        out.writerow(csv_row([notes(report)]))
        out.writerow(csv_row([policy_line(report)]))
        for grouping in report.groupings:
            out.writerow([])
            out.writerow(summary_headers(grouping))
            for row in report.rows[grouping] + [report.totals]:
                out.writerow([csv_value(v) for v in summary_cells(row)])
    written, total = [path], len(LISTS) + 4  # the summary, each list, the assessments, the table to sign, the trend
    step(1, total)
    for name in LISTS:
        target = csv_list_path(path, name)
        columns = LIST_COLUMNS[name]
        with atomic_text_writer(target, bom=True) as fh:
            out = csv.writer(fh)
            out.writerow([_(c.header) for c in columns])
            for item in report.list_rows(name):
                out.writerow([csv_value(cell_value(c, item, full_ids), c.kind) for c in columns])
        written.append(target)
        step(len(written), total)
    from storage.reports.csv_tables import write_coverage_csv, write_trend_csv
    from storage.reports.followup_files import SHEET_TITLE, write_assessment_csv

    written.append(write_assessment_csv(report, part_path(path, SHEET_TITLE, "assessment")))
    written.append(write_coverage_csv(report, part_path(path, COVERAGE_SHEET, "visit-rates")))
    written.append(write_trend_csv(report, part_path(path, TREND_SHEET, "trend")))
    step(total, total)
    return written


def save_report(db: Database, report: MonthlyReport, path: Path, *, full_ids: bool = False,
                progress: Progress | None = None) -> list[Path]:
    """Write the report as .xlsx or .csv (by the file name) and record it in the audit log."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserError(_("Write the report to a .xlsx or .csv file, not {name}.").format(name=path.name))
    if report.trend is None:  # the workbook's trend sheet needs it, and the CSV's trend file
        from storage.reports.monthly import add_trend

        add_trend(db, report)
    try:
        if suffix == ".xlsx":
            write_xlsx(report, path, full_ids=full_ids, progress=progress)
            written = [path]
        else:
            written = write_csv(report, path, full_ids=full_ids, progress=progress)
    except OSError as exc:
        raise UserError(_("Could not write {path}: {error}").format(path=path, error=exc.strerror or exc)) from exc

    record(db, "report", str(path), {**report.counts(), "files": len(written), "full_ids": full_ids})
    return written
