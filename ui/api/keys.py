"""API keys (SQLite, or the shared PostgreSQL): publishable widget keys bound to origins, secret server keys.

A key reads ``sr_pk_<id>_<secret>`` (publishable) or ``sr_sk_<id>_<secret>`` (secret). Only a
SHA-256 of the secret part is stored, so the database never holds a usable key. Example::

    store = KeyStore(settings.api_db_path)
    created = store.create("publishable", origins=["https://example.com"])
    store.verify(created.token).origins      # ('https://example.com',)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from store import Database
from ui.api.db import Tables

KeyKind = Literal["publishable", "secret"]
_PREFIX: dict[str, str] = {"publishable": "pk", "secret": "sk"}
_KIND_OF_PREFIX = {v: k for k, v in _PREFIX.items()}
# The allowlist's version: one row, bumped by triggers on any change to api_keys (by any process),
# so a cached allowlist survives the commits of other tables in the same file (session owners).
@dataclass(frozen=True)
class ApiKey:
    id: str
    kind: KeyKind
    origins: tuple[str, ...]
    label: str
    created: float
    revoked: bool = False


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    token: str  # shown once; only its hash is stored


def normalize_origin(origin: str) -> str:
    """``https://Example.com/`` → ``https://example.com``; raises ValueError for anything else."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"origin must look like https://example.com (got {origin!r})")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"an origin is scheme://host[:port] only, without path or query (got {origin!r})")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    def __init__(self, db: Path | Database):
        self._db = Tables(db)
        # CORS asks for the allowlist on every request: cached, keyed by the api_keys_version row
        self._origins: tuple[int, set[str]] | None = None

    def create(self, kind: KeyKind, origins: list[str] | None = None, label: str = "") -> CreatedKey:
        clean = tuple(dict.fromkeys(normalize_origin(o) for o in origins or []))
        if kind == "publishable" and not clean:
            raise ValueError("a publishable key needs at least one --origin (the sites that embed the widget)")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
        key = ApiKey(key_id, kind, clean, label, time.time())
        self._db.write("INSERT INTO api_keys (id, kind, secret_hash, origins, label, created) VALUES (?, ?, ?, ?, ?, ?)",
                       (key_id, kind, _hash(secret), json.dumps(list(clean)), label, key.created))
        return CreatedKey(key, f"sr_{_PREFIX[kind]}_{key_id}_{secret}")

    def verify(self, token: str) -> ApiKey | None:
        """The live key a token stands for, or None (unknown, malformed, wrong secret, revoked)."""
        parts = token.split("_", 3)
        if len(parts) != 4 or parts[0] != "sr" or parts[1] not in _KIND_OF_PREFIX:
            return None
        row = self._row(parts[2])
        if row is None or row[1] != _KIND_OF_PREFIX[parts[1]] or row[6]:
            return None
        if not hmac.compare_digest(row[2], _hash(parts[3])):
            return None
        return self._key(row)

    def list(self) -> list[ApiKey]:
        return [self._key(r) for r in self._db.read("SELECT * FROM api_keys ORDER BY created")]

    def revoke(self, key_id: str) -> bool:
        return self._db.write("UPDATE api_keys SET revoked = 1 WHERE id = ?", (key_id,)) > 0

    def publishable_origins(self) -> set[str]:
        """Every origin some live publishable key allows (the CORS allowlist). Read again only when
        api_keys changed (here or in another process): one single-row read per call otherwise."""
        version = self._db.read("SELECT version FROM api_keys_version")[0][0]  # before the read: a racing write misses
        if self._origins is None or self._origins[0] != version:
            rows = self._db.read("SELECT origins FROM api_keys WHERE kind = 'publishable' AND revoked = 0")
            self._origins = (version, {o for (origins,) in rows for o in json.loads(origins)})
        return self._origins[1]

    def _row(self, key_id: str):
        rows = self._db.read("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        return rows[0] if rows else None

    @staticmethod
    def _key(row) -> ApiKey:
        return ApiKey(row[0], row[1], tuple(json.loads(row[3])), row[4], row[5], bool(row[6]))
