"""Pinyin initials for search, with the surname readings of polyphonic surnames."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.register.names import name_initials, name_pinyin, name_search_key, surname_weights


@pytest.mark.parametrize("name, expected", [
    ("张三", ["zs"]),
    ("单小明", ["sxm", "dxm"]),  # 单 as a surname reads shan; dan is indexed too
    ("曾国藩", ["zgf", "cgf"]),
    ("解放", ["xf", "jf"]),
    ("尉迟恭", ["ycg", "wcg"]),
    ("欧阳修", ["oyx"]),
    ("曾", ["z", "c"]),  # a lone surname is still read as a surname
    ("长孙无忌", ["zswj", "cswj", "zsmj", "csmj"]),
])
def test_initials(name, expected):
    assert name_initials(name) == expected


def test_surname_reading_comes_first_in_full_pinyin():
    assert name_pinyin("单小明") == "shan xiao ming"
    assert name_pinyin("曾国藩") == "zeng guo fan"
    assert name_pinyin("尉迟恭") == "yu chi gong"  # a compound surname is split into syllables
    assert name_pinyin("李Mary") == "li mary"
    assert name_pinyin("") == ""


def test_every_surname_reading_survives_the_cap():
    initials = name_initials("单乐乐乐")  # 3 polyphonic given-name characters: 16 combinations
    assert initials[:2] == ["slll", "dlll"] and len(initials) == 8


def test_compound_surname_is_also_read_as_one_character():
    # 单于 is a compound surname, but 单于明 is more often 单 + 于明
    assert name_initials("单于明")[:3] == ["cym", "dym", "sym"]
    assert name_initials("单于")[:2] == ["sy", "dy"]  # two characters: surname + given name


def test_all_readings_of_yue_le_are_indexed():
    key = name_search_key("乐乐").split()
    assert key[0].startswith("y") and any(k.startswith("l") for k in key)


def test_latin_and_separators():
    assert name_initials("阿依·木拉提")[0].startswith("ay")
    assert name_initials("李Mary") == ["lmary"]
    assert name_initials("Ｌｉ 三") == ["lis"]  # full-width latin and spaces
    assert name_initials("王2号")[0] == "w2h"
    assert name_search_key("单小明") == "sxm dxm"
    assert name_initials("") == []


def test_variants_are_capped():
    assert 1 <= len(name_initials("乐乐乐乐乐乐")) <= 8


def test_surname_weights_follow_rank():
    weights = dict(surname_weights())
    assert weights["王"] > weights["常"] > weights["单"] > 0


def test_importing_names_does_not_import_pypinyin():
    code = "import sys, storage.register.names; print('pypinyin' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_name_and_a_spelled_search_load_no_phrase_table():
    """A name read and a full-pinyin search: pypinyin's phrase table (44 MiB, 0.1 s) is not loaded; what the
    names and the search read is the same with it (every character of pypinyin's table compared)."""
    code = ("import sys, json, storage.register.names as n, storage.register.spelled as s\n"
            "initials = n.name_initials('单曾解秀兰')\n"
            "found = s._characters()['xie']\n"
            "print(json.dumps(['pypinyin.phrases_dict' in sys.modules, sorted(initials), '解' in found]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1], capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN")})
    loaded, initials, found = json.loads(out.stdout)
    assert not loaded
    assert "sz" in {i[:2] for i in initials} and "dc" in {i[:2] for i in initials}, initials
    assert found
