"""Title normalisation and a fuzzy title resolver grounded in the catalogue.

Example::

    normalize_title("Godfather, The")            # 'the godfather'
    split_year("Super Troopers (2001)")          # ('Super Troopers', 2001)
    resolver = TitleResolver(items)
    resolver.resolve("terminater 2")             # [Match(item_id='589', ...)]
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

from retrieval.items import Item

_ARTICLE_SUFFIX = re.compile(r"^(.*),\s*(the|a|an|les|la|le|il|el|der|die|das)$", re.I)
_PAREN = re.compile(r"\s*\((?:a\.k\.a\.\s*)?[^)]*\)\s*")
_YEAR = re.compile(r"^(.*?)\s*\((\d{4})\)\s*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def split_year(title: str) -> tuple[str, int | None]:
    """Split a trailing ``(YYYY)`` off a title."""
    m = _YEAR.match(title.strip())
    if m:
        return m.group(1).strip(), int(m.group(2))
    return title.strip(), None


def _move_article(title: str) -> str:
    m = _ARTICLE_SUFFIX.match(title.strip())
    return f"{m.group(2)} {m.group(1)}" if m else title


def pretty_title(title: str) -> str:
    """Catalogue titles put articles last; people don't: 'American Tail, An' -> 'An American Tail'."""
    head, paren, rest = title.partition(" (")
    m = _ARTICLE_SUFFIX.match(head.strip())
    if not m:
        return title
    return f"{m.group(2)} {m.group(1)}" + (f" ({rest}" if paren else "")


def normalize_title(title: str) -> str:
    """Lowercase, accents and punctuation stripped, trailing article moved to the front,
    parenthesised alternative titles dropped; '&' reads as 'and'."""
    t = _PAREN.sub(" ", title)
    # "Godfather: Part II, The" -> article applies to the whole title
    t = _move_article(t.strip())
    t = strip_accents(t).lower().replace("&", " and ")
    return _NON_WORD.sub(" ", t).strip()


def title_year_key(title: str, year: int | None) -> str:
    """The key a film is looked up by across sources: normalised title and year ("godfather|1972")."""
    return f"{normalize_title(title)}|{year or ''}"


def title_aliases(title: str) -> set[str]:
    """Normalised ways a person may name a title: with/without leading article, the part
    before a colon ('Star Wars: Episode IV - A New Hope' -> 'star wars', 'a new hope'), and the
    alternative title in parentheses ('Seven (a.k.a. Se7en)' -> 'se7en')."""
    out = {normalize_title(title)}
    for alt in re.findall(r"\((?:a\.k\.a\.\s*)?([^)]*)\)", title):
        out.add(normalize_title(alt))
    base = _move_article(_PAREN.sub(" ", title).strip())
    base = re.sub(r"(?<=\d):(?=\d)", "\u2236", base)  # the colon of a time ("3:10 to Yuma") splits nothing
    for sep in (":", " - "):
        if sep in base:
            head, _, tail = base.partition(sep)
            out.add(normalize_title(head))
            out.add(normalize_title(tail.split(" - ")[-1]))
    for a in list(out):
        for art in ("the ", "a ", "an "):
            if a.startswith(art) and len(a) > len(art) + 2:
                out.add(a[len(art) :])
    return {a for a in out if a}


def map_names(names: list[str], items: list[Item]) -> dict[str, int]:
    """Film names ("Title (Year)", as the learned models know films) -> rows of ``items``: the same
    normalised title and year, else a year off, else the title alone when ``items`` hold it once."""
    rows: dict[str, int] = {}
    by_title: dict[str, list[int]] = {}
    for r, it in enumerate(items):
        rows.setdefault(title_year_key(it.title, it.year), r)
        by_title.setdefault(normalize_title(it.title), []).append(r)
    out = {}
    for name in names:
        title, year = split_year(name)
        key = normalize_title(title)
        hit = rows.get(title_year_key(title, year))
        if hit is None and year:
            hit = rows.get(title_year_key(title, year - 1), rows.get(title_year_key(title, year + 1)))
        if hit is None and len(by_title.get(key, ())) == 1:
            hit = by_title[key][0]
        if hit is not None:
            out[name] = hit
    return out


SERIES_WORD_ZIPF = 5.0  # a series' opening words hold one rarer than this ("potter" 4.2; not "the man")


class TitleRecord(NamedTuple):
    """The fields the resolver reads from an item (a light stand-in for large catalogues)."""

    id: str
    title: str
    year: int | None
    popularity: int


@dataclass(frozen=True)
class Match:
    item_id: str
    title: str
    year: int | None
    score: float  # 0-100
    exact: bool


