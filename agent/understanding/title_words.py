"""Whether one lower-case word names a title by a part of it: its words without the article ("help"
for *The Help*: the everyday word), or its head before a colon or its other name ("borat", "se7en").

Example::

    article_dropped(span, "help", matches)   # True: "I need help" names no film
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.understanding.sequels import COUNTED
from agent.understanding.text import Token
from retrieval.titles import Match, normalize_title

RARE_ZIPF = 3.0  # below it, a word said alone may name a title by its head or other name ("borat", "se7en")


def article_dropped(span: list[Token], key: str, matches: list[Match]) -> bool:
    """One lower-case word that names a title only without its article ("help" for *The Help*):
    almost always the everyday word, not the movie. A word that is the title's head before a colon or
    its other name, when the word is rare ("borat", "se7en"), is no article dropped either; a subtitle
    after it ("redemption" for *24: Redemption*) or a word people use ("redemption" for *Redemption:
    The Stan Tookie Williams Story*) still is."""
    if len(span) != 1 or span[0].capitalised:
        return False
    if any(normalize_title(m.title) == key for m in matches):
        return False
    named = {normalize_title(x) for m in matches for x in [re.split(r":| - ", m.title)[0],
                                                           *re.findall(r"\((?:a\.k\.a\.\s*)?([^)]*)\)", m.title)]}
    return key not in named or _rare_zipf(key) >= RARE_ZIPF


@lru_cache(maxsize=4096)
def _rare_zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def watched(tokens: list[Token], start: int) -> bool:
    """A number right after a word of watching or liking names the film ("fell asleep during 2001",
    "movies like 2001"), when the catalogue has one so named."""
    after = tokens[start + 1].norm if start + 1 < len(tokens) else ""
    return start > 0 and tokens[start - 1].norm in _TITLE_CUES and after not in COUNTED  # ("like 2 hours")


_TITLE_CUES = {"like", "liked", "love", "loved", "enjoy", "enjoyed", "adore", "adored", "seen", "saw", "watched",
               "watching", "during", "favorite", "favourite"}
