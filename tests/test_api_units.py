"""The API's pure parts: rate limiter, reply chunks, origins, key storage, visitor ids."""

from __future__ import annotations

import sqlite3

import pytest

from ui.api.auth import visitor_id
from ui.api.keys import KeyStore, normalize_origin
from ui.api.limits import SlidingWindowLimiter
from ui.api.ownership import SessionOwners
from ui.api.streaming import reply_chunks


def test_sliding_window_allows_the_limit_then_says_when_to_retry():
    limiter = SlidingWindowLimiter(limit=3, window_s=60)
    assert [limiter.hit("k", now) for now in (0.0, 10.0, 20.0)] == [None, None, None]
    assert limiter.hit("k", 30.0) == 30.0  # the hit at t=0 leaves the window at t=60
    assert limiter.hit("other", 30.0) is None  # names are counted apart
    assert limiter.hit("k", 60.5) is None


def test_reply_chunks_join_back_exactly():
    reply = "I don't know the title \"Xyz\".\n\nHere are: funny  picks (no Horror)."
    chunks = reply_chunks(reply, words_per_chunk=2)
    assert "".join(chunks) == reply and len(chunks) > 3
    assert reply_chunks("") == []


@pytest.mark.parametrize("raw, clean", [("https://Example.com/", "https://example.com"),
                                        ("http://127.0.0.1:8000", "http://127.0.0.1:8000")])
def test_origins_are_normalised(raw, clean):
    assert normalize_origin(raw) == clean


@pytest.mark.parametrize("bad", ["example.com", "ftp://example.com", "https://example.com/path", "https://", "*"])
def test_malformed_origins_are_refused(bad):
    with pytest.raises(ValueError):
        normalize_origin(bad)


def test_keys_are_stored_hashed_and_verified(tmp_path):
    store = KeyStore(tmp_path / "api.sqlite3")
    pk = store.create("publishable", ["https://Shop.example"], label="shop")
    sk = store.create("secret")
    assert pk.token.startswith("sr_pk_") and sk.token.startswith("sr_sk_")
    assert store.verify(pk.token).origins == ("https://shop.example",)
    assert store.verify(sk.token).kind == "secret"
    assert store.verify(pk.token + "x") is None and store.verify("sr_pk_" + sk.token[6:]) is None
    dump = "\n".join(sqlite3.connect(tmp_path / "api.sqlite3").iterdump())
    assert pk.token.split("_", 3)[3] not in dump and sk.token.split("_", 3)[3] not in dump
    assert store.publishable_origins() == {"https://shop.example"}
    assert store.revoke(pk.key.id) and store.verify(pk.token) is None and store.publishable_origins() == set()
    other = KeyStore(tmp_path / "api.sqlite3")  # e.g. `scenerec keys create` while the server runs
    other.create("publishable", ["https://new.example"])
    assert store.publishable_origins() == {"https://new.example"}  # the cached allowlist is read again
    with pytest.raises(ValueError, match="origin"):
        store.create("publishable", [])


def test_session_owner_writes_do_not_reread_the_allowlist(tmp_path, monkeypatch):
    path = tmp_path / "api.sqlite3"
    store = KeyStore(path)
    store.create("publishable", ["https://shop.example"])
    assert store.publishable_origins() == {"https://shop.example"}
    reads, real = [], store._db.read
    monkeypatch.setattr(store._db, "read", lambda sql, args=(): reads.append(sql) or real(sql, args))
    owners = SessionOwners(path)  # the API's session rows: another connection committing to the same file
    for n in range(3):
        owners.add(f"s{n}", "key", None)
        assert store.publishable_origins() == {"https://shop.example"}
    assert not [sql for sql in reads if "origins" in sql]  # the cached allowlist was kept
    KeyStore(path).create("publishable", ["https://new.example"])  # a key change still shows at once
    assert store.publishable_origins() == {"https://shop.example", "https://new.example"}


def test_visitor_ids_are_stable_per_key_and_need_a_wellformed_anonymous_id():
    anon = "a" * 32
    assert visitor_id("key1", anon) == visitor_id("key1", anon) != visitor_id("key2", anon)
    assert visitor_id("key1", "short") is None and visitor_id("key1", None) is None
    assert visitor_id("key1", "<script>alert(1)</script>xxxxxxxx") is None


def test_requests_the_address_limit_rejects_do_not_spend_the_keys_budget(tmp_path):
    """One address hammering a publishable key must not lock the key for every other visitor."""
    from agent.settings import load_settings
    from ui.api.auth import Caller
    from ui.api.errors import ApiError
    from ui.api.service import ChatService

    settings = load_settings(data_dir=tmp_path, api_turns_per_minute_per_key=5, api_turns_per_minute_per_ip=2)
    service = ChatService(agent=None, owners=SessionOwners(tmp_path / "api.sqlite3"), settings=settings,
                          clock=lambda: 100.0)
    noisy, visitor = Caller("k1", "publishable", "203.0.113.9"), Caller("k1", "publishable", "198.51.100.7")
    outcomes = []
    for _ in range(20):
        try:
            service.check_rate(noisy)
            outcomes.append("ok")
        except ApiError as e:
            outcomes.append("address" if "address" in e.message else "key")
    assert outcomes == ["ok", "ok"] + ["address"] * 18
    service.check_rate(visitor)  # the key has spent 2 of its 5, whatever the noisy address tried
    service.check_rate(Caller("k1", "publishable", "192.0.2.1"))
