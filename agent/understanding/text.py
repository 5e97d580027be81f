"""Tokenising and phrase matching shared by the embedded understander."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"#?\d+(?:\.\d+)?(?:st|nd|rd|th|'?s)?|[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F0-9'’&-]*|[.,;!?()\"]|&")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")


def clean_text(text: str, max_chars: int) -> tuple[str, bool]:
    """Strip control characters and collapse whitespace; cut to ``max_chars``.

    Returns (clean text, whether it was cut)."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    cut = len(text) > max_chars
    return (text[:max_chars].rsplit(" ", 1)[0] if cut else text), cut


@dataclass(frozen=True)
class Token:
    text: str  # as written
    norm: str  # lower-case, apostrophes unified
    start: int  # char offset

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() or self.text[:1].isdigit()


_SUFFIX = re.compile(r"(\w)-(type|esque|like|style|ish)\b", re.I)


def _norm(token: str) -> str:
    return "and" if token == "&" else token.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    """Words, numbers and punctuation; a lone "&" reads as "and" ("Mr. & Mrs. Smith")."""
    text = _SUFFIX.sub(r"\1 \2", text)  # "Alien-type thriller" -> "Alien type thriller"
    return [Token(m.group(0), _norm(m.group(0)), m.start()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class PhraseHit:
    start: int  # token index
    end: int  # exclusive
    category: str
    value: str


class PhraseIndex:
    """Phrase tables matched greedily (longest first), each category on its own, so that
    "family movie night" is both a family-film genre phrase and a movie-night occasion."""

    def __init__(self):
        self._tables: dict[str, dict[tuple[str, ...], list[str]]] = {}
        self._max_len: dict[str, int] = {}

    def add(self, category: str, table: dict[str, list[str]], plurals: bool = False) -> None:
        """``plurals``: a phrase also matches with its last word in the plural ("rom coms", "assassins"),
        where no phrase of the table is written so."""
        phrases = self._tables.setdefault(category, {})
        said = {tuple(t.norm for t in tokenize(p)) for words in table.values() for p in words}
        for value, words in table.items():
            for phrase in words:
                key = tuple(t.norm for t in tokenize(phrase))
                # a phrase of two or three words may be written hyphenated ("dialogue-heavy")
                joined = [("-".join(key),)] if 1 < len(key) <= 3 and all(w.isalpha() for w in key) else []
                plural = key[:-1] + (key[-1] + "s",) if plurals and key and key[-1].isalpha() and len(key[-1]) > 2 \
                    and key[-1][-1] not in "sy" else None
                for k in [key, *joined, *([plural] if plural and plural not in said else [])] if key else []:
                    if value not in phrases.setdefault(k, []):
                        phrases[k].append(value)
                    self._max_len[category] = max(self._max_len.get(category, 1), len(k))

    def add_flat(self, category: str, phrases: list[str]) -> None:
        self.add(category, {category: phrases})

    def find(self, norms: list[str], masked: set[int] = frozenset()) -> list[PhraseHit]:
        hits = longest_matches(tuple(norms), self._tables, self._max_len, masked)
        return sorted(hits + self._around(norms, hits, masked), key=lambda h: (h.start, -h.end))

    def _around(self, norms: list[str], hits: list[PhraseHit], masked) -> list[PhraseHit]:
        """A two-word descriptor with a one-word descriptor inside it ("dry british humour" is dry humour
        and British)."""
        out = []
        for h in hits:
            a, b = h.start - 1, h.end
            if h.category != "attribute" or h.end - h.start != 1 or a < 0 or b >= len(norms) or a in masked or b in masked:
                continue
            for value in self._tables[h.category].get((norms[a], norms[b]), []):
                out.append(PhraseHit(a, b + 1, h.category, value))
        return out


def longest_matches(seq: tuple[str, ...] | str, tables: dict, longest: dict[str, int], masked: set[int] = frozenset(),
                    only: tuple[str, ...] | None = None) -> list[PhraseHit]:
    """Each category's phrases matched greedily over ``seq`` (a tuple of words or a string of
    characters), the longest unmasked phrase at each position first; hits ordered by position."""
    hits: list[PhraseHit] = []
    for category, table in tables.items():
        if only and category not in only:
            continue
        n, i = len(seq), 0
        while i < n:
            matched = 0
            for length in range(min(longest[category], n - i), 0, -1):
                if any(j in masked for j in range(i, i + length)):
                    continue
                values = table.get(seq[i : i + length])
                if values:
                    hits.extend(PhraseHit(i, i + length, category, v) for v in values)
                    matched = length
                    break
            i += matched or 1
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def contains_phrase(text: str, phrases: list[str]) -> bool:
    """Whether normalised ``text`` holds one of ``phrases`` as whole words."""
    return _phrase_pattern(tuple(phrases)).search(text) is not None


@lru_cache(maxsize=256)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    """One compiled alternation per phrase list, each phrase bounded by non-letters."""
    longest_first = sorted(phrases, key=len, reverse=True)
    return re.compile(rf"(?<![a-z'])(?:{'|'.join(map(re.escape, longest_first))})(?![a-z'])")


def swapped_pair(typed: str, word: str) -> bool:
    """Two neighbouring letters swapped, the rest right ("sherk" for "shrek", "alein" for "alien")."""
    diff = [k for k in range(len(word)) if k < len(typed) and typed[k] != word[k]]
    return len(typed) == len(word) and len(diff) == 2 and diff[1] == diff[0] + 1 and \
        typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]
