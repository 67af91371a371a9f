"""Unsaved forms, kept beside the database so a crash or a closed terminal loses nothing.

One JSON file per form and record in `paths.drafts_dir`: `visit-<resident id>.json` for a visit
being logged, `resident-new.json` for a registration being typed, `resident-<id>.json` for an
edit; written atomically and owner-only (drafts hold notes about children). The form's values
are stored as plain JSON; the form decides what they mean.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from storage.core.files import atomic_text_writer, make_owner_only_dir, read_small
from storage.core.paths import drafts_dir
from storage.core.text import storable, storable_value

log = logging.getLogger(__name__)

DRAFT_VERSION = 1
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KINDS = ("visit", "resident")
NEW = "new"  # the key of a registration not saved yet (one at a time per database)
# a form's values: a visit's notes are a few thousand characters at most
MAX_BYTES = 4 * 1024 * 1024
# the longest a name may be (storage/register/resident_rules.py MAX_TEXT, not imported: it loads the models, which
# Home's quick read, that lists the drafts, is not to wait for)
NAME_LIMIT = 200


@dataclass(frozen=True)
class Draft:
    resident_id: str
    saved_at: dt.datetime  # UTC
    values: dict[str, Any]
    resident_name: str = ""
    # an edit's draft: the record's values the form showed when they were typed over. A value still as shown was not
    # typed, and is no edit: restored, it would go over what a merged bundle wrote since (walk h-stale)
    shown: dict[str, Any] | None = None

    def edits(self) -> dict[str, Any]:
        """The values typed: all of them in a draft of a new record, or one that does not say what it was shown."""
        if self.shown is None:
            return dict(self.values)
        return {name: value for name, value in self.values.items() if name not in self.shown or self.shown[name] != value}


def draft_path(db_path: Path, resident_id: str, kind: str = "visit") -> Path:
    if not _SAFE_ID.match(resident_id):
        raise ValueError(f"not a resident id: {resident_id!r}")
    if kind not in KINDS:
        raise ValueError(f"not a kind of draft: {kind!r}")
    return drafts_dir(Path(db_path)) / f"{kind}-{resident_id}.json"


def save_draft(db_path: Path, resident_id: str, values: dict[str, Any], *, resident_name: str = "",
               now: dt.datetime | None = None, kind: str = "visit", shown: dict[str, Any] | None = None) -> Draft:
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    # cleaned as the save will clean them (storage/core/text.py storable): half a character typed on a
    # Windows console cannot be written as UTF-8, and the draft's writer would fail on every keystroke
    draft = Draft(resident_id, now, storable_value(dict(values)), storable(resident_name),
                  None if shown is None else storable_value(dict(shown)))
    payload = {"version": DRAFT_VERSION, "kind": kind, "resident_id": resident_id,
               "resident_name": draft.resident_name, "saved_at": now.isoformat(), "values": draft.values}
    if draft.shown is not None:
        payload["shown"] = draft.shown
    path = draft_path(db_path, resident_id, kind)
    make_owner_only_dir(path.parent)  # drafts hold notes about children: the folder is the owner's alone
    with atomic_text_writer(path, through_links=False) as fh:  # a link named as the draft is replaced, not its file
        json.dump(payload, fh, ensure_ascii=False, indent=1, default=str)
    return draft


def _read(path: Path) -> Draft | None:
    try:
        # never through a link, at most MAX_BYTES (storage/core/files.py read_small): a file of the drafts folder
        # may be anything a copied folder held, and Home reads them all before it shows
        raw = read_small(path, MAX_BYTES, through_links=False)
        if len(raw) > MAX_BYTES:
            raise ValueError("larger than any draft")
        data = json.loads(raw.decode("utf-8"))
        saved = dt.datetime.fromisoformat(data["saved_at"])
        if saved.tzinfo is None:
            saved = saved.replace(tzinfo=dt.timezone.utc)
        if data.get("version") != DRAFT_VERSION or not isinstance(data.get("values"), dict):
            raise ValueError("unknown draft version")
        shown = data.get("shown")  # (a draft of an older release has none: all its values stand)
        return Draft(str(data["resident_id"]), saved, data["values"], str(data.get("resident_name", "")),
                     shown if isinstance(shown, dict) else None)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:  # (JSON nested a few thousand deep)
        # a damaged draft must not stop the form from opening; keep the file for a look
        log.warning("unreadable draft %s: %s", path.name, exc)
        return None


def load_draft(db_path: Path, resident_id: str, kind: str = "visit") -> Draft | None:
    return _read(draft_path(db_path, resident_id, kind))


def delete_draft(db_path: Path, resident_id: str, kind: str = "visit") -> bool:
    try:
        draft_path(db_path, resident_id, kind).unlink()
    except FileNotFoundError:
        return False
    return True


def list_drafts(db_path: Path, kind: str = "visit") -> list[Draft]:
    """Every readable draft of this kind of this database, newest first."""
    folder = drafts_dir(Path(db_path))
    if not folder.is_dir():
        return []
    drafts = [d for p in folder.glob(f"{kind}-*.json") if (d := _read(p)) is not None]
    return sorted(drafts, key=lambda d: d.saved_at, reverse=True)


def is_code_of(value: Any, codes: Collection[str]) -> TypeGuard[str]:
    """Whether a draft's value is one of the codes a field offers. A draft is any JSON (another release's
    form, a damaged file): a list or an object where a code was is none of them, and no error."""
    return isinstance(value, str) and value in codes


def draft_person(draft: Draft) -> str:
    """Whom a draft is for, by the name the worker knows: the record's name when the draft was written (a
    visit's, an edit's), else the name typed in it (a registration's); "" before a name was typed. The
    question offering a draft back names the person: a worker with two drafts pending could not tell them apart.
    """
    name = draft.resident_name or draft.values.get("name")  # the values are the form's: a draft of another
    if not isinstance(name, str):  # release may lack the name
        return ""
    # no longer than a name may be: a draft is any file of the drafts folder, and a name of a million characters
    # said in the question offering it back kept the app busy for more than ten minutes
    name = " ".join(name[:NAME_LIMIT * 4].split())
    return name if len(name) <= NAME_LIMIT else name[:NAME_LIMIT - 1] + "…"


def registration_draft_name(db_path: Path) -> str | None:
    """The name typed in the registration left unfinished ("" before a name was typed), None if there is none.

    The new-resident form keeps one draft per database (`NEW`): Home announces it, as it does a visit's.
    """
    draft = load_draft(db_path, NEW, "resident")
    return None if draft is None else draft_person(draft)
