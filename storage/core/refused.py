"""A database file the open refuses, untouched: damaged, or holding what gridcare never writes.

The command line says so in one line that names `gridcare restore`. A worker who starts the app from the desktop
shortcut has no console to type it in: the app opens instead on a screen that says what is wrong and lists the
file's backups, and restores the one chosen (screens/refused.py). A RefusedDatabase carries both: str() is the
command line's line, `plain()` says what is wrong without the command, in the language of the moment (F2).

`plain()` leaves the file's path out and `where()` says it on a line of its own: in one sentence, a path of a
usual length filled the first line at 80 columns and the words began on the next, the path standing alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from storage.core.errors import UserError
from storage.core.i18n import N_, _
from storage.core.text import printable


class RefusedDatabase(UserError):
    """`said` (with {path}), `plain` (without): msgids formatted with `fields`. `foreign`: the file holds SQL of
    someone else's (a view in it could make a read run for ever), so the app reads nothing more of it before a
    restore."""

    def __init__(self, said: str, plain: str, *, path: Path | str, foreign: bool = False, **fields: object) -> None:
        super().__init__(_(said).format(path=path, **fields))
        self._plain = plain
        self._path = path
        self._fields = fields
        self.foreign = foreign

    def plain(self) -> str:
        return _(self._plain).format(**self._fields)

    def where(self) -> str:
        """The file refused (or a server database's URL, its password hidden), labelled."""
        return _("Database: {path}").format(path=self._path)


def not_ours(path: Path, detail: str) -> RefusedDatabase:
    """A file SQLite cannot read as a gridcare database (garbage where its header was, user_version 0)."""
    return RefusedDatabase(N_("{path} is not a gridcare database or is damaged ({error})."),
                           N_("The file is not a gridcare database or is damaged ({error})."), path=path, error=detail)


def missing_tables(path: Path, tables: list[str]) -> RefusedDatabase:
    return RefusedDatabase(N_("{path} is damaged: its table {table} is missing. Nothing was changed; restore a backup "
                              "(gridcare restore)."),
                           N_("The database is damaged: its table {table} is missing. Nothing was changed."),
                           path=path, table=", ".join(tables))


# a server database is put back by the server's own tools (gridcare backs up and restores files only)
SERVER_ADVICE = N_("Ask whoever looks after the server to put back the server's own backup, then merge again the "
                    "bundles merged since.")


def clock_past(path: Path | str, *, server: bool = False) -> RefusedDatabase:
    """`path`: a file's, or (`server`) a server database's URL with its password hidden."""
    said = (N_("{path} is damaged: its clock is past any date gridcare writes, so nothing could be saved in it. "
               "Nothing was changed. {advice}") if server else
            N_("{path} is damaged: its clock is past any date gridcare writes, so nothing could be saved in it. "
               "Nothing was changed; restore a backup (gridcare restore)."))
    return RefusedDatabase(said, N_("The database is damaged: its clock is past any date gridcare writes, so nothing "
                                    "could be saved in it. Nothing was changed."),
                           path=path, advice=_(SERVER_ADVICE))


def device_lost(path: Path | str, *, server: bool = False) -> RefusedDatabase:
    """Changes, and not the row that says which device wrote them (the worker, grid or township it was set up for)."""
    said = (N_("{path} is damaged: it holds records but no longer says whose they are (the grid or township it was "
               "set up for). Nothing was changed. {advice}") if server else
            N_("{path} is damaged: it holds records but no longer says whose they are (the grid or township it was "
               "set up for). Nothing was changed; restore a backup (gridcare restore)."))
    return RefusedDatabase(said, N_("The database is damaged: it holds records but no longer says whose they are (the "
                                    "grid or township it was set up for). Nothing was changed."),
                           path=path, advice=_(SERVER_ADVICE))


@dataclass(frozen=True)
class ForeignSql:
    """What a file holds of SQL gridcare never writes (storage/core/db.py _inspect): triggers and views (`run`), and
    tables and indexes whose definitions hold some (`defined`, storage/core/schema_sql.py)."""

    run: list[str]
    defined: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.run or self.defined)


def foreign_sql(path: Path, foreign: ForeignSql) -> RefusedDatabase:
    """A file holding triggers or views: SQL that someone else wrote (a trigger on the audit log would erase the
    entry of each act as it is recorded), which gridcare never writes and never runs; or tables and indexes
    defined with such SQL (an index computing a 900 MB text at each row written)."""
    if not foreign.run:
        return RefusedDatabase(N_("{path} holds SQL that gridcare never writes (in the definition of {names}): it is "
                                  "not a file gridcare made, and it was left untouched."),
                               N_("The file holds SQL that gridcare never writes (in the definition of {names}): it "
                                  "is not a file gridcare made, and it was left untouched."), foreign=True, path=path,
                               names=", ".join(printable(n, limit=40) for n in foreign.defined[:3]))
    return RefusedDatabase(N_("{path} holds SQL that gridcare never writes (the trigger or view {names}): it is not a "
                              "file gridcare made, and it was left untouched."),
                           N_("The file holds SQL that gridcare never writes (the trigger or view {names}): it is not "
                              "a file gridcare made, and it was left untouched."), foreign=True, path=path,
                           names=", ".join(printable(n, limit=40) for n in foreign.run[:3]))
