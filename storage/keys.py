"""Key pairs: age (X25519) to encrypt bundles, Ed25519 to sign them.

Both from well-kept libraries (pyrage, cryptography); nothing home-made.
Imported lazily: only init, export and merge need them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from storage.errors import UserError
from storage.i18n import _

HEADER = "# gridcare township public key"


@dataclass(frozen=True)
class KeyPair:
    age_secret: str
    age_recipient: str
    sign_secret: str  # base64 of the raw 32-byte Ed25519 private key
    sign_public: str  # base64 of the raw 32-byte public key


@dataclass(frozen=True)
class TownshipPublicKey:
    township_code: str
    township_name: str
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


def sign(sign_secret: str, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(sign_secret)).sign(data)


def verify(sign_public: str, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(sign_public, validate=True))
        key.verify(signature, data)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def fingerprint(sign_public: str) -> str:
    """Short, for a clerk to compare by eye or over the phone."""
    digest = hashlib.sha256(sign_public.encode("ascii", "replace")).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def format_public_key(township_code: str, township_name: str, keys: KeyPair | TownshipPublicKey) -> str:
    return (f"{HEADER}\ntownship: {township_code}\nname: {township_name}\n"
            f"age: {keys.age_recipient}\ned25519: {keys.sign_public}\n")


def write_public_key_file(path: Path, township_code: str, township_name: str, keys: KeyPair) -> None:
    from storage.files import atomic_text_writer

    with atomic_text_writer(Path(path)) as fh:
        fh.write(format_public_key(township_code, township_name, keys))


def parse_public_key(text: str, source: str = "") -> TownshipPublicKey:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip()
    problem = None
    if not {"township", "age", "ed25519"} <= fields.keys():
        problem = _("{file} is not a gridcare township public key file.")
    elif not fields["age"].startswith("age1"):
        problem = _("{file}: the encryption key (age: ...) is damaged.")
    else:
        try:
            if len(base64.b64decode(fields["ed25519"], validate=True)) != 32:
                raise ValueError
        except ValueError:
            problem = _("{file}: the signing key (ed25519: ...) is damaged.")
    if problem:
        raise UserError(problem.format(file=source or "-"))
    import pyrage

    try:
        pyrage.x25519.Recipient.from_str(fields["age"])
    except pyrage.RecipientError as exc:
        raise UserError(_("{file}: the encryption key (age: ...) is damaged.").format(file=source or "-")) from exc
    return TownshipPublicKey(fields["township"], fields.get("name", ""), fields["age"], fields["ed25519"])


def read_public_key_file(path: Path) -> TownshipPublicKey:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(_("No key file at {file}.").format(file=path)) from None
    except (UnicodeDecodeError, OSError):
        raise UserError(_("{file} is not a gridcare township public key file.").format(file=path)) from None
    return parse_public_key(text, str(path))
