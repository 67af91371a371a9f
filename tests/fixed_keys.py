"""Keys and device ids that are the same in every run, for pictures of screens that show them.

A device's key fingerprint and id are random in life; the Devices screen shows both, so its snapshot
would differ every run. Only the signing key (the fingerprint is of it) and the device id are fixed, each
the next of a counted series; the encryption key stays random (no screen shows it).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import types


def fix_keys(monkeypatch) -> None:
    """From here on (the test's end undoes it), new identities get keys and ids from the series."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    import storage.core.identity
    import storage.core.keys as keys

    real = keys.generate_keypair
    made = itertools.count(1)

    def keypair() -> keys.KeyPair:
        pair = real()
        seed = hashlib.sha256(f"gridcare-test-key-{next(made)}".encode()).digest()
        signing = Ed25519PrivateKey.from_private_bytes(seed)
        raw = serialization.Encoding.Raw
        public = signing.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
        return keys.KeyPair(pair.age_secret, pair.age_recipient, base64.b64encode(seed).decode(),
                            base64.b64encode(public).decode())

    ids = itertools.count(1)
    monkeypatch.setattr(keys, "generate_keypair", keypair)
    monkeypatch.setattr(storage.core.identity, "secrets",
                        types.SimpleNamespace(token_hex=lambda n: hashlib.sha256(f"device-{next(ids)}".encode()).hexdigest()[:2 * n]))
