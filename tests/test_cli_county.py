"""The county's commands (docs/design.md §3): init --role county, county-key, export --county, merge and dump on a county."""

from __future__ import annotations

import shutil

import pytest

from storage.core.db import open_database
from storage.core.identity import get_identity
from tests.test_cli import run
from tests.test_cli_sync import _register

TOWNSHIP = ("--township-code", "330521101", "--township-name", "新市镇")


def _en(*args, tmp_path):
    return run("--lang", "en", *args, tmp_path=tmp_path)


def _county_and_township(tmp_path, county_db: str):
    out = _en("--db", county_db, "init", "--role", "county", "--county-code", "330521", "--county-name", "德清县",
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    key = tmp_path / "county-330521.pub"
    assert key.read_text(encoding="utf-8").strip() in out.stdout and "give it to every township" in out.stdout
    t = tmp_path / "t.db"
    out = _en("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    out = _en("--db", str(t), "enroll", "--grid", "G01", "--worker", "王芳", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    code = out.stdout.splitlines()[0].rsplit(" ", 1)[-1]
    w = tmp_path / "w.db"
    out = _en("--db", str(w), "init", "--role", "worker", *TOWNSHIP, "--grid-code", "G01", "--grid-name", "一网格",
              "--worker", "王芳", "--township-key", str(tmp_path / "township-330521101.pub"), "--enroll-code", code,
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    _register(w, "张三")
    assert _en("--db", str(w), "export", "--out", str(tmp_path / "in"), tmp_path=tmp_path).returncode == 0
    assert _en("--db", str(t), "merge", str(tmp_path / "in"), tmp_path=tmp_path).returncode == 0
    return key, t


def w_db(tmp_path):
    return tmp_path / "w.db"


def _county_round(tmp_path, county_db: str):
    key, t = _county_and_township(tmp_path, county_db)
    out = _en("--db", str(t), "export", "--county", "--out", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 1 and "no county key" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = _en("--db", str(t), "county-key", str(key), tmp_path=tmp_path)
    assert out.returncode == 0 and "德清县 (330521)" in out.stdout and "fingerprint" in out.stdout
    assert "No enrollment code from the county yet" in out.stdout
    out = _en("--db", str(t), "export", "--county", "--out", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 0 and "Bundle 1 written" in out.stdout, out.stderr
    out = _en("--db", str(t), "export", "--county", "--grid", "G01", tmp_path=tmp_path)
    assert out.returncode == 1 and "--county, --grid or --all-grids" in out.stderr
    # a township the county has not enrolled: its bundle waits, nothing merged
    out = _en("--db", county_db, "merge", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 1 and "not enrolled at this county" in out.stdout, out.stdout
    assert "--township 330521101" in out.stdout
    out = _en("--db", county_db, "enroll", "--township", "330521101", "--name", "新市镇", tmp_path=tmp_path)
    assert out.returncode == 0 and "330521101" in out.stdout, out.stderr
    code = out.stdout.splitlines()[0].rsplit(" ", 1)[-1]
    assert f"gridcare county-key {key.name} --enroll-code {code}" in out.stdout  # the file by its own name
    out = _en("--db", county_db, "enroll", "--township", "330127001", tmp_path=tmp_path)
    assert out.returncode == 1 and "not in county 330521" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = _en("--db", county_db, "devices", tmp_path=tmp_path)
    assert out.returncode == 0 and "330521101" in out.stdout and "waiting" in out.stdout.lower(), out.stdout
    assert "Township" in out.stdout and "Enrollment codes not used yet" in out.stdout and "township 330521101 新市镇" in out.stdout
    out = _en("--db", str(t), "county-key", str(key), "--enroll-code", code, tmp_path=tmp_path)
    assert out.returncode == 0 and "Enrolled with the county's code" in out.stdout, out.stderr
    _register(w_db(tmp_path), "李四")
    assert _en("--db", str(w_db(tmp_path)), "export", "--out", str(tmp_path / "in"), tmp_path=tmp_path).returncode == 0
    assert _en("--db", str(t), "merge", str(tmp_path / "in"), tmp_path=tmp_path).returncode == 0
    out = _en("--db", str(t), "export", "--county", "--out", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 0 and "Bundle 2 written" in out.stdout, out.stderr
    # bundle 2 proves the code: the township is enrolled, and bundle 1, which waited, is merged with it
    out = _en("--db", county_db, "merge", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 0 and out.stdout.count("new ") >= 1 and "not enrolled" not in out.stdout, out.stdout
    assert "missing" not in out.stdout.lower()
    out = _en("--db", county_db, "merge", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 0 and "already merged" in out.stdout
    # a worker's bundle named on its own is refused by the county, with why, and exit 1
    worker_bundle = sorted((tmp_path / "in").glob("*.gcb"))[0]
    out = _en("--db", county_db, "merge", str(worker_bundle), tmp_path=tmp_path)
    assert out.returncode == 1 and "a grid worker's bundle for the township: it is merged at the township" in out.stdout
    # in a folder (the township's stick carries its workers' bundles too) it is left, and said: it was "refused",
    # exit 1, for every merge of the stick
    shutil.copy(worker_bundle, tmp_path / "up")
    out = _en("--db", county_db, "merge", str(tmp_path / "up"), tmp_path=tmp_path)
    assert out.returncode == 0 and "Skipped 1 bundle in the folder that is not a township's to the county" in out.stdout
    assert "refused" not in (out.stdout + out.stderr).lower() and "already merged" in out.stdout, out.stdout
    out = _en("--db", county_db, "merge", str(tmp_path / "in"), tmp_path=tmp_path)
    assert out.returncode == 1 and "No bundle from a township to the county there." in out.stderr, out.stderr
    county_dump = _en("--db", county_db, "dump", tmp_path=tmp_path)
    township_dump = _en("--db", str(t), "dump", tmp_path=tmp_path)
    assert county_dump.returncode == 0 and county_dump.stdout == township_dump.stdout
    assert '"name":"张三"' in county_dump.stdout and '"name":"李四"' in county_dump.stdout
    # each township's visit policy at the county; the county sets none
    out = _en("--db", county_db, "policy", tmp_path=tmp_path)
    assert out.returncode == 0 and "新市镇 (330521101):" in out.stdout, out.stdout
    out = _en("--db", county_db, "policy", "set", "--count", "phone=always", tmp_path=tmp_path)
    assert out.returncode == 1 and "each township sets its own" in out.stderr
    report = _en("--db", county_db, "report", tmp_path=tmp_path)
    assert report.returncode == 0 and "Township" in report.stdout and "Village" in report.stdout, report.stderr


def test_a_county_on_a_file_from_the_command_line(tmp_path):
    _county_round(tmp_path, str(tmp_path / "county.db"))
    ident = get_identity(open_database(tmp_path / "county.db"))
    assert (ident.role, ident.county_code, ident.county_name) == ("county", "330521", "德清县")


@pytest.mark.postgres
def test_a_county_on_postgresql_from_the_command_line(tmp_path, pg_url):
    _county_round(tmp_path, pg_url)
    db = open_database(pg_url)
    assert get_identity(db).role == "county"
    db.dispose()


def test_county_init_says_which_flags_are_missing_and_checks_the_code(tmp_path):
    out = _en("--db", str(tmp_path / "c.db"), "init", "--role", "county", "--county-code", "330521", tmp_path=tmp_path)
    assert out.returncode == 1 and "--county-name" in out.stderr
    out = _en("--db", str(tmp_path / "c.db"), "init", "--role", "county", "--county-code", "3305", "--county-name", "x",
              tmp_path=tmp_path)
    assert out.returncode == 1 and "6 digits" in out.stderr
    out = _en("--db", str(tmp_path / "t.db"), "init", "--role", "township", "--township-code", "330521101",
              tmp_path=tmp_path)
    assert out.returncode == 1 and "--township-name" in out.stderr


def test_an_unreachable_server_is_one_line_exit_1(tmp_path):
    out = _en("--db", "postgresql://clerk:s3cret@127.0.0.1:1/county", "dump", tmp_path=tmp_path)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1
    assert "Cannot reach" in out.stderr and "s3cret" not in out.stderr


def test_county_key_refuses_another_key_in_one_line_and_replaces_it_when_asked(tmp_path):
    key, t = _county_and_township(tmp_path, str(tmp_path / "county.db"))
    assert _en("--db", str(t), "county-key", str(key), tmp_path=tmp_path).returncode == 0
    (tmp_path / "again").mkdir()
    out = _en("--db", str(tmp_path / "again" / "c.db"), "init", "--role", "county", "--county-code", "330521",
              "--county-name", "德清县", "--key-out", str(tmp_path / "again" / "new.pub"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    out = _en("--db", str(t), "county-key", str(tmp_path / "again" / "new.pub"), tmp_path=tmp_path)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "already sends its bundles to 德清县 (330521)" in out.stderr and "--replace" in out.stderr
    out = _en("--db", str(t), "county-key", str(tmp_path / "again" / "new.pub"), "--replace", tmp_path=tmp_path)
    assert out.returncode == 0 and "德清县 (330521)" in out.stdout, out.stderr


@pytest.mark.parametrize("how", ["init", "public-key"])
def test_the_enrollment_code_names_the_county_key_file_by_the_name_it_was_written_under(tmp_path, how):
    """`init --role county --key-out 德清县公钥.pub`, then `enroll --township`: the hint told the township's clerk to run
    `gridcare county-key county-330521.pub`, a file that was never written. It names the file written (by `init`, or
    again by `public-key --out`)."""
    db = str(tmp_path / "c.db")
    out = _en("--db", db, "init", "--role", "county", "--county-code", "330521", "--county-name", "德清县",
              "--key-out", str(tmp_path / "德清县公钥.pub"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    name = "德清县公钥.pub"
    if how == "public-key":
        name = "county key.pub"
        out = _en("--db", db, "public-key", "--out", str(tmp_path / name), tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
    out = _en("--db", db, "enroll", "--township", "330521101", "--name", "新市镇", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    said = f'"{name}"' if " " in name else name
    assert f"gridcare county-key {said} --enroll-code" in out.stdout and (tmp_path / name).is_file(), out.stdout
