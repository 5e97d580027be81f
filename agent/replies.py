"""Reply wording for each action (plain text; interfaces decide how to render it)."""

from __future__ import annotations

from agent.planning import filters_for
from agent.state import DialogueState
from agent.understanding import lexicon as lx
from retrieval.items import Item

_COMPANION_TEXT = {"kids": "with the kids", "family": "for the family", "partner": "for the two of you",
                   "friends": "with friends", "colleagues": "with colleagues", "alone": "just for you"}
_OCCASION_TEXT = {"date_night": "on date night", "movie_night": "on movie night", "party": "at a party",
                  "background": "to have on in the background", "travel": "on a trip",
                  "holiday": "over the holidays", "rainy_day": "on a rainy day", "sick_day": "on a sick day"}
# How a genre reads on its own ("comedies") and before another noun ("comedy and romance films").
_GENRE_NOUN = {"Action": "action films", "Adventure": "adventure films", "Animation": "animated films",
               "Children": "children's films", "Comedy": "comedies", "Crime": "crime films",
               "Documentary": "documentaries", "Drama": "dramas", "Fantasy": "fantasy films",
               "Film-Noir": "film noirs", "Horror": "horror films", "IMAX": "IMAX films", "Musical": "musicals",
               "Mystery": "mysteries", "Romance": "romances", "Sci-Fi": "sci-fi films", "Thriller": "thrillers",
               "War": "war films", "Western": "westerns"}
_GENRE_MODIFIER = {"Animation": "animated", "Children": "children's", "Film-Noir": "film noir",
                   "Sci-Fi": "sci-fi", "IMAX": "IMAX"}
# Genre pairs with a name of their own.
_GENRE_PAIRS = {frozenset({"Comedy", "Romance"}): "romantic comedies",
                frozenset({"Animation", "Children"}): "animated children's films",
                frozenset({"Action", "Adventure"}): "action-adventures"}
# A mood that only repeats a genre also asked for ("romantic romances") is left out.
_MOOD_SAYS_GENRE = {"funny": "Comedy", "romantic": "Romance", "scary": "Horror", "thrilling": "Thriller"}


