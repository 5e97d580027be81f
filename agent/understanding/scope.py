"""Negation and contrast scope: which words of a sentence a cue negates, which it only tolerates,
and the aversions a negation names without a vocabulary entry ("nothing with clowns").

Example::

    negated = negated_positions(tokens, hits)   # token positions inside a negated scope
"""

from __future__ import annotations

from functools import lru_cache

from agent.understanding import lexicon as lx
from agent.understanding.schema import Understanding
from agent.understanding.text import PhraseHit, Token, contains_phrase, tokenize

@lru_cache(maxsize=8192)
def _too_common(word: str) -> bool:
    """Everyday words ("care", "coming", "everywhere") that alone name no aversion."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en", wordlist="small") >= 5.0


def modifies(norms: list[str], h: PhraseHit) -> bool:
    """A genre word used as a modifier of another noun ("romance subplot", "horror elements")."""
    nxt = norms[h.end] if h.end < len(norms) else ""
    return nxt.isalpha() and len(nxt) > 3 and nxt not in lx.COMMON_WORDS and nxt not in _FUNCTION_WORDS


def part_of_genre(norms: list[str], h: PhraseHit) -> bool:
    """A genre word that names only a part of the genre: a modifier ("no romance subplot"),
    someone's films of it ("not his war movies", ``negation.subset_words``) or a kind of it ("no
    high brow humor", ``negation.kind_words``)."""
    return modifies(norms, h) or (h.start > 0 and norms[h.start - 1] in lx.NEGATION.subset_words) or \
        _kind_before(norms, h) > 0


def _kind_before(norms: list[str], h: PhraseHit) -> int:
    """How many words right before a genre word name a kind of it ("high brow" humor: 2), 0 if none."""
    return next((len(k) for k in _kind_words() if norms[max(0, h.start - len(k)):h.start] == k), 0)


@lru_cache(maxsize=1)
def _kind_words() -> list[list[str]]:
    """``negation.kind_words`` as word lists ("high brow": ["high", "brow"])."""
    return [[t.norm for t in tokenize(k)] for k in lx.NEGATION.kind_words]


def avoided_phrase(norms: list[str], h: PhraseHit, negated: set[int], cue_words: set[int]) -> str:
    """The words of a negated kind of a genre: the scope's content words around the genre word."""
    start = h.start - _kind_before(norms, h)
    while start - 1 in negated and start - 1 not in cue_words and norms[start - 1] not in _FUNCTION_WORDS \
            and norms[start - 1].isalpha() and norms[start - 1] not in ("the", "a", "an", "of", "that", "with", "any") \
            and norms[start - 1] not in lx.NEGATION.subset_words:
        start -= 1
    end = h.end + (1 if modifies(norms, h) else 0)
    return " ".join(norms[start:end])


_FUNCTION_WORDS = {"any", "all", "those", "these", "stuff", "things", "thing", "ones", "kind", "type", "sort", "really",
                   "though", "either", "please", "pls", "plz", "seriously", "honestly", "lol", "much", "mean", "ever",
                   "everywhere", "anywhere", "somewhere", "anymore", "whatsoever", "literally", "basically",
                   "massive", "huge", "fests", "fest", "type", "vibes", "generally", "ones", "films", "movies",
                   "person", "fan", "guy", "gal", "buff", "lover", "fanatic", "lately", "recently", "anyway"}
# ("not a horror person", "enough of thrillers lately": the whole genre)
SCOPE_REACH = 10  # the most words a negation cue reaches before its clause ends


# -- aversions with no vocabulary entry: "nothing with clowns", "no remakes or sequels" --------
def unnamed_aversions(u: Understanding, tokens: list[Token], hits: list[PhraseHit], negated: set[int],
                      masked: set[int]) -> None:
    known = {i for h in hits if h.category != "negation" for i in range(h.start, h.end)} | masked
    cues = {i for h in hits if h.category == "negation" for i in range(h.start, h.end)}
    named = {h.start for h in hits if h.category in ("attribute", "genre")}
    parts = parts_of_things_named([t.norm for t in tokens], hits, negated, known)
    parts |= {h.end for h in hits if h.category == "negation"  # "doesn't rely on jump scares": a verb
              and " ".join(t.norm for t in tokens[h.start:h.end]) in lx.NEGATION.verb_cues}
    runs: list[list[str]] = [[]]
    for i in sorted(negated):
        t = tokens[i].norm
        if i in named and runs[-1] and i - 1 in negated and i - 1 not in known:
            runs[-1] = []  # "not the dumb slapstick stuff": a word just before a thing named modifies it
        if i in parts:  # "no medieval battle epics", "not a whodunnit in a big mansion"
            runs.append([])
            continue
        if i in known or i in cues:
            runs.append([])  # the scope already names something known here
            runs.append([])
            continue
        if t in ("or", "nor", ",") or (runs[-1] and i - 1 not in negated):
            runs.append([])
        if t.isalpha() and len(t) > 2 and t not in lx.PLAIN_WORDS and t not in _FUNCTION_WORDS \
                and not _too_common(t):
            runs[-1].append(t)
        elif runs[-1]:
            runs.append([])
    said = {w for a in u.avoided_attributes for w in a.split()}
    for run in runs:
        phrase = " ".join(w for w in run if w not in said)
        if phrase and phrase not in u.avoided_attributes:
            u.avoided_attributes.append(phrase)

