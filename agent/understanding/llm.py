"""The LLM understander: structured output from any :class:`agent.llm.LLM`, validated,
grounded and merged with the embedded understanding.

The embedded result is always computed first and is the fallback: on timeout, transport
error, invalid JSON or a schema violation the turn goes on with it (logged, never shown to
the user). Titles the model names are resolved by the same catalogue resolver, never trusted
as ids.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from agent.llm.base import LLM, LLMError, Message, json_schema
from agent.prompting import field_guide, render_prompt
from agent.schema import CRITIQUE_KINDS, INTENT_MEANINGS, LLM_INTENTS
from agent.understanding import lexicon as lx
from agent.understanding.embedded import EmbeddedUnderstander, TurnContext
from agent.understanding.schema import Critique, Mention, Understanding
from retrieval.titles import TitleResolver

log = logging.getLogger(__name__)

Title = Annotated[str, StringConstraints(max_length=80)]
Name = Annotated[str, StringConstraints(max_length=60)]


def _titles(description: str):
    return Field(default_factory=list, max_length=5, description=description)


def _names(description: str):
    return Field(default_factory=list, max_length=3, description=description)


def _intent_guide() -> str:
    return "what the message does: " + "; ".join(f"{i} = {INTENT_MEANINGS[i]}" for i in LLM_INTENTS)


class LLMTurn(BaseModel):
    """What the model must return (arrays and strings bounded so small models cannot loop). The
    descriptions and allowed values are the prompt's field list (``field_guide``)."""

    intent: Literal[LLM_INTENTS] = Field(description=_intent_guide())  # type: ignore[valid-type]
    companions: Literal[tuple(lx.COMPANION_PHRASES)] | None = Field(  # type: ignore[valid-type]
        default=None, description="who the user watches with")
    occasion: Literal[tuple(lx.OCCASION_PHRASES)] | None = Field(  # type: ignore[valid-type]
        default=None, description="the occasion")
    mood: list[Literal[tuple(lx.MOOD_PHRASES)]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=4, description="the moods wanted")
    liked_genres: list[Literal[tuple(lx.GENRE_PHRASES)]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=5, description="genres wanted")
    disliked_genres: list[Literal[tuple(lx.GENRE_PHRASES)]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=5, description="genres to avoid")
    liked_titles: list[Title] = _titles("titles the user likes, exactly as the user wrote them")
    disliked_titles: list[Title] = _titles("titles the user dislikes, exactly as written")
    seen_titles: list[Title] = _titles("titles the user has seen, exactly as written")
    liked_people: list[Name] = _names("directors or actors the user wants (full names)")
    disliked_people: list[Name] = _names("directors or actors the user does not want (full names)")
    max_runtime: int | None = Field(default=None, ge=20, le=400, description="longest runtime in minutes")
    year_min: int | None = Field(default=None, ge=1900, le=2100, description="earliest release year")
    year_max: int | None = Field(default=None, ge=1900, le=2100, description="latest release year")
    min_rating: float | None = Field(default=None, ge=0, le=10, description="lowest rating (0-10)")
    critique: Literal[CRITIQUE_KINDS] | None = Field(  # type: ignore[valid-type]
        default=None, description="how the user wants the shown list changed")
    critique_by_example: bool = Field(
        default=False, description="true when the titles named with the critique show what is wanted "
                                   "('newer, like Moonlight'), false when it moves past them ('like Up but newer')")
    ref_index: int | None = Field(default=None, ge=1, le=10,
                                  description="the movie the user points at (1-based position in the shown list)")


def llm_schema() -> dict:
    """JSON schema sent to the server, with every string bounded."""
    return json_schema(LLMTurn)


def _as_data(text: str) -> str:
    """User text goes into the prompt as data: no tags that could close ours."""
    return re.sub(r"[<>]", " ", text)[:2000]