def _and(words: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _genre_phrase(genres: list[str]) -> str:
    """'comedies', 'romantic comedies', 'action, war and western films'."""
    if len(genres) == 1:
        return _GENRE_NOUN.get(genres[0], f"{genres[0].lower()} films")
    named = _GENRE_PAIRS.get(frozenset(genres))
    if named:
        return named
    return _and([_GENRE_MODIFIER.get(g, g.lower()) for g in genres]) + " films"


def request_head(moods: list[str], genres: list[str]) -> str:
    """The noun phrase of a request: 'light romantic comedies', 'light and funny picks'."""
    genres = list(dict.fromkeys(genres))[:3]
    moods = [m for m in dict.fromkeys(moods) if _MOOD_SAYS_GENRE.get(m) not in genres][:3]
    mood = _and(moods) if moods else ""
    noun = _genre_phrase(genres) if genres else "picks"
    return f"{mood} {noun}".strip()


def named_aversions(state: DialogueState) -> list[str]:
    """The avoided attributes a reply names: one a refused genre already says ("nothing scary": no
    horror films) is not said twice."""
    said = set(filters_for(state).exclude_genres)
    return [a for a in state.avoid_attributes
            if not (a in lx.ATTRIBUTES and set(lx.ATTRIBUTES[a].exclude_when_avoided or ["-"]) <= said)]


def describe_request(state: DialogueState, anchor_titles: list[str] | None = None) -> str:
    """'light and funny picks with the kids (no Horror; at most 90 min)'."""
    f = filters_for(state)
    genres = f.any_genres  # liked genres (or a critique's direction) less a hard "no"
    head = request_head(state.scene.mood, genres) if state.scene.mood or genres else ""
    if state.liked_people:
        head = f"{head or 'films'} with " + " and ".join(state.liked_people[:2])
    if anchor_titles:
        head = f"{head or 'films'} in the spirit of " + " and ".join(anchor_titles[:2])
    head = head or "well-liked picks"
    if state.scene.companions:
        head += " " + _COMPANION_TEXT.get(state.scene.companions, "")
    if state.scene.occasion in _OCCASION_TEXT:
        head += " " + _OCCASION_TEXT[state.scene.occasion]
    limits = []
    if state.liked_attributes:  # soft: the picks lean to them ("a french comedy", "oscar winners")
        limits.append("favouring " + _and(state.liked_attributes[:3], "and"))
    avoided_attributes = named_aversions(state)
    if avoided_attributes:
        limits.append("avoiding " + _and(avoided_attributes[:3], "and"))
    if f.exclude_genres or state.avoid_people:
        avoided = [_GENRE_NOUN.get(g, g.lower()) for g in f.exclude_genres] + state.avoid_people
        limits.append("no " + _and(avoided, "or"))
    if f.max_runtime:
        limits.append(f"at most {f.max_runtime} min")
    if f.min_runtime:
        limits.append(f"at least {f.min_runtime} min")
    if f.mpaa_allowed:
        known = [m for m in f.mpaa_allowed if m != "NR"]
        limits.append(f"rated {known[-1]} or below" if known else "unrated only")
    if f.year_min and f.year_max:
        limits.append(f"{f.year_min}–{f.year_max}" if f.year_min != f.year_max else f"from {f.year_min}")
    elif f.year_min:
        limits.append(f"from {f.year_min} on")
    elif f.year_max:
        limits.append(f"up to {f.year_max}")
    if f.min_rating:
        limits.append(f"IMDb {f.min_rating:g}+")
    return head + (f" ({'; '.join(limits)})" if limits else "")


def clarifying_question(state: DialogueState, why: str) -> str:
    if why == "empty":
        return "I didn't catch anything there. What are you in the mood for — and who's watching?"
    if why == "greeting":
        return "Hi! I can suggest movies. What are you in the mood for, and who are you watching with?"
    if why == "which_item":
        return "Which movie do you mean? Give me its title, or say 'the first one' after I've shown some."
    if state.clarify_streak == 0:
        return "Happy to help! Who are you watching with, and what mood are you in — funny, thrilling, romantic, something else?"
    return "Is there a movie you loved recently, or a genre you're in the mood for?"


def _names(people: list[str], n: int = 4) -> str:
    people = people[:n]
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def answer_question(item: Item, attribute: str | None, why: str | None = None) -> str:
    """One catalogue item's answer; ``why``: the reason it was picked this session, when it was."""
    name = item.display_title
    genres = ", ".join(item.genres) or "no genre listed"
    if attribute == "why":
        if why:
            return f"I picked {name} because {why[0].lower() + why[1:] if why else why}"
        return f"I didn't pick {name} for you in this conversation; here is what I know: " + _facts(item)
    if attribute == "people":
        bits = []
        if item.directors:
            bits.append(f"directed by {_names(item.directors, 3)}")
        if item.cast:
            bits.append(f"starring {_names(item.cast)}")
        return f"{name} is " + " and ".join(bits) + "." if bits else f"I don't have the director or cast of {name}."
    if attribute == "plot":
        if item.description:
            return f"{name}: {item.description}"
        return f"I don't have a plot summary for {name}; here is what I know: " + _facts(item)
    if attribute == "kids":
        adult = {"Horror"} & set(item.genres) or item.mpaa in ("R", "NC-17")
        family = item.mpaa in ("G", "PG") or "Children" in item.genres
        rating = f"rated {item.mpaa}" if item.mpaa else "with no MPAA rating in my catalogue"
        if adult:
            return f"Probably not for young kids: {name} is {rating} and listed as {genres}."
        if family:
            return f"Yes, it should be fine for kids: {name} is {rating} and listed as {genres}."
        return f"Maybe for older kids: {name} is {rating} and listed as {genres}; check it first for young ones."
    if attribute == "scary":
        scary = {"Horror", "Thriller"} & set(item.genres)
        safe = item.mpaa in ("G", "PG") or "Children" in item.genres
        if scary:
            return f"It may be: {name} is listed as {', '.join(sorted(scary))}" + (f" and rated {item.mpaa}." if item.mpaa else ".")
        rating = f", rated {item.mpaa}" if item.mpaa else ""
        family = " and it's a family film" if safe else ""
        return f"No, it's not a scary one: {name} is {genres}{rating}{family}."
    if attribute == "runtime":
        return f"{name} runs {item.runtime} minutes." if item.runtime else f"I don't have the runtime of {name}."
    if attribute == "mpaa":
        return f"{name} is rated {item.mpaa}." if item.mpaa else f"I don't have an MPAA rating for {name}."
    if attribute == "rating":
        if item.rating is not None:
            return f"{name} has {item.rating:.1f}/10 on IMDb from {item.votes or 0:,} votes."
        if item.mean_rating is not None:
            return f"{name} averages {item.mean_rating:.1f}/5 from {item.popularity} ratings in our catalogue."
        return f"I don't have ratings for {name}."
    if attribute == "year":
        return f"{name} came out in {item.year}." if item.year else f"I don't know when {item.title} came out."
    return _facts(item)


def item_facts(item: Item, runtime: str = "{n} min", mpaa: str = "rated {mpaa}",
               rating: str = "{r}/10 on IMDb") -> list[str]:
    """An item's length, certificate and IMDb rating where known, each in the given wording."""
    facts = [runtime.format(n=item.runtime)] if item.runtime else []
    if item.mpaa:
        facts.append(mpaa.format(mpaa=item.mpaa))
    if item.rating is not None:
        facts.append(rating.format(r=f"{item.rating:.1f}"))
    return facts


def _facts(item: Item) -> str:
    facts = [f"{item.display_title}: {', '.join(item.genres) or 'no genre listed'}", *item_facts(item)]
    if item.directors:
        facts.append(f"directed by {_names(item.directors, 2)}")
    if item.cast:
        facts.append(f"with {_names(item.cast, 3)}")
    return ", ".join(facts) + "."


ACKNOWLEDGEMENTS = {
    "reset": "Okay, starting fresh. What are you in the mood for?",
    "out_of_scope": "I can only help with finding something to watch. Tell me a mood, a genre, or a movie you liked.",
    "smalltalk": "Happy to help! Ask for more picks any time, or tell me what to change.",
}
