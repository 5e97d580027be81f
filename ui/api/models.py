"""Typed request and response bodies of the v1 API (the OpenAPI schema at /docs comes from these)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.results import RecommendedItem, TurnResult
from agent.schema import FeedbackKind
from retrieval.items import Item as ItemOut  # a catalogue item, as stored

SESSION_ID = r"^[0-9a-f]{32}$"
USER_ID = r"^[A-Za-z0-9._:@-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateSessionRequest(Strict):
    user_id: str | None = Field(None, pattern=USER_ID, description=(
        "Your own user id (secret keys only). Browser callers get a pseudonymous id derived server-side."))


class SessionCreated(BaseModel):
    session_id: str
    user_id: str | None = None


class ChatRequest(Strict):
    session_id: str | None = Field(None, pattern=SESSION_ID, description="Omit to start a new session.")
    message: str = Field(description="What the person said.")


class ChatResponse(TurnResult):
    """The turn: action, reply, items with reasons and score contributions, state summary."""


class FeedbackRequest(Strict):
    session_id: str = Field(pattern=SESSION_ID)
    item_id: str = Field(min_length=1, max_length=128)
    kind: FeedbackKind


class FeedbackResponse(BaseModel):
    session_id: str
    item_id: str
    kind: str
    state: dict


class ItemRef(BaseModel):
    id: str
    title: str | None = None
    year: int | None = None


class ProfileOut(BaseModel):
    user_id: str
    sessions: int
    liked: list[ItemRef]
    disliked: list[ItemRef]
    seen: list[ItemRef]
    accepted: list[ItemRef]
    liked_genres: list[str]
    avoid_genres: list[str]


class UserDeleted(BaseModel):
    user_id: str
    deleted_records: int  # sessions, profile rows, feedback and cached vectors removed


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


__all__ = ["RecommendedItem", "ChatRequest", "ChatResponse", "CreateSessionRequest", "ErrorOut", "FeedbackRequest",
           "FeedbackResponse", "ItemOut", "ItemRef", "ProfileOut", "SessionCreated", "UserDeleted"]
