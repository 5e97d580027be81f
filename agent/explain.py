"""Template explanations grounded in what drove each pick's score.

Every fact in a reason comes from the catalogue item, the dialogue state (the person's own
words) or the score contributions; no title other than the item itself and the person's
liked items is ever named. Phrasing varies by item so a list does not read as one sentence.
"""

from __future__ import annotations

import zlib

from agent.state import DialogueState
from retrieval.items import Item

_SCENE_WORDS = {
    "kids": "a night with the kids", "family": "a family night", "partner": "watching as a couple",
    "friends": "a night with friends", "colleagues": "watching with colleagues", "alone": "a night on your own",
}
_OCCASION_WORDS = {
    "date_night": "date night", "movie_night": "movie night", "party": "a party", "background": "background viewing",
    "travel": "a trip", "holiday": "the holidays", "rainy_day": "a rainy day", "sick_day": "a sick day",
}


def _pick(options: list[str], key: str) -> str:
    return options[zlib.crc32(key.encode()) % len(options)]


def _facts(item: Item) -> str:
    bits = []
    if item.mpaa:
        bits.append(f"rated {item.mpaa}")
    if item.runtime:
        bits.append(f"{item.runtime} min")
    if item.rating is not None and item.votes:
        bits.append(f"{item.rating:.1f}/10 on IMDb")
    return ", ".join(bits)


class TemplateExplainer:
    name = "template"

    def explain(self, item: Item, contributions: dict[str, float], state: DialogueState,
                liked_titles: list[str]) -> str:
        parts: list[str] = []
        matched = [g for g in item.genres if g in state.liked_genres]
        moods = [m for m in state.scene.mood]
        top = sorted(contributions.items(), key=lambda kv: -kv[1])
        lead = top[0][0] if top else "popularity"

        if lead == "liked_items" and liked_titles:
            parts.append(_pick([f"If you liked {liked_titles[0]}, this is close in spirit",
                                f"Shares a lot with {liked_titles[0]}, which you mentioned",
                                f"Along the lines of {liked_titles[0]}"], item.id))
        elif lead == "collaborative" and liked_titles:
            parts.append(_pick([f"People who liked {liked_titles[0]} also liked this",
                                f"Often loved by fans of {liked_titles[0]}"], item.id))
        if moods:  # the person's own words first
            mood_text = " and ".join(moods[:2])
            parts.append(_pick([f"fits the {mood_text} mood you described", f"{mood_text}, as you asked",
                                f"should feel {mood_text}"], item.id + "m"))
        elif matched:
            genre_text = " and ".join(m.lower() for m in matched[:2])
            parts.append(_pick([f"the {genre_text} you asked for", f"{genre_text}, as requested",
                                f"hits the {genre_text} note you wanted"], item.id + "g"))
        scene = state.scene.companions or state.scene.occasion
        if scene:
            what = _SCENE_WORDS.get(state.scene.companions or "", "") or _OCCASION_WORDS.get(state.scene.occasion or "", "")
            facts = _facts(item)
            if what:
                parts.append(f"suits {what}" + (f" ({facts})" if facts else ""))
        elif state.constraints.max_runtime and item.runtime:
            parts.append(f"{item.runtime} minutes, inside your time limit")
        if not parts or (len(parts) == 1 and lead in ("popularity", "quality")):
            if item.rating is not None and item.votes and item.votes > 1000:
                parts.append(_pick([f"a well-liked pick: {item.rating:.1f}/10 from {item.votes:,} IMDb voters",
                                    f"{item.rating:.1f}/10 on IMDb ({item.votes:,} votes)"], item.id + "q"))
            elif item.popularity:
                parts.append(_pick([f"a crowd favourite: {item.popularity} ratings in our catalogue",
                                    f"popular with {item.popularity} viewers in our catalogue"], item.id + "p"))
        genres = ", ".join(item.genres[:3]).lower()
        if genres and not matched:
            parts.append(genres)
        text = "; ".join(p for p in parts if p)
        return text[:1].upper() + text[1:] + "."
