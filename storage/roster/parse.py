"""The roster import's first step: each column's kind from its header, each row's cells parsed into a ParsedRow.

Nothing is looked up here (grids, villages, residents): `storage.roster.importer` does that next.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.text import typed_code
from storage.register.names import clean_name
from storage.register.resident_rules import NAME_FIELDS
from storage.roster.benefit_rows import BENEFIT_SOURCES, parse_benefit_cell
from storage.roster.columns import (
    cell_text,
    field_for_header,
    id_cell_text,
    parse_date,
    parse_disability_category,
    parse_disability_grade,
    parse_parent_status,
    parse_risk,
    parse_sex,
    read_categories,
)
from storage.roster.report import ColumnMap, Problem, RosterRow


@dataclass
class ParsedRow:
    """Parse: what one row's cells say, each value in its type, before anything is looked up."""

    row: RosterRow
    fields: dict[str, Any]  # resident fields that a cell of their own gives
    grid: str | None = None  # the grid the row names (code or name)
    village: str | None = None  # the village it names
    flags: list[str] = field(default_factory=list)  # flags read from the categories cell
    risk: str | None = None
    birth_month: tuple[int, int] | None = None  # a birth date given as a year and month only
    disability_category: int | None = None  # columns of their own (a card number says them too)
    disability_grade: int | None = None
    benefits: list[tuple[str, str, Any]] = field(default_factory=list)  # (column, kind, since) the row names
    derived: list[str] = field(default_factory=list)  # derived categories the categories cell names (高龄)


def map_columns(headers: list[str]) -> list[ColumnMap]:
    """Each header's field; a second column for a field already taken is kept in the notes."""
    seen: set[str] = set()
    columns = []
    for i, header in enumerate(headers):
        f = field_for_header(header)
        if f in seen and f != "_skip":
            f = None
        if f:
            seen.add(f)
        columns.append(ColumnMap(header or _("Column {letter}").format(letter=_letter(i)), f))
    return columns


def _letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


# how a sheet's footer begins (after NFKC, spaces removed): a total (合计：7人, 共 7 人), the end of the list
# (以下空白), a sign-off (填表人：… 审核人：…, 制表日期 …), a note below the table (注：…). Whole words, never a
# name: nobody is called 合计 or 填表人, while 共青 or 小红 may be someone (共 needs a count of people after it).
FOOTER = re.compile(r"^(合计|总计|小计|共计|累计|共[\d一二两三四五六七八九十百千]+(人|户|名)|以下(空白|无内容|为空)|(填表|填报|审核|审批|制表|统计)"
                    r"|(注|说明):|total)", re.IGNORECASE)


def is_footer(columns: list[ColumnMap], cells: list[Any]) -> bool:
    """A row of the sheet's footer, not a person: its first cell (after a running number) begins as a footer
    does, it has no ID number, and its name cell holds no name (blank, the footer's own words, or digits)."""
    texts = [typed_code(cell_text(v)) for v in cells]  # 注：as 注:, 共７人 as 共7人
    filled = [t for t in texts if t]
    if filled and filled[0].isdigit():  # a running number (序号) before 合计
        filled = filled[1:]
    if not filled or not FOOTER.match(filled[0]):
        return False
    by_field = {c.field: t for c, t in zip(columns, texts, strict=False) if c.field}
    name = by_field.get("name", "")
    return not by_field.get("id_number") and (not name or bool(FOOTER.match(name)) or any(ch.isdigit() for ch in name))


def parse_row(columns: list[ColumnMap], number: int, cells: list[Any]) -> ParsedRow | None:
    """A row's cells, each parsed by its column's kind; None for a row with neither a name nor an ID number."""
    fields: dict[str, Any] = {}
    problems: list[Problem] = []
    parsed = ParsedRow(RosterRow(number, ""), fields)
    notes: list[str] = []
    # a row may hold one cell more than the headers (data beyond the last header, roster/read.py): not read here
    for col, value in zip(columns, cells, strict=False):
        if value is None or (isinstance(value, str) and not value.strip()) or col.field == "_skip":
            continue
        f = col.field
        try:
            if f is None:
                notes.append(f"{col.header}: {cell_text(value)}")
            elif f == "id_number":
                fields["id_number"] = id_cell_text(value)
            elif f == "disability_card":
                if isinstance(value, float):
                    raise ValidationError(f, _("This disability card number was stored as a number in a spreadsheet and has lost its last digits: format the column as text and type the numbers again."))
                fields["disability_card"] = id_cell_text(value)
            elif f == "sex":
                fields["sex"] = parse_sex(cell_text(value))
            elif f == "birth_date":
                born = parse_date(value)
                if isinstance(born, tuple):
                    parsed.birth_month = born
                else:
                    fields["birth_date"] = born
            elif f == "registered_on":  # a month alone (2025.06) is its first day, as the pairing's date
                since = parse_date(value, f)
                fields[f] = dt.date(since[0], since[1], 1) if isinstance(since, tuple) else since
            elif f == "_categories":
                cell = read_categories(cell_text(value))
                fields["categories"], parsed.flags, parsed.derived = cell.categories, cell.flags, cell.derived
                if cell.subtype:
                    fields["child_subtype"] = cell.subtype
                parsed.benefits += [(f, kind, None) for kind in cell.benefits]  # 低保 in the cell: since unknown
            elif f in BENEFIT_SOURCES:  # statuses, subsidies, 残疾类别/等级, the pairing's date (issue #15)
                parse_benefit_cell(f, value, parsed)
            elif f in ("_father_status", "_mother_status"):
                fields[f[1:]] = parse_parent_status(cell_text(value), f)
            elif f == "_disability_category":
                parsed.disability_category = parse_disability_category(value)
            elif f == "_disability_grade":
                parsed.disability_grade = parse_disability_grade(value)
            elif f == "_risk":
                parsed.risk = parse_risk(cell_text(value))
            elif f == "_grid":
                parsed.grid = cell_text(value)
            elif f == "_village":
                parsed.village = cell_text(value)
            elif f == "_notes":
                notes.insert(0, cell_text(value))
            elif f in NAME_FIELDS:  # cleaned before rows are matched by name: 周 建国 is 周建国
                fields[f] = clean_name(cell_text(value))
            else:
                fields[f] = cell_text(value)
        except ValidationError as e:
            problems.append(Problem(col.header, e.message))
    if notes:
        fields["notes"] = "\n".join(notes)
    if not fields.get("name") and not fields.get("id_number"):
        return None
    parsed.row = RosterRow(number, fields.get("name", ""), problems=problems)
    return parsed
