"""One JSON error shape for every failure: ``{"error": {"code", "message"}}``, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from store import StoreUnavailable

log = logging.getLogger(__name__)

_EXAMPLE_JSON = '{"session_id": "...", "message": "something funny"}'
_BODY_EXAMPLE = f"a JSON object, e.g. {_EXAMPLE_JSON}"
STORE_UNAVAILABLE = "the database is unavailable for a moment; retry in a few seconds"


class ApiError(Exception):
    """An expected failure with an HTTP status, a stable code and a human message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def describe_validation(errors: list[dict]) -> str:
    """Turn pydantic/FastAPI validation errors into one readable sentence."""
    parts = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ()) if x != "body"]
        kind = e.get("type", "")
        if kind == "json_invalid":
            return f"the request body is not valid JSON; send {_BODY_EXAMPLE}"
        if not loc and kind == "missing":
            return f"the request body is empty; send {_BODY_EXAMPLE}"
        if not loc:
            return f"the request body must be a JSON object sent as Content-Type: application/json, e.g. {_EXAMPLE_JSON}"
        field = ".".join(loc) or "body"
        parts.append(f"{field}: {e.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        return error_response(422, "invalid_request", describe_validation(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. undecodable bytes)
            return error_response(422, "invalid_request", f"the request body could not be read; send {_BODY_EXAMPLE}")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(StoreUnavailable)
    async def _store_down(request: Request, exc: StoreUnavailable):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return error_response(503, "store_unavailable", STORE_UNAVAILABLE, {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side; the error was logged")
