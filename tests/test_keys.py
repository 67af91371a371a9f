"""Key pairs and the township public key file."""

from __future__ import annotations

import base64

import pytest

from storage.core.errors import UserError
from storage.core.keys import (
    KeyPair,
    TownshipPublicKey,
    fingerprint,
    format_county_key,
    format_public_key,
    generate_keypair,
    parse_county_key,
    parse_public_key,
    public_of,
    read_public_key_file,
    sign,
    verify,
    write_public_key_file,
)

TOWNSHIP = generate_keypair()


def test_a_key_pair_holds_both_kinds_of_key():
    k = generate_keypair()
    assert isinstance(k, KeyPair)
    assert k.age_secret.startswith("AGE-SECRET-KEY-1") and k.age_recipient.startswith("age1")
    assert len(base64.b64decode(k.sign_secret)) == 32 and len(base64.b64decode(k.sign_public)) == 32
    assert public_of(k.sign_secret) == k.sign_public
    assert generate_keypair() != k


def test_sign_and_verify():
    sig = sign(TOWNSHIP.sign_secret, b"manifest")
    assert len(sig) == 64
    assert verify(TOWNSHIP.sign_public, sig, b"manifest")
    assert not verify(TOWNSHIP.sign_public, sig, b"manifesT")
    assert not verify(generate_keypair().sign_public, sig, b"manifest")
    assert not verify("not base64!", sig, b"manifest")
    assert not verify(TOWNSHIP.sign_public, sig[:10], b"manifest")


def test_fingerprint_is_short_stable_hex():
    fp = fingerprint(TOWNSHIP.sign_public)
    assert fp == fingerprint(TOWNSHIP.sign_public) != fingerprint(generate_keypair().sign_public)
    assert len(fp) == 19 and all(len(g) == 4 for g in fp.split(" "))
    int(fp.replace(" ", ""), 16)


def test_public_key_file_round_trip(tmp_path):
    path = tmp_path / "township-330521101.pub"
    write_public_key_file(path, "330521101", "新市镇", TOWNSHIP)
    text = path.read_text(encoding="utf-8")
    assert text == format_public_key("330521101", "新市镇", TOWNSHIP)
    assert text.startswith("# gridcare township public key\ntownship: 330521101\nname: 新市镇\nage: age1")
    assert TOWNSHIP.age_secret not in text and TOWNSHIP.sign_secret not in text
    pub = read_public_key_file(path)
    assert pub == TownshipPublicKey("330521101", "新市镇", TOWNSHIP.age_recipient, TOWNSHIP.sign_public)
    assert parse_public_key(text) == pub


def test_a_name_cannot_break_the_file(tmp_path):
    text = format_public_key("330521101", "新市\n镇\nage: age1evil", TOWNSHIP)
    assert parse_public_key(text).age_recipient == TOWNSHIP.age_recipient


def test_files_that_travelled(tmp_path):
    text = format_public_key("330521101", "新市镇", TOWNSHIP)
    (tmp_path / "bom.pub").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    (tmp_path / "gbk.pub").write_bytes(text.encode("gb18030"))
    (tmp_path / "chat.pub").write_text("\n  " + text.replace(": ", "：").replace("\n", "\n\n  "), encoding="utf-8")
    for name in ("bom.pub", "gbk.pub", "chat.pub"):
        pub = read_public_key_file(tmp_path / name)
        assert (pub.township_code, pub.township_name, pub.sign_public) == ("330521101", "新市镇", TOWNSHIP.sign_public)


def _message(path) -> str:
    with pytest.raises(UserError) as e:
        read_public_key_file(path)
    assert "\n" not in str(e.value)
    return str(e.value)


def test_garbled_files_say_what_is_wrong(tmp_path):
    good = format_public_key("330521101", "新市镇", TOWNSHIP)
    cases = {
        "age.pub": (good.replace("age: age1", "age: age9"), "encryption key"),
        "age2.pub": (good.replace(TOWNSHIP.age_recipient, TOWNSHIP.age_recipient[:-3]), "encryption key"),
        "sig.pub": (good.replace(TOWNSHIP.sign_public, TOWNSHIP.sign_public[:-8] + "=="), "signing key"),
        "sig2.pub": (good.replace(TOWNSHIP.sign_public, "!!!"), "signing key"),
        "noage.pub": ("\n".join(x for x in good.splitlines() if not x.startswith("age")), '"age: ..." is missing'),
        "notown.pub": (good.replace("township: 330521101", "township:"), '"township: ..." is missing'),
        "other.pub": ("hello world\n", "not a gridcare township public key"),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        message = _message(tmp_path / name)
        assert expected in message and name in message, (name, message)
    (tmp_path / "bin.pub").write_bytes(b"\xff\xfe\x00garbage")
    assert "not a gridcare township public key" in _message(tmp_path / "bin.pub")
    (tmp_path / "big.pub").write_bytes(good.encode() * 1000)
    assert "not a gridcare township public key" in _message(tmp_path / "big.pub")
    assert "No key file" in _message(tmp_path / "missing.pub")
    assert "not a gridcare township public key" in _message(tmp_path)


def test_a_bundle_or_a_secret_is_not_a_public_key(tmp_path):
    (tmp_path / "secret.pub").write_text(TOWNSHIP.age_secret + "\n", encoding="utf-8")
    assert "not a gridcare township public key" in _message(tmp_path / "secret.pub")


def test_a_name_with_escape_sequences_is_kept_harmless(tmp_path):
    """Before: a county key file's name was stored in the township's identity and printed by `county-key` as it
    was: an OSC 52 sequence wrote the clerk's clipboard, a CSI cleared the screen."""
    text = format_county_key("330521", "县", TOWNSHIP).replace(
        "name: 县", "name: 县\x1b]52;c;ZXZpbA==\x07\x9b2J" + "长" * 200)
    name = parse_county_key(text).county_name
    assert name.startswith("县?]52;c;ZXZpbA==??2J长") and len(name) == 100
    assert not any(ch in name for ch in "\x1b\x07\x9b")


def test_a_county_code_with_an_escape_sequence_is_refused_harmlessly(tmp_path):
    """Before: the refusal quoted the code's first 12 characters as they were, room for an OSC 52 sequence."""
    from storage.core.identity import set_county_key
    from tests.county_helpers import make_township

    path = tmp_path / "county.pub"
    path.write_text(format_county_key("\x1b]52;c;QQ==\x07", "县", TOWNSHIP), encoding="utf-8")
    t = make_township(tmp_path, "330521101", None)
    with pytest.raises(UserError) as refused:
        set_county_key(t.db, path)
    assert "The key file is for county ?]52;c;QQ==?," in str(refused.value)
