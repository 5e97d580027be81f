"""The notes put before a turn's reply: a message cut short, a language the agent does not read,
titles it did not find, and which film it took a loosely written title for."""

from __future__ import annotations

from collections.abc import Callable

from agent.understanding.schema import Understanding
from retrieval.titles import normalize_title, title_aliases

FOREIGN_LANGUAGE = "I work best in English or Chinese; here is what I could make of your message."


def turn_notices(text: str, cut: bool, u: Understanding, words, name: Callable[[str], str | None]) -> list[str]:
    """``words``: the reply wording (:func:`agent.wording.wording_for`); ``name``: an item's display
    name in that wording, None for an id the catalogue lacks."""
    notices: list[str] = []
    if cut:
        notices.append(words.notice_long(len(text)))
    if u.intent == "smalltalk" and text and not _mostly_latin(text) and not u.language:
        notices.append(FOREIGN_LANGUAGE)
    for title in u.unknown_titles:
        notices.append(words.notice_unknown_title(title))
    for m in u.mentions:
        if m.alternatives:
            alt = ", ".join(n for a in m.alternatives if (n := name(a)))
            notices.append(words.notice_took(m.surface, name(m.item_id) or m.item_id, alt))
        elif m.surface and normalize_title(m.surface) not in title_aliases(m.title) and words.language == "en":
            notices.append(words.notice_took(m.surface, name(m.item_id) or m.item_id))
    return notices


def with_notices(reply: str, notices: list[str]) -> str:
    return " ".join(notices) + "\n\n" + reply if notices else reply


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) / len(letters) > 0.6
