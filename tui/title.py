"""Who the app's title bar names beside the database: the grid and its worker, the township and its clerk, the
county."""

from __future__ import annotations

from storage.core.i18n import _


def who_in_title(ident) -> str:
    """The identity's part of the title bar ("" before set-up)."""
    if ident is None:
        return ""
    if ident.role == "township" and _named_clerk(ident.worker_name):
        return _("{grid} · {worker}").format(grid=ident.township_name, worker=ident.worker_name)
    if ident.role == "township":
        return _("{township} · township clerk").format(township=ident.township_name)
    if ident.role == "county" and _named_clerk(ident.worker_name, "County administrator"):
        return _("{grid} · {worker}").format(grid=ident.county_name, worker=ident.worker_name)
    if ident.role == "county":  # the screen's own title says 县级 already: "县级 — 德清县 · 县级" said it twice
        return ident.county_name
    return _("{grid} · {worker}").format(grid=ident.grid_name or ident.grid_code, worker=ident.worker_name)


def _named_clerk(name: str | None, label: str = "Township clerk") -> bool:
    """Whether set-up gave the clerk's name (init --worker, the set-up screen), not the role's `label`."""
    from storage.core.offices import office_of

    return bool(name) and office_of(name, (label,)) is None
