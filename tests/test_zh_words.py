"""Chinese wording that folds badly: "U 盘" with a space lets a line end between U and 盘 (seen in tmux, the
"folder does not exist" question at 80 columns: "…不存在。U" / "盘插好了吗？"). The catalog writes U盘."""

from __future__ import annotations

from pathlib import Path

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def test_the_catalog_writes_u_pan_without_a_space():
    strings = [line for line in CATALOG.read_text(encoding="utf-8").splitlines() if line.startswith("msgstr")]
    assert [s for s in strings if "U 盘" in s] == []
    assert any("U盘" in s for s in strings)
