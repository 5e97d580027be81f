"""How a person judges titles: a verdict on the titles just shown ("I loved all of those", "I've
seen both and liked them", "Oh yes, classic", "I didn't like it"), and the polarity of a title
they name themselves ("not into gory stuff like Saw", "Heat is my favourite"). Every sentiment
cue of the understander lives here.

Which titles: an explicit plural reference ("them", "those", "both", "all of ...") means every
title just shown; otherwise the verdict needs exactly one shown title (or ordinal references,
resolved by the dialogue state). A bare evaluative word ("great", "classic") counts only in a
short reply about a single title, so "great, thanks" after five picks is not "I loved all five".

Example::

    shown_verdict("i loved all of those .", shown=2, explicit_refs=False)  # "liked" (both: refers_to_all)
    shown_verdict("i didn't like it .", shown=1, explicit_refs=False)      # "disliked"
    mention_polarity("i hated saw".split(), 2, 3, negated=False)          # "disliked"

Questions ("did you like it?") are no verdict: the caller skips them.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.understanding.lexicon import CLAUSE_BREAKS, LIKE_CUES, SEEN_CUES
from agent.understanding.schema import Polarity
from agent.understanding.text import contains_phrase

_PLURAL = re.compile(r"\b(them|those|these|both|all of (?:them|those|these|his|her|their)|each of them|all three)\b")
_SINGULAR = re.compile(r"\b(it|that one|this one|that movie|this movie|that film|this film|that|this|the one)\b")
# strong positive words: a verdict wherever a reference makes the target clear
_POSITIVE = re.compile(r"\b(loved?|liked|enjoyed|adored?|favou?rites?|one of my favou?rites"
                       r"|(?:really|so|very|pretty) good|good (?:one|movie|film)|great (?:one|movie|film)"
                       r"|awesome|amazing|fantastic|excellent|brilliant|hilarious|classic|masterpiece)\b")
# evaluative words that are a verdict only in a short reply about one title ("oh that is great")
_EVALUATIVE = re.compile(r"\b(great|good|fun|funny|cool|nice)\b")
NEGATIVE = re.compile(r"\b(hated?|disliked?|boring|awful|terrible|horrible|overrated|stupid|dumb|worst"
                       r"|can't stand|cant stand)\b"
                       r"|\b(?:didn't|didnt|did not|don't|do not|wasn't|was not|isn't|not|never) (?:really |that |so |too )?"
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
CONTRAST = re.compile(r"\b(?:nothing like|unlike)\b")  # "something unlike Saw": away from it
# said right after a title: "Heat is my all-time favourite", "Heat, great movie"; "Heat before"
LIKED_AFTER = re.compile(r"(is|was) (one of )?(my |our )?(all time |all-time )?(favou?rite|great|amazing|awesome|the best)"
                         r"|(favou?rites?|great)\b")
SEEN_AFTER = re.compile(r"(already|before)\b")
_SHORT_REPLY_WORDS = 6
_NO_I_HAVENT = re.compile(r"^(?:no|nope|nah)\b\W*(?:i )?(?:haven't|havent|have not)\b")  # "have you seen X?" "no I haven't"


def refers_to_all(low: str) -> bool:
    """'them', 'those', 'both', 'all of those': every title just shown."""
    return _PLURAL.search(low) is not None


def without_not_seen(low: str) -> str:
    """``low`` without its "not seen" phrases ("I haven't seen that", "no I haven't"): they say a
    title is new to the person, so "seen that" inside them is no rejection and "no" no refusal."""
    return NOT_SEEN.sub(" ", _NO_I_HAVENT.sub(" ", low))


Verdict = Literal["liked", "disliked", "seen"]  # "seen": known, no verdict ("I've seen those")


def shown_verdict(low: str, shown: int, explicit_refs: bool, names_titles: bool = False) -> Verdict | None:
    """The verdict in a normalised message ``low`` on the ``shown`` titles just named, if any; it is
    about all of them when the message :func:`refers_to_all` and has no ordinal.
    ``explicit_refs``: the message points at shown titles by ordinal ("the second one");
    ``names_titles``: it names titles of its own, which then carry the verdict unless a
    reference points back ("loved Heat, and those too")."""
    if not shown:
        return None
    plural = refers_to_all(low)
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
    return polarity


def mention_polarity(norms: list[str], start: int, end: int, negated: bool) -> Polarity:
    """How the person feels about the title at tokens ``[start, end)`` of ``norms`` (normalised
    tokens), from the five words before it and the four after; ``negated``: inside the scope of a
    negation ("no Saw", "nothing like Saw"). A title named with no cue is ``neutral``."""
    before = " ".join(norms[max(0, start - 5) : start])
    after = " ".join(norms[end : end + 4])
    if LIKED_AFTER.match(" ".join(norms[end : end + 5])):  # ("is one of my favourites")
        return "liked"
    if NOT_SEEN.search(before):
        return "unseen"  # "I've never seen Heat": new to them, no verdict
    if contains_phrase(before, SEEN_CUES) or SEEN_AFTER.match(after):
        return "seen"
    if (negated or NEGATIVE.search(before) or CONTRAST.search(before) or NEGATIVE_AFTER.match(after)
            or WORSE_BEFORE.search(before) or example_of_aversion(norms, start)):
        return "disliked"
    return "liked" if contains_phrase(before, LIKE_CUES) else "neutral"


def example_of_aversion(norms: list[str], start: int) -> bool:
    """'not into movies with a lot of blood like Saw': a title given after "like" / "such as"
    in a clause that says what the person does not want."""
    if start == 0 or norms[start - 1] not in ("like", "as"):
        return False
    i = start - 1
    if i > 0 and norms[i - 1] == ",":
        i -= 1  # "..., like Saw" belongs to the clause before the comma
    while i > 0 and norms[i - 1] not in CLAUSE_BREAKS:
        i -= 1
    return AVERSION.search(" ".join(norms[i : start - 1])) is not None


# a title of the list just shown counts when named in lower case ("elf sounds great", "jaws"), unless
# the name is everyday English (zipf, as mentions.EVERYDAY_ZIPF): "her" 6.3, "ghost" 4.4, "frozen" 4.3
# ("anything with a ghost?" asks for films, not about the film Ghost on screen)
SHOWN_TITLE_ZIPF = 4.0


def shown_titles_named(low: str, shown: list[set[str]]) -> list[int]:
    """The positions in the list just shown whose title (one of its aliases, ``shown``) the
    normalised message ``low`` holds as whole words, in any case: on screen, "elf" is the film."""
    from wordfreq import zipf_frequency

    padded = f" {low} "
    return [k for k, aliases in enumerate(shown)
            if any(len(a) >= 3 and f" {a} " in padded and zipf_frequency(a, "en") < SHOWN_TITLE_ZIPF for a in aliases)]
