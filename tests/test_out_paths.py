"""What `--out` names may be a folder, a pipe or a link: each written file goes through storage/core/files.py.

Seen (walk of the county, as root): `dump --out FOLDER` was an "unexpected error" (exit 70); `dump --out fifo`
and `--out link.jsonl` put a plain file in place of the FIFO or the link, and `--out /dev/full` replaced the
device node with a file.
"""

from __future__ import annotations

import os
import stat

import pytest

from tests.foundation_helpers import make_db
from tui.cli import main


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_folder_or_a_pipe_is_refused_in_one_line_and_left_as_it_was(tmp_path, capsys, lang):
    make_db(tmp_path / "w.db").dispose()
    folder = tmp_path / "stick"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for out in (folder, fifo):
        assert main(["--lang", lang, "--db", str(tmp_path / "w.db"), "dump", "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert ("is a folder or a device, not a file" if lang == "en" else "是文件夹或设备，不是文件") in err
    assert folder.is_dir() and not list(folder.iterdir()) and stat.S_ISFIFO(fifo.stat().st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_link_is_written_through(tmp_path):
    make_db(tmp_path / "w.db").dispose()
    link = tmp_path / "link.jsonl"
    link.symlink_to("target.jsonl")  # the target not there yet
    assert main(["--db", str(tmp_path / "w.db"), "dump", "--out", str(link)]) == 0
    assert link.is_symlink() and (tmp_path / "target.jsonl").read_text(encoding="utf-8").startswith("{")
