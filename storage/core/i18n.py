"""Translations shared by every layer.

storage/ produces user-facing messages (validation, import reports), so the
gettext machinery lives here rather than in tui/, which must not be imported
by storage/. The active language is process-wide and can be switched at run
time (the TUI switches without restarting).
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import os
from functools import cache
from pathlib import Path

from storage.core import glyphs as _glyphs
from storage.core.glyphs import narrow as _narrow

DOMAIN = "messages"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_current_lang = DEFAULT_LANGUAGE


def locale_dir() -> Path:
    """Compiled catalogs: inside the installed package, else the checkout's locale/."""
    here = Path(__file__).resolve().parents[1]  # storage/, which the wheel ships locale/ inside
    installed = here / "locale"
    if installed.is_dir():
        return installed
    return here.parent / "locale"


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, str(locale_dir()), languages=[lang], fallback=True)


def translations(lang: str) -> _gettext.NullTranslations:
    """One language's catalog, whatever the current language (a roster reads the words of both)."""
    return _translations(lang)


def normalize_language(value: str | None) -> str | None:
    """Map 'zh', 'zh_CN.UTF-8', 'zh-Hans', 'en_US' ... to a supported language."""
    if not value:
        return None
    v = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    if v.startswith("zh"):
        return "zh_CN"
    if v.startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """The system's interface language if it is one of ours, else Chinese (storage/core/platform.py
    asks POSIX's environment, or Windows for the user's UI language)."""
    from storage.core.platform import ui_languages

    for name in ui_languages():
        lang = normalize_language(name)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def choose_language(explicit: str | None = None) -> str:
    """--lang, else GRIDCARE_LANG, else the system's, else zh_CN."""
    return (
        normalize_language(explicit)
        or normalize_language(os.environ.get("GRIDCARE_LANG"))
        or system_language()
    )


def set_language(lang: str) -> str:
    global _current, _current_lang
    lang = normalize_language(lang) or DEFAULT_LANGUAGE
    _current = _translations(lang)
    _current_lang = lang
    # argparse and other stdlib modules translate through the global domain.
    _gettext.bindtextdomain(DOMAIN, str(locale_dir()))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang
    return lang


def translator(lang: str):
    """gettext for one language, whatever the interface language (to recognise a word typed in either)."""
    return _translations(normalize_language(lang) or DEFAULT_LANGUAGE).gettext


def current_language() -> str:
    return _current_lang


def babel_locale() -> str:
    return "zh_Hans_CN" if _current_lang == "zh_CN" else "en"


def count_text(n: int | float) -> str:
    """A count as the tables write it: 5,498 (a message of storage/ has no tui.formatting)."""
    from babel.numbers import format_decimal  # deferred: not on the start-up path

    return format_decimal(n, locale=babel_locale())


def day_text(day: dt.date, style: str = "long") -> str:
    """A day in the words of the interface language: 2026年12月2日 / December 2, 2026 ("medium": Dec 2, 2026)."""
    from babel.dates import format_date  # deferred: not on the start-up path

    return format_date(day, style, locale=babel_locale())


def moment_text(when: dt.datetime) -> str:
    """A moment in local time, in the words of the interface language: 2026年12月2日 09:30 / Dec 2, 2026, 9:30 AM."""
    from babel.dates import format_datetime

    return format_datetime(when.astimezone() if when.tzinfo else when, "medium", locale=babel_locale())


def _(message: str) -> str:
    return _narrow(_current.gettext(message)) if _glyphs.plain() else _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    text = _current.ngettext(singular, plural, n)
    return _narrow(text) if _glyphs.plain() else text


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later, where it is shown."""
    return message


def join_list(items) -> str:
    """The items of a list in running text: "a, b" / "甲、乙" (Chinese lists take 、, the glossary says)."""
    return _(", ").join(str(item) for item in items if item)


def join_sentences(*parts: str) -> str:
    """Sentences in running text: "Done. Check it." / "已完成。请核对。" (a Chinese full stop takes no space after it)."""
    import unicodedata

    out = ""
    for part in parts:
        if not part:
            continue
        wide_end = bool(out) and unicodedata.east_asian_width(out[-1]) in ("W", "F")
        out += part if not out or wide_end else " " + part
    return out
