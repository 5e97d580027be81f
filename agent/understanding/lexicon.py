"""The English vocabulary of the embedded understander, under the names the code uses.

The words themselves live in ``data/en.yaml`` (see :mod:`agent.understanding.vocabulary`); this
module only exposes them, loaded on first access (nothing is read at import time). Phrases are
lower-case and matched on word boundaries; longer phrases win over shorter.
"""

from __future__ import annotations

from functools import lru_cache

from agent.understanding.vocabulary import vocabulary

LANGUAGE = "en"


@lru_cache(maxsize=1)
def _tables() -> dict[str, object]:
    v = vocabulary(LANGUAGE)
    t: dict[str, object] = {
        "GENRE_PHRASES": v.genres,
        "RELATED_GENRES": v.related_genres,
        "COMPANION_PHRASES": {k: r.phrases for k, r in v.companions.items()},
        "COMPANION_GENRES": {k: r.genres for k, r in v.companions.items()},
        "COMPANION_PRIORITY": v.companion_priority,
        "OCCASION_PHRASES": {k: r.phrases for k, r in v.occasions.items()},
        "OCCASION_GENRES": {k: r.genres for k, r in v.occasions.items()},
        "OCCASION_PRIORITY": v.occasion_priority,
        "OCCASION_COMPANIONS": {k: r.companions for k, r in v.occasions.items() if r.companions},
        "MOOD_PHRASES": {k: r.phrases for k, r in v.moods.items()},
        "MOOD_GENRES": {k: r.genres for k, r in v.moods.items()},
        "MOOD_PROTOTYPES": {k: r.prototypes for k, r in v.moods.items()},
        "TIME_OF_DAY_PHRASES": v.times_of_day,
        "TIME_OF_DAY_PRIORITY": v.time_of_day_priority,
        "FAMILY_SAFE_PHRASES": v.family_safe.phrases,
        "FAMILY_SAFE_COMPANIONS": set(v.family_safe.companions),
        "FAMILY_SAFE_MPAA_CEILING": v.family_safe.mpaa_ceiling,
        "FAMILY_SAFE_EXCLUDED_GENRES": v.family_safe.excluded_genres,
        "NEGATION_CUES": v.negation.cues,
        "NEGATION": v.negation,
        "SCOPE_BREAKERS": set(v.negation.scope_breakers),
        "CLAUSE_BREAKS": set(v.negation.clause_breaks),
        "LIKE_CUES": v.cues.like, "SEEN_CUES": v.cues.seen, "GREETINGS": v.cues.greetings,
        "THANKS": v.cues.thanks, "RESET_PHRASES": v.cues.reset, "ACCEPT_PHRASES": v.cues.accept,
        "REJECT_PHRASES": v.cues.reject, "REQUEST_CUES": v.cues.request,
        "OUT_OF_SCOPE_CUES": v.cues.out_of_scope, "MORE_PHRASES": v.cues.more,
        "OUT_OF_SCOPE_ALWAYS": v.cues.out_of_scope_always,
        "QUALITY_PHRASES": v.cues.quality, "RECENT_PHRASES": v.cues.recent, "OLD_PHRASES": v.cues.old,
        "PEOPLE_OF": v.cues.people_of, "ABOUT_THE_BOT": v.cues.about_the_bot,
        "QUESTION_STARTS": tuple(v.cues.question_starts),
        "QUESTION_ATTRIBUTES": v.questions,
        "CRITIQUE_PHRASES": v.critiques,
        "ORDINALS": v.ordinals,
        "NUMBER_WORDS": {k: (int(n) if float(n).is_integer() else n) for k, n in v.number_words.items()},
        "ATTRIBUTES": v.attributes,
        "CLEARS": v.clears,
        "NUMBERS": v.numbers,
        "RULES": v.regexes,
    }
    t["COMMON_WORDS"] = _common_words(v, t)
    t["PLAIN_WORDS"] = _plain_words(v, t["COMMON_WORDS"])
    return t


def _common_words(v, t: dict[str, object]) -> set[str]:
    """Words that alone never make a title mention unless the person capitalises them (e.g. "Up",
    "Kids", "Date Night"): function words plus every phrase of the vocabulary."""
    common = set(v.common_words)
    tables = [v.genres, t["MOOD_PHRASES"], t["OCCASION_PHRASES"], t["COMPANION_PHRASES"], v.times_of_day,
              v.critiques, v.questions, v.attribute_phrases]
    for table in tables:
        for phrases in table.values():
            for p in phrases:
                common.update(p.split())
    for key in ("NEGATION_CUES", "LIKE_CUES", "SEEN_CUES", "GREETINGS", "THANKS", "RESET_PHRASES", "ACCEPT_PHRASES",
                "REJECT_PHRASES", "REQUEST_CUES", "QUALITY_PHRASES", "MORE_PHRASES", "FAMILY_SAFE_PHRASES",
                "RECENT_PHRASES", "OLD_PHRASES"):
        for p in t[key]:
            common.update(p.split())
    return common


def _plain_words(v, common: set[str]) -> set[str]:
    """The words that alone never name a thing someone avoids: the common words less those of the
    attributes and of old / new ("not the dumb explosion fests", "not into old movies")."""
    plain = common - {w for a in v.attribute_phrases.values() for p in a for w in p.split()} \
        - {w for p in v.cues.old + v.cues.recent for w in p.split()}
    n = v.numbers  # "no earlier than 1995" bounds a year; it avoids nothing
    plain |= {w for p in n.max_before + n.min_before + n.max_after + n.min_after for w in p.split()}
    return plain


def __getattr__(name: str):
    tables = _tables()
    if name in tables:
        return tables[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
