"""A list of ids passed as one JSON parameter, read as rows: any number of them, in one statement, on both engines
(SQLite's bound-parameter limit is 999 on older builds; one parameter per id also made each statement new)."""

from __future__ import annotations


def ids_subquery(param: str, postgres: bool) -> str:
    """`SELECT …` of the ids in the JSON array bound to `:param`, for `col IN (…)`."""
    if postgres:
        return f"SELECT jsonb_array_elements_text(CAST(:{param} AS jsonb))"
    return f"SELECT value FROM json_each(:{param})"
