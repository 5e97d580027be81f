"""Typed results of a turn; every interface adapts these (the agent never renders HTML)."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from agent.schema import Action


class RecommendedItem(BaseModel):
    id: str
    title: str
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    genre_labels: list[str] = Field(default_factory=list)  # the genres in the reply's language, to show
    runtime: int | None = None
    mpaa: str | None = None
    rating: float | None = None
    directors: list[str] = Field(default_factory=list)
    cast: list[str] = Field(default_factory=list)  # best known first
    score: float
    reason: str
    contributions: dict[str, float] = Field(default_factory=dict)
    facts: list[str] = Field(default_factory=list)  # the grounded facts behind the reason ("Why this?")


class InterestShare(BaseModel):
    """One attribute of a person's interest distribution (posterior mean vs the population)."""

    family: str  # genre | era | mood | runtime
    value: str
    share: float
    prior: float
    before: float | None = None  # the share before this turn / feedback, when known


class InterestSnapshot(BaseModel):
    user_id: str | None
    scene: str | None = None  # the scene asked about (None: all scenes)
    scene_view: bool = False  # True when that scene has its own view (feedback given in it)
    evidence: float = 0.0  # how many ratings' worth of evidence the view holds
    attributes: list[InterestShare] = Field(default_factory=list)


class TurnResult(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

    session_id: str
    action: Action
    intent: str
    reply: str
    items: list[RecommendedItem] = Field(default_factory=list)
    state: dict = Field(default_factory=dict)
    notices: list[str] = Field(default_factory=list)  # e.g. unknown titles, truncated input
    timings_ms: dict[str, float] = Field(default_factory=dict)
    # the person's interest snapshot after this turn (with a user id); "profile" in JSON, as the API has it
    interest: InterestSnapshot | None = Field(None, serialization_alias="profile",
                                              validation_alias=AliasChoices("interest", "profile"))


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
