"""The people of a catalogue (directors and cast): find their names in text, list their films.

Names are matched whole and case-insensitively ("tom hanks", "Tom Hanks's"), as normalised
token runs of two to four words, so a first name alone ("Tom") never matches; a slip of the keys
is forgiven in a name that keeps its first or last word ("tom hnaks"). Example::

    people = PeopleIndex(items)
    people.find(["a", "movie", "with", "tom", "hanks"])   # [PersonHit(3, 5, 'Tom Hanks')]
    people.find_misspelled(["tom", "hnaks"])                # [PersonHit(0, 2, 'Tom Hanks')]
    people.lookup("steven spielburg")                       # 'Steven Spielberg'
    people.find_surnames(["sandler", "movies"], [True, False])   # [PersonHit(0, 1, 'Adam Sandler')]
    people.films("Tom Hanks", 5)                           # item ids, most popular first
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval.items import Item
from retrieval.titles import strip_accents

MAX_NAME_WORDS = 4
_POSSESSIVE = re.compile(r"['’]s?$")  # "Hanks's", "Hanks'" -> "Hanks"
SURNAME_CUES_AFTER = frozenset({"movie", "movies", "film", "films", "flick", "flicks"})
SURNAME_CUES_BEFORE = frozenset({"by", "from"})
NOT_SURNAMES = frozenset({"bond"})  # "Bond films" are James Bond's (a character), not Ward Bond's
# How close a misspelt name must be (OSA similarity, where swapped letters are one slip, not two as
# in fuzz.ratio): one slip in nine or more characters ("tom hnaks"), two in seventeen or more.
NEAR_NAME = 0.88
_WORD = re.compile(r"[^\W_]+")


def name_tokens(name: str) -> tuple[str, ...]:
    """'Robert Downey Jr.' -> ('robert', 'downey', 'jr'); accents folded ('Penélope' -> 'penelope')."""
    return tuple(_WORD.findall(strip_accents(name).lower()))


@dataclass(frozen=True)
class PersonHit:
    start: int  # token positions [start, end)
    end: int
    name: str


class PeopleIndex:
    def __init__(self, items: Iterable[Item]):
        films: dict[str, list[Item]] = defaultdict(list)
        films_of = list(items)
        for it in films_of:
            for name in it.people:
                films[name].append(it)
        self._films = {n: [it.id for it in sorted(its, key=lambda it: -it.popularity)] for n, its in films.items()}
        words = {name: name_tokens(name) for name in self._films}
        by_tokens: dict[tuple[str, ...], str] = {}
        for name in sorted(self._films, key=lambda n: -len(self._films[n])):  # a shared name: the busiest
            if 2 <= len(words[name]) <= MAX_NAME_WORDS:
                by_tokens.setdefault(words[name], name)
        self._by_tokens = by_tokens
        # misspelt names are looked for among those of as many words sharing the first or the last
        self._near: dict[tuple[int, int, str], dict[str, str]] = defaultdict(dict)  # -> {name: its words}
        for toks, name in by_tokens.items():
            for end in (0, -1):
                self._near[(len(toks), end, toks[end])][name] = " ".join(toks)
        # a surname alone stands for a person who clearly dominates it: at least 3 films and twice
        # as many as anyone else with that surname ("Spielberg", "Sandler"; not "Smith")
        by_surname: dict[str, list[str]] = defaultdict(list)
        for name, toks in words.items():
            if len(toks) >= 2 and len(toks[-1]) >= 4:
                by_surname[toks[-1]].append(name)
        # a surname that titles use as a word of their own is ambiguous ("A Christmas Story" vs Eric
        # Christmas, "Space Jam"); a title that names the person ("Eddie Murphy Raw") is no conflict
        in_titles: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # word -> the words before it
        for it in films_of:
            toks = name_tokens(it.title)
            for k, t in enumerate(toks):
                in_titles[t].append(toks[:k])
        self._by_surname = {}
        for surname, names in by_surname.items():
            names.sort(key=lambda n: -len(self._films[n]))
            first = words[names[0]][:-1]
            if surname in NOT_SURNAMES or any(before[len(before) - len(first):] != first
                                              for before in in_titles.get(surname, ())):
                continue
            busiest = len(self._films[names[0]])
            if busiest >= 3 and (len(names) == 1 or busiest >= 2 * len(self._films[names[1]])):
                self._by_surname[surname] = names[0]

    def __len__(self) -> int:
        return len(self._films)

    def lookup(self, name: str) -> str | None:
        """The catalogue's spelling of a whole name ("tom hanks", "Steven Spielburg"), or None."""
        toks = _words(name.lower().split())
        return self._by_tokens.get(toks) or self._nearest(toks)

    def surname_owner(self, surname: str) -> str | None:
        """The person a surname alone stands for ("spielberg" -> 'Steven Spielberg'), or None."""
        return self._by_surname.get(surname)

    def surnames(self) -> list[str]:
        """Every surname that alone stands for one person (see ``surname_owner``)."""
        return list(self._by_surname)

    def names_starting(self, first: str, words: int = 2) -> dict[str, str]:
        """{name: its normalised words} of the names of ``words`` words whose first word is ``first``."""
        return dict(self._near.get((words, 0, first), {}))

    def find(self, norms: list[str], masked: set[int] = frozenset()) -> list[PersonHit]:
        """Every known name in the token norms (longest first, no overlaps, none in ``masked``)."""
        return self._scan(norms, masked, self._by_tokens.get)

    def find_misspelled(self, norms: list[str], masked: set[int] = frozenset(),
                        everyday: Callable[[str], bool] | None = None) -> list[PersonHit]:
        """Names with a slip of the keys ("tom hnaks", "steven spielburg"); a misspelt word that is
        an ``everyday`` word is read as that word ("paul walked" is no Paul Walker)."""
        return self._scan(norms, masked, lambda toks: self._nearest(toks, everyday))

    def _scan(self, norms: list[str], masked: set[int],
              name_of: Callable[[tuple[str, ...]], str | None]) -> list[PersonHit]:
        """Left to right, longest run first: the runs of norms whose words ``name_of`` names."""
        words = [_words([n]) for n in norms]  # once per token, not per span
        hits, i = [], 0
        while i < len(norms):
            for size in range(MAX_NAME_WORDS, 1, -1):
                span = range(i, i + size)
                if i + size > len(norms) or any(k in masked for k in span):
                    continue
                if not words[i] or not words[i + size - 1]:  # a run starts and ends at a word, not at ". "
                    continue
                name = name_of(tuple(t for w in words[i:i + size] for t in w))
                if name:
                    hits.append(PersonHit(i, i + size, name))
                    i += size
                    break
            else:
                i += 1
        return hits

    def _nearest(self, toks: tuple[str, ...], everyday: Callable[[str], bool] | None = None) -> str | None:
        """The one name within ``NEAR_NAME`` of ``toks`` with as many words, the first or the last
        the same; None when there is none, or two as close. No differing word may be ``everyday``."""
        if not 2 <= len(toks) <= MAX_NAME_WORDS:
            return None
        close = set()
        for choices in filter(None, (self._near.get((len(toks), end, toks[end])) for end in (0, -1))):
            close.update((score, spelt, name) for spelt, score, name in process.extract(
                " ".join(toks), choices, scorer=OSA.normalized_similarity, score_cutoff=NEAR_NAME, limit=2))
        ranked = sorted(close, reverse=True)
        if not ranked or len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
            return None
        _, spelt, name = ranked[0]
        if everyday and any(typed != known and everyday(typed) for typed, known in zip(toks, spelt.split())):
            return None
        return name

    def find_surnames(self, norms: list[str], capitalised: list[bool], masked: set[int] = frozenset(),
                      common: frozenset[str] = frozenset()) -> list[PersonHit]:
        """Surnames alone, where the words around them say a film-maker is meant: "Sandler
        movies", "a Spielberg film", "anything by Tarantino". Capitalised, not a ``common`` word."""
        hits = []
        for i, norm in enumerate(norms):
            word = _POSSESSIVE.sub("", norm)
            name = self._by_surname.get(word)
            if name is None or i in masked or not capitalised[i] or word in common:
                continue
            after = norms[i + 1] if i + 1 < len(norms) else ""
            before = norms[i - 1] if i else ""
            if after in SURNAME_CUES_AFTER or before in SURNAME_CUES_BEFORE:
                hits.append(PersonHit(i, i + 1, name))
        return hits

    def films(self, name: str, n: int | None = None) -> list[str]:
        """Item ids featuring ``name``, most popular first."""
        return self._films.get(name, [])[:n]


def _words(norms: list[str]) -> tuple[str, ...]:
    """The name words of a run of token norms, possessives dropped ("hanks's" -> "hanks")."""
    return tuple(t for n in norms for t in name_tokens(_POSSESSIVE.sub("", n)))
