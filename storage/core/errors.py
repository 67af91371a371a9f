"""Errors that carry a message for the user (exit status 1, no traceback)."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; str(error) is already translated."""


class ValidationError(UserError):
    """A field value is wrong. `field` names the field, for inline display."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def by_field(self) -> dict[str, str]:
        """As ValidationErrors gives them: where a form shows either, one `except` takes both."""
        return {self.field: self.message}


class ValidationErrors(UserError):
    """Several fields are wrong at once (a form, a roster row)."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    def by_field(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


def as_user_error(exc: BaseException) -> UserError | None:
    """The one-line message for a failure the user can act on that the operating system or
    SQLite reported (a full disk, a read-only place, a database busy elsewhere), or None for a
    bug. Used where errors reach the user: the CLI's main and the app's workers."""
    import errno
    import sqlite3

    from storage.core.i18n import _

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UserError):
            return current
        where = getattr(current, "filename", None) or ""
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return UserError(_("The disk is full ({where}): free some space and try again. Nothing was half-written.").format(
                where=where or "-"))
        if isinstance(current, OSError) and current.errno == errno.EROFS:
            return UserError(_("{where} is on a read-only disk: gridcare cannot write there. Nothing was half-written.").format(
                where=where or "-"))
        if isinstance(current, OSError) and current.errno == errno.EIO:  # a stick pulled out while in use
            return UserError(_("{where} could not be read or written (an input/output error): a USB stick taken out "
                               "too soon, or a failing disk. Nothing was half-written: put it back and try "
                               "again.").format(where=where or "-"))
        if isinstance(current, PermissionError):
            return UserError(_("The system refused access to {where} (its permissions). Nothing was half-written.").format(
                where=where or "-"))
        if isinstance(current, sqlite3.OperationalError):
            text = str(current)
            if "database or disk is full" in text:
                return UserError(_("The disk is full: free some space and try again. Nothing was changed."))
            if "locked" in text or "busy" in text:
                from storage.core.db import busy_error

                return busy_error()
            if "readonly" in text or "read-only" in text or "unable to open database" in text:
                return UserError(_("The database cannot be written (a read-only file, folder or disk). Nothing was "
                                   "changed."))
        from storage.core.unreadable import is_stored_date_unreadable

        if (isinstance(current, sqlite3.DatabaseError) and ("malformed" in str(current)
                                                            or "not a database" in str(current)
                                                            # text that is not UTF-8: a damaged page, a hand's edit
                                                            or "Could not decode to UTF-8" in str(current))
                or is_stored_date_unreadable(current)):  # a date column edited by hand into text that is no date
            # a power cut or a failing disk on an old laptop: said as what it is, with what to do (it was "something
            # went wrong" on the command line, and an empty Home on screen)
            return UserError(_("The database file is damaged: put back a backup (b on Home opens Backup and restore; or "
                               "gridcare restore). Nothing was changed."))
        # SQLAlchemy keeps the driver's error as .orig; Python chains the rest
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None
