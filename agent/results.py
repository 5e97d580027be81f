"""Typed results of a turn; every interface adapts these (the agent never renders HTML)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Action = Literal["recommend", "ask", "answer", "acknowledge"]


class RecommendedItem(BaseModel):
    id: str
    title: str
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    runtime: int | None = None
    mpaa: str | None = None
    rating: float | None = None
    score: float
    reason: str
    contributions: dict[str, float] = Field(default_factory=dict)


class TurnResult(BaseModel):
    session_id: str
    action: Action
    intent: str
    reply: str
    items: list[RecommendedItem] = Field(default_factory=list)
    state: dict = Field(default_factory=dict)
    notices: list[str] = Field(default_factory=list)  # e.g. unknown titles, truncated input
    timings_ms: dict[str, float] = Field(default_factory=dict)


class UserProfile(BaseModel):
    """What the sessions of one user have established (item ids; newest sessions last)."""

    user_id: str
    sessions: int
    liked_items: list[str] = Field(default_factory=list)
    disliked_items: list[str] = Field(default_factory=list)
    seen_items: list[str] = Field(default_factory=list)
    accepted_items: list[str] = Field(default_factory=list)
    liked_genres: list[str] = Field(default_factory=list)
    avoid_genres: list[str] = Field(default_factory=list)
