"""Pairing tokens: random, stored only as hashes, private to the user, revocable."""

from __future__ import annotations

import stat

import pytest

from helper.errors import InputError
from helper.server.tokens import NoSuchPairing, TokenStore


def test_tokens_are_long_random_and_stored_only_as_hashes(tmp_path):
    store = TokenStore(tmp_path)
    first, second = store.add("script"), store.add("extension")
    assert first != second and len(first) >= 43  # 256 bits in URL-safe base64
    saved = store.path.read_text()
    assert first not in saved and second not in saved
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.verify(first) == "script" and store.verify(second) == "extension"
    assert store.verify("") is None and store.verify(first[:-1] + "x") is None


def test_a_new_store_reads_what_another_wrote_and_revocation_is_seen(tmp_path):
    writer, reader = TokenStore(tmp_path), TokenStore(tmp_path)
    token = writer.add("script")
    assert reader.verify(token) == "script"
    writer.revoke("script")
    assert reader.verify(token) is None
    assert [p.name for p in reader.list()] == []
    with pytest.raises(NoSuchPairing):
        writer.revoke("script")


def test_adding_a_name_again_replaces_its_token(tmp_path):
    store = TokenStore(tmp_path)
    old = store.add("laptop")
    new = store.add("laptop")
    assert store.verify(old) is None and store.verify(new) == "laptop"
    assert [p.name for p in store.list()] == ["laptop"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "tab\there"])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(InputError):
        TokenStore(tmp_path).add(name)


def test_a_token_paired_by_an_extension_works_only_from_that_extension(tmp_path):
    store = TokenStore(tmp_path)
    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    token = store.add("Chromium", origin)
    assert TokenStore(tmp_path).verify(token, origin) == "Chromium"
    assert store.verify(token, "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba") is None
    assert store.verify(token, None) is None
    script = store.add("script")
    assert store.verify(script, origin) == "script" and store.verify(script, None) == "script"
