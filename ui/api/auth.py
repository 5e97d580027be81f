"""Who is calling: the API key (401 if missing or wrong), its origin check (403), the user it may act as.

Publishable keys run in visitors' browsers, so nothing they send is trusted: their user id is
derived here from the key and the widget's anonymous id. Secret keys run on their owners' servers
and name their users; every user id is namespaced by key id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from ui.api.errors import ApiError, error_response
from ui.api.keys import KeyStore, normalize_origin

ANON_HEADER = "x-scenerec-anon"
_ANON_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OPEN_KEY_ID = "open"


API_USER_SEP = "/"  # API users are stored as "<key id>/<user>": they belong to that key


def is_api_user(user_id: str) -> bool:
    return API_USER_SEP in user_id


@dataclass(frozen=True)
class Caller:
    key_id: str
    kind: Literal["publishable", "secret", "open"]
    ip: str
    visitor: str | None = None  # derived user id of a browser visitor (publishable key or open mode)

    @property
    def trusted(self) -> bool:
        """Secret-key callers may name their users; browser callers may not."""
        return self.kind == "secret"

    def namespaced(self, user_id: str) -> str:
        return f"{self.key_id}{API_USER_SEP}{user_id}"

    def external(self, namespaced: str | None) -> str | None:
        return namespaced.split(API_USER_SEP, 1)[1] if namespaced else None


def visitor_id(key_id: str, anon_id: str | None) -> str | None:
    """A stable pseudonymous user id for a browser visitor; None without a well-formed anonymous id."""
    if not anon_id or not _ANON_ID.match(anon_id):
        return None
    return "visitor-" + hashlib.sha256(f"{key_id}:{anon_id}".encode()).hexdigest()[:20]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Authenticator:
    def __init__(self, keys: KeyStore, open_mode: bool):
        self.keys, self.open_mode = keys, open_mode

    def __call__(self, request: Request) -> Caller:
        """FastAPI dependency: the verified caller of this request, or a 401/403 ApiError."""
        token = bearer_token(request)
        ip = request.client.host if request.client else "unknown"
        origin = request.headers.get("origin")
        anon = request.headers.get(ANON_HEADER)
        if token is None:
            if self.open_mode:
                return Caller(OPEN_KEY_ID, "open", ip, visitor_id(OPEN_KEY_ID, anon))
            raise ApiError(401, "missing_key", "an API key is required: send 'Authorization: Bearer <key>'",
                           {"WWW-Authenticate": "Bearer"})
        key = self.keys.verify(token)
        if key is None:
            raise ApiError(401, "invalid_key", "the API key is not valid (unknown, malformed or revoked)",
                           {"WWW-Authenticate": "Bearer"})
        if key.kind == "publishable":
            if not origin or _origin_or_none(origin) not in key.origins:
                raise ApiError(403, "origin_not_allowed",
                               f"this key may only be used from {', '.join(key.origins)} (request origin: {origin or 'none'})")
            return Caller(key.id, "publishable", ip, visitor_id(key.id, anon))
        if origin and _origin_or_none(origin) not in key.origins:
            raise ApiError(403, "secret_key_in_browser",
                           "secret keys are for servers; use a publishable key in web pages")
        return Caller(key.id, "secret", ip)


def _origin_or_none(origin: str) -> str | None:
    try:
        return normalize_origin(origin)
    except ValueError:
        return None


class KeyOriginCORS(CORSMiddleware):
    """CORS for the origins of live publishable keys (any origin in open mode), read per request."""

    def __init__(self, app, keys: KeyStore, open_mode: bool):
        super().__init__(app, allow_origins=(), allow_methods=("GET", "POST", "DELETE"),
                         allow_headers=("authorization", "content-type", ANON_HEADER),
                         expose_headers=("retry-after",), max_age=600)
        self.keys, self.open_mode = keys, open_mode

    def is_allowed_origin(self, origin: str) -> bool:
        return self.open_mode or _origin_or_none(origin) in self.keys.publishable_origins()

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        reason = response.body.decode(errors="replace")  # e.g. "Disallowed CORS origin"
        return error_response(403, "cors_rejected", f"{reason} (origin: {request_headers.get('origin')})",
                              {k: v for k, v in response.headers.items() if k.lower().startswith("vary")})
