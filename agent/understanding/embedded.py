"""The embedded understander: lexicons, rules and catalogue-grounded title matching. No LLM.

Example::

    u = EmbeddedUnderstander(TitleFinder(resolver), max_year=2016)
    u.understand("something funny with the kids, nothing scary", TurnContext())
    # intent='recommend', scene.companions='kids', liked_genres=['Comedy'], disliked_genres=['Horror']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.understanding import lexicon as lx
from agent.understanding.intent import turn_intent
from agent.understanding.mentions import TitleFinder
from agent.understanding.numbers import read_numbers
from agent.understanding.prototypes import MoodPrototypes
from agent.understanding.schema import Critique, Mention, Understanding
from agent.understanding.settle import (AGE_UNITS, attribute, companion, extend_lists, occasion, old_wish, settle,
                                       shadowed)
from agent.understanding.title_words import watched
from agent.understanding.scope import (anaphoric_aversions, avoided_phrase, filed_positions, judged_positions,
                                      negated_positions, part_of_genre, prefix_aversions, rule_positions,
                                      tolerated_positions, unnamed_aversions)
from agent.understanding.text import PhraseHit, PhraseIndex, Token, contains_phrase, tokenize
from agent.understanding.verdicts import mention_polarity, refers_to_all, shown_titles_named
from retrieval.people import PeopleIndex, PersonHit

# The English regexes the reader uses are named rules in data/en.yaml (``rules``), each with
# example and counter-example text; the code reads them as ``lx.RULES[name]``.


@dataclass
class TurnContext:
    """What the understander may know about the dialogue so far."""

    last_shown: list[str] = field(default_factory=list)
    focus_item: str | None = None
    max_year: int = 2016


def _index() -> PhraseIndex:
    idx = PhraseIndex()
    idx.add("genre", lx.GENRE_PHRASES)
    idx.add("companions", lx.COMPANION_PHRASES)
    idx.add("occasion", lx.OCCASION_PHRASES)
    idx.add("mood", lx.MOOD_PHRASES)
    idx.add("time_of_day", lx.TIME_OF_DAY_PHRASES)
    idx.add("critique", lx.CRITIQUE_PHRASES)
    idx.add("attribute", {name: a.phrases for name, a in lx.ATTRIBUTES.items()}, plurals=True)
    idx.add_flat("negation", lx.NEGATION_CUES)
    idx.add_flat("family_safe", lx.FAMILY_SAFE_PHRASES)
    idx.add_flat("quality", lx.QUALITY_PHRASES)
    idx.add_flat("recent", lx.RECENT_PHRASES)
    idx.add_flat("old", lx.OLD_PHRASES)
    return idx


def _no_wish(u: Understanding, h: PhraseHit, hits: list[PhraseHit], negated: set[int], norms: list[str],
             cue_words: set[int], liked_genres: set[str], moods: set[tuple[int, int]], tolerated: set[int]) -> bool:
    """Whether a hit asks for nothing of its own: part of a negation cue, held by a longer phrase,
    a kind of a genre avoided (noted as an avoided attribute), an attribute its mood says, or a
    thing tolerated (whose genres still count)."""
    if h.category != "negation" and set(range(h.start, h.end)) <= cue_words:
        return True  # "sick" in "sick of dragons" is part of the cue
    if shadowed(h, hits, negated):
        return True  # "time travel movies": no trip; "quiet night in": no wish for quiet films
    if h.category == "attribute" and set(norms[h.start:h.end]) <= set(lx.NEGATION.head_nouns) and any(
            o.end == h.start and o.category in ("attribute", "genre") for o in hits):
        return True  # "without all the mafia clichés": the mafia is avoided, not corniness
    neg = h.start in negated
    if h.category == "genre" and neg and (h.value in liked_genres or part_of_genre(norms, h)):
        # "comedy, but none of that cringe humour", "no romance subplot": a kind of the
        # genre is avoided, the genre itself is not
        phrase = avoided_phrase(norms, h, negated, cue_words)
        if phrase not in u.avoided_attributes:
            u.avoided_attributes.append(phrase)
        return True
    if h.category == "attribute" and not neg and (h.start, h.end) in moods:
        return True  # "something scary": the mood says it
    if h.category in ("attribute", "mood") and not neg and h.start in tolerated:
        # "I'm ok with violence": allowed, not asked for ("romcom is fine" still names its genres)
        for genre in lx.ATTRIBUTES[h.value].implies if h.category == "attribute" else []:
            if genre not in u.liked_genres:
                u.liked_genres.append(genre)
        return True
    return False


def _of_a_verdict(h: PhraseHit, negated: set[int], listed: set[int], compared: set[int]) -> bool:
    """A word of a verdict on the list shown or of a comparison's far side, no wish: a genre there
    ("these are all kids movies", "more thoughtful than action") or a thing it finds too much of when
    a critique says what to do instead ("these are too grim, something funnier"; ``listed`` is empty
    without one: "these are all too slow" avoids slow films)."""
    if h.category == "genre":
        return h.start not in negated and h.start in compared
    return h.category in ("attribute", "mood") and h.start in negated and h.start in listed  # ("these feel too light")


def _describes_a_film(h: PhraseHit, norms: list[str], found) -> bool:
    """"Older" / "newer" that only tells which film the person means, likes or compares with ("the
    older It (1990)", ``rules.dated_liking``: "an older one that I love is Jaws",
    ``rules.dated_comparison``: "better than the older ones"): no critique of the list."""
    if h.category != "critique" or h.value not in ("older", "newer") or h.end - h.start != 1:
        return False
    return any(f.start == h.end for f in found) or h.start in (
        rule_positions(norms, "dated_liking") | rule_positions(norms, "dated_comparison"))


def _hits_that_count(hits: list[PhraseHit], shown: bool, norms: list[str], found, negated: set[int]) -> list[PhraseHit]:
    """Less the people who only arrive later ("before the in-laws arrive", ``rules.absent_company``),
    and less the critiques with nothing to be relative to: a critique ("too long", "more funny") needs
    the list shown or a film named with liking ("like Goodfellas but shorter"); with neither, its
    words are wishes and aversions of their own ("not Interstellar, too long": long films avoided)."""
    absent = rule_positions(norms, "absent_company")
    hits = [h for h in hits if not (h.category == "companions" and h.start in absent)]
    hits = [h for h in hits if not _describes_a_film(h, norms, found)]
    if shown or any(mention_polarity(norms, f.start, f.end, f.start in negated) in ("liked", "neutral")
                    for f in found):
        return hits
    return [h for h in hits if h.category != "critique"]


def _in_critique(h: PhraseHit, hits: list[PhraseHit]) -> bool:
    """Whether a hit lies inside a critique ("too old, anything newer?" critiques a list)."""
    return any(c.category == "critique" and c.start <= h.start and h.end <= c.end for c in hits)


def _settle_critiques(u: Understanding, shown: bool) -> None:
    """Without a list shown, a year bound is no "older"/"newer" and "stuff like that" no "another";
    with one, a one-sided bound is ("anything from before the 90s instead?": older), and "more like
    that" after a position is more like that one ("the last one looks closest, more like that?")."""
    c = u.constraints
    if not shown:
        bounded = c.year_min is not None or c.year_max is not None
        u.critiques = [k for k in u.critiques if k.kind not in (("newer", "older") if bounded else ())
                       and k.kind not in ("another", "more_like")]
        return
    if any(k.kind == "more_like" for k in u.critiques):
        u.critiques = [k for k in u.critiques if k.kind != "another"]
    if not u.critiques and (c.year_min is None) != (c.year_max is None):
        u.critiques.append(Critique(kind="older" if c.year_max is not None else "newer"))


