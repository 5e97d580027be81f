"""The people of a catalogue (directors and cast): find their names in text, list their films.

Names are matched whole and case-insensitively ("tom hanks", "Tom Hanks's"), as normalised
token runs of two to four words, so a first name alone ("Tom") never matches. Example::

    people = PeopleIndex(items)
    people.find(["a", "movie", "with", "tom", "hanks"])   # [PersonHit(3, 5, 'Tom Hanks')]
    people.films("Tom Hanks", 5)                           # item ids, most popular first
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.items import Item

MAX_NAME_WORDS = 4
_POSSESSIVE = re.compile(r"['’]s?$")  # "Hanks's", "Hanks'" -> "Hanks"


def name_tokens(name: str) -> tuple[str, ...]:
    """'Robert Downey Jr.' -> ('robert', 'downey', 'jr'); accents folded ('Penélope' -> 'penelope')."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return tuple(re.findall(r"[a-z0-9]+", folded))


@dataclass(frozen=True)
class PersonHit:
    start: int  # token positions [start, end)
    end: int
    name: str


class PeopleIndex:
    def __init__(self, items: Iterable[Item]):
        films: dict[str, list[Item]] = defaultdict(list)
        for it in items:
            for name in it.people:
                films[name].append(it)
        self._films = {n: [it.id for it in sorted(its, key=lambda it: -it.popularity)] for n, its in films.items()}
        by_tokens: dict[tuple[str, ...], str] = {}
        for name in sorted(self._films, key=lambda n: -len(self._films[n])):  # a shared name: the busiest
            toks = name_tokens(name)
            if 2 <= len(toks) <= MAX_NAME_WORDS:
                by_tokens.setdefault(toks, name)
        self._by_tokens = by_tokens

    def __len__(self) -> int:
        return len(self._films)

    def find(self, norms: list[str], masked: set[int] = frozenset()) -> list[PersonHit]:
        """Every known name in the token norms (longest first, no overlaps, none in ``masked``)."""
        hits, i = [], 0
        while i < len(norms):
            for size in range(MAX_NAME_WORDS, 1, -1):
                span = range(i, i + size)
                if i + size > len(norms) or any(k in masked for k in span):
                    continue
                toks = tuple(t for n in norms[i:i + size] for t in name_tokens(_POSSESSIVE.sub("", n)))
                name = self._by_tokens.get(toks)
                if name:
                    hits.append(PersonHit(i, i + size, name))
                    i += size
                    break
            else:
                i += 1
        return hits

    def films(self, name: str, n: int | None = None) -> list[str]:
        """Item ids featuring ``name``, most popular first."""
        return self._films.get(name, [])[:n]
