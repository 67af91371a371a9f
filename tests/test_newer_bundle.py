"""A bundle written by a newer gridcare (a worker who updated before the township): its version alone refuses
nothing; a field or record kind this release does not know refuses it, as before, and the line now says why and
what to do, instead of reading as a forgery ("sets 村（社区）名称, which no record of its kind may set")."""

from __future__ import annotations

import pytest

from storage.core.db import SCHEMA_VERSION
from storage.core.i18n import set_language
from storage.core.keys import read_public_key_file
from storage.sync.bundle_file import write_bundle
from storage.sync.dump import dump_lines
from storage.sync.merge import merge_paths
from tests.trust_helpers import _DeviceKeys, _event, _merged_world


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def _bundle(t, tmp_path, k, events, schema_version):
    manifest = {"kind": "worker", "schema_version": schema_version, "township_code": "330521101",
                "grid_code": f"330521101-{k.grid}", "device_id": k.device_id, "worker": k.worker, "seq": 2,
                "age_recipient": k.age_recipient, "sign_public": k.sign_public, "enroll_proof": k.proof}
    recipient = read_public_key_file(t.key).age_recipient
    return write_bundle(tmp_path / f"v{schema_version}.gcb", manifest, events, recipient, k.sign_secret).path


NEWER = "新版本"


@pytest.mark.parametrize("kind", ["a field this release does not know", "a record kind this release does not know"])
def test_a_newer_gridcares_bundle_is_refused_with_the_reason_and_what_to_do(tmp_path, kind):
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    if kind.startswith("a field"):
        events = [_event(k.device_id, 10**15, "resident", ra.id, {"hobby": "下棋"}, k.worker)]
        code = "bad_event"
    else:
        events = [_event(k.device_id, 10**15, "care_plan", "p1", {"resident_id": ra.id}, k.worker)]
        code = "not_allowed"  # (a kind a worker may not write: said before the values are judged)
    before = list(dump_lines(t.db))
    newer = merge_paths(t.db, [_bundle(t, tmp_path, k, events, SCHEMA_VERSION + 1)]).bundles[0]
    assert (newer.status, newer.code) == ("refused", code)
    assert NEWER in newer.message and f"{SCHEMA_VERSION + 1}" in newer.message and "\n" not in newer.message
    assert "请在本机更新 gridcare" in newer.message
    assert list(dump_lines(t.db)) == before
    # the same content claiming this release's version is what a forger writes: no word of an update
    (tmp_path / "same").mkdir()
    same = merge_paths(t.db, [_bundle(t, tmp_path / "same", k, events, SCHEMA_VERSION)]).bundles[0]
    assert same.status == "refused" and NEWER not in same.message


def test_a_newer_gridcares_bundle_of_fields_this_release_knows_is_merged(tmp_path):
    # a schema bump that only adds indexes (v17) must not make a township that has not updated yet refuse its
    # updated workers' bundles: the version is said, never judged by itself
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    events = [_event(k.device_id, 10**15, "resident", ra.id, {"phone": "13957123456"}, k.worker)]
    newer = merge_paths(t.db, [_bundle(t, tmp_path, k, events, SCHEMA_VERSION + 1)]).bundles[0]
    assert newer.status == "new", newer.message
    assert any("13957123456" in line for line in dump_lines(t.db))
