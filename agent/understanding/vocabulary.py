"""The understander's vocabulary, as data: one file per language (``data/<lang>.yaml``), all with
the same record shapes, validated when first loaded.

A language's file holds its phrase tables (genres, scene values, moods, cues), its descriptive
attributes, the phrases that clear a piece of the state, the words that bound numbers, and named
patterns with example and counter-example sentences (run by ``tests/test_vocabulary.py``).
Nothing is read at import time: :func:`vocabulary` loads a language once, on first use.

Example::

    v = vocabulary("en")
    v.attributes["gore"].phrases      # ['gore', 'gory', ...]
    v.clears[0].fields                # ['companions']  ("the kids went to bed")
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DATA_DIR = Path(__file__).with_name("data")
GENRES = ("Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western")
STATE_FIELDS = ("companions", "occasion", "mood", "time_budget_min", "time_of_day", "max_runtime", "min_runtime",
                "year_min", "year_max", "mpaa_max", "min_rating", "exclude_genres")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _genre_weights(v: dict[str, float]) -> dict[str, float]:
    unknown = set(v) - set(GENRES)
    if unknown:
        raise ValueError(f"unknown genre(s) {sorted(unknown)}")
    return v


class Leaning(_Strict):
    phrases: list[str]
    genres: dict[str, float] = Field(default_factory=dict)
    companions: str | None = None  # who is watching when nobody is named (a date: the partner)

    _check = field_validator("genres")(_genre_weights)


class Mood(Leaning):
    prototypes: list[str] = Field(default_factory=list)


class Attribute(_Strict):
    """A descriptive wish that is not a genre ("gore", "heist", "slow-burning")."""

    phrases: list[str]
    genre: str | None = None  # the genre it belongs to: a soft leaning (never a like or a dislike)
    implies: list[str] = Field(default_factory=list)  # genres a positive mention names outright ("a romcom")
    leanings: dict[str, float] = Field(default_factory=dict)
    query: str = ""
    exclude_when_avoided: list[str] = Field(default_factory=list)
    mood: str | None = None  # a mood a positive mention also sets ("mind-bending": thoughtful)
    hides_genre: bool = False  # a genre word inside its phrases names no genre ("true crime", "nordic noir")
    only_avoided: bool = False  # an aversion only ("not too long"); the word alone asks for nothing ("a long flight")

    _check = field_validator("leanings")(_genre_weights)

    @field_validator("genre")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is not None and v not in GENRES:
            raise ValueError(f"unknown genre {v!r}")
        return v

    @field_validator("implies", "exclude_when_avoided")
    @classmethod
    def _known_all(cls, v: list[str]) -> list[str]:
        _genre_weights(dict.fromkeys(v, 0.0))
        return v

    @property
    def weights(self) -> dict[str, float]:
        """Soft genre weights when the attribute is wanted (negated when avoided)."""
        w = dict(self.leanings)
        if self.genre:
            w[self.genre] = max(w.get(self.genre, 0.0), 0.8)
        return w


class FamilySafe(_Strict):
    phrases: list[str]
    companions: list[str]
    mpaa_ceiling: str
    excluded_genres: list[str]


class Negation(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    cues: list[str]
    scope_breakers: list[str]
    clause_breaks: list[str]
    after_cues: list[str]  # negate the words before them in the clause
    clause_final_cues: list[str]  # the same, only closing a clause ("aliens no")
    tolerance_before: list[str]  # allow what follows without asking for it ("ok with violence")
    tolerance_after: list[str]  # allow what precedes ("subtitles are fine")
    negating_prefixes: list[str] = Field(default_factory=list)  # "inoffensive", "non-violent"
    aversions: dict[str, list[str]] = Field(default_factory=dict)  # "keep it clean": offensive avoided
    subset_words: list[str] = Field(default_factory=list)  # "not his war movies": a part of the genre
    kind_words: list[str] = Field(default_factory=list)  # "no high brow humor": a kind of the genre
    # after a thing named, the words of its head noun ("mafia clichés") or of a place it is in ("a
    # whodunnit in a big mansion"): parts of that thing, no aversion of their own
    head_nouns: list[str] = Field(default_factory=list)
    # the word right after these is the verb they negate ("doesn't rely on jump scares"), no aversion
    verb_cues: list[str] = Field(default_factory=list)
    modifier_openers: list[str] = Field(default_factory=list)

    @cached_property
    def after_regex(self) -> re.Pattern:
        return _alternatives(self.after_cues)

    @cached_property
    def clause_final_regex(self) -> re.Pattern:
        breaks = "|".join(re.escape(b) for b in self.clause_breaks if not b.isalpha())
        return re.compile(_alternatives(self.clause_final_cues).pattern + rf"\s*(?=$|{breaks}|\s(?:but|and|though)\b)")

    @cached_property
    def tolerance_before_regex(self) -> re.Pattern:
        return _alternatives(self.tolerance_before)

    @cached_property
    def tolerance_after_regex(self) -> re.Pattern:
        return _alternatives(self.tolerance_after)


def _alternatives(phrases: list[str]) -> re.Pattern:
    """One regex matching any of ``phrases`` on word boundaries, longest first."""
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                      + r")(?![\w'])")


class Cues(_Strict):
    like: list[str]
    seen: list[str]
    greetings: list[str]
    thanks: list[str]
    reset: list[str]
    accept: list[str]
    reject: list[str]
    request: list[str]
    out_of_scope: list[str]
    out_of_scope_always: list[str] = Field(default_factory=list)  # hostile / injection: whatever else the message says
    more: list[str]
    quality: list[str]
    about_the_bot: list[str] = Field(default_factory=list)  # "what's your favourite film?": small talk
    people_of: list[str] = Field(default_factory=list)  # "the director of the third one": asks about its people
    recent: list[str]
    old: list[str]
    question_starts: list[str]


class Clear(_Strict):
    """An explicit change that empties part of the state ("the kids went to bed")."""

    name: str
    fields: list[str]
    patterns: list[str]
    examples: list[str]
    counter_examples: list[str] = Field(default_factory=list)

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: list[str]) -> list[str]:
        unknown = set(v) - set(STATE_FIELDS)
        if unknown:
            raise ValueError(f"unknown state field(s) {sorted(unknown)}")
        return v

    @cached_property
    def regexes(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.patterns]

    def matches(self, low: str) -> bool:
        return any(r.search(low) for r in self.regexes)


class Numbers(_Strict):
    max_before: list[str]
    min_before: list[str]
    max_after: list[str]
    min_after: list[str]
    negators: list[str]
    strict_year_words: list[str]
    budget_before: list[str]
    range_joiners: list[str]
    decade_parts: dict[str, tuple[int, int]]
    units_hours: list[str]
    units_minutes: list[str]
    recent_limit: list[str]  # "something recent": made in the catalogue's last recent_limit_years years
    recent_limit_years: int


class PeopleWords(_Strict):
    """How people are named loosely (a surname alone, a nickname, a slip; see ``names.py``)."""

    surname_cues_before: list[str]
    surname_cues_after: list[str]
    nicknames: dict[str, list[str]]
    sound_alike: list[tuple[str, str]]
    examples: list[str]
    counter_examples: list[str] = Field(default_factory=list)


class Rule(_Strict):
    """A named regex over the lower-cased, tokenised text, with text it must and must not match."""

    description: str
    pattern: str
    examples: list[str]
    counter_examples: list[str] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"bad regex {v!r}: {e}") from e
        return v


class Example(_Strict):
    text: str
    shown: bool = False
    expect: dict = Field(default_factory=dict)
    absent: dict = Field(default_factory=dict)


class Pattern(_Strict):
    name: str
    description: str
    examples: list[Example]
    counter_examples: list[Example] = Field(default_factory=list)


class Vocabulary(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    language: str
    genres: dict[str, list[str]]
    # genre -> the neighbouring genres a wish for it also lets through ("a kids movie": an animated one)
    related_genres: dict[str, list[str]] = Field(default_factory=dict)
    companions: dict[str, Leaning]
    companion_priority: list[str]
    occasions: dict[str, Leaning]
    occasion_priority: list[str] = Field(default_factory=list)  # which wins when a turn names two
    moods: dict[str, Mood]
    times_of_day: dict[str, list[str]]
    time_of_day_priority: list[str]
    family_safe: FamilySafe
    negation: Negation
    cues: Cues
    questions: dict[str, list[str]]
    critiques: dict[str, list[str]]
    ordinals: dict[str, int]
    number_words: dict[str, float]
    common_words: list[str]
    attributes: dict[str, Attribute]
    clears: list[Clear]
    numbers: Numbers
    people: PeopleWords
    rules: dict[str, Rule]
    patterns: list[Pattern]

    @model_validator(mode="after")
    def _consistent(self) -> Vocabulary:
        _genre_weights(dict.fromkeys(self.genres, 0.0))
        _genre_weights(dict.fromkeys(list(self.related_genres) + [g for gs in self.related_genres.values() for g in gs], 0.0))
        if set(self.companion_priority) != set(self.companions):
            raise ValueError("companion_priority must list every companion value once")
        if set(self.time_of_day_priority) != set(self.times_of_day):
            raise ValueError("time_of_day_priority must list every time of day once")
        if set(self.occasion_priority) - set(self.occasions):
            raise ValueError("occasion_priority names an unknown occasion")
        unknown = {a.mood for a in self.attributes.values() if a.mood} - set(self.moods)
        if unknown:
            raise ValueError(f"attribute mood(s) {sorted(unknown)} are no mood")
        names = [p.name for p in self.patterns] + [c.name for c in self.clears]
        if len(names) != len(set(names)):
            raise ValueError("pattern names must be unique")
        return self

    @cached_property
    def regexes(self) -> dict[str, re.Pattern]:
        """The named rules, compiled."""
        return {name: re.compile(r.pattern) for name, r in self.rules.items()}

    @cached_property
    def attribute_phrases(self) -> dict[str, list[str]]:
        return {name: a.phrases for name, a in self.attributes.items()}


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and validate one language's file; a malformed file raises ``ValueError`` naming it."""
    try:
        # libyaml's safe loader when present: the same documents, ~8x faster (a start-up cost)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return Vocabulary.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as e:
        raise ValueError(f"vocabulary file {path}: {e}") from e


@lru_cache(maxsize=8)
def vocabulary(language: str = "en") -> Vocabulary:
    return load_vocabulary(DATA_DIR / f"{language}.yaml")