def parts_of_things_named(norms: list[str], hits: list[PhraseHit], negated: set[int], known: set[int]) -> set[int]:
    """Positions of words that belong to a thing named just before them: an unnamed head noun ("battle
    epics") or a phrase that places it (``negation.modifier_openers``: "a whodunnit in a big mansion")."""
    out: set[int] = set()
    for e in {h.end for h in hits if h.category in ("attribute", "genre")}:
        if e < len(norms) and e not in known and norms[e].isalpha() and norms[e] not in lx.NEGATION.modifier_openers:
            out.add(e)
            continue
        opener = next((o.split() for o in lx.NEGATION.modifier_openers if norms[e:e + len(o.split())] == o.split()), None)
        j = e + len(opener or [])
        while opener and j in negated and norms[j] not in ("or", "nor", ",", "and"):
            out.update(range(e, j + 1))
            j += 1
    return out


# -- negation scope -------------------------------------------------------------------
def negated_positions(tokens: list[Token], hits: list[PhraseHit]) -> set[int]:
    """Token positions inside a negated scope. A cue opens a scope that runs to the end of its
    clause (a comma, "but", "and", a full stop; see ``negation.scope_breakers``), at most ten
    words; a degree cue ("too", "less") reaches two. "or" and "nor" keep it open ("no horror or
    gore"). A cue after the words in the same clause negates them too ("horror is not for me",
    "musicals bore me"; ``negation.after_cues``), and so does a negator closing a clause
    ("sci-fi yes, aliens no"; ``negation.clause_final_cues``)."""
    negated: set[int] = set()
    norms = [t.norm for t in tokens]
    low = " ".join(norms)
    allowing = {i for m in lx.NEGATION.tolerance_before_regex.finditer(low)  # "don't mind": no negation
                for i in range(len(low[:m.start()].split()), len(low[:m.end()].split()))}
    for h in hits:
        if h.category != "negation" or h.start in allowing:
            continue
        j = h.end
        reach = 2 if h.value in ("too", "less") or tokens[h.start].norm in ("too", "less") else SCOPE_REACH
        while j < len(tokens) and j < h.end + reach and (not breaks_scope(norms, j, j == h.end)
                                                         or _list_goes_on(norms, j)):
            negated.add(j)
            j += 1
    neg = lx.NEGATION
    for m in [*neg.after_regex.finditer(low), *neg.clause_final_regex.finditer(low)]:
        clause = _clause_before(norms, low, m.start())
        i = len(low[:m.start()].split()) - 1
        if not clause and i > 0 and norms[i] == "?":  # "horror? hard pass": the answer to what it asks
            clause = _clause_before(norms, low, len(" ".join(norms[:i])))
        negated.update(clause)
    return negated

def breaks_scope(norms: list[str], j: int, first: bool = False) -> bool:
    """Whether a negation's scope ends at ``j``: a breaker word, or the first word of a breaker
    phrase ("as long as": "no horror as long as it's funny") unless it opens the scope ("not as
    long as Titanic")."""
    return norms[j] in lx.SCOPE_BREAKERS or not first and any(norms[j:j + len(p)] == p for p in _breaker_phrases())


@lru_cache(maxsize=1)
def _breaker_phrases() -> tuple[list[str], ...]:
    return tuple(b.split() for b in lx.SCOPE_BREAKERS if " " in b)


def _list_goes_on(norms: list[str], j: int) -> bool:
    """Whether the breaker at ``j`` only joins a list the negation spans: "can't stand corsets
    and ballrooms" (a content word after "and"), "don't do documentaries, or anything based on a
    true story" (", or")."""
    nxt = norms[j + 1] if j + 1 < len(norms) else ""
    if norms[j] == "," and nxt in ("or", "nor"):
        return True
    return norms[j] in ("and", "&") and nxt.isalpha() and nxt not in lx.PLAIN_WORDS and not _too_common(nxt)

