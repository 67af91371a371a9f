"""A code from the command line given as the code itself or as its name in the interface language (`--reason
moved_away` or `--reason 迁出`, `--method phone` or `--method 电话探访`)."""

from __future__ import annotations

from collections.abc import Callable

from storage.core.i18n import _


def code_of(text: str, choices: dict[str, str], unknown: Callable[[str, list[str]], str]) -> str:
    """The code `text` names among `choices` (code -> N_ name); else a UserError of `unknown(text, names)`."""
    from storage.core.errors import UserError
    from storage.core.text import printable

    text = text.strip()
    by_name = {_(name): code for code, name in choices.items()}
    code = text if text in choices else by_name.get(text)
    if code is None:
        raise UserError(unknown(printable(text), list(by_name)))
    return code


def codes_named(choices: dict[str, str]) -> str:
    """The codes for a command's help, each with its name in the interface language: "moved_away（迁出）、…"."""
    from storage.core.i18n import join_list

    return join_list(_("{code} ({name})").format(code=code, name=_(name)) for code, name in choices.items())
