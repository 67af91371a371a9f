"""Shared test setup. Tests read English messages unless they ask for Chinese."""

from __future__ import annotations

import pytest

from storage.core.i18n import set_language


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch, tmp_path_factory):
    # no test writes logs or data into the real user folders
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GRIDCARE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("GRIDCARE_LOG_DIR", str(home / "log"))
    set_language("en")
    yield
    set_language("en")
