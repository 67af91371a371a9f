"""Where a key person was on a past day: the grid and village a report of a past month counts them under.

A report of November read in December counted a person the township moved on 2 December under the new grid,
with the old grid's November visits in its row (walk G, 4). Only the township moves a resident
(storage/sync/authorise.py), by an event that sets `grid_code` (and `village_code`); where a person was on a
day is what the events stamped up to that day's end (in China: storage/register/entered.py) set, folded in
the fold's order (storage/core/fold.py). A record whose first event is stamped after the day (a roster
imported later with an earlier 纳入日期) is where it was first written.

The events read are those of the residents with a grid or village written after the day: for a past month,
the moves and registrations since; for the current month, none. Every database holding the same events
places the same residents the same way; a move counts from when the clerk made it, by the clock of her
laptop, not from a date typed on a form.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.china_day import CHINA_OFFSET_MS
from storage.core.hlc import pack
from storage.register.entered import DAY_MS, EPOCH

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

Place = tuple[str, str]  # (grid id, village code: "" for none)


@dataclass(frozen=True, slots=True)
class Step:
    """One event setting a resident's grid or village (None: the event leaves that one as it was)."""

    hlc: int
    device_id: str
    grid: str | None
    village: str | None
    sets_village: bool


def day_end(day: dt.date) -> int:
    """The first clock stamp after `day` in China."""
    return pack((day + dt.timedelta(days=1) - EPOCH).days * DAY_MS - CHINA_OFFSET_MS, 0)


def _field_sql(dialect: str, name: str) -> tuple[str, str]:
    """(whether event e sets the field, its value as text) on either engine."""
    if dialect == "postgresql":
        return f"e.fields->'{name}' IS NOT NULL", f"e.fields->>'{name}'"
    return f"json_type(e.fields, '$.{name}') IS NOT NULL", f"json_extract(e.fields, '$.{name}')"


def moved_sql(dialect: str) -> str:
    """moved_after's query, `:after` the first clock stamp after the day."""
    has_grid, grid = _field_sql(dialect, "grid_code")
    has_village, village = _field_sql(dialect, "village_code")
    sets = f"({has_grid} OR {has_village})"
    # SQLite without statistics (nothing ANALYZEs a worker's or a township's file) takes ix_event_record's
    # equality on record_type over the clock's range and reads every resident event's row for its clock: on a
    # county's file, 185,000 rows read from disk, 16-30 s for a report on a day when nobody moved since
    clock_index = " INDEXED BY ix_event_resident_clock" if dialect == "sqlite" else ""
    return (f"SELECT e.record_id, e.hlc, e.device_id, {has_grid}, {grid}, {has_village}, {village},"
            "  r.grid_code, coalesce(r.village_code, g.village_code, '')"
            " FROM event e JOIN resident r ON r.id = e.record_id LEFT JOIN grid g ON g.id = r.grid_code"
            f" WHERE e.record_type = 'resident' AND {sets} AND e.record_id IN (SELECT e.record_id FROM event e{clock_index}"
            f"  WHERE e.record_type = 'resident' AND e.hlc >= :after AND {sets})"
            " AND NOT r.deleted AND r.merged_into IS NULL")


def moved_after(conn: Connection, day: dt.date) -> tuple[dict[str, list[Step]], dict[str, Place]]:
    """The residents whose grid or village an event stamped after `day` set: the events that set either,
    in the fold's order; and where each is now."""
    from sqlalchemy import text

    rows = conn.execute(text(moved_sql(conn.dialect.name)), {"after": day_end(day)}).all()
    steps: dict[str, list[Step]] = {}
    now: dict[str, Place] = {}
    for row in rows:
        rid = str(row[0])
        grid_value = str(row[4]) if row[3] and row[4] is not None else None
        village_value = str(row[6]) if row[5] and row[6] is not None else None
        steps.setdefault(rid, []).append(Step(int(row[1]), str(row[2]), grid_value, village_value, bool(row[5])))
        now[rid] = (str(row[7] or ""), str(row[8] or ""))
    for events in steps.values():
        events.sort(key=lambda s: (s.hlc, s.device_id))
    return steps, now


def place_on(steps: list[Step], before: int, grid_villages: dict[str, str]) -> Place | None:
    """Where the events stamped before `before` put a resident (a record not yet written then: where its
    first event did); None when no grid is known by then. A village left unset is the grid's."""
    cut = before if steps and steps[0].hlc < before else steps[0].hlc + 1 if steps else before
    grid: str | None = None
    village: str | None = None
    village_set = False
    for s in steps:
        if s.hlc >= cut:
            break
        if s.grid is not None:
            grid = s.grid
        if s.sets_village:
            village, village_set = s.village, True
    if grid is None:
        return None
    return grid, (village if village_set and village else grid_villages.get(grid, "") or "")


def grid_villages(conn: Connection) -> dict[str, str]:
    from sqlalchemy import text

    return {str(g): str(v or "") for g, v in conn.execute(text("SELECT id, village_code FROM grid"))}


def places_on(conn: Connection, days: list[dt.date]) -> dict[str, tuple[list[Place], Place]]:
    """Each resident whose grid or village was written after the first of `days` (the earliest): where they were
    at the end of each day (where they are now when no grid was known then), and where they are now."""
    steps, now = moved_after(conn, min(days))
    if not steps:
        return {}
    villages = grid_villages(conn)
    ends = [day_end(day) for day in days]
    return {rid: ([place_on(events, end, villages) or now[rid] for end in ends], now[rid])
            for rid, events in steps.items()}


def placements(conn: Connection, day: dt.date) -> dict[str, Place]:
    """The residents a report of `day` counts somewhere else than where they are now: id -> (grid, village)."""
    return {rid: then for rid, ([then], now) in places_on(conn, [day]).items() if then != now}


def placed_cte(placed: dict[str, Place], params: dict[str, Any], postgres: bool) -> str:
    """CTE pl(id, grid_code, village_code) of `placed`, bound to :placed in `params`."""
    params["placed"] = json.dumps(sorted([rid, grid, village] for rid, (grid, village) in placed.items()),
                                  ensure_ascii=False)
    if postgres:
        return (" pl AS (SELECT x->>0 AS id, x->>1 AS grid_code, x->>2 AS village_code"
                " FROM jsonb_array_elements(CAST(:placed AS jsonb)) x)")
    return (" pl AS (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS grid_code,"
            " json_extract(value, '$[2]') AS village_code FROM json_each(:placed))")


def place_rows(rows: Iterable[Any], placed: dict[str, Place], grid_code: str | None) -> list[Any]:
    """Rows with .id, .grid_code and .village_code moved to where `placed` puts them; with `grid_code`, only
    the rows of that grid then."""
    out = []
    for row in rows:
        then = placed.get(row.id)
        if then is not None:
            row.grid_code, row.village_code = then
        if grid_code is None or row.grid_code == grid_code:
            out.append(row)
    return out
