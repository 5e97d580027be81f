"""Grounded facts behind a pick: what actually drove its score, in words a reason may use.

Each :class:`Fact` comes from one source of the score — the person's words, the scene, their
history, the sequence signal, their interest profile, or catalogue facts — and carries its
structured data, the item ids it names and the contribution it accounts for. Writers (template
or LLM) may say only what the facts say. Example::

    facts = request_facts(item, contributions, state, anchors={"589": "Terminator 2 (1991)"})
    facts[0].text          # 'close to Terminator 2 (1991), which you mentioned'
    facts[0].phrase(2)     # another wording of the same fact
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from agent.state import DialogueState
from agent.understanding import lexicon as lx
from retrieval.items import Item
from retrieval.described import holds, normalised_text
from retrieval.ranking import CONVERSATION_FEATURES

SCENE_WORDS = {
    "kids": "a night with the kids", "family": "a family night", "partner": "watching as a couple",
    "friends": "a night with friends", "colleagues": "watching with colleagues", "alone": "a night on your own",
    "date_night": "date night", "movie_night": "movie night", "party": "a party",
    "background": "background viewing", "travel": "a trip", "holiday": "the holidays",
    "rainy_day": "a rainy day", "sick_day": "a sick day",
}

# Wordings per fact kind; the first is the canonical one ("Why this?", the LLM's facts).
PHRASES: dict[str, list[str]] = {
    "liked": ["close to {title}, which you mentioned", "along the lines of {title}",
              "if you liked {title}, this is close in spirit", "shares a lot with {title}"],
    "liked_button": ["close to {title}, which you liked", "along the lines of {title}, a film you liked"],
    "attribute": ["{attributes}, as you asked", "what you asked for: {attributes}"],
    "genre": ["the {genres} you asked for", "{genres}, as requested", "hits the {genres} note you wanted"],
    "stars": ["stars {names}, as you asked", "with {names}, whom you asked for", "{names} in it, as requested"],
    "directed": ["directed by {names}, as you asked", "a film by {names}, as requested"],
    "mood": ["fits the {moods} mood you described", "{moods}, as you asked", "should feel {moods}"],
    "scene": ["suits {scene} ({details})", "a good fit for {scene}: {details}", "works for {scene} ({details})"],
    "scene_plain": ["suits {scene}", "a good fit for {scene}", "works for {scene}"],
    "time": ["{runtime} min, inside your time limit", "fits your time: {runtime} min",
             "only {runtime} min, within your limit"],
    "history": ["you rated {title} {stars}★, and {liked} of {raters} people who liked it rated this 4★ or more",
                "{liked} of {raters} fans of {title} (you gave it {stars}★) rated this 4★ or more",
                "you gave {title} {stars}★; {liked} of the {raters} people who liked it and saw this loved it too"],
    "history_plain": ["you rated {title} {stars}★ and people who liked it also watched this",
                      "people who liked {title} (your {stars}★) watched this too",
                      "fans of {title}, which you gave {stars}★, often watch this"],
    "liked_seed": ["{liked} of {raters} people who liked {title} rated this 4★ or more",
                   "people who liked {title} loved this: {liked} of {raters} rated it 4★ or more"],
    "liked_seed_plain": ["people who liked {title} also watched this", "often watched by fans of {title}"],
    "sequence": ["people who watched {title} often went on to watch this",
                 "a common next watch after {title}", "viewers of {title} tend to watch this next"],
    "profile": ["your taste profile leans to {value}: {share}% against {prior}% for most people",
                "you lean towards {value} ({share}% of your taste profile vs {prior}% overall)",
                "matches your taste for {value} ({share}% for you, {prior}% for most people)"],
    "quality": ["{rating}/10 from {votes} IMDb voters", "well liked: {rating}/10 on IMDb ({votes} votes)",
                "rated {rating}/10 by {votes} IMDb voters"],
    "popular": ["{count} people rated it in our catalogue, {mean}★ on average",
                "a crowd favourite: {count} ratings averaging {mean}★"],
    "genres": ["{genres}"],
    # the learned conversation features (retrieval.ranking.CONVERSATION_FEATURES): what
    # recommenders in real conversations suggested, never a claim about the item itself
    "conversations": ["often suggested in real recommendation conversations like this one",
                      "a frequent suggestion when people talk about films like this",
                      "recommenders in similar conversations often picked it"],
}
LEARNED_SHARE = 0.2  # how much of the learned features' contribution a reason credits to them (the fitted
# weights are about twice the half-fitted ones this was set with at 0.35: the same credit)


def mood_fits(mood: str, item: Item) -> bool:
    """Whether an item's genres bear out a mood: one genre leaning to it, none leaning against it
    (a crime thriller is not "uplifting")."""
    leanings = lx.MOOD_GENRES.get(mood, {})
    weights = [leanings.get(g, 0.0) for g in item.genres]
    return any(w >= 0.3 for w in weights) and not any(w < 0 for w in weights)


def attribute_in_text(name: str, item: Item) -> bool:
    """Whether an item's own text (title, description, genres) holds one of an attribute's phrases."""
    return holds(normalised_text(item), attribute_phrases(name))


def attribute_phrases(name: str) -> tuple[str, ...]:
    """The phrases a descriptive wish is found by in an item's text (its own name if unknown)."""
    attribute = lx.ATTRIBUTES.get(name)
    return tuple(attribute.phrases) if attribute else (name,)


