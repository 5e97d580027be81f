"""What an English turn does (its intent): a question about an item, a verdict on the shown list, a
refinement, a request for films, or talk.

Example::

    u.intent = turn_intent(u, low, text, ctx)
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.understanding import lexicon as lx
from agent.understanding.schema import Understanding
from agent.understanding.text import contains_phrase
from agent.understanding.verdicts import refers_to_all, shown_verdict, without_not_seen


@lru_cache(maxsize=1)
def _genre_noun() -> re.Pattern:
    """A genre's name after an article ("is it a horror?", "is the third one a comedy or what"),
    not a word for one thing it has ("is it a funny one?")."""
    names = sorted({p for ps in lx.GENRE_PHRASES.values() for p in ps}, key=len, reverse=True)
    return re.compile(r"\b(?:a|an)\s+(?:" + "|".join(map(re.escape, names)) + r")\b(?!\s+ones?\b)")


def turn_intent(u: Understanding, low: str, raw: str, ctx) -> str:
    """What the turn does: asks about an item, rejects or takes a shown pick, refines, asks for films, talks."""
    has_shown = bool(ctx.last_shown)
    words = set(low.split())
    opening = _opening_intent(u, low, words)
    if opening:
        return opening
    slots = u.model_copy(update={"keywords": []}).has_preferences()
    stated_taste = any(m.polarity not in ("neutral", "unseen") for m in u.mentions)
    item_ref = bool(u.references or (u.refers_to_focus and (ctx.focus_item or has_shown))
                    or (u.mentions and not stated_taste))
    is_question = raw.rstrip().endswith("?") or low.startswith(lx.QUESTION_STARTS)
    why = low.startswith(("why ", "how come")) and (item_ref or has_shown)  # "why did you recommend that one?"
    if not is_question:
        u.shown_verdict = shown_verdict(low, len(ctx.last_shown), bool(u.references), names_titles=bool(u.mentions))
    asks_for_more = contains_phrase(low, ["recommend", "suggest", "something like", "similar", "more like",
                                           "anything like", "what else", "would i like", "should i watch",
                                           "anything else", "others like", "like that", "like this", "like it",
                                           "like them"])
    if why:
        u.question, u.critiques = "why", []
        return "ask_item"
    if is_question and item_ref and (not asks_for_more or contains_phrase(low, lx.PEOPLE_OF)):
        if contains_phrase(low, lx.PEOPLE_OF):
            u.question = "people"  # "what else has the director of the third one made"
        elif _genre_noun().search(low):
            u.question = "genre"  # "is the second one a horror?" asks its genre, not how scary it is
        for attr, phrases in lx.QUESTION_ATTRIBUTES.items():
            if u.question is None and contains_phrase(low, phrases):
                u.question = attr
        if u.question is None and (u.liked_genres or u.disliked_genres):
            u.question = "genre"  # "is number five a comedy?"
        if u.question or not u.critiques:
            u.question = u.question or "general"
            u.critiques = []  # "is it too scary?" asks; it does not critique
            return "ask_item"
    # "no, not those" turns the list down; "no, not those. I really liked Toy Story" also asks anew
    new_wishes = u.model_copy(update={"keywords": [], "mentions": [m for m in u.mentions if m.polarity == "liked"]})
    if has_shown and not is_question and not u.critiques and (
            (u.references and lx.RULES["seen_words"].search(low) and not slots)
            or (lx.RULES["not_that"].search(low) and not new_wishes.has_preferences())):
        u.shown_verdict = "seen" if lx.RULES["seen_words"].search(low) else u.shown_verdict
        return "reject"  # "already watched number 5", "not the last one", "no to all of them"
    if has_shown and u.references and not is_question and not u.critiques and not slots \
            and lx.RULES["pick"].search(low) and len(words) <= 5:  # "2 please", "yes! the 4th"
        return "accept"
    if has_shown and not is_question and not u.critiques and lx.RULES["wants_it"].search(low) \
            and _names_a_shown_title_only(u, ctx.last_shown):  # "i would love elf", "id like to watch the 2nd one"
        return "accept"
    return _answer_intent(u, low, words, slots, has_shown, is_question)


def _names_a_shown_title_only(u: Understanding, shown: list[str]) -> bool:
    """Whether the turn points at the list just shown (an ordinal, a shown title in any case) and
    asks for nothing else: no other film, genre, mood or scene."""
    on_screen = [m for m in u.mentions if m.item_id in shown]
    rest = u.model_copy(update={"keywords": [], "mentions": [m for m in u.mentions if m.item_id not in shown]})
    return bool(u.references or on_screen) and not rest.has_preferences()


def _opening_intent(u: Understanding, low: str, words: set[str]) -> str | None:
    """What a turn is before any taste counts: hostile, a reset, a bare greeting, out of scope."""
    if contains_phrase(low, lx.OUT_OF_SCOPE_ALWAYS):  # hostile / injection, whatever else it says
        return "out_of_scope"
    if contains_phrase(low, lx.RESET_PHRASES):
        return "reset"
    slots = u.model_copy(update={"keywords": []}).has_preferences()
    if contains_phrase(low, lx.GREETINGS) and len(words) <= 4 and not slots and not u.mentions \
            and not contains_phrase(low, lx.REQUEST_CUES):
        u.scene.time_of_day = None  # "good evening" is a greeting, not a scene
        return "greeting"
    if contains_phrase(low, lx.OUT_OF_SCOPE_ALWAYS) or (contains_phrase(low, lx.OUT_OF_SCOPE_CUES) and not slots):
        return "out_of_scope"
    if contains_phrase(low, lx.ABOUT_THE_BOT) and not slots and not u.mentions and not u.references:
        return "smalltalk"  # "what's your favourite film?"
    return None


def _answer_intent(u: Understanding, low: str, words: set[str], slots: bool, has_shown: bool, is_question: bool) -> str:
    """What a turn that asks nothing about an item does: accepts or rejects what was shown,
    refines it, asks for films, or only talks."""
    new_to_them = without_not_seen(low)  # "I haven't seen that, I'll check it out" accepts
    negative = lx.RULES["negative_word"].search(new_to_them)
    if (has_shown or u.mentions) and contains_phrase(low, lx.ACCEPT_PHRASES) \
            and not contains_phrase(new_to_them, lx.REJECT_PHRASES) and not u.critiques and not negative \
            and not (is_question and not u.references):
        return "accept"
    if contains_phrase(low, lx.THANKS) and not slots and not u.mentions:
        return "smalltalk"
    only_seen = u.mentions and all(m.polarity == "seen" for m in u.mentions)
    rejects = contains_phrase(new_to_them, lx.REJECT_PHRASES) or (u.references and lx.RULES["not_the"].search(low))
    if has_shown and (rejects or only_seen) and not (slots or u.critiques) and u.shown_verdict != "liked":
        return "reject"
    if has_shown and u.critiques:
        return "refine"
    if has_shown and slots and lx.RULES["refine_words"].search(low):
        return "refine"
    if has_shown and not u.has_preferences() and contains_phrase(low, lx.MORE_PHRASES):
        return "refine"
    if u.has_preferences():
        return "recommend"
    if u.unknown_titles:
        return "recommend"
    if words & set(lx.GREETINGS) and not contains_phrase(low, lx.REQUEST_CUES):
        return "greeting"
    if contains_phrase(low, lx.REQUEST_CUES):
        return "recommend"
    return "smalltalk"