def _clause_before(norms: list[str], low: str, char: int) -> list[int]:
    """The token positions of the clause that ends at character ``char`` of ``low``."""
    i = len(low[:char].split()) - 1
    out = []
    while i >= 0 and norms[i] not in lx.CLAUSE_BREAKS and norms[i] != "and":
        out.append(i)
        i -= 1
    return out

def rule_positions(norms: list[str], rule: str) -> set[int]:
    """The token positions a named rule (``rules``) matches."""
    low = " ".join(norms)
    return {i for m in lx.RULES[rule].finditer(low)
            for i in range(len(low[:m.start()].split()), len(low[:m.end()].split()))}


def tolerated_positions(norms: list[str]) -> set[int]:
    """Positions of what the person allows without asking for it: "I'm ok with violence",
    "subtitles are fine" (``negation.tolerance_*``). An attribute there is neither wished nor
    avoided."""
    low = " ".join(norms)
    out: set[int] = set()
    for m in lx.NEGATION.tolerance_after_regex.finditer(low):
        out.update(_clause_before(norms, low, m.start()))
    for m in lx.NEGATION.tolerance_before_regex.finditer(low):
        j = len(low[:m.end()].split())
        while j < len(norms) and not breaks_scope(norms, j):
            out.add(j)
            j += 1
    return out


def judged_positions(norms: list[str], titles: list[tuple[int, int]], comparisons: bool = True) -> set[int]:
    """Positions of a clause that judges a film just named ("12 Angry Men is a masterpiece",
    ``rules.title_verdict``), the films just shown ("these are all a bit light") or sets a word
    aside by comparison ("more funny than scary", ``rules.list_verdict``; not with ``comparisons=False``): no wish."""
    starts = [end for _, end in titles if lx.RULES["title_verdict"].search(" ".join(norms[end:end + 3]))]
    low = " ".join(norms)
    starts += [len(low[:m.start()].split()) for m in lx.RULES["list_verdict"].finditer(low)
               if comparisons or m.group(0) != "than"]
    return _clauses_from(norms, starts)


def _clauses_from(norms: list[str], starts: list[int]) -> set[int]:
    """The positions from each start to the end of its clause (a start on a break still opens one)."""
    out: set[int] = set()
    for j in starts:
        while j < len(norms) and (norms[j] not in lx.CLAUSE_BREAKS or j in starts):
            out.add(j)
            j += 1
    return out


def filed_positions(norms: list[str]) -> set[int]:
    """Positions of a clause that files a film under a genre ("I'd call that one an adventure
    comedy", "I don't consider that a historical drama", ``rules.classifying``): what the film is or
    is not, neither a wish nor an aversion, negated or not."""
    low = " ".join(norms)
    return _clauses_from(norms, [len(low[:m.end()].split()) for m in lx.RULES["classifying"].finditer(low)])


def anaphoric_aversions(u: Understanding, low: str) -> None:
    """"we've seen all the Marvel stuff, so anything but that": a negation whose object is a pronoun
    turns down what the turn asked for before it (``rules.negated_anaphora``)."""
    if not lx.RULES["negated_anaphora"].search(low):
        return
    for liked, avoided in ((u.liked_attributes, u.avoided_attributes), (u.liked_genres, u.disliked_genres),
                           (u.liked_people, u.disliked_people)):
        avoided.extend(x for x in liked if x not in avoided)
        liked.clear()


def prefix_aversions(u: Understanding, norms: list[str]) -> None:
    """A word that negates itself ("inoffensive", "non-violent", "unpretentious"): its stem, when
    it names an attribute, is avoided (``negation.negating_prefixes``); so is what a phrase rules out
    on its own ("keep it clean": ``negation.aversions``)."""
    names = _attribute_of_phrase()
    low = " ".join(norms)
    for name, phrases in lx.NEGATION.aversions.items():  # "keep it clean": nothing offensive
        if name not in u.avoided_attributes and contains_phrase(low, phrases):
            u.avoided_attributes.append(name)
    for w in norms:
        for prefix in lx.NEGATION.negating_prefixes:
            name = names.get(w[len(prefix):]) if w.startswith(prefix) and len(w) > len(prefix) + 3 else None
            if name and w not in names and name not in u.avoided_attributes:
                u.avoided_attributes.append(name)
                if name in u.liked_attributes:
                    u.liked_attributes.remove(name)


@lru_cache(maxsize=1)
def _attribute_of_phrase() -> dict[str, str]:
    return {p: name for name, a in lx.ATTRIBUTES.items() for p in a.phrases}
