"""What one user turn means: the contract both understanders fill."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Intent = Literal[
    "recommend",  # asks for recommendations / gives preferences
    "refine",  # critiques what was shown
    "ask_item",  # asks a question about an item
    "accept",  # takes a recommendation
    "reject",  # rejects shown items ("seen it", "not that one")
    "greeting",
    "smalltalk",  # thanks, chit-chat
    "reset",
    "out_of_scope",
    "empty",
]
# what each intent means, in the words a model is given (agent/understanding/llm.py's prompt)
INTENT_MEANINGS: dict[str, str] = {
    "recommend": "asks for movies or states tastes",
    "refine": "critiques the shown list",
    "ask_item": "asks a question about one movie",
    "accept": "takes one of the shown movies",
    "reject": "turns shown movies down (seen it, not that one)",
    "greeting": "says hello",
    "smalltalk": "thanks or chit-chat",
    "reset": "wants to start over",
    "out_of_scope": "asks for something other than movies",
    "empty": "says nothing",
}
Polarity = Literal["liked", "disliked", "seen", "unseen", "neutral"]  # unseen: "never seen X", no verdict
CritiqueKind = Literal[
    "shorter", "longer", "older", "newer", "less_violent", "funnier", "darker", "better_rated",
    "different", "another", "more_like",
]
QuestionAttribute = Literal["scary", "runtime", "mpaa", "rating", "year", "genre", "plot", "people", "why", "kids",
                            "general"]


class SceneUpdate(BaseModel):
    companions: str | None = None
    occasion: str | None = None
    mood: list[str] = Field(default_factory=list)
    not_moods: list[str] = Field(default_factory=list)
    time_budget_min: int | None = None
    time_of_day: str | None = None
    companions_cleared: bool = False  # "actually, no kids tonight"


class ConstraintUpdate(BaseModel):
    year_min: int | None = None
    year_max: int | None = None
    min_runtime: int | None = None
    max_runtime: int | None = None
    mpaa_max: str | None = None
    min_rating: float | None = None
    item_type: str | None = None


class Mention(BaseModel):
    item_id: str
    title: str
    year: int | None = None
    polarity: Polarity = "neutral"
    surface: str = ""
    alternatives: list[str] = Field(default_factory=list)  # other ids the words could mean


class Critique(BaseModel):
    kind: CritiqueKind
    ref_index: int | None = None  # index into the last shown list ("more like the second one")
    # "something newer, like Moonlight": the films named with it show what is wanted, so a year
    # bound takes them in instead of moving past them ("like Jurassic Park but newer")
    by_example: bool = False


class Understanding(BaseModel):
    intent: Intent = "recommend"
    scene: SceneUpdate = Field(default_factory=SceneUpdate)
    constraints: ConstraintUpdate = Field(default_factory=ConstraintUpdate)
    liked_genres: list[str] = Field(default_factory=list)
    disliked_genres: list[str] = Field(default_factory=list)
    liked_attributes: list[str] = Field(default_factory=list)  # descriptive wishes: "dinosaurs", "heist"
    avoided_attributes: list[str] = Field(default_factory=list)  # "not too violent", "comedy but not slapstick"
    clears: list[str] = Field(default_factory=list)  # state fields the person explicitly dropped
    liked_people: list[str] = Field(default_factory=list)  # directors / cast named, as the catalogue spells them
    disliked_people: list[str] = Field(default_factory=list)  # "nothing with Adam Sandler"
    mentions: list[Mention] = Field(default_factory=list)
    unknown_titles: list[str] = Field(default_factory=list)
    critiques: list[Critique] = Field(default_factory=list)
    references: list[int] = Field(default_factory=list)  # ordinal refs into the last shown list
    refers_to_focus: bool = False  # "it", "that one"
    refers_to_all: bool = False  # "them", "those", "both": every title just shown
    shown_verdict: Literal["liked", "disliked", "seen"] | None = None  # on titles just shown: "loved those"
    question: QuestionAttribute | None = None
    keywords: list[str] = Field(default_factory=list)  # free content words for the semantic query
    source: str = "embedded"
    language: str | None = None  # the turn's language ("en", "zh"); None: no evidence either way

    def has_preferences(self) -> bool:
        s = self.scene
        return bool(
            self.liked_genres or self.disliked_genres or self.mentions or self.keywords
            or self.liked_attributes or self.avoided_attributes
            or self.liked_people or self.disliked_people
            or s.companions or s.occasion or s.mood or s.time_budget_min
            or any(v is not None for v in self.constraints.model_dump().values())
        )