@dataclass(frozen=True)
class Fact:
    kind: str  # a key of PHRASES
    data: dict = field(default_factory=dict, hash=False, compare=False)
    weight: float = 0.0  # the score contribution this fact accounts for
    titles: tuple[str, ...] = ()  # item ids the fact names

    def phrase(self, variant: int = 0) -> str:
        options = PHRASES[self.kind]
        return options[variant % len(options)].format(**self.data)

    @property
    def text(self) -> str:
        return self.phrase(0)


def variant_for(key: str) -> int:
    """A stable choice of wording per item and fact kind (lists do not read as one sentence)."""
    return zlib.crc32(key.encode())


def scene_details(item: Item) -> str:
    bits = []
    if item.mpaa:
        bits.append(f"rated {item.mpaa}")
    if item.runtime:
        bits.append(f"{item.runtime} min")
    return ", ".join(bits)


def request_facts(item: Item, contributions: dict[str, float], state: DialogueState,
                  anchors: dict[str, str]) -> list[Fact]:
    """Facts from the person's words, the scene and the catalogue, weighted by what they added."""
    facts: list[Fact] = []
    c = contributions
    if c.get("liked_items", 0) > 0 and anchors:
        anchor_id, title = next(iter(anchors.items()))
        # "which you mentioned" only for a title the person named, not one liked with a button
        kind = "liked" if anchor_id in state.mentioned_items else "liked_button"
        facts.append(Fact(kind, {"title": title}, c["liked_items"], (anchor_id,)))
    matched = [g.lower() for g in item.genres if g in state.liked_genres]
    moods = [m for m in state.scene.mood if mood_fits(m, item)]
    if moods and (c.get("scene", 0) > 0 or c.get("content", 0) > 0):  # the person's own words first
        facts.append(Fact("mood", {"moods": " and ".join(moods[:2])},
                          c.get("scene", 0.0) + 0.5 * c.get("content", 0.0) + c.get("genre", 0.0)))
    elif matched:
        facts.append(Fact("genre", {"genres": " and ".join(matched[:2])}, c.get("genre", 0.0)))
    if c.get("people", 0) > 0:
        for kind, credited in (("directed", item.directors), ("stars", item.cast)):
            names = [p for p in state.liked_people if p in credited]
            if names:
                facts.append(Fact(kind, {"names": " and ".join(names[:2])}, c["people"]))
                break
    scene = state.scene.companions or state.scene.occasion
    if scene in SCENE_WORDS:
        details = scene_details(item)
        kind = "scene" if details else "scene_plain"
        facts.append(Fact(kind, {"scene": SCENE_WORDS[scene], "details": details}, c.get("scene", 0.0) + 0.05))
    elif item.runtime and (limit := min(filter(None, [state.constraints.max_runtime, state.scene.time_budget_min]),
                                        default=None)) and item.runtime <= limit:
        facts.append(Fact("time", {"runtime": item.runtime}, 0.05))
    attributes = [a for a in state.liked_attributes if attribute_in_text(a, item)]
    if attributes:  # named only when the item's own text holds it
        facts.append(Fact("attribute", {"attributes": " and ".join(attributes[:2])}, 0.05))
    quality = c.get("quality", 0.0) + c.get("popularity", 0.0)
    if item.rating is not None and item.votes and item.votes >= 1000:
        facts.append(Fact("quality", {"rating": f"{item.rating:.1f}", "votes": f"{item.votes:,}"}, quality))
    elif item.popularity >= 10 and item.mean_rating is not None:
        facts.append(Fact("popular", {"count": item.popularity, "mean": f"{item.mean_rating:.1f}"}, quality))
    learned = sum(c.get(k, 0.0) for k in CONVERSATION_FEATURES)
    if learned > 0.1:
        facts.append(Fact("conversations", {}, LEARNED_SHARE * learned))
    if not matched and item.genres:
        facts.append(Fact("genres", {"genres": ", ".join(item.genres[:3]).lower()}, 0.0))
    return facts
