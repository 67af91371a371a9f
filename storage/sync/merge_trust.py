"""Who may send a bundle here and what its events may touch, as the merge asks it: the signer of the
manifest (a worker accepts its township only; a township, the worker devices it enrolled; a county, the
townships it enrolled) and, chunk by chunk, the events themselves (storage/sync/devices.py,
storage/sync/county_trust.py, storage/sync/authorise.py hold the rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from storage.core.i18n import _
from storage.core.models import Identity
from storage.core.text import printable
from storage.sync.authorise import check_worker_events
from storage.sync.bundle_file import BundleError
from storage.sync.devices import Trust, trust_worker_bundle


def refused(name: str, problem: str, code: str = "untrusted_signer") -> BundleError:
    return BundleError(code, _("{file}: {problem}").format(file=printable(name), problem=problem), problem)


def signer_check(session, ident: Identity, name: str, trust: list) -> Callable[[dict[str, Any]], None]:
    """Who signed: a worker accepts its township's key only; a township, worker devices it enrolled
    or approved (storage/sync/devices.py); a county, the townships it enrolled or approved
    (storage/sync/county_trust.py). The decision is appended to `trust` for the merge."""
    def refuse(code: str, problem: str) -> None:
        raise refused(name, problem, code)

    def check(manifest: dict[str, Any]) -> None:
        if ident.role == "worker":
            if manifest.get("kind") != "township" or manifest.get("sign_public") != ident.township_sign_public:
                refuse("untrusted_signer", _("this bundle was not signed by this database's township."))
            return
        if ident.role == "county":
            from storage.sync.county_trust import trust_township_bundle

            county_check(ident, manifest, name)
            trust.append(trust_township_bundle(session, ident, manifest, refuse))
            return
        if manifest.get("kind") != "worker":
            refuse("untrusted_signer", _elsewhere(manifest) or _("a township database merges bundles from grid workers only."))
        trust.append(trust_worker_bundle(session, ident, manifest, refuse))

    return check


def county_check(ident: Identity, manifest: dict[str, Any], name: str) -> None:
    """A county merges bundles its own townships sent to it, and nothing else (which township keys it
    trusts: storage/sync/county_trust.py)."""
    if manifest.get("kind") != "to_county":
        raise refused(name, _elsewhere(manifest) or _("a county database merges bundles from its townships only."))
    county = str(manifest.get("county_code"))
    if county != ident.county_code or not str(manifest["township_code"]).startswith(ident.county_code):
        raise refused(name, _("this bundle is for county {found}, not this one ({expected}).").format(
            found=printable(county, limit=12), expected=ident.county_code), "wrong_county")


def _elsewhere(manifest: dict[str, Any]) -> str | None:
    """Where a bundle brought to the wrong database is merged, from its manifest (walk G, 10: a county refusing a
    township's return bundle said only that it merges townships' bundles). Read before the signature is trusted:
    it only words a refusal."""
    kind, grid = manifest.get("kind"), manifest.get("grid_code")
    if kind == "worker":
        return _("this is a grid worker's bundle for the township: it is merged at the township, which reports to "
                 "the county.")
    if kind == "township" and isinstance(grid, str) and grid:
        return _("this is the township's bundle for grid {grid}: merge it on that grid's laptop.").format(
            grid=printable(grid.split("-", 1)[-1], limit=20))
    if kind == "to_county":
        return _("this is a township's report to the county: merge it in the county's database.")
    return None


def authoriser(s: Session, ident: Identity, trust: Trust | None) -> Callable[[list[dict[str, Any]]], None] | None:
    """The check each chunk of a worker device's (or at a county, a township's) bundle passes before it is
    written (NotAllowed otherwise): a chunk is judged with the chunks before it already in the database, as
    a whole bundle would be against what the township held."""
    if trust is None:
        return None
    if trust.kind == "township":
        from storage.sync.county_trust import township_event_check

        return township_event_check(s, trust)

    def check(chunk: list[dict[str, Any]]) -> None:
        check_worker_events(s, chunk, device_id=trust.device_id, worker=trust.worker, grid_id=trust.grid_id,
                            township_code=ident.township_code, township_name=ident.township_name)

    return check
