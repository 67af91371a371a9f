"""Enrollment codes: how a clerk vouches for a worker's new device without trusting first use.

The clerk's database makes a one-time code (`gridcare enroll`), read out over the phone:
12 characters of Crockford's base32 (no I, L, O, U: nothing to mishear) and a check
character (Luhn mod 32: a mistyped character, and nearly any two swapped neighbours, are
caught before anything is bound). 60 random bits.

Neither side stores the code. Both derive the same key from it with scrypt, salted with the
township and the grid, so the key is bound to that grid; the clerk's database keeps the key,
the worker's database keeps only the proof: an HMAC-SHA256, keyed by it, over the device's
id, its two public keys and its grid. The proof travels in every bundle's manifest, so
whichever of the device's bundles reaches the township first enrolls it. The manifest is
readable by anyone who sees the file, so what it reveals matters: the proof is useless for
another key (it covers the public keys, and only the device holds the matching secret), and
guessing the code from it offline costs 2^59 scrypt evaluations on average. The primitives
are `cryptography`'s and the standard library's; nothing here is home-made cryptography.

The same functions serve a township enrolled at a county: the "unit" is then the township.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
RANDOM_CHARS = 12
GROUP = 4
# what people type for what they hear or see: Crockford's decoding rules, and full-width input
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_IGNORED = " -_\u3000\uff0d\u2010\u2011\u2012\u2013\u2014\u2212"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB, ~50 ms on an old laptop
PROOF_VERSION = "gridcare-enroll-v1"


def _check_char(payload: str) -> str:
    """Luhn mod N (N = 32) over the payload: catches every single-character error and almost
    every swap of two neighbours (0Z/Z0 is one it misses)."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for ch in reversed(payload):
        addend = factor * ALPHABET.index(ch)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    """A fresh code as shown to the clerk: 'K7QM-4XD2-9HBT-C'."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return format_code(payload + _check_char(payload))


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(text: str) -> str | None:
    """The 13 characters of a typed code (case, dashes and spaces ignored; O read as 0, I
    and L as 1), or None if it is not a well-formed code (wrong length, a character outside
    the alphabet, or the check character does not match)."""
    raw = "".join(ch for ch in str(text).upper() if ch not in _IGNORED).translate(_READ_AS)
    if len(raw) != RANDOM_CHARS + 1 or any(ch not in ALPHABET for ch in raw):
        return None
    if _check_char(raw[:-1]) != raw[-1]:
        return None
    return raw


def code_key(code: str, township_code: str, unit_id: str) -> str:
    """The key both sides derive from a normalised code, as hex (scrypt, salted with the grid)."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = f"{PROOF_VERSION}:{township_code}:{unit_id}".encode()
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(code.encode("ascii")).hex()


def _message(township_code: str, unit_id: str, device_id: str, sign_public: str, age_recipient: str) -> bytes:
    # one field per line: none of them can hold a line feed (codes, base64, bech32, hex)
    parts = (PROOF_VERSION, township_code, unit_id, device_id, sign_public, age_recipient)
    return "\n".join(str(p).replace("\n", " ") for p in parts).encode("utf-8")


def proof(key_hex: str, township_code: str, unit_id: str, device_id: str, sign_public: str,
          age_recipient: str) -> str:
    """The device's proof of the code: HMAC-SHA256 keyed by the code's key, hex."""
    message = _message(township_code, unit_id, device_id, sign_public, age_recipient)
    return hmac.new(bytes.fromhex(key_hex), message, hashlib.sha256).hexdigest()


def proof_ok(key_hex: str, given: object, township_code: str, unit_id: str, device_id: str, sign_public: str,
             age_recipient: str) -> bool:
    if not isinstance(given, str) or len(given) != 64:
        return False
    expected = proof(key_hex, township_code, unit_id, device_id, sign_public, age_recipient)
    return hmac.compare_digest(expected, given.lower())
