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


class ValidationErrors(UserError):
    """Several fields are wrong at once (a form, a roster row)."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors

    def by_field(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}