class TitleResolver:
    """Resolve free-text titles (optionally with a year) to catalogue ids.

    Exact alias lookup first (ties broken by popularity and year); otherwise rapidfuzz
    WRatio over all aliases with a cut-off. Ambiguous names return several matches.
    """

    def __init__(self, items: Sequence[Item | TitleRecord], cutoff: float = 86.0):
        self.cutoff = cutoff
        self._items = {it.id: it for it in items}
        self._by_alias: dict[str, list[str]] = defaultdict(list)
        for it in items:
            for alias in title_aliases(it.title):
                self._by_alias[alias].append(it.id)
        self._add_series(items)
        for ids in self._by_alias.values():
            ids.sort(key=lambda i: -self._items[i].popularity)
        self._aliases = list(self._by_alias)
        self._words: dict[str, list[str]] | None = None  # title word -> aliases holding it (built on first use)
        self._folded: dict[str, list[str]] | None = None  # the same, by how the word sounds
        self._by_sound: dict[str, str] | None = None  # how a whole alias sounds -> the alias

    def aliases_with_word_like(self, word: str, cutoff: float = 80.0, limit: int = 6,
                               per_word: int = 40) -> list[str]:
        """Aliases holding a word spelt like ``word`` ("jurasic" -> "jurassic park", ...), the
        most popular titles first for each similar word."""
        if self._words is None:
            words: dict[str, list[str]] = defaultdict(list)
            for alias in self._aliases:
                for w in set(alias.split()):
                    if len(w) >= 3:
                        words[w].append(alias)
            pop = {a: max(self._items[i].popularity for i in ids) for a, ids in self._by_alias.items()}
            self._words = {w: sorted(a, key=lambda x: -pop[x])[:per_word] for w, a in words.items()}
            self._by_initial: dict[str, list[str]] = defaultdict(list)  # a slip rarely hits the first letter
            for w in self._words:
                self._by_initial[w[0]].append(w)
        found = process.extract(word, self._by_initial.get(word[:1], []), scorer=fuzz.ratio, score_cutoff=cutoff,
                                limit=limit)
        return list(dict.fromkeys(a for w, _, _ in found for a in self._words[w]))

    def _add_series(self, items: Sequence[Item | TitleRecord]) -> None:
        """A series named by the words its titles open with before "and" ("harry potter" for
        "Harry Potter and the Sorcerer's Stone", "... and the Chamber of Secrets"): an alias of its
        first film, where two films or more open so, one of the words is no everyday word
        (``SERIES_WORD_ZIPF``), and no title is named so."""
        from wordfreq import zipf_frequency

        openings: dict[str, dict[str, str]] = defaultdict(dict)  # opening -> {title named: item}
        for it in items:
            for alias in title_aliases(it.title):
                words = alias.split()
                for k in range(2, len(words)):
                    if words[k] == "and" and words[0] not in ("the", "a", "an", "of"):
                        openings[" ".join(words[:k])].setdefault(normalize_title(it.title), it.id)
        for prefix, titles in openings.items():
            ids = set(titles.values())
            if len(ids) < 2 or prefix in self._by_alias or \
                    all(zipf_frequency(w, "en") >= SERIES_WORD_ZIPF for w in prefix.split()):
                continue
            first = min(ids, key=lambda i: (self._items[i].year or 9999, -self._items[i].popularity))
            self._by_alias[prefix].append(first)

    def aliases_sounding_like(self, word: str, fold: Callable[[str], str], cutoff: float = 85.0,
                              limit: int = 4) -> list[str]:
        """Aliases holding a word that sounds like ``word`` once both are reduced by ``fold``
        ("fite" and "fight" -> "fite" / "fit"): the slips of someone spelling as it sounds."""
        if self._folded is None:
            self.aliases_with_word_like("the")  # builds the title-word index
            self._folded = defaultdict(list)
            for w, aliases in self._words.items():
                self._folded[fold(w)].extend(aliases)
            self._folded_by_initial: dict[str, list[str]] = defaultdict(list)
            for f in self._folded:
                self._folded_by_initial[f[:1]].append(f)
        typed = fold(word)
        found = process.extract(typed, self._folded_by_initial.get(typed[:1], []), scorer=fuzz.ratio,
                                score_cutoff=cutoff, limit=limit)
        return list(dict.fromkeys(a for f, _, _ in found for a in self._folded[f]))

    def alias_sounding(self, normalized: str, fold: Callable[[str], str]) -> str | None:
        """The alias that sounds exactly like ``normalized`` once both are reduced by ``fold``
        ("the dark night" -> "the dark knight"), if any."""
        if self._by_sound is None:
            self._by_sound = {}
            for alias in self._aliases:
                self._by_sound.setdefault(fold(alias), alias)
        return self._by_sound.get(fold(normalized))

    def has_alias(self, normalized: str) -> bool:
        return normalized in self._by_alias

    def aliases_of(self, item_id: str) -> set[str]:
        """The normalised ways to name one item (:func:`title_aliases`); none for an unknown id."""
        item = self._items.get(item_id)
        return title_aliases(item.title) if item else set()

    def exact(self, text: str, year: int | None = None) -> list[Match]:
        ids = self._by_alias.get(normalize_title(text), [])
        return self._rank(ids, year, 100.0, True)

    def _rank(self, ids: list[str], year: int | None, score: float, exact: bool) -> list[Match]:
        items = [self._items[i] for i in ids]
        if year is not None:
            same = [it for it in items if it.year == year]
            near = [it for it in items if it.year is not None and abs(it.year - year) == 1]
            items = same or near or items
        return [Match(it.id, it.title, it.year, score, exact) for it in items]

    def resolve(self, text: str, year: int | None = None, limit: int = 5) -> list[Match]:
        """Best matches for a title, best first; [] when nothing is close enough."""
        text, parsed_year = split_year(text)
        year = year or parsed_year
        hits = self.exact(text, year)
        if hits:
            return hits[:limit]
        query = normalize_title(text)
        if len(query) < 3:
            return []
        found = process.extract(
            query, self._aliases, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=limit
        )
        out: list[Match] = []
        seen: set[str] = set()
        for alias, score, _ in found:
            for m in self._rank(self._by_alias[alias], year, float(score), False):
                if m.item_id not in seen:
                    seen.add(m.item_id)
                    out.append(m)
        return out[:limit]
