"""People named loosely in free text: what the people index's exact and near-exact passes miss.

Three readings, all grounded in the catalogue's people and guarded against everyday words:

* a short first name ("chris nolan" -> Christopher Nolan), from the vocabulary's nicknames;
* a first name right and the surname typed as it sounds ("tom hanx", "brad pit"): the surname is
  compared after folding spellings that sound alike (the vocabulary's ``sound_alike``); an
  everyday word ("paul walked") must fold to the very surname, not only near it;
* a surname alone, exact or with one slip ("spielburg", "scorcese", "no tarantino please"), next
  to a cue word ("anything by …", "… films"); an everyday word is never read as a surname.

Example::

    reader = NameReader(people, vocabulary("en").people, everyday_word)
    reader.find(["anything", "by", "spielburg"], masked=set())   # [PersonHit(2, 3, 'Steven Spielberg')]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval.people import PeopleIndex, PersonHit

# how close a surname typed alone must be (OSA similarity: one slip in 7 or more letters)
NEAR_SURNAME = 0.85
MIN_SURNAME_SLIP_LEN = 6
_DOUBLE = re.compile(r"(.)\1+")


def sound_fold(text: str, pairs) -> str:
    """Each word of ``text`` reduced to how it sounds, by the vocabulary's ``sound_alike`` pairs
    ("the dark night" and "the dark knight" -> "the dark nit"; "fight" -> "fit")."""
    out = []
    for word in text.split():
        w = _DOUBLE.sub(r"\1", word)
        for a, b in pairs:
            w = w.replace(a, b)
        out.append(w)
    return " ".join(out)


class NameReader:
    def __init__(self, people: PeopleIndex, words, everyday: Callable[[str], bool]):
        self.people = people
        self.words = words  # vocabulary.PeopleWords
        self.everyday = everyday
        self._before = set(words.surname_cues_before)
        self._after = set(words.surname_cues_after)
        self._by_initial: dict[str, list[str]] | None = None

    def fold(self, word: str) -> str:
        """A spelling reduced to how it sounds: "hanx" and "hanks" -> "hanx"; "pitt" -> "pit"."""
        return sound_fold(word, self.words.sound_alike)

    def find(self, norms: list[str], masked: set[int], common: set[str] = frozenset()) -> list[PersonHit]:
        hits: list[PersonHit] = []
        taken = set(masked)
        for i in range(len(norms) - 1):
            if i in taken or i + 1 in taken:
                continue
            name = self._nickname(norms[i], norms[i + 1]) or self._sounded(norms[i], norms[i + 1])
            if name:
                hits.append(PersonHit(i, i + 2, name))
                taken |= {i, i + 1}
        for i, w in enumerate(norms):
            if i in taken or not w.isalpha() or len(w) < 4 or w in common or not self._cued(norms, i):
                continue
            name = self._surname(w)
            if name:
                hits.append(PersonHit(i, i + 1, name))
                taken.add(i)
        return sorted(hits, key=lambda h: h.start)

    def _nickname(self, first: str, last: str) -> str | None:
        for full in self.words.nicknames.get(first, []):
            name = self.people.lookup(f"{full} {last}")
            if name:
                return name
        return None

    def _sounded(self, first: str, last: str) -> str | None:
        """A first name spelt right and a surname typed as it sounds; one candidate only."""
        if not last.isalpha() or len(last) < 3:
            return None
        candidates = self.people.names_starting(first)
        if not candidates:
            return None
        typed = self.fold(last)
        everyday = self.everyday(last)
        close = []
        for name, spelt in candidates.items():
            known = spelt.split()[-1]
            if known[:2] != last[:2]:
                continue
            folded = self.fold(known)
            if folded == typed or (not everyday and len(known) >= 5
                                   and OSA.normalized_similarity(typed, folded) >= 0.75):
                close.append(name)
        return close[0] if len(close) == 1 else None

    def _cued(self, norms: list[str], i: int) -> bool:
        before = norms[i - 1] if i else ""
        after = norms[i + 1: i + 3]
        return before in self._before or any(a in self._after for a in after[:1]) or (
            len(after) == 2 and after[1] in self._after and after[0].isalpha())

    def _surname(self, word: str) -> str | None:
        word = re.sub(r"'s?$", "", word)
        if self.everyday(word):
            return None
        owner = self.people.surname_owner(word)
        if owner or len(word) < MIN_SURNAME_SLIP_LEN:
            return owner
        if self._by_initial is None:  # a slip rarely hits the first letter
            self._by_initial = {}
            for s in self.people.surnames():
                self._by_initial.setdefault(s[:1], []).append(s)
        found = process.extract(word, self._by_initial.get(word[:1], []),
                                scorer=OSA.normalized_similarity, score_cutoff=NEAR_SURNAME, limit=2)
        if not found or len(found) > 1 and found[1][1] == found[0][1]:
            return None
        return self.people.surname_owner(found[0][0])
