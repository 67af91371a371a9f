"""The command-line contract of docs/design.md §3: exit codes, --db/GRIDCARE_DB, --lang, init."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.core.db import open_database
from storage.core.identity import get_identity
from tests.cli_forks import run_cli

ROOT = Path(__file__).parents[1]


def run(*args: str, tmp_path: Path, env: dict | None = None, cwd: Path | None = None):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
            "LANG": "C.UTF-8", "GRIDCARE_DATA_DIR": str(tmp_path / "data"), "GRIDCARE_LOG_DIR": str(tmp_path / "log")}
    return run_cli(list(args), env={**base, **(env or {})}, cwd=cwd or tmp_path)  # (a fork: tests/cli_forks.py)


def test_version(tmp_path):
    out = run("--version", tmp_path=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("gridcare ")


def test_bad_arguments_exit_2(tmp_path):
    out = run("init", "--role", "mayor", tmp_path=tmp_path)
    assert out.returncode == 2


def test_township_and_worker_init_and_the_key_file(tmp_path):
    township_db = tmp_path / "t.db"
    out = run("--db", str(township_db), "init", "--role", "township", "--township-code", "330521101",
              "--township-name", "新市镇", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    key = tmp_path / "township-330521101.pub"
    assert key.exists() and "330521101" in out.stdout
    ident = get_identity(open_database(township_db))
    assert (ident.role, ident.township_code, ident.township_name) == ("township", "330521101", "新市镇")
    assert len(ident.device_id) == 16

    worker_db = tmp_path / "w.db"
    out = run("init", "--role", "worker", "--township-code", "330521101", "--township-name", "新市镇",
              "--grid-code", "G01", "--grid-name", "柳溪一网格", "--worker", "王芳", "--township-key", str(key),
              tmp_path=tmp_path, env={"GRIDCARE_DB": str(worker_db)})
    assert out.returncode == 0, out.stderr
    ident = get_identity(open_database(worker_db))
    assert (ident.role, ident.grid_code, ident.worker_name) == ("worker", "330521101-G01", "王芳")
    assert ident.township_age_recipient.startswith("age1")

    # a second init on the same file is a user error: one line, exit 1, no traceback
    again = run("--db", str(worker_db), "--lang", "en", "init", "--role", "township", "--township-code",
                "330521101", "--township-name", "x", tmp_path=tmp_path)
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1 and "already set up" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_township_or_county_takes_its_clerks_name(tmp_path):
    """Without one, the role's label stood in for the clerk everywhere: the visitor a visit form proposed, the
    audit log's actor, the 'worker' of every bundle the township sent."""
    named = tmp_path / "named.db"
    out = run("--db", str(named), "init", "--role", "township", "--township-code", "330521101",
              "--township-name", "新市镇", "--worker", " 张丽 ", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert get_identity(open_database(named)).worker_name == "张丽"
    unnamed = tmp_path / "unnamed.db"
    out = run("--db", str(unnamed), "init", "--role", "township", "--township-code", "330521101",
              "--township-name", "新市镇", "--key-out", str(tmp_path / "k2.pub"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert get_identity(open_database(unnamed)).worker_name == "乡镇民政助理员"
    county = tmp_path / "county.db"
    out = run("--db", str(county), "init", "--role", "county", "--county-code", "330521", "--county-name", "桐乡市",
              "--worker", "陈建国", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert get_identity(open_database(county)).worker_name == "陈建国"
    too_long = run("--db", str(tmp_path / "long.db"), "--lang", "en", "init", "--role", "township", "--township-code",
                   "330521101", "--township-name", "新市镇", "--worker", "张" * 201, "--key-out",
                   str(tmp_path / "k3.pub"), tmp_path=tmp_path)
    assert too_long.returncode == 1
    assert len(too_long.stderr.strip().splitlines()) == 1 and "Too long" in too_long.stderr
    assert not (tmp_path / "k3.pub").exists()


def test_the_key_goes_into_a_folder_given_as_key_out(tmp_path):
    """--key-out with a folder (".") failed after the database was set up ("Device or resource busy")."""
    folder = tmp_path / "usb"
    folder.mkdir()
    out = run("--db", str(tmp_path / "t.db"), "init", "--role", "township", "--township-code", "330521101",
              "--township-name", "新市镇", "--key-out", str(folder), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "330521101" in (folder / "township-330521101.pub").read_text(encoding="utf-8")
    out = run("--db", str(tmp_path / "c.db"), "init", "--role", "county", "--county-code", "330521",
              "--county-name", "德清县", "--key-out", str(folder), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (folder / "county-330521.pub").is_file()


@pytest.mark.parametrize("lang, expected", [("en", "9 digits"), ("zh_CN", "9")])
def test_user_errors_are_one_translated_line(tmp_path, lang, expected):
    out = run("--db", str(tmp_path / "x.db"), "init", "--role", "township", "--township-code", "12",
              "--township-name", "x", tmp_path=tmp_path, env={"GRIDCARE_LANG": lang})
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]


def test_worker_init_without_its_flags_says_which_are_missing(tmp_path):
    out = run("--db", str(tmp_path / "w.db"), "--lang", "en", "init", "--role", "worker", "--township-code",
              "330521101", "--township-name", "新市镇", tmp_path=tmp_path)
    assert out.returncode == 1 and "--grid-code" in out.stderr and "--worker" in out.stderr
    assert "--township-key" not in out.stderr  # it may come later: gridcare township-key


def test_default_database_lives_in_the_user_data_folder_and_is_created_on_first_use(tmp_path):
    out = run("init", "--role", "township", "--township-code", "330521101", "--township-name", "新市镇",
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "data" / "gridcare.db").exists()


def test_dump_is_stable_and_audited(tmp_path):
    db = tmp_path / "t.db"
    assert run("--db", str(db), "init", "--role", "township", "--township-code", "330521101",
               "--township-name", "新市镇", tmp_path=tmp_path).returncode == 0
    first = run("--db", str(db), "dump", tmp_path=tmp_path)
    second = run("--db", str(db), "dump", tmp_path=tmp_path)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert '"type":"township"' in first.stdout and "新市镇" in first.stdout
    from storage.core.audit import entries

    assert [e.action for e in entries(open_database(db))] == ["dump", "dump", "public key"]  # init wrote the key


@pytest.mark.parametrize("lang", ["fr", "xx", ""])
def test_an_unknown_language_is_a_bad_argument(tmp_path, capsys, lang):
    """`--lang fr` ran in Chinese with exit status 0: the help says zh_CN|en."""
    from tui.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--lang", lang, "--db", str(tmp_path / "t.db"), "report"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown language" in err or "不认识的语言" in err, err


@pytest.mark.parametrize("lang", ["zh_CN", "zh", "en", "en_US", "zh-CN"])
def test_the_languages_we_have_are_taken(capsys, lang):
    from tui.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--lang", lang, "--version"])
    assert stop.value.code == 0
