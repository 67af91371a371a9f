"""Every action the audit log records is named in the reader's language by `gridcare audit`.

Seen in a walk: the township's log read "export_county" (the stored code) beside 导出 and 合并.
"""

from __future__ import annotations

import re
from pathlib import Path

from storage.core.audit import ACTION_LABELS, COUNT_LABELS

ROOT = Path(__file__).resolve().parents[1]
RECORDED = re.compile(r'(?:\b(?:record|audit|add_entry)\(\s*[^,"]+,\s*|AuditEntry\([^)]*?action=)"([^"]+)"', re.S)
OR_ELSE = re.compile(r'\brecord\(\s*[\w.]+,\s*"([^"]+)" if [^,]+ else "([^"]+)"')


def _recorded() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.glob("storage/**/*.py"), *ROOT.glob("tui/*.py"), *ROOT.glob("screens/*.py")]:
        text = path.read_text(encoding="utf-8")
        found.update(RECORDED.findall(text))
        for pair in OR_ELSE.findall(text):
            found.update(pair)
    return found


def test_every_recorded_action_has_a_label():
    recorded = _recorded()
    assert {"merge", "export", "export_county", "backup", "roster_import", "revoke device", "reject device",
            "merge refused"} <= recorded
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_the_counts_of_the_new_actions_have_labels():
    assert {"unit", "codes", "reason", "township"} <= set(COUNT_LABELS)
