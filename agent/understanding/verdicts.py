"""A person's verdict on the titles just shown or named to them: "I loved all of those", "I've
seen both and liked them", "Oh yes, classic", "I didn't like it".

Which titles: an explicit plural reference ("them", "those", "both", "all of ...") means every
title just shown; otherwise the verdict needs exactly one shown title (or ordinal references,
resolved by the dialogue state). A bare evaluative word ("great", "classic") counts only in a
short reply about a single title, so "great, thanks" after five picks is not "I loved all five".

Example::

    shown_verdict("i loved all of those .", shown=2, explicit_refs=False)  # Verdict("liked", True)
    shown_verdict("i didn't like it .", shown=1, explicit_refs=False)      # Verdict("disliked", False)

Questions ("did you like it?") are no verdict: the caller skips them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_PLURAL = re.compile(r"\b(them|those|these|both|all of (?:them|those|these|his|her|their)|each of them|all three)\b")
_SINGULAR = re.compile(r"\b(it|that one|this one|that movie|this movie|that film|this film|that|this|the one)\b")
# strong positive words: a verdict wherever a reference makes the target clear
_POSITIVE = re.compile(r"\b(loved?|liked|enjoyed|adored?|favou?rites?|one of my favou?rites"
                       r"|(?:really|so|very|pretty) good|good (?:one|movie|film)|great (?:one|movie|film)"
                       r"|awesome|amazing|fantastic|excellent|brilliant|hilarious|classic|masterpiece)\b")
# evaluative words that are a verdict only in a short reply about one title ("oh that is great")
_EVALUATIVE = re.compile(r"\b(great|good|fun|funny|cool|nice)\b")
NEGATIVE = re.compile(r"\b(hated?|disliked?|boring|awful|terrible|horrible|overrated|stupid|dumb|worst)\b"
                       r"|\b(?:didn't|did not|don't|do not|wasn't|was not|isn't|not|never) (?:really |that |so |too )?"
                       r"(?:like|love|enjoy|care for|good|great|funny|a fan)\b|not (?:my|for me)\b")
# a rejection of what was shown ("no, not those"): the dialogue's reject handles it, no verdict here
_REJECTION = re.compile(r"\b(?:no|not|none of|nah|nope)(?: ,)? (?:those|these|them|that one|this one|that|it)\b|^(?:no|nah|nope)\b")
_SEEN = re.compile(r"\b(seen|watched|saw)\b")
NOT_SEEN = re.compile(r"\b(?:not|never|haven't|havent|hasn't|didn't|have not) (?:yet |ever |even )?(?:seen|watched|saw)\b"
                      r"|\byet to (?:see|watch)\b")
# a title given as an example of what the person does not want: "not into gory movies like Saw",
# "horror turns me off, stuff like Saw" (the clause holds the negative, "like" introduces the title)
AVERSION = re.compile(r"\b(?:not into|not a fan of|not big on|turns? me off|can't stand|cant stand)\b")
# said right after a title: "Mr. Bean's Holiday is not my speed", "Twilight wasn't as good"
NEGATIVE_AFTER = re.compile(r"^(?:is|was|are|were) (?:not|n't)\b|^(?:isn't|wasn't|aren't|weren't)\b"
                            r"|^(?:sucks|sucked|bored me)\b")
WORSE_BEFORE = re.compile(r"\b(?:better|funnier|scarier) than$")
_SHORT_REPLY_WORDS = 6


@dataclass(frozen=True)
class Verdict:
    polarity: Literal["liked", "disliked", "seen"]  # "seen": known, no verdict ("I've seen those")
    plural: bool  # about every title just shown


def shown_verdict(low: str, shown: int, explicit_refs: bool, names_titles: bool = False) -> Verdict | None:
    """The verdict in a normalised message ``low`` on the ``shown`` titles just named, if any.
    ``explicit_refs``: the message points at shown titles by ordinal ("the second one");
    ``names_titles``: it names titles of its own, which then carry the verdict unless a
    reference points back ("loved Heat, and those too")."""
    if not shown:
        return None
    plural = _PLURAL.search(low) is not None
    singular = explicit_refs or _SINGULAR.search(low) is not None
    if not (plural or singular or (shown == 1 and not names_titles)) or _REJECTION.search(low):
        return None
    if NEGATIVE.search(low):
        polarity = "disliked"
    elif names_titles and _POSITIVE.search(low):
        return None  # "not those, I really liked Heat": the praise is for the title named
    elif _POSITIVE.search(low):
        polarity = "liked"
    elif (shown == 1 or explicit_refs) and _EVALUATIVE.search(low) and len(low.split()) <= _SHORT_REPLY_WORDS:
        polarity = "liked"
    elif _SEEN.search(low) and not NOT_SEEN.search(low):
        polarity = "seen"
    else:
        return None
    if not plural and not explicit_refs and shown > 1:
        return None  # "I liked it" after two titles: which one?
    return Verdict(polarity, plural and not explicit_refs)
