"""Forging bundles as an attacker would, for tests/test_trust.py and tests/test_trust_writes.py: the township's
public key file, the project's own bundle writer, device ids and worker names (file names show them)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.core.keys import generate_keypair, read_public_key_file
from storage.core.models import Identity, Resident
from storage.core.private_keys import private_keys
from storage.sync.bundle_file import write_bundle
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TOWNSHIP = "330521101"


def _ident(db) -> Identity:
    with db.session() as s:
        return s.get(Identity, 1)


def _forge(t, folder: Path, name: str, events: list[dict], *, device_id: str, worker: str, grid: str,
           keys=None, proof: str = "", seq: int = 1, kind: str = "worker") -> Path:
    """A bundle written by the project's writer, signed by `keys` (a fresh pair by default): exactly what an
    attacker holding only the township's public key file can make."""
    keys = keys or generate_keypair()
    manifest = {"kind": kind, "township_code": TOWNSHIP, "grid_code": f"{TOWNSHIP}-{grid}", "device_id": device_id,
                "worker": worker, "seq": seq, "age_recipient": keys.age_recipient, "sign_public": keys.sign_public}
    if proof:
        manifest["enroll_proof"] = proof
    recipient = read_public_key_file(t.key).age_recipient
    return write_bundle(folder / name, manifest, events, recipient, keys.sign_secret).path


class _DeviceKeys:
    """A real device's keys, as its own database holds them (an enrolled device turned hostile)."""

    def __init__(self, db):
        ident, secret = _ident(db), private_keys(db.path)
        self.age_recipient, self.sign_public = ident.device_age_recipient, ident.device_sign_public
        self.sign_secret, self.age_secret = secret.device_sign_secret, secret.device_age_secret
        self.device_id, self.worker, self.proof = ident.device_id, ident.worker_name, ident.enroll_proof
        self.grid = ident.grid_code.split("-", 1)[1]


def _event(device: str, hlc: int, record_type: str, record_id: str, fields: dict, author: str) -> dict:
    # a high base clock (it claims to have seen everything), yet below its own: a base at or above the
    # event's own clock is no event a writer makes, refused as malformed (storage/core/schema.py)
    return {"id": f"{device}-{hlc}", "record_type": record_type, "record_id": record_id, "fields": fields, "hlc": hlc,
            "device_id": device, "base_hlc": hlc - 1, "author": author}


def _resident_fields(grid: str, name: str = "冒名") -> dict:
    return {"name": name, "grid_code": f"{TOWNSHIP}-{grid}", "township_code": TOWNSHIP, "categories": ["solitary_elder"],
            "birth_date": "1950-01-01"}


def _names(db) -> list[str]:
    with db.session() as s:
        return sorted(r.name for r in s.exec(select(Resident)).all())


def _merged_world(tmp_path):
    """A township with G01 (王芳) and G02 (李强) enrolled, each grid's first bundle merged."""
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    ra, rb = elder(a, "张三"), elder(b, "李四")
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "a1.gcb").path, export_bundle(b, tmp_path / "b1.gcb").path])
    assert [x.status for x in report.bundles] == ["new", "new"]
    return t, a, b, ra, rb


# ---------------------------------------------------------------- item 1: a device nobody enrolled
