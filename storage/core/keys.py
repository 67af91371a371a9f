"""Key pairs: age (X25519) to encrypt bundles, Ed25519 to sign them.

Both from well-kept libraries (pyrage, cryptography); nothing home-made.
Imported lazily: only init, export and merge need them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from storage.core.errors import UserError
from storage.core.files import atomic_text_writer
from storage.core.i18n import _
from storage.core.text import printable

HEADER = "# gridcare township public key"
COUNTY_HEADER = "# gridcare county public key"
MAX_KEY_FILE = 16 * 1024
NAME_LIMIT = 100  # characters of the name a key file gives (a county's is a few)
_FIELD = re.compile(r"^\s*([A-Za-z0-9_]+)\s*[:：]\s*(.*?)\s*$")


@dataclass(frozen=True)
class KeyPair:
    age_secret: str  # AGE-SECRET-KEY-1...
    age_recipient: str  # age1...
    sign_secret: str  # base64 of the raw 32-byte Ed25519 private key
    sign_public: str  # base64 of the raw 32-byte public key


@dataclass(frozen=True)
class TownshipPublicKey:
    township_code: str
    township_name: str
    age_recipient: str
    sign_public: str


@dataclass(frozen=True)
class CountyPublicKey:
    county_code: str
    county_name: str
    age_recipient: str
    sign_public: str


def generate_keypair() -> KeyPair:
    import pyrage
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    identity = pyrage.x25519.Identity.generate()
    signing = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    secret = signing.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = signing.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return KeyPair(str(identity), str(identity.to_public()), base64.b64encode(secret).decode(),
                   base64.b64encode(public).decode())


def _raw_key(b64: str) -> bytes:
    """The 32 raw bytes of a base64 key; ValueError if it is not one."""
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError("not 32 bytes")
    return raw


def public_of(sign_secret: str) -> str:
    """The base64 public key of a base64 Ed25519 secret; ValueError if the secret is damaged."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(_raw_key(sign_secret))
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign(sign_secret: str, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data`."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(_raw_key(sign_secret)).sign(data)


def verify(sign_public: str, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(_raw_key(sign_public))
        key.verify(signature, data)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def fingerprint(sign_public: str) -> str:
    """Short, for a clerk to compare by eye or over the phone: the first 16 hex digits of the SHA-256
    of the raw public key, in groups of four ("3f2a 9c1e 0b7d 55e4")."""
    try:
        data = _raw_key(sign_public)
    except ValueError:
        data = sign_public.encode("utf-8", "replace")
    digest = hashlib.sha256(data).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# what each level's key file is called, in its header and in messages
_LEVELS = {"township": (HEADER, "township"), "county": (COUNTY_HEADER, "county")}


def _not_key_file(level: str, file: str) -> str:
    if level == "county":
        return _("{file} is not a gridcare county public key file.").format(file=file)
    return _("{file} is not a gridcare township public key file.").format(file=file)


def format_public_key(township_code: str, township_name: str, keys: KeyPair | TownshipPublicKey) -> str:
    """The text of a township public key file (also shown on screen, to copy)."""
    return _format("township", township_code, township_name, keys)


def format_county_key(county_code: str, county_name: str, keys: KeyPair | CountyPublicKey) -> str:
    """The text of a county public key file, which every township of the county is given."""
    return _format("county", county_code, county_name, keys)


def _format(level: str, code: str, name: str, keys) -> str:
    header, field = _LEVELS[level]
    return (f"{header}\n{field}: {_one_line(code)}\nname: {_one_line(name)}\n"
            f"age: {keys.age_recipient}\ned25519: {keys.sign_public}\n")


def write_public_key_file(path: Path, township_code: str, township_name: str, keys: KeyPair | TownshipPublicKey) -> None:
    _write(path, format_public_key(township_code, township_name, keys))


def write_county_key_file(path: Path, county_code: str, county_name: str, keys: KeyPair | CountyPublicKey) -> None:
    _write(path, format_county_key(county_code, county_name, keys))


def _write(path: Path, text: str) -> None:
    with atomic_text_writer(Path(path)) as fh:
        fh.write(text)


def parse_public_key(text: str, source: str = "") -> TownshipPublicKey:
    """Read the key file's text; tolerant of a BOM, blank lines, CRLF and a full-width colon
    (the text may have travelled through a chat app). UserError says which part is wrong."""
    return TownshipPublicKey(*_parse("township", text, source))


def parse_county_key(text: str, source: str = "") -> CountyPublicKey:
    """A county key file's text, read as `parse_public_key` reads a township's."""
    return CountyPublicKey(*_parse("county", text, source))


def _parse(level: str, text: str, source: str) -> tuple[str, str, str, str]:
    """(code, name, age recipient, ed25519 public key) of a key file of that level."""
    field = _LEVELS[level][1]
    fields: dict[str, str] = {}
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip().startswith("#"):
            continue
        match = _FIELD.match(line)
        if match:
            fields.setdefault(match.group(1).lower(), match.group(2))
    file = source or "-"
    if not {field, "age", "ed25519"} & fields.keys():
        raise UserError(_not_key_file(level, file))
    if field not in fields and (set(_LEVELS) - {level}) & fields.keys():
        raise UserError(_not_key_file(level, file))  # the other level's key: a township's is no county's
    for name in (field, "age", "ed25519"):
        if not fields.get(name):
            raise UserError(_("{file}: the line \"{field}: ...\" is missing.").format(file=file, field=name))
    try:
        _raw_key(fields["ed25519"])
    except ValueError:
        raise UserError(_("{file}: the signing key (ed25519: ...) is damaged.").format(file=file)) from None
    import pyrage

    try:
        if not fields["age"].startswith("age1"):
            raise pyrage.RecipientError("not an age recipient")
        pyrage.x25519.Recipient.from_str(fields["age"])
    except pyrage.RecipientError:
        raise UserError(_("{file}: the encryption key (age: ...) is damaged.").format(file=file)) from None
    # the name is kept (a county's, in the township's identity) and shown: a file can hold any character, an escape
    # sequence that writes the clerk's clipboard (OSC 52) as well as a name
    return fields[field], printable(fields.get("name", ""), limit=NAME_LIMIT), fields["age"], fields["ed25519"]


def read_public_key_file(path: Path) -> TownshipPublicKey:
    """A township's public key file; UTF-8 (with or without BOM), or GB18030 if a Chinese Windows
    editor re-saved it."""
    return parse_public_key(_read_key_text(Path(path), "township"), str(path))


def read_county_key_file(path: Path) -> CountyPublicKey:
    """A county's public key file, read as a township's is."""
    return parse_county_key(_read_key_text(Path(path), "county"), str(path))


def _read_key_text(path: Path, level: str) -> str:
    not_key = _not_key_file(level, str(path))
    if path.exists() and not path.is_file():  # a folder, or a named pipe whose opening would wait for ever
        raise UserError(not_key)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise UserError(_("No key file at {file}.").format(file=path)) from None
    except IsADirectoryError:
        raise UserError(not_key) from None
    except OSError as exc:
        raise UserError(_("{file} cannot be read ({error}).").format(file=path, error=exc.strerror or exc)) from None
    if len(data) > MAX_KEY_FILE or b"\x00" in data:
        raise UserError(not_key)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(not_key)
