"""Assemble the ASGI app: v1 API, widget assets, example host page, health checks, Gradio at /ui."""

from __future__ import annotations

import json
import re
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from agent.schema import FEEDBACK_KINDS
from agent.settings import Settings
from store import open_database
from ui.api.auth import Authenticator, KeyOriginCORS
from ui.api.errors import install_error_handlers
from ui.api.keys import KeyStore
from ui.api.limits import BodyLimitMiddleware
from ui.api.ownership import SessionOwners
from ui.api.routes import build_router
from ui.api.service import ChatService
from ui.api.workers import TurnPool
from ui.words import ui_words

STATIC = Path(__file__).resolve().parents[1] / "static"
_PUBLISHABLE = re.compile(r"^sr_pk_[A-Za-z0-9_-]{1,100}$")
_NO_SNIFF = {"X-Content-Type-Options": "nosniff"}
# The example page allows no inline script: the widget must work under a strict policy.
_EXAMPLE_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def widget_words(language: str) -> dict[str, str]:
    """The chat widget's own words in a language: its section of ``ui/locales``, and the words it
    shares with the web UI."""
    w = ui_words(language)
    shared = {k: w[k] for k in ("like", "dislike", "seen", "conversation", "message", "send")}
    card = {"directed": w["card"]["directed"], "starring": w["card"]["starring"],
            "genresJoiner": w["card"]["genres_joiner"]}
    return {**w["widget"], **shared, **card}


def widget_source() -> str:
    """The chat widget's script, given the feedback kinds the API accepts (``FeedbackRequest.kind``)
    and its words in every language it speaks."""
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    words = json.dumps({lang: widget_words(lang) for lang in ("en", "zh")}, ensure_ascii=False)
    return (source.replace("__SCENEREC_FEEDBACK_KINDS__", json.dumps(list(FEEDBACK_KINDS)))
            .replace("__SCENEREC_WIDGET_WORDS__", words))


def create_app(agent, settings: Settings, mount_ui: bool = True, pool: TurnPool | None = None) -> FastAPI:
    """The app; with a ``pool`` (started and closed with the app), ``agent`` is the
    :class:`~ui.api.pooled.PooledAgent` that runs its calls in the pool's worker processes."""
    api_db = open_database(settings, "api")
    keys = KeyStore(api_db)
    service = ChatService(agent, SessionOwners(api_db), settings,
                          threads=pool.processes if pool else None,  # more threads would only queue
                          shared_db=api_db if api_db.engine == "postgresql" else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if pool is not None:
            pool.start()
        yield
        if pool is not None:
            pool.close()

    app = FastAPI(title="SceneRec API", version="1.0", lifespan=lifespan,
                  description="Conversational recommendations over HTTP. Authenticate with "
                              "`Authorization: Bearer <key>` (create keys with `scenerec keys create`).")
    app.state.service, app.state.keys = service, keys
    install_error_handlers(app)
    app.include_router(build_router(service, Authenticator(keys, settings.api_open)))
    _add_pages(app, agent, pool)
    if mount_ui:
        _mount_gradio(app, agent, keys, settings.api_open)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes,
                       timeout_s=settings.api_body_timeout_s)
    app.add_middleware(KeyOriginCORS, keys=keys, open_mode=settings.api_open)  # outermost: errors get CORS too
    return app


def _add_pages(app: FastAPI, agent, pool: TurnPool | None) -> None:
    @app.get("/healthz", tags=["ops"])
    def healthz():
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    def readyz():
        """Readiness: the catalogue is loaded and the session store answers."""
        try:
            catalogue, items = agent.readiness()
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            return JSONResponse({"status": "not_ready", "reason": type(e).__name__}, status_code=503)
        if not items:
            return JSONResponse({"status": "not_ready", "reason": "empty catalogue"}, status_code=503)
        if pool is not None and not pool.ready:
            reason = f"turn workers failed: {type(pool.error).__name__}" if pool.error else "turn workers starting"
            return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503)
        return {"status": "ready", "catalogue": catalogue, "items": items,
                "turn_processes": pool.processes if pool else 0}

    widget = widget_source()

    @app.get("/widget.js", include_in_schema=False)
    def widget_js():
        return Response(widget, media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=300", **_NO_SNIFF})

    @app.get("/example", include_in_schema=False, response_class=HTMLResponse)
    def example_page(request: Request, key: str | None = None):
        """A host page embedding the widget; ``?key=`` fills in a publishable key."""
        key_attr = f' data-key="{escape(key)}"' if key and _PUBLISHABLE.match(key) else ""
        html = (STATIC / "example.html").read_text(encoding="utf-8")
        html = html.replace("{{WIDGET_SRC}}", escape(str(request.url_for("widget_js")))).replace("{{KEY_ATTR}}", key_attr)
        return HTMLResponse(html, headers={"Content-Security-Policy": _EXAMPLE_CSP, **_NO_SNIFF})


def _mount_gradio(app: FastAPI, agent, keys: KeyStore, open_mode: bool) -> None:
    """The Gradio chat at /ui; outside open mode it asks for a secret key as the password."""
    import gradio as gr

    from ui.gradio_app import build_app, theme

    def secret_key_login(_username: str, password: str) -> bool:
        key = keys.verify(password)
        return key is not None and key.kind == "secret"

    demo = build_app(agent)
    gr.mount_gradio_app(app, demo, path="/ui", auth=None if open_mode else secret_key_login,
                        auth_message="Sign in with any user name and a secret API key as the password.",
                        theme=theme(), css=demo.scenerec_css, footer_links=[])
