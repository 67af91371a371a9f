"""Keep the translation catalogs in step with the code.

    python tools/i18n.py          extract, update both catalogs, compile .mo
    python tools/i18n.py --check  exit 1 if a catalog is stale or incomplete
    python tools/i18n.py --fill zh_CN FILE.json   add translations {msgid: msgstr}

English msgids are the source; the English catalog is filled with the msgids
themselves, the Chinese one (the default language) is translated by hand.
Same as `pybabel extract -k N_ ... && pybabel update ... && pybabel compile`.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import babel.messages.catalog as babel_catalog
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"
DOMAIN = "messages"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("storage", "tui", "screens")


# the header's dates are pinned: a catalog must not look stale because the clock moved
PINNED = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
# and so is the Babel release its Generated-By line names (the check below compares messages,
# not bytes, but a rewrite by a newer Babel should not churn the header)
babel_catalog.VERSION = "2.18.0"


def extract() -> Catalog:
    catalog = Catalog(project="gridcare", charset="utf-8", creation_date=PINNED, revision_date=PINNED)
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(lang: str, template: Catalog) -> Catalog:
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="gridcare", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = PINNED
    if lang == "en":
        for message in catalog:
            if message.id and isinstance(message.id, tuple):
                if not all(message.string or ()):
                    message.string = tuple(message.id)
            elif message.id and not message.string:
                message.string = message.id
    for message in catalog:
        message.flags.discard("fuzzy")
    return catalog


def render_po(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, omit_header=False, no_location=True, sort_output=True, width=0)
    return buf.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def _messages(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:  # read_mo gives plurals as lists, a catalog as tuples
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def stale(lang: str, catalog: Catalog) -> list[str]:
    """What differs between the files on disk and `catalog`, message by message.

    Not byte by byte: Babel releases differ in how they write a file (and 2.19 stopped
    extracting dict keys inside _(...) that 2.18 took for messages), and CI installs
    the newest release the range allows.
    """
    from babel.messages.mofile import read_mo

    path, mo_path = po_path(lang), po_path(lang).with_suffix(".mo")
    want = _messages(catalog)
    problems = []
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing"]
    with path.open("rb") as fh:
        on_disk = read_po(fh, locale=lang)
    if _messages(on_disk) != want or any("fuzzy" in m.flags for m in on_disk if m.id):
        problems.append(f"{path.relative_to(ROOT)} is not up to date with the code")
    if not mo_path.exists():
        problems.append(f"{mo_path.relative_to(ROOT)} is missing")
    else:
        with mo_path.open("rb") as fh:
            if _messages(read_mo(fh)) != want:
                problems.append(f"{mo_path.relative_to(ROOT)} is not compiled from the .po")
    return problems


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def fill(lang: str, mapping_file: Path, template: Catalog) -> int:
    import json

    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    catalog = load(lang, template)
    used = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping:
            value = mapping[key]
            if isinstance(message.id, tuple):  # a plural: its forms; one string given is the one form (Chinese)
                value = (value,) if isinstance(value, str) else tuple(value)
            message.string = value
            used += 1
    path = po_path(lang)
    path.write_bytes(render_po(catalog))
    path.with_suffix(".mo").write_bytes(render_mo(catalog))
    print(f"{used} of {len(mapping)} translations applied to {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    check = "--check" in argv
    template = extract()
    if "--fill" in argv:
        i = argv.index("--fill")
        return fill(argv[i + 1], Path(argv[i + 2]), template)
    problems = []
    for lang in ("zh_CN", "en"):
        catalog = load(lang, template)
        po, mo = render_po(catalog), render_mo(catalog)
        path, mo_path = po_path(lang), po_path(lang).with_suffix(".mo")
        if check:
            problems += stale(lang, catalog)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(po)
            mo_path.write_bytes(mo)
        missing = untranslated(catalog)
        if missing:
            problems.append(f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}")
    if not check:
        (LOCALE / f"{DOMAIN}.pot").write_bytes(render_po(template))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
