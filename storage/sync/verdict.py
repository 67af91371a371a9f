"""What becomes of one bundle, in the merge's words: merged before, refused and why, waiting for the clerk, or new.

The merge (storage/sync/merge.py) and the Sync screen's list of a folder before merging (`preview`) say it
from here: the list once read "refused: unreadable" for every refused file, and "new" for another township's,
while the merge said which check failed. `preview` runs the merge's checks in the merge's order, up to the
decryption of the payload's first block, and writes nothing. What only reading the events can find (a
malformed record inside, a record the device may not write) is said by the merge, and by the list once a
merge has refused the file for it (storage/sync/refused.py remembers it by its signed checksum).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.keys import fingerprint
from storage.core.models import BundleReceived, Identity
from storage.core.schema import FoldError
from storage.core.text import printable
from storage.sync.bundle_file import BundleError, check_bundle, verify_file
from storage.sync.devices import Trust
from storage.sync.event_checks import problem_text
from storage.sync.merge_trust import signer_check
from storage.sync.refused import remembered

log = logging.getLogger(__name__)


@dataclass
class BundleOutcome:
    file: str
    # "new" | "already" | "refused" | "waiting" (a device not enrolled: nothing merged) | "own" (written by this
    # database: a township's bundle for the county or for a grid, kept on the same stick; not merged here)
    status: str
    code: str = ""
    message: str = ""  # "{file}: {problem}"
    device_id: str = ""
    seq: int = 0
    worker: str = ""
    grid: str = ""
    township: str = ""  # the township code the bundle comes from
    events_new: int = 0
    added: int = 0  # records that did not exist here before
    updated: int = 0  # records that existed and were re-derived
    conflicts: int = 0  # open conflicts on the touched records
    new_device: bool = False
    released: list[str] = field(default_factory=list)  # files that waited for the key this bundle enrolled
    problem: str = ""  # why it is refused or waits, without the file's name (a list names the file beside it)
    # merged, though another file of this device with the same number was merged before: the sender's database
    # went back (a copy put back by hand, not `gridcare restore`) and numbered its next bundle again
    second_of_its_number: bool = False
    landed_away: set[tuple[str, str]] = field(default_factory=set)  # merged away here, edited by it: (id, field)
    payload: str = ""  # the payload's sha256: with the device and the number, which bundle this is
    # "already": the same bundle was merged from this file earlier in the same run (a copy beside it: 副本-…gcb), not
    # in a merge before
    copy_of: str = ""


def said(name: str, status: str, code: str, problem: str, **kw: Any) -> BundleOutcome:
    """An outcome refused or waiting for `problem`: its message names the file (one line of the merge's result)."""
    return BundleOutcome(name, status, code, _("{file}: {problem}").format(file=printable(name), problem=problem),
                         problem=problem, **kw)


def refusal(name: str, exc: BundleError, **kw: Any) -> BundleOutcome:
    return BundleOutcome(name, "refused", exc.code, str(exc), problem=exc.problem, **kw)


def from_newer(problem: str, manifest: dict[str, Any]) -> str:
    """`problem`, and why, when the bundle was written by a newer gridcare: a field or record kind this release does
    not know is then no forgery but an update missing here (a worker updated before the township)."""
    from storage.core.db import SCHEMA_VERSION
    from storage.core.i18n import join_sentences

    theirs = manifest.get("schema_version")
    if type(theirs) is not int or theirs <= SCHEMA_VERSION:
        return problem
    return join_sentences(problem, _("The bundle was written by a newer gridcare (data version {theirs}; this one "
                                     "reads up to {ours}): update gridcare on this computer, then merge it "
                                     "again.").format(theirs=theirs, ours=SCHEMA_VERSION))


# A bundle that fails for a reason no check foresaw is refused with its file named (exit status 1), never
# a crash that stops the files after it. These are not the file's fault and stop the merge as they are:
# a full disk or a locked database (OperationalError), this database's own problem (a UserError such as
# a damaged key), an interrupt.
NOT_THE_FILES_FAULT = (OperationalError, UserError)


def failed(s: Session, name: str, exc: BaseException) -> BundleOutcome:
    """This bundle refused, saying why in one line (the traceback goes to the log); the others go on."""
    log.error("merge: %s refused", name, exc_info=exc)
    s.expunge_all()
    code = "bad_event" if isinstance(exc, FoldError) else "merge_failed"
    return said(name, "refused", code, problem_text(exc))


def seen_before(session: Session, path: Path) -> BundleOutcome | None:
    """A bundle whose (device, number, checksum) was merged already, or whose checksum was refused for
    what it holds (storage/sync/refused.py): said so again without decrypting it.

    Its signature and checksum are verified first (not its contents: they were read before): a
    truncated or altered copy of a merged bundle must be reported as damaged, not as merged.
    A clerk's shared folder keeps every bundle ever sent, so re-merging it stays quick.
    """
    try:
        m = verify_file(path)
    except BundleError:
        return None  # the full read says what is wrong
    device_id, seq = m.get("device_id"), m.get("seq")
    if not isinstance(device_id, str) or not isinstance(seq, int) or isinstance(seq, bool):
        return None
    worker, grid = str(m.get("worker", "")), str(m.get("grid_code", ""))
    me = session.get(Identity, 1)
    # signed with a key only this database holds (its device's; a township's own for its grids): "refused" for the
    # file the clerk had just written for the county frightened more than it told (walked in tmux)
    mine = (me.device_sign_public, me.township_sign_public if me.role == "township" else None) if me else ()
    if me is not None and device_id == me.device_id and m.get("sign_public") in mine:
        return BundleOutcome(path.name, "own", device_id=device_id, seq=seq, worker=worker, grid=grid,
                             problem=_own_problem(str(m.get("kind", "")), grid))
    seen = session.get(BundleReceived, (device_id, seq))
    if seen is not None and seen.payload_sha256 == m.get("payload_sha256"):
        return BundleOutcome(path.name, "already", device_id=device_id, seq=seq, worker=worker, grid=grid,
                             payload=seen.payload_sha256)
    refused = remembered(session, str(m.get("payload_sha256")))
    if refused is not None:
        return said(path.name, "refused", refused.code, refused.message, device_id=device_id, seq=seq,
                    worker=worker, grid=grid)
    return None


def _own_problem(kind: str, grid: str) -> str:
    if kind == "to_county":
        return _("for the county; the county merges it.")
    if kind == "township":
        return _("for grid {grid}; its worker merges it.").format(
            grid=printable(grid.split("-", 1)[-1], limit=20))
    return _("for the township; the township merges it.")


def expected_township(ident: Identity) -> str | None:
    """The township a bundle to this database must come from: a county takes all of its townships."""
    return None if ident.role == "county" else ident.township_code


def reading_grid(ident: Identity) -> str | None:
    """A worker database's grid, which words a refusal of a bundle it cannot open (storage/sync/bundle_payload.py)."""
    return ident.grid_code if ident.role == "worker" else None


def opened(name: str, manifest: dict[str, Any]) -> BundleOutcome:
    """A bundle whose envelope passed every check, before the trust and the database have their say."""
    return BundleOutcome(name, "new", device_id=str(manifest["device_id"]), seq=int(manifest.get("seq") or 0),
                         worker=str(manifest.get("worker", "")), grid=str(manifest.get("grid_code") or ""),
                         township=str(manifest["township_code"]), payload=str(manifest.get("payload_sha256") or ""))


def waiting(s: Session, outcome: BundleOutcome, manifest: dict[str, Any], trust: Trust) -> None:
    """`outcome` waits for the clerk (at a county, for the county) to approve the device that signed it."""
    outcome.status, outcome.code = "waiting", trust.reason
    if trust.kind == "township":
        from storage.sync.county_trust import waiting_problem

        outcome.problem = waiting_problem(s, manifest, trust)
    else:
        outcome.problem = _("device {device} ({worker}, grid {grid}) is not enrolled; its key fingerprint is {fp}. It "
                            "waits for the clerk: gridcare devices approve {device} --grid {grid}").format(
            device=printable(outcome.device_id[:8]), worker=printable(outcome.worker, limit=20),
            grid=printable(outcome.grid.split("-", 1)[-1], limit=20), fp=fingerprint(str(manifest["sign_public"])))
    outcome.message = _("{file}: {problem}").format(file=printable(outcome.file), problem=outcome.problem)


def preview(s: Session, ident: Identity, path: Path, secrets: list[str]) -> BundleOutcome:
    """What merging `path` into this database would say of it now, as far as the merge knows before reading
    its events; nothing is written (the devices waiting are recorded by the merge)."""
    name = path.name
    before = seen_before(s, path)
    if before is not None:
        return before
    trusts: list[Trust] = []
    try:
        manifest = check_bundle(path, secrets, expected_township(ident), signer_check(s, ident, name, trusts),
                                reading_grid(ident))
    except BundleError as exc:
        return refusal(name, exc)
    except NOT_THE_FILES_FAULT:
        raise
    except Exception as exc:  # noqa: BLE001 - logged with its traceback and said, as the merge says it
        return failed(s, name, exc)
    outcome = opened(name, manifest)
    if trusts and trusts[0].waiting:
        waiting(s, outcome, manifest, trusts[0])
        return outcome
    seen = s.get(BundleReceived, (outcome.device_id, outcome.seq))
    if seen is not None and seen.payload_sha256 == manifest["payload_sha256"]:
        outcome.status = "already"
    return outcome