class EmbeddedUnderstander:
    name = "embedded"

    def __init__(self, titles: TitleFinder, max_year: int = 2016, moods: MoodPrototypes | None = None):
        self.titles = titles  # with a PeopleIndex, it also finds directors and cast
        self.max_year = max_year
        self.moods = moods  # optional: mood by embedding similarity when no word names one
        self._phrases = _index()

    # -- entry point ----------------------------------------------------------------------
    def understand(self, text: str, ctx: TurnContext | None = None) -> Understanding:
        ctx = ctx or TurnContext(max_year=self.max_year)
        u = Understanding()
        if not text.strip():
            u.intent = "empty"
            return u
        tokens = tokenize(text)
        low = " ".join(t.norm for t in tokens)
        numbers = read_numbers(text)
        numeric = {i for i, t in enumerate(tokens) if any(a <= t.start < b for a, b in numbers.spans)} \
            | rule_positions(low.split(), "ordinal_reference")  # ("is number 3 any good": no title "3:10 to Yuma")
        scan = self.titles.scan(tokens)
        # a bare year, decade or duration is never a title ("older, before 1984"); a title that only
        # holds one ("2001: A Space Odyssey", "One Hour Photo") still is
        scan.found = [f for f in scan.found if not set(range(f.start, f.end)) <= numeric or watched(tokens, f.start)]
        numeric -= {i for f in scan.found for i in range(f.start, f.end)}
        names = scan.names
        named = {i for h in names for i in range(h.start, h.end)}
        bare = [t.norm[:-2] if t.norm.endswith("'s") and t.norm != "children's" else t.norm for t in tokens]
        hits = self._phrases.find(bare, scan.masked() | named | numeric)
        negated = negated_positions(tokens, hits)
        hits = _hits_that_count(hits, bool(ctx.last_shown), [t.norm for t in tokens], scan.found, negated)
        extend_lists(hits, negated, [t.norm for t in tokens])
        self._slots(u, hits, negated, [t.norm for t in tokens],
                    judged_positions([t.norm for t in tokens], [(f.start, f.end) for f in scan.found]))
        unnamed_aversions(u, tokens, hits, negated, scan.masked() | named | numeric)
        prefix_aversions(u, [t.norm for t in tokens])
        self._numbers(u, low, ctx, numbers)
        old_wish(u, hits, negated, [t.norm for t in tokens])
        self._mentions(u, tokens, scan, negated)
        _drop_title_year(u, low)
        self._people(u, names, negated)
        anaphoric_aversions(u, low)
        self._references(u, low, tokens, hits)
        if ctx.last_shown and not (u.mentions or u.references):  # "i would love elf": the one on screen
            u.references = shown_titles_named(low, [self.titles.resolver.aliases_of(i) for i in ctx.last_shown])
        u.keywords = self._keywords(tokens, hits, scan.masked() | named | numeric)
        _settle_critiques(u, bool(ctx.last_shown))
        u.intent = turn_intent(u, low, text, ctx)
        said = u.scene.mood or u.liked_genres or u.mentions or u.liked_attributes or u.avoided_attributes \
            or u.disliked_genres or u.liked_people or u.scene.occasion or u.scene.time_of_day  # (a situation
        # said, "something to fall asleep to", leans through its own genres: no mood is guessed for it)
        if self.moods and u.intent == "recommend" and not said and len(low.split()) >= 4:
            mood = self.moods.closest(text)
            if mood and mood not in u.scene.not_moods:
                u.scene.mood.append(mood)
        if u.intent in ("ask_item", "out_of_scope"):  # "is it scary?" asks about the item; it is no taste
            u.liked_genres, u.scene.mood, u.liked_people = [], [], []
            u.liked_attributes, u.avoided_attributes = [], []
            u.constraints = type(u.constraints)()
        age = lx.RULES["kid_age"].search(low) or lx.RULES["child_age"].search(low)
        age_value = next((x for x in age.groups() if x), "99") if age else "99"
        if age and int(lx.NUMBER_WORDS.get(age_value, age_value)) <= 15:
            u.scene.companions = "kids"  # a child's age names the most constraining companion
        return u

    # -- lexicon slots --------------------------------------------------------------------
    def _slots(self, u: Understanding, hits: list[PhraseHit], negated: set[int], norms: list[str],
               judged: set[int]) -> None:
        companions, times = [], []
        cue_words = {i for h in hits if h.category == "negation" for i in range(h.start, h.end)}
        moods = {(h.start, h.end) for h in hits if h.category == "mood"}
        liked_genres = {h.value for h in hits if h.category == "genre" and h.start not in negated}
        tolerated = tolerated_positions(norms) | judged  # allowed, or said of a film named: no wish
        liked_said: dict[str, list[str]] = {}  # attribute -> the words that named it
        avoided_said: dict[str, list[str]] = {}
        critiqued = any(h.category == "critique" and h.start not in negated for h in hits)
        dated = any(h.category == "critique" and h.value in ("newer", "older") and h.start not in negated for h in hits)
        verdicts = (judged_positions(norms, [], comparisons=False) if critiqued else set(), judged_positions(norms, []))
        filed = filed_positions(norms)
        for h in hits:
            if h.start in filed or _no_wish(u, h, hits, negated, norms, cue_words, liked_genres, moods, tolerated) or (
                    _of_a_verdict(h, negated, *verdicts)):
                continue
            neg = h.start in negated
            if h.category == "genre":
                target = u.disliked_genres if neg else u.liked_genres
                if h.value not in target:
                    target.append(h.value)
            elif h.category == "attribute" and not any(
                    c.category == "critique" and c.start not in negated and c.start <= h.start and h.end <= c.end
                    for c in hits):
                # ("less violent" is a critique of the list, not a new wish)
                attribute(u, h, neg, norms, avoided_said if neg else liked_said)
            elif h.category == "mood":
                target = u.scene.not_moods if neg else u.scene.mood
                if h.value not in target:
                    target.append(h.value)
                said = " ".join(norms[h.start:h.end])
                named = any(a.category == "attribute" and a.start < h.end and h.start < a.end for a in hits)
                if neg and not named and said not in u.avoided_attributes:  # "nothing sad": a soft penalty too
                    u.avoided_attributes.append(said)
            elif h.category == "companions":
                companion(u, h.value, neg, companions)
            elif h.category == "occasion" and not neg:
                u.scene.occasion = occasion(u.scene.occasion, h.value)
            elif h.category == "time_of_day":  # "not in the mood for anything heavy tonight": still tonight
                times.append(h.value)
            elif h.category == "family_safe" and not neg:
                u.constraints.mpaa_max = lx.FAMILY_SAFE_MPAA_CEILING  # (its genres are left out at planning)
            elif h.category in ("old", "recent") and neg and not _in_critique(h, hits) and not dated and not (
                    h.start and norms[h.start - 1] in AGE_UNITS) and norms[h.end:h.end + 1] != ["than"] \
                    and not any(a.category == "attribute" and a.start == h.end for a in hits):
                # "not into old movies": an aversion, softly ("no older than 2010" is a bound, read as a
                # number; "not the old black and white ones": a modifier of the thing named; "something
                # newer, not into the old ones": the critique says it)
                said = " ".join(norms[h.start:h.end])
                if said not in u.avoided_attributes:
                    u.avoided_attributes.append(said)
            elif h.category == "quality" and not neg:
                u.constraints.min_rating = 7.0
            elif h.category == "critique" and not neg:  # "not too long" is no critique
                dated_by = rule_positions(norms, "dated_examples") if h.value in ("older", "newer") else set()
                u.critiques.append(Critique(kind=h.value, by_example=bool(dated_by & set(range(h.start, h.end)))))
        settle(u, norms, companions, times, liked_said, avoided_said)


    # -- numbers: runtime, years, ratings ----------------------------------------------------
    def _numbers(self, u: Understanding, low: str, ctx: TurnContext, reading) -> None:
        c = u.constraints
        for name in ("max_runtime", "min_runtime", "year_min", "year_max", "min_rating"):
            value = getattr(reading, name)
            if value is not None:
                setattr(c, name, value)
        if reading.time_budget_min:
            u.scene.time_budget_min = reading.time_budget_min
        if c.max_runtime and u.scene.occasion == "travel" and not u.scene.time_budget_min \
                and lx.RULES["trip_length"].search(low):  # "on a train for 3 hours": the time they have
            u.scene.time_budget_min, c.max_runtime = c.max_runtime, None
        if u.scene.occasion == "travel" and not u.scene.time_budget_min and reading.unbounded_min:
            u.scene.time_budget_min = reading.unbounded_min  # "on the plane, around 2 hours"
        if c.max_runtime is None and u.scene.time_budget_min is None and lx.RULES["vaguely_short"].search(low):
            c.max_runtime = 120 if "not" in low or "nothing" in low else 100
        relative = any(k.kind in ("newer", "older") for k in u.critiques)  # "too old, anything more recent?"
        if c.year_min is None and not relative and contains_phrase(low, lx.NUMBERS.recent_limit):
            c.year_min = ctx.max_year - lx.NUMBERS.recent_limit_years
        # "old" / "classic" are tastes, not limits: they go to the semantic query as keywords
        setting = lx.RULES["setting_period"].search(low)
        if setting:  # "a film set in the 70s": when its story happens, not when it was made
            c.year_min = c.year_max = None
            period = setting.group("period")
            u.liked_attributes.append(f"set in {'the ' if period.endswith('s') else ''}{period}")
        self._mpaa(u, low)

    def _mpaa(self, u: Understanding, low: str) -> None:
        if "rated" not in low and "rating" not in low and not lx.RULES["mpaa_named"].search(low) \
                and not lx.RULES["mpaa_allowed"].search(low):
            return
        pair = lx.RULES["mpaa_pair"].search(low)
        if pair:
            order = ["g", "pg", "pg-13"]
            u.constraints.mpaa_max = max(pair.group(1), pair.group(2), key=order.index).upper()
            return
        for m in lx.RULES["mpaa"].finditer(low):
            rating = {"pg13": "PG-13"}.get(m.group(1), m.group(1).upper())
            before = low[max(0, m.start() - 20) : m.start()]
            after = low[m.end() : m.end() + 20]
            allowed = lx.RULES["mpaa_allowed"].match(low, m.start())  # "R is fine": the ceiling
            if rating == "R" and "rated" not in (before + m.group(0) + after) and not allowed:
                continue
            if lx.RULES["mpaa_negated_before"].search(before):
                order = ["G", "PG", "PG-13", "R", "NC-17"]
                # "nothing above PG-13" allows PG-13; "nothing rated R" stops below R
                above = lx.RULES["mpaa_above_before"].search(before)
                u.constraints.mpaa_max = rating if above else order[max(0, order.index(rating) - 1)]
            elif allowed or lx.RULES["mpaa_at_most"].search(after + before):
                u.constraints.mpaa_max = rating
            elif rating in ("G", "PG") and ("rated" in before + after):
                u.constraints.mpaa_max = rating
            elif rating in ("G", "PG", "PG-13") and not lx.RULES["mpaa_is_before"].search(before) \
                    and not low.startswith(tuple(lx.QUESTION_STARTS)) and "?" not in low:
                u.constraints.mpaa_max = rating  # a bare "PG, for a class of 9 year olds" is the ceiling
            return

    # -- titles --------------------------------------------------------------------------
    def _mentions(self, u: Understanding, tokens: list[Token], scan, negated: set[int]) -> None:
        norms = [t.norm for t in tokens]
        for f in scan.found:
            best = f.matches[0]
            u.mentions.append(Mention(
                item_id=best.item_id, title=best.title, year=best.year,
                polarity=mention_polarity(norms, f.start, f.end, f.start in negated),
                surface=f.surface, alternatives=[m.item_id for m in f.matches[1:4]],
            ))
        u.unknown_titles = list(scan.unknown)

    @property
    def people(self) -> PeopleIndex | None:
        return self.titles.people

    def titles_in(self, text: str) -> list[str]:
        """The catalogue ids of the titles named in ``text``, best match each, in order; names
        beat titles inside them ("Jack Nicholson" is no mention of *Jack*)."""
        return list(dict.fromkeys(f.matches[0].item_id for f in self.titles.scan(tokenize(text)).found))

    # -- people --------------------------------------------------------------------------
    @staticmethod
    def _people(u: Understanding, names: list[PersonHit], negated: set[int]) -> None:
        for hit in names:
            target = u.disliked_people if hit.start in negated else u.liked_people
            if hit.name not in target:
                target.append(hit.name)
        u.liked_people = [p for p in u.liked_people if p not in u.disliked_people]

    # -- references to shown items --------------------------------------------------------
    def _references(self, u: Understanding, low: str, tokens: list[Token], hits) -> None:
        for m in lx.RULES["ordinal_reference"].finditer(low):
            word = m.group(1) or m.group(4)
            if word:
                idx = lx.ORDINALS[word]
            else:
                raw = m.group(2) or m.group(3) or m.group(5)
                idx = lx.NUMBER_WORDS.get(raw, None)
                idx = (int(raw) if idx is None else int(idx)) - 1
            if idx not in u.references:
                u.references.append(idx)
        if lx.RULES["focus_reference"].search(low):
            u.refers_to_focus = True
        u.refers_to_all = refers_to_all(low)
        if lx.RULES["more_like"].search(low) and u.references:
            u.critiques.append(Critique(kind="more_like", ref_index=u.references[0]))

    # -- content words for the semantic query ---------------------------------------------
    def _keywords(self, tokens: list[Token], hits: list[PhraseHit], masked: set[int]) -> list[str]:
        used = {i for h in hits for i in range(h.start, h.end)} | masked
        return [t.norm for i, t in enumerate(tokens)
                if i not in used and t.norm.isalpha() and len(t.norm) > 3 and t.norm not in lx.COMMON_WORDS
                and t.norm not in lx.REQUEST_CUES][:12]


def _drop_title_year(u: Understanding, low: str) -> None:
    """"The Score, which was made in 2001": the year is the named film's, not the person's limit."""
    fact = lx.RULES["title_year_fact"].search(low) if u.mentions else None
    c = u.constraints
    year = int(fact.group("year")) if fact else None
    if year is not None and c.year_min == year:
        c.year_min = None
    if year is not None and c.year_max == year:
        c.year_max = None
