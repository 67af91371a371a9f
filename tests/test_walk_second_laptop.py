"""Two laptops of one grid, as a grid walks it from the command line (walk h-walk, 2).

The second laptop was enrolled but had sent nothing yet when the township wrote the grid's return bundle, so the
bundle was not encrypted for it. Its merge said "this is the township's bundle for grid G01, encrypted for that
grid's laptop: merge it there" — on G01's own laptop, with no way forward named.
"""

from __future__ import annotations

import re

from tests.test_cli import run
from tests.test_cli_sync import TOWNSHIP, _register


def _enroll(t, w, name, key, tmp_path):
    out = run("--db", str(t), "enroll", "--grid", "G01", "--worker", name, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", out.stdout).group(0)
    out = run("--db", str(w), "init", "--role", "worker", *TOWNSHIP, "--grid-code", "G01", "--grid-name", "柳溪一网格",
              "--worker", name, "--township-key", str(key), "--enroll-code", code, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr


def test_a_laptop_the_township_did_not_know_yet_is_told_to_send_a_bundle_first(tmp_path):
    t, w1, w2 = tmp_path / "t.db", tmp_path / "w1.db", tmp_path / "w2.db"
    assert run("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path).returncode == 0
    key = tmp_path / "township-330521101.pub"
    _enroll(t, w1, "王芳", key, tmp_path)
    _enroll(t, w2, "张强", key, tmp_path)
    _register(w1, "刘桂英", phone="13805712345")
    up, down = tmp_path / "up", tmp_path / "down"
    up.mkdir(), down.mkdir()
    assert run("--db", str(w1), "export", "--out", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "merge", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "export", "--grid", "G01", "--out", str(down), tmp_path=tmp_path).returncode == 0

    out = run("--db", str(w2), "merge", str(down), tmp_path=tmp_path)
    assert out.returncode == 1
    said = out.stdout + out.stderr
    assert "请在那里合并" not in said, said  # it is G01's laptop: there is no "there"
    assert "本网格" in said and "先导出数据包交给乡镇" in said, said

    # doing what it says works: the second laptop's first bundle, then the township's next one opens here
    assert run("--db", str(w2), "export", "--out", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "merge", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "export", "--grid", "G01", "--out", str(down), tmp_path=tmp_path).returncode == 0
    out = run("--db", str(w2), "merge", str(down), tmp_path=tmp_path)
    assert out.returncode == 1 and "已合并" in out.stdout  # the first is refused still, the second merged
    out = run("--db", str(w2), "dump", tmp_path=tmp_path)
    assert "刘桂英" in out.stdout and "13805712345" in out.stdout


def test_another_grids_return_bundle_still_names_its_grid(tmp_path):
    """The message of walk G, 10 (G02's bundle on G01's laptop) is kept: that one is merged on G02's laptop."""
    t, w1 = tmp_path / "t.db", tmp_path / "w1.db"
    assert run("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path).returncode == 0
    key = tmp_path / "township-330521101.pub"
    _enroll(t, w1, "王芳", key, tmp_path)
    out = run("--db", str(t), "enroll", "--grid", "G02", "--worker", "李强", tmp_path=tmp_path)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", out.stdout).group(0)
    w3 = tmp_path / "w3.db"
    assert run("--db", str(w3), "init", "--role", "worker", *TOWNSHIP, "--grid-code", "G02", "--grid-name", "西村",
               "--worker", "李强", "--township-key", str(key), "--enroll-code", code, tmp_path=tmp_path).returncode == 0
    up, down = tmp_path / "up", tmp_path / "down"
    up.mkdir(), down.mkdir()
    assert run("--db", str(w3), "export", "--out", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "merge", str(up), tmp_path=tmp_path).returncode == 0
    assert run("--db", str(t), "export", "--grid", "G02", "--out", str(down), tmp_path=tmp_path).returncode == 0
    (theirs,) = down.iterdir()  # named one by one: a folder's merge passes over other grids' bundles by name
    out = run("--db", str(w1), "merge", str(theirs), tmp_path=tmp_path)
    assert out.returncode == 1 and "发给网格 G02 的数据包" in out.stdout + out.stderr, out.stdout + out.stderr
