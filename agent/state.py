"""Dialogue state: what the conversation has established so far, updated turn by turn.

Pure dialogue data: what retrieval makes of it (filters, genre priors) is :mod:`agent.planning`'s.
Two pure updates, each returning a new state: ``apply`` (a turn's understanding) and
``after_turn`` (how the turn was answered: what was shown, the action taken).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from agent.understanding.schema import ConstraintUpdate, Understanding
from retrieval.items import MPAA_ORDER, Item

Lookup = Callable[[str], Item | None]
SAID_KEPT, SAID_CHARS = 8, 400  # the person's messages a state remembers, and the characters of each
SAID_RECENT = 3  # the messages the learned text scorer reads


class Scene(BaseModel):
    companions: str | None = None
    occasion: str | None = None
    mood: list[str] = Field(default_factory=list)
    time_budget_min: int | None = None
    time_of_day: str | None = None


class Constraints(ConstraintUpdate):
    """The hard constraints established so far (a turn's update plus excluded and required genres)."""

    exclude_genres: list[str] = Field(default_factory=list)
    # a critique's direction ("something funnier": Comedy): every pick has one of these, until the person
    # names genres again, asks for something different, or starts over
    require_genres: list[str] = Field(default_factory=list)


def _year_bound(c: Constraints, kind: str, years: list[int], relative_to_named: bool, by_example: bool) -> None:
    """"older" / "newer" as a one-sided year bound: past every title named ("like Jurassic Park but
    newer"), past most of a list shown, or, ``by_example``, taking the titles named in ("something
    newer, like Moonlight or Boyhood": from the earliest of them)."""
    if kind == "older":
        c.year_max = int(max(years)) if by_example else int(min(years)) - 1
        c.year_min = None
        return
    if by_example:
        c.year_min = int(min(years))
    else:
        c.year_min = (max(years) if relative_to_named else int(statistics.median(years))) + 1
    c.year_max = None


def _add(seq: list[str], *values: str) -> None:
    for v in values:
        if v and v not in seq:
            seq.append(v)


def _take_sides(likes: list[str], dislikes: list[str], liked: list[str], against: list[str],
                *also_against: list[str]) -> None:
    """The newest word wins: a like leaves every list against it, a dislike leaves ``liked``."""
    for v in likes:
        _add(liked, v)
        for lst in (against, *also_against):
            if v in lst:
                lst.remove(v)
    for v in dislikes:
        _add(against, v)
        if v in liked:
            liked.remove(v)


def _moved_on(u: Understanding) -> bool:
    """Whether a turn leaves the request before it: it asks about one film ("what is it about?").
    A critique, a scene, a film named or "seen it" go on with the same request."""
    return u.intent == "ask_item"


def _genres_now(s: DialogueState, u: Understanding) -> list[str]:
    """The liked genres asked for after this turn: the genres it names (they replace the earlier
    ones, which stay liked), or, when it names none, the ones asked for before unless the person has
    moved on."""
    if u.liked_genres:
        return [g for g in u.liked_genres if g in s.liked_genres]
    return [] if _moved_on(u) else [g for g in s.genres_now if g in s.liked_genres]


def _years_now(s: DialogueState, u: Understanding, before: tuple[int | None, int | None]) -> bool:
    """Whether the year bounds apply after this turn: this turn set them (in numbers or with "newer" /
    "older"), or the request that set them goes on."""
    bounds = (s.constraints.year_min, s.constraints.year_max)
    if bounds == (None, None):
        return False
    said = u.constraints.year_min is not None or u.constraints.year_max is not None
    return said or bounds != before or (s.years_now and not _moved_on(u))


class DialogueState(BaseModel):
    scene: Scene = Field(default_factory=Scene)
    constraints: Constraints = Field(default_factory=Constraints)
    liked_genres: list[str] = Field(default_factory=list)
    avoid_genres: list[str] = Field(default_factory=list)  # soft dislikes (critiques)
    liked_attributes: list[str] = Field(default_factory=list)  # descriptive wishes: "dinosaurs", "heist"
    avoid_attributes: list[str] = Field(default_factory=list)  # soft penalties: "gore", "slapstick"
    liked_people: list[str] = Field(default_factory=list)  # directors / cast asked for
    avoid_people: list[str] = Field(default_factory=list)  # "nothing with ...": their films are excluded
    liked_items: list[str] = Field(default_factory=list)
    disliked_items: list[str] = Field(default_factory=list)
    seen_items: list[str] = Field(default_factory=list)
    accepted_items: list[str] = Field(default_factory=list)
    anchor_items: list[str] = Field(default_factory=list)  # "more like this one"
    shown_items: list[str] = Field(default_factory=list)
    last_shown: list[str] = Field(default_factory=list)
    # named in the conversation by someone else (e.g. a human recommender in a replayed dialogue), with
    # no verdict from the person yet; never the agent's own lists
    discussed_items: list[str] = Field(default_factory=list)
    mentioned_items: list[str] = Field(default_factory=list)  # titles the person named in their own words
    focus_item: str | None = None
    # why each item of the last list was picked (its reason, from its real score contributions)
    last_reasons: dict[str, str] = Field(default_factory=dict)
    keywords: list[str] = Field(default_factory=list)
    critiques: list[str] = Field(default_factory=list)  # the kinds of critique the person has made so far
    # the descriptive wishes and aversions the person's latest message said (each held one not said
    # again there weighs less: :func:`agent.planning.described_wishes`)
    wishes_now: list[str] = Field(default_factory=list)
    # the liked genres the person is asking for now: the latest genres they named, kept until they ask
    # about a film. A genre liked earlier and not asked for now is a preference, no longer a filter
    # (:func:`agent.planning.filters_for`)
    genres_now: list[str] = Field(default_factory=list)
    # whether the year bounds (``constraints.year_min`` / ``year_max``) were asked for now, the same way:
    # "something newer" bounds the years until the person moves on; then the bound is kept, not applied
    years_now: bool = False
    # the person's own recent messages (the learned text scorer reads them); bounded, and gone on reset
    said: list[str] = Field(default_factory=list)
    turns: int = 0
    clarify_streak: int = 0
    last_action: str | None = None
    language: str = "en"  # the language the person writes in (the latest turn that showed one)

    # -- derived views --------------------------------------------------------------------
    def excluded_ids(self) -> set[str]:
        """Never recommended again: shown, seen, disliked, and what the person said they liked or
        chose (they know those already)."""
        return (set(self.shown_items) | set(self.seen_items) | set(self.disliked_items) | set(self.liked_items)
                | set(self.accepted_items))

    def is_thin(self) -> bool:
        s = self.scene
        return not (
            self.liked_genres or self.liked_items or self.anchor_items or self.keywords or s.mood
            or self.liked_people or self.liked_attributes or self.avoid_attributes
            or s.companions or s.occasion or s.time_budget_min
            or any(v not in (None, []) for v in self.constraints.model_dump().values())
        )

    def summary(self) -> dict:
        return self.model_dump(exclude={"shown_items", "discussed_items", "said", "last_reasons", "wishes_now",
                                        "genres_now", "years_now"})

    def named_items(self) -> list[str]:
        """Every film named in the conversation, by the person or someone else (not the agent's own
        lists): what recommenders in the training conversations went on from."""
        return list(dict.fromkeys(self.liked_items + self.seen_items + self.disliked_items + self.accepted_items
                                  + self.anchor_items + self.discussed_items))

    def said_text(self) -> str:
        return " ".join(self.said)

    def recent_said_text(self) -> str:
        """The person's last SAID_RECENT messages: what the learned text scorer embeds (the whole
        history is mostly past the encoder's 256 tokens, and costs 4x the time to embed)."""
        return " ".join(self.said[-SAID_RECENT:])

    def heard(self, text: str) -> DialogueState:
        """The state with the person's message remembered (the last SAID_KEPT, each clipped)."""
        text = " ".join(text.split())[:SAID_CHARS]
        if not text:
            return self
        return self.model_copy(update={"said": (self.said + [text])[-SAID_KEPT:]})

    # -- update ----------------------------------------------------------------------------
    def after_turn(self, action: str | None, shown: Sequence[str] = (),
                   reasons: dict[str, str] | None = None) -> DialogueState:
        """Every change after the understanding is applied: the items ``shown`` (with why each was
        picked) and the ``action`` taken. ``action`` None: someone else (a human recommender in a
        replayed dialogue) named ``shown``; they are discussed, and no action of the agent's."""
        s = self.model_copy(deep=True)
        shown = list(dict.fromkeys(shown))
        if shown:
            s.last_shown = shown
            s.shown_items = list(dict.fromkeys(s.shown_items + shown))
            s.last_reasons = reasons if reasons is not None else s.last_reasons
        if action is None:
            s.discussed_items = list(dict.fromkeys(s.discussed_items + shown))
            return s
        if action == "recommend":
            s.clarify_streak = 0
        elif action == "ask":
            s.clarify_streak += 1
        s.last_action = action
        return s

    def apply(self, u: Understanding, lookup: Lookup) -> DialogueState:
        if u.intent == "reset":
            # preferences go; facts about what the person has seen or rejected stay
            return DialogueState(seen_items=list(self.seen_items), disliked_items=list(self.disliked_items),
                                 shown_items=list(self.shown_items), mentioned_items=list(self.mentioned_items),
                                 turns=self.turns + 1, language=u.language or self.language)
        s = self.model_copy(deep=True)
        before = (s.constraints.year_min, s.constraints.year_max)
        s.turns += 1
        s.language = u.language or s.language
        if u.intent != "ask_item":  # "is it scary?" asks; it does not ask for scary movies
            self._apply_clears(s, u)
            self._apply_scene(s, u)
        self._apply_mentions(s, u)
        self._apply_references(s, u)
        named = [m.item_id for m in u.mentions if m.polarity in ("liked", "neutral")]
        for crit in u.critiques:
            self._apply_critique(s, crit.kind, crit.ref_index, lookup, named, crit.by_example)
            _add(s.critiques, crit.kind)
        if u.intent != "ask_item":
            # the person's own numbers and words win over what a critique derived ("older, before 1980")
            self._apply_preferences(s, u)
        s.wishes_now = [] if u.intent == "ask_item" else list(dict.fromkeys(u.liked_attributes + u.avoided_attributes))
        s.genres_now = _genres_now(s, u)
        s.years_now = _years_now(s, u, before)
        return s

    @staticmethod
    def _apply_clears(s: DialogueState, u: Understanding) -> None:
        """Explicit changes: "the kids went to bed", "forget the time limit"."""
        for f in u.clears:
            if f in ("companions", "occasion", "time_budget_min", "time_of_day"):
                setattr(s.scene, f, None)
            elif f == "mood":
                s.scene.mood = []
            elif f == "exclude_genres":
                s.constraints.exclude_genres = []
            else:
                setattr(s.constraints, f, None)

    @staticmethod
    def _apply_scene(s: DialogueState, u: Understanding) -> None:
        sc = u.scene
        if sc.companions_cleared:
            s.scene.companions = None
        if sc.companions:
            s.scene.companions = sc.companions
        if sc.occasion:
            s.scene.occasion = sc.occasion
        if sc.mood:
            s.scene.mood = list(sc.mood)  # the latest mood wins over an older one
        s.scene.mood = [m for m in s.scene.mood if m not in sc.not_moods]
        if sc.time_budget_min:
            s.scene.time_budget_min = sc.time_budget_min
        if sc.time_of_day:
            s.scene.time_of_day = sc.time_of_day

    @staticmethod
    def _apply_preferences(s: DialogueState, u: Understanding) -> None:
        c = s.constraints
        for field, value in u.constraints.model_dump().items():
            if value is not None:
                setattr(c, field, value)
        if c.year_min and c.year_max and c.year_min > c.year_max:
            if u.constraints.year_min is not None:
                c.year_max = None
            else:
                c.year_min = None
        if u.liked_genres:  # the person's own genre words replace a critique's direction
            c.require_genres = []
        _take_sides(u.liked_genres, u.disliked_genres, s.liked_genres, c.exclude_genres, s.avoid_genres)
        _take_sides(u.liked_people, u.disliked_people, s.liked_people, s.avoid_people)
        _take_sides(u.liked_attributes, u.avoided_attributes, s.liked_attributes, s.avoid_attributes)
        if u.keywords and u.intent in ("recommend", "refine"):
            s.keywords = list(dict.fromkeys(s.keywords + u.keywords))[-12:]

    @staticmethod
    def _apply_mentions(s: DialogueState, u: Understanding) -> None:
        for m in u.mentions:
            _add(s.mentioned_items, m.item_id)
            if m.polarity == "seen":
                _add(s.seen_items, m.item_id)
            elif m.polarity == "disliked":
                _add(s.disliked_items, m.item_id)
            elif m.polarity == "liked" or (m.polarity == "neutral" and u.intent in ("recommend", "refine")):
                _add(s.liked_items, m.item_id)
                s.anchor_items = [m.item_id]
            if u.intent in ("ask_item", "accept"):
                s.focus_item = m.item_id

    @staticmethod
    def _resolve_refs(s: DialogueState, u: Understanding) -> list[str]:
        out = []
        for idx in u.references:
            if s.last_shown and -len(s.last_shown) <= idx < len(s.last_shown):
                out.append(s.last_shown[idx])
        return out

    def _apply_references(self, s: DialogueState, u: Understanding) -> None:
        refs = self._resolve_refs(s, u)
        if refs and u.intent in ("ask_item", "accept", "reject"):
            s.focus_item = refs[0]
        if u.intent == "accept":
            if refs:
                targets = refs[:1]
            elif u.refers_to_all and s.last_shown:  # "I'll check them out"
                targets = list(s.last_shown)
            else:
                target = s.focus_item or (s.last_shown[0] if s.last_shown else None)
                targets = [target] if target else []
            for t in targets:
                _add(s.accepted_items, t)
            if targets:
                s.focus_item = targets[0]
        if u.intent == "reject" and u.shown_verdict != "seen":  # "seen those" is no dislike
            low_all = not refs and not u.refers_to_focus
            targets = refs or ([s.focus_item] if s.focus_item and u.refers_to_focus else []) or (s.last_shown if low_all else [])
            for t in targets:
                _add(s.disliked_items, t)
        if u.shown_verdict:
            self._apply_verdict(s, u, refs)

    @staticmethod
    def _apply_verdict(s: DialogueState, u: Understanding, refs: list[str]) -> None:
        """"I loved all of those", "I didn't like it", "seen both": a verdict on the titles just shown."""
        if refs or (u.refers_to_all and not u.references):  # "the second one"; "both", "all of those"
            targets = refs or list(s.last_shown)
        elif s.focus_item and u.refers_to_focus:
            targets = [s.focus_item]
        else:
            targets = s.last_shown[:1] if len(s.last_shown) == 1 else []
        if u.shown_verdict == "seen":
            for t in targets:
                _add(s.seen_items, t)
            return
        liked = u.shown_verdict == "liked"
        _take_sides(targets if liked else [], [] if liked else targets, s.liked_items, s.disliked_items)

    @staticmethod
    def _apply_critique(s: DialogueState, kind: str, ref_index: int | None, lookup: Lookup,
                        named: list[str] | None = None, by_example: bool = False) -> None:
        """``named``: titles the person named this turn ("like Jurassic Park but newer"): with
        nothing shown, "newer" / "older" / "shorter" are relative to them; ``by_example``: they show
        what is wanted ("something newer, like Moonlight or Boyhood"), so a year bound takes them in."""
        shown = [it for it in (lookup(i) for i in s.last_shown) if it]
        relative_to_named = False
        if named and (not shown or kind in ("newer", "older")):
            named_items = [it for it in (lookup(i) for i in named) if it]
            relative_to_named = bool(named_items)
            shown = named_items or shown
        c = s.constraints
        ref_ok = ref_index is not None and -len(s.last_shown) <= ref_index < len(s.last_shown)
        if ref_ok:
            ref_items = [lookup(s.last_shown[ref_index])]
        else:
            ref_items = shown
        ref_items = [it for it in ref_items if it]
        runtimes = [it.runtime for it in ref_items if it.runtime]
        years = [it.year for it in ref_items if it.year]
        if kind == "shorter":
            base = statistics.median(runtimes) if runtimes else (c.max_runtime or 120)
            c.max_runtime = max(60, int(min(base, c.max_runtime or base)) - 10)
            c.min_runtime = None
        elif kind == "longer":
            base = statistics.median(runtimes) if runtimes else 100
            c.min_runtime = int(base) + 10
            c.max_runtime = None
            s.scene.time_budget_min = None
        elif kind in ("older", "newer") and years:
            _year_bound(c, kind, years, relative_to_named, by_example and relative_to_named)
        elif kind == "less_violent":
            _add(c.exclude_genres, "Horror", "War")
            _add(s.avoid_genres, "Action", "Crime", "Thriller")
            order = list(MPAA_ORDER)
            current = c.mpaa_max or "PG-13"
            c.mpaa_max = order[min(order.index(current), order.index("PG-13"))]
        elif kind == "funnier":
            _add(s.scene.mood, "funny")
            _add(s.liked_genres, "Comedy")
            c.require_genres = ["Comedy"]
        elif kind == "darker":
            _add(s.scene.mood, "dark")
        elif kind == "better_rated":
            c.min_rating = max(7.0, (c.min_rating or 6.5) + 0.5)
        elif kind == "different":
            shown_genres = {g for it in shown for g in it.genres}
            s.avoid_genres = sorted(shown_genres)
            s.liked_genres = [g for g in s.liked_genres if g not in shown_genres]
            s.anchor_items, s.scene.mood, s.keywords = [], [], []
            c.require_genres = []
        elif kind in ("another", "more_like"):
            target = (s.last_shown[ref_index] if ref_ok and ref_items else
                      s.focus_item or (s.last_shown[0] if s.last_shown else None))
            if target:
                s.anchor_items = [target]