class LLMUnderstander:
    name = "llm"

    def __init__(self, embedded: EmbeddedUnderstander, llm: LLM, resolver: TitleResolver,
                 title_of=lambda item_id: item_id):
        self.embedded = embedded
        self.llm = llm
        self.resolver = resolver
        self.title_of = title_of
        self.fields = field_guide(LLMTurn)
        self.fallbacks = 0

    def understand(self, text: str, ctx: TurnContext | None = None) -> Understanding:
        ctx = ctx or TurnContext()
        base = self.embedded.understand(text, ctx)
        if base.intent == "empty":
            return base
        prompt = render_prompt("understand", message=_as_data(text), fields=self.fields,
                               shown_titles=[self.title_of(i) for i in ctx.last_shown])
        try:
            # one message: the prompt already holds the user's text, fenced as data
            parsed = self.llm.complete([Message(role="user", content=prompt)], output_type=LLMTurn).parsed
        except LLMError as e:  # no answer, or one that does not fit LLMTurn (InvalidOutput)
            self.fallbacks += 1
            log.warning("LLM understanding failed, using the embedded result: %s", str(e)[:200])
            base.source = "embedded (llm fallback)"
            return base
        return self.merge(base, parsed, ctx)

    def _resolve(self, titles: list[str], polarity: str) -> list[Mention]:
        out = []
        for t in titles:
            matches = [m for m in self.resolver.resolve(t) if m.score >= 88]
            if matches:
                out.append(Mention(item_id=matches[0].item_id, title=matches[0].title, year=matches[0].year,
                                   polarity=polarity, surface=t, alternatives=[m.item_id for m in matches[1:4]]))
        return out

    def _people(self, names: list[str]) -> list[str]:
        """The catalogue's spelling of each name the model gave (a slip forgiven); names it does not
        know are dropped."""
        people = self.embedded.people
        if people is None:
            return []
        return [name for name in map(people.lookup, names) if name]

    def merge(self, base: Understanding, llm: LLMTurn, ctx: TurnContext) -> Understanding:
        """Rules and the catalogue win where they found something; the model fills the gaps."""
        u = base.model_copy(deep=True)
        u.source = "embedded+llm"
        if base.intent in ("recommend", "smalltalk") and llm.intent in LLM_INTENTS:
            u.intent = llm.intent
        sc = u.scene
        sc.companions = sc.companions or llm.companions
        sc.occasion = sc.occasion or llm.occasion
        sc.mood = list(dict.fromkeys(sc.mood + [m for m in llm.mood if m not in sc.not_moods]))
        for g in llm.liked_genres:
            if g not in u.liked_genres and g not in u.disliked_genres:
                u.liked_genres.append(g)
        for g in llm.disliked_genres:
            if g not in u.disliked_genres and g not in base.liked_genres:
                u.disliked_genres.append(g)
        c = u.constraints
        c.max_runtime = c.max_runtime or llm.max_runtime
        c.year_min = c.year_min or llm.year_min
        c.year_max = c.year_max or llm.year_max
        c.min_rating = c.min_rating or llm.min_rating
        known = {m.item_id for m in u.mentions}
        for titles, polarity in ((llm.liked_titles, "liked"), (llm.disliked_titles, "disliked"), (llm.seen_titles, "seen")):
            for m in self._resolve(titles, polarity):
                if m.item_id not in known:
                    u.mentions.append(m)
                    known.add(m.item_id)
        for names, target, other in ((llm.liked_people, u.liked_people, u.disliked_people),
                                     (llm.disliked_people, u.disliked_people, u.liked_people)):
            for name in self._people(names):
                if name not in target and name not in other:
                    target.append(name)
        if llm.critique and not u.critiques and ctx.last_shown:
            ref = llm.ref_index - 1 if llm.ref_index and llm.ref_index <= len(ctx.last_shown) else None
            u.critiques.append(Critique(kind=llm.critique, ref_index=ref, by_example=llm.critique_by_example))
        return u
