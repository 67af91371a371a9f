"""A refused bundle is in the audit log, as a merged one is (DESIGN §5: every export and merge).

Seen in two walks: ten hostile bundles refused at the county and at a township (tampered, truncated, another
township's, not a bundle) left no line in `gridcare audit`; and a merge typed on the command line was logged
with its path as typed (relative), one made on screen with an absolute path.
"""

from __future__ import annotations

from storage.core.audit import entries
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.cli import main


def test_refused_bundles_are_audited_with_their_file_and_reason(tmp_path, capsys, monkeypatch):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    good = export_bundle(w, tmp_path / "usb").path
    cut = tmp_path / "usb" / "cut.gcb"
    cut.write_bytes(good.read_bytes()[:200])
    junk = tmp_path / "usb" / "junk.gcb"
    junk.write_bytes(b"not a bundle at all")
    report = merge_paths(t.db, [tmp_path / "usb"])
    assert {b.file: b.status for b in report.bundles} == {good.name: "new", "cut.gcb": "refused", "junk.gcb": "refused"}
    logged = {e.file: e for e in entries(t.db) if e.action.startswith("merge")}
    assert logged[str(cut.absolute())].action == logged[str(junk.absolute())].action == "merge refused"
    assert logged[str(cut.absolute())].counts["reason"] and logged[str(good.absolute())].action == "merge"

    monkeypatch.chdir(tmp_path)  # a path typed relative is logged as the file it names
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", "usb/cut.gcb"]) == 1
    assert str(cut.absolute()) in [e.file for e in entries(t.db)[:1]]
    capsys.readouterr()
    assert main(["--db", str(t.db.path), "--lang", "en", "audit"]) == 0
    assert "Bundle refused" in capsys.readouterr().out


def test_gridcare_audit_gives_a_refusals_reason_in_words_not_its_code(tmp_path, capsys):
    """`gridcare audit` printed 原因 wrong_township / altered (walk D 7): the merge's own sentence now."""
    from storage.core.i18n import set_language

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    good = export_bundle(w, tmp_path / "usb").path
    flipped = bytearray(good.read_bytes())
    flipped[-5] ^= 0xFF
    (tmp_path / "usb" / "王芳-副本.gcb").write_bytes(bytes(flipped))
    good.unlink()
    try:
        set_language("zh_CN")
        said = merge_paths(t.db, [tmp_path / "usb"]).bundles[0]
        assert said.status == "refused" and said.problem
        capsys.readouterr()
        assert main(["--db", str(t.db.path), "--lang", "zh_CN", "audit"]) == 0
    finally:
        set_language("en")
    out = " ".join(capsys.readouterr().out.split())
    assert said.code not in out and " ".join(said.problem.split()) in out
