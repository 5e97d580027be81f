"""What the phrase hits of one turn mean together: an attribute wished or avoided, the scene values
that win, explicit clears, a negated list that stays negated, and a hit that a longer phrase of
another kind holds ("quiet" in "quiet night in", "crime" in "true crime").

Example::

    settle(u, norms, companions, times, liked_said, avoided_said)
"""

from __future__ import annotations

from functools import lru_cache

from agent.understanding import lexicon as lx
from agent.understanding.schema import Understanding
from agent.understanding.scope import tolerated_positions
from agent.understanding.text import PhraseHit


@lru_cache(maxsize=1)
def _genre_words() -> frozenset[str]:
    return frozenset(p for ps in lx.GENRE_PHRASES.values() for p in ps)


_CONTENT = ("genre", "mood", "attribute", "occasion", "companions", "time_of_day")


def occasion(current: str | None, new: str) -> str:
    """The occasion that wins when a turn names two ("housewarming party, a film on in the
    background": background; "halloween party": the party), by ``occasion_priority``; else the first."""
    if current is None:
        return new
    rank = {o: i for i, o in enumerate(lx.OCCASION_PRIORITY)}
    return new if rank.get(new, len(rank)) < rank.get(current, len(rank)) else current


def companion(u: Understanding, value: str, neg: bool, companions: list[str]) -> None:
    """A companion named joins ``companions``; a negated one ("not with the kids") clears the scene's."""
    if neg:
        u.scene.companions_cleared = True
    else:
        companions.append(value)


def shadowed(h: PhraseHit, hits: list[PhraseHit], negated: set[int]) -> bool:
    """Whether a longer phrase of another kind holds this hit: "time travel movies" is no trip,
    "quiet night in" no wish for quiet films, "dark comedy" no dark mood; a genre word inside an
    attribute where the attribute says so ("true crime", "live action": ``hides_genre``) or where
    the attribute is negated ("nothing with toilet humour" avoids the kind, not the genre)."""
    if h.category not in _CONTENT:
        return False
    for o in hits:
        if o.category == h.category or o.category not in _CONTENT or not (
                o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start):
            continue
        if h.category == "genre":
            if o.category == "attribute" and (lx.ATTRIBUTES[o.value].hides_genre or o.start in negated):
                return True
        elif h.category == "mood" or h.category == "attribute" and o.category != "mood":
            return True  # ("nothing heavy" is a light mood and still avoids heavy films)
        elif o.category == "attribute" and o.start < h.start:  # ("christmas film" is still Christmas)
            return True
    return False


def attribute(u: Understanding, h: PhraseHit, neg: bool, norms: list[str], said: dict[str, list[str]]) -> None:
    """An attribute wished, or avoided softly when negated (it never dislikes its parent genre);
    ``said`` keeps the words that named it; a word that is only ever an aversion ("long") asks for nothing."""
    if not neg and lx.ATTRIBUTES[h.value].only_avoided:
        return
    target = u.avoided_attributes if neg else u.liked_attributes
    if h.value not in target:
        target.append(h.value)
    mood = lx.ATTRIBUTES[h.value].mood  # "something silly": funny ("a dumb comedy" says its genre instead)
    if mood and not neg and mood not in u.scene.mood and not _genre_words() & set(norms[h.start:h.end]):
        u.scene.mood.append(mood)
    said.setdefault(h.value, []).append(" ".join(norms[h.start:h.end]))
    for genre in ([] if neg else lx.ATTRIBUTES[h.value].implies):  # "a romcom"
        if genre not in u.liked_genres and genre not in u.disliked_genres:
            u.liked_genres.append(genre)


def settle(u: Understanding, norms: list[str], companions: list[str], times: list[str],
           liked_said: dict[str, list[str]], avoided_said: dict[str, list[str]]) -> None:
    """What the phrase hits mean together: the time of day and companions that win, explicit
    clears, and a reading liked and avoided at once settled for the avoided one."""
    if times:
        u.scene.time_of_day = min(times, key=lx.TIME_OF_DAY_PRIORITY.index)
    low = " ".join(norms)
    for clear in lx.CLEARS:  # "the kids went to bed", "forget the time limit"
        if clear.matches(low):
            u.clears.extend(f for f in clear.fields if f not in u.clears)
    if "companions" in u.clears:
        companions = [c for c in companions if c != "kids"]
        u.scene.companions_cleared = True
    if lx.RULES["not_for_kids"].search(low) and "Children" not in u.disliked_genres:
        u.disliked_genres.append("Children")
    if companions:
        u.scene.companions = min(companions, key=lx.COMPANION_PRIORITY.index)
    elif u.scene.occasion in lx.OCCASION_COMPANIONS and not u.scene.companions_cleared:
        u.scene.companions = lx.OCCASION_COMPANIONS[u.scene.occasion]  # a date is with a partner
    # a genre both liked and disliked in one turn: the negated reading wins
    u.liked_genres = [g for g in u.liked_genres if g not in u.disliked_genres]
    for attr in [a for a in u.liked_attributes if a in u.avoided_attributes]:
        # "into period dramas but can't stand corsets": a part of the attribute is avoided, in its own
        # words; the attribute itself stays wished (as a negated kind never removes its genre)
        aspects = [w for w in avoided_said.get(attr, []) if w not in liked_said.get(attr, [])]
        if aspects and len(aspects) == len(avoided_said.get(attr, [])):
            u.avoided_attributes.remove(attr)
            u.avoided_attributes.extend(w for w in aspects if w not in u.avoided_attributes)
    u.liked_attributes = [a for a in u.liked_attributes if a not in u.avoided_attributes]
    u.scene.mood = [m for m in u.scene.mood if m not in u.scene.not_moods]


def extend_lists(hits: list[PhraseHit], negated: set[int], norms: list[str]) -> None:
    """A negated list of genres stays negated across "and" / "," / "or": "anything apart
    from documentaries and musicals", "no animation, no kids films"."""
    genre_hits = sorted((h for h in hits if h.category == "genre"), key=lambda h: h.start)
    for a, b in zip(genre_hits, genre_hits[1:]):
        gap = norms[a.end:b.start]
        if a.start in negated and gap and all(w in ("and", ",", "or", "nor", "&", "no", "not") for w in gap):
            negated.update(range(b.start, b.end))


AGE_UNITS = {"year", "years", "yr", "yrs", "month", "months"}  # "a 14 year old": no taste for old films


def old_wish(u: Understanding, hits: list[PhraseHit], negated: set[int], norms: list[str]) -> None:
    """Old films wished for with no year said ("he loves old war films": old), softly: not an age
    ("a 14 year old"), a bound ("older than 2010"), a critique, a thing allowed, or old friends."""
    c = u.constraints
    if c.year_min is not None or c.year_max is not None or u.critiques or "old" in u.liked_attributes:
        return
    films = {h.start for h in hits if h.category in ("genre", "attribute")}
    allowed = tolerated_positions(norms)
    for h in hits:
        nxt = norms[h.end] if h.end < len(norms) else ""
        if h.category == "old" and h.start not in negated and h.start not in allowed and h.start not in films \
                and not (h.start and norms[h.start - 1] in AGE_UNITS) and (nxt in _FILM_NOUNS or h.end in films):
            u.liked_attributes.append("old")
            return


_FILM_NOUNS = {"movies", "movie", "films", "film", "stuff", "ones", "flicks", "flick", "cinema", "classics"}
