"""The monthly report's parts that need nothing of the others: the grouped key persons, visits by worker and
the benefit lists. On a county's server they are read on a connection of their own, beside the listed key
persons (issue #17: the report waits on the server for seconds while the benefit lists' rule runs in Python,
and the other way round); on a township's SQLite file, in turn on the report's own connection.

The report's statements each see what was committed when they began (PostgreSQL's READ COMMITTED, as the
report's single connection did before): reading on two connections changes nothing of that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from storage.core.db import Database, driver_connection
from storage.register import report_query as q
from storage.register.benefit_lists import Watch, benefit_watch
from storage.register.placed import Place
from storage.reports.county_passes import Pass, township_of
from storage.reports.month_sql import Group, month_groups

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")


@dataclass(frozen=True)
class Beside:
    groups: list[tuple[Pass, Group]]
    workers: list[tuple]  # report_query.visits_by_worker's rows
    watch: Watch


def server_settings(conn: Connection) -> None:
    """The report's settings for its transaction on a server (no-op on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")  # the grouped rows' sorts stay in memory


def read_beside(conn: Connection, passes: list[Pass], first: dt.date, last: dt.date, day: dt.date,
                grid_code: str | None, placed: dict[str, Place]) -> Beside:
    # the benefit lists first: mostly Python, while the report's own connection waits on the server for the
    # listed key persons; then the grouped SQL, while the report turns its listed rows into people
    watch = benefit_watch(driver_connection(conn), day, grid_code)
    groups: list[tuple[Pass, Group]] = []
    workers: list[tuple] = []
    for one in passes:  # one pass per distinct policy of the townships (a township: one)
        groups += [(one, g) for g in month_groups(conn, one.policy, first, last, day, grid_code, placed)
                   if one.has(township_of(g.grid_code, g.village_code))]
        workers += [w for w in q.visits_by_worker(conn, one.policy, first, last, grid_code)
                    if one.has(township_of(w[1] or "", ""))]
    return Beside(groups, workers, watch)


class Pending(Generic[T]):
    """A part of the report being read in a thread (a server), or read already (SQLite)."""

    def __init__(self, done: T | None = None, future: Future[T] | None = None) -> None:
        self._done, self._future = done, future

    def settle(self) -> None:
        """Wait until the thread is done, whatever it came to (its connection is back in the pool after)."""
        if self._future is not None:
            wait_for([self._future])

    def result(self) -> T:
        """The part (the thread's exception raised here, with its traceback)."""
        if self._future is not None:
            return self._future.result()
        assert self._done is not None
        return self._done


def on_own_connection(db: Database, conn: Connection, work: Callable[[Connection], T], name: str) -> Pending[T]:
    """`work` on a connection of its own in a thread when `db` is a server, else now on `conn`."""
    if conn.dialect.name != "postgresql":
        return Pending(done=work(conn))

    def run() -> T:
        with db.session() as s:
            own = s.connection()
            server_settings(own)
            return work(own)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"report-{name}")
    try:
        return Pending(future=pool.submit(run))
    finally:
        pool.shutdown(wait=False)  # the thread ends when run() returns


def start_beside(db: Database, conn: Connection, passes: list[Pass], first: dt.date, last: dt.date,
                 day: dt.date, grid_code: str | None, placed: dict[str, Place]) -> Pending[Beside]:
    """read_beside on `db` in a thread of its own when it is a server, else now on `conn`."""
    return on_own_connection(db, conn, lambda c: read_beside(c, passes, first, last, day, grid_code, placed),
                             "beside")
