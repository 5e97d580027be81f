"""The v1 endpoints. Thin: validation in the models, rules in :class:`ChatService`."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response
from sse_starlette import EventSourceResponse

from ui.api.auth import Authenticator, Caller
from store import StoreUnavailable
from ui.api.errors import STORE_UNAVAILABLE, ApiError
from ui.api.models import (
    USER_ID, ChatRequest, ChatResponse, CreateSessionRequest, ErrorOut, FeedbackRequest, FeedbackResponse, ItemOut,
    ItemRef, ProfileOut, SessionCreated, UserDeleted,
)
from ui.api.service import ChatService
from ui.api.streaming import event, turn_stream

_ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 413, 422, 429)}
UserId = Annotated[str, Path(pattern=USER_ID)]


def _refusal(e: BaseException):
    """A turn's failure as the stream's last event (None: not one the API knows)."""
    if isinstance(e, ApiError):
        return event("error", {"code": e.code, "message": e.message})
    if isinstance(e, StoreUnavailable):  # the 503 a plain request gets
        return event("error", {"code": "store_unavailable", "message": STORE_UNAVAILABLE})
    return None


def build_router(service: ChatService, authenticate: Authenticator) -> APIRouter:
    """The v1 API: one router per job (chat, catalogue, privacy), in the order the schema lists them;
    each job's endpoints take the caller through ``CallerDep`` (the key's :class:`Caller`)."""
    router = APIRouter(prefix="/v1", responses=_ERRORS)
    CallerDep = Annotated[Caller, Depends(authenticate)]
    for job in (_chat_router, _catalogue_router, _privacy_router):
        router.include_router(job(service, CallerDep))
    return router


def _chat_router(service: ChatService, CallerDep) -> APIRouter:
    router = APIRouter(tags=["chat"])

    @router.post("/sessions", response_model=SessionCreated)
    def create_session(caller: CallerDep, body: Annotated[CreateSessionRequest | None, Body()] = None):
        """Start a conversation. Secret keys may attach their own `user_id`."""
        owner = service.create_session(caller, body.user_id if body else None)
        return SessionCreated(session_id=owner.session_id, user_id=caller.external(owner.user_id))

    @router.post("/chat", response_model=ChatResponse)
    async def chat(caller: CallerDep, body: ChatRequest):
        """One turn: the reply, recommended items with reasons and score contributions, the state."""
        result = await service.turn(caller, body.session_id, body.message)
        # already a validated TurnResult: serialised once here (returning the model would make
        # FastAPI dump it, validate the dump as a ChatResponse and dump that again)
        return Response(result.model_dump_json(), media_type="application/json")

    @router.post("/chat/stream", response_class=EventSourceResponse,
                 responses={200: {"description": "Server-Sent Events: started, session, delta (reply text), "
                                       "picks, reason_delta / reason (each pick's reason as it is written), "
                                       "items, done; or error"}})
    async def chat_stream(caller: CallerDep, body: ChatRequest):
        """The same turn as Server-Sent Events, each sent as the turn produces it: ``started`` at
        once, the reply as soon as it is composed, an LLM's reasons token by token (provisional
        until each pick's ``reason`` event), the final ``items`` and ``done``."""
        owner = await service.prepare_turn(caller, body.session_id, body.message)  # refusals: plain HTTP errors
        return EventSourceResponse(turn_stream(lambda sink: service.run_turn(owner, body.message, sink),
                                               owner.session_id, _refusal))

    @router.post("/feedback", response_model=FeedbackResponse)
    async def feedback(caller: CallerDep, body: FeedbackRequest):
        """Like, dislike, mark seen or accept an item; disliked and seen items never come back."""
        state = await service.feedback(caller, body.session_id, body.item_id, body.kind)
        return FeedbackResponse(session_id=body.session_id, item_id=body.item_id, kind=body.kind, state=state.summary())

    return router


def _catalogue_router(service: ChatService, CallerDep) -> APIRouter:
    router = APIRouter(tags=["catalogue"])

    @router.get("/items/{item_id}", response_model=ItemOut)
    def get_item(caller: CallerDep, item_id: Annotated[str, Path(max_length=128)]):
        """A catalogue item; its title written as people write it, as in chat results."""
        item = service.agent.item(item_id)
        if item is None:
            raise ApiError(404, "unknown_item", f"no item {item_id!r} in the catalogue")
        return item.model_copy(update={"title": item.name})

    return router


def _privacy_router(service: ChatService, CallerDep) -> APIRouter:
    router = APIRouter(tags=["privacy"])

    @router.get("/users/{user_id}/profile", response_model=ProfileOut)
    def get_profile(caller: CallerDep, user_id: UserId):
        """What the user's sessions have established. Browser keys: their own visitor only."""
        p = service.profile(caller, user_id)
        refs = partial(_refs, service.agent)
        return ProfileOut(user_id=user_id, sessions=p.sessions, liked=refs(p.liked_items),
                          disliked=refs(p.disliked_items), seen=refs(p.seen_items), accepted=refs(p.accepted_items),
                          liked_genres=p.liked_genres, avoid_genres=p.avoid_genres)

    @router.delete("/users/{user_id}", response_model=UserDeleted)
    async def delete_user(caller: CallerDep, user_id: UserId):
        """Delete every stored session of the user (404 for a user with nothing stored)."""
        return UserDeleted(user_id=user_id, deleted_records=await service.delete_user(caller, user_id))

    return router


def _refs(agent, ids: list[str]) -> list[ItemRef]:
    items = [(i, agent.item(i)) for i in ids]
    return [ItemRef(id=i, title=it.name if it else None, year=it.year if it else None) for i, it in items]
