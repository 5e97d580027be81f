"""Reply wording for each action (plain text; interfaces decide how to render it)."""

from __future__ import annotations

from agent.state import DialogueState
from retrieval.items import Item

_COMPANION_TEXT = {"kids": "with the kids", "family": "for the family", "partner": "for the two of you",
                   "friends": "with friends", "colleagues": "with colleagues", "alone": "for a night on your own"}


def describe_request(state: DialogueState, anchor_titles: list[str] | None = None) -> str:
    """'light, funny picks with the kids (no Horror, under 90 min)'."""
    bits = []
    if state.scene.mood:
        bits.append(", ".join(state.scene.mood[:3]))
    if state.liked_genres:
        bits.append("/".join(g.lower() for g in state.liked_genres[:3]))
    head = " ".join(bits) + (" picks" if bits else "picks")
    if state.liked_people:
        head += " with " + " and ".join(state.liked_people[:2])
    if anchor_titles:
        head += " in the spirit of " + " and ".join(anchor_titles[:2])
    elif not bits and not state.scene.companions and not state.liked_people:
        head = "well-liked picks"
    if state.scene.companions:
        head += " " + _COMPANION_TEXT.get(state.scene.companions, "")
    limits = []
    f = state.filters()
    if f.exclude_genres or state.avoid_people:
        limits.append("no " + ", ".join(f.exclude_genres + state.avoid_people))
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


def answer_question(item: Item, attribute: str | None) -> str:
    name = item.display_title
    genres = ", ".join(item.genres) or "no genre listed"
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
    facts = [f"{name}: {genres}"]
    if item.runtime:
        facts.append(f"{item.runtime} min")
    if item.mpaa:
        facts.append(f"rated {item.mpaa}")
    if item.rating is not None:
        facts.append(f"{item.rating:.1f}/10 on IMDb")
    return ", ".join(facts) + ". I only know catalogue facts (no plot summaries yet)."


ACKNOWLEDGEMENTS = {
    "reset": "Okay, starting fresh. What are you in the mood for?",
    "out_of_scope": "I can only help with finding something to watch. Tell me a mood, a genre, or a movie you liked.",
    "smalltalk": "Happy to help! Ask for more picks any time, or tell me what to change.",
}
