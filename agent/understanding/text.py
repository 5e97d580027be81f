"""Tokenising and phrase matching shared by the embedded understander."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"#?\d+(?:\.\d+)?(?:'?s)?|[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F0-9'’&-]*|[.,;!?()\"]")
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


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(0), m.group(0).lower().replace("’", "'"), m.start())
        for m in _TOKEN.finditer(text)
    ]


@dataclass(frozen=True)
class PhraseHit:
    start: int  # token index
    end: int  # exclusive
    category: str
    value: str


class PhraseIndex:
    """Greedy longest-match lookup of many phrase tables over a token list."""

    def __init__(self):
        self._table: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self.max_len = 1

    def add(self, category: str, table: dict[str, list[str]]) -> None:
        for value, phrases in table.items():
            for phrase in phrases:
                key = tuple(t.norm for t in tokenize(phrase))
                if key:
                    self._table.setdefault(key, []).append((category, value))
                    self.max_len = max(self.max_len, len(key))

    def add_flat(self, category: str, phrases: list[str]) -> None:
        self.add(category, {category: phrases})

    def find(self, norms: list[str], masked: set[int] = frozenset()) -> list[PhraseHit]:
        """All hits; at each position the longest phrase wins, and every category it has counts."""
        hits: list[PhraseHit] = []
        i = 0
        while i < len(norms):
            if i in masked:
                i += 1
                continue
            matched = 0
            for length in range(min(self.max_len, len(norms) - i), 0, -1):
                span = range(i, i + length)
                if any(j in masked for j in span):
                    continue
                entries = self._table.get(tuple(norms[i : i + length]))
                if entries:
                    hits.extend(PhraseHit(i, i + length, c, v) for c, v in entries)
                    matched = length
                    break
            i += matched or 1
        return hits
