"""Every path gridcare uses, in one place, each overridable."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP = "gridcare"


def _overridden(variable: str, default: Callable[[], Path]) -> Path:
    """The path in environment variable `variable` if it is set and not empty, else `default()`."""
    override = os.environ.get(variable)
    return Path(override) if override else default()


def data_dir() -> Path:
    return _overridden("GRIDCARE_DATA_DIR", lambda: user_data_path(APP, appauthor=False))


def default_db_path() -> Path:
    return _overridden("GRIDCARE_DB", lambda: data_dir() / "gridcare.db")


def log_dir() -> Path:
    return _overridden("GRIDCARE_LOG_DIR", lambda: user_log_path(APP, appauthor=False))


def log_file() -> Path:
    return log_dir() / "gridcare.log"


def drafts_dir(db_path: Path) -> Path:
    """Unsaved forms, beside the database they belong to."""
    return db_path.parent / f"{db_path.name}.drafts"


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.name}.backups"


def practice_dir(db_path: Path) -> Path:
    """A demo township's practice bundles (storage/demo/practice.py): the Sync screen and Home point the clerk there."""
    return db_path.parent / f"{db_path.name}.practice"


def keys_file(db_path: Path) -> Path:
    """The database's private keys, beside it and never inside it (storage/core/private_keys.py)."""
    return db_path.parent / f"{db_path.name}.keys"


def server_local_path(url: str) -> Path:
    """For a database on a server (`url`, password hidden): the path its local files hang off, in the
    user data folder (e.g. servers/127.0.0.1-5432-county, so its keys are servers/127.0.0.1-5432-county.keys).
    The private keys of a county stay on the machine that merges its bundles, never on the server."""
    import re

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = "-".join(str(p) for p in (parsed.host or "local", parsed.port or "", parsed.database or "") if p != "")
    return data_dir() / "servers" / (re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "server")
