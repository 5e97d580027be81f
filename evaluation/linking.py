"""Link a benchmark's movie list to a catalogue by title and year.

Benchmark names come from crowd workers picking entities, so they are noisy in two ways the
linker tolerates, strictest evidence first (``LINK_KINDS``):

1. ``same`` / ``near``: the normalised title (or an alias) with the same year, else one year off;
   ``title``: a name without a year takes the most-rated film of that title.
2. ``variant``: the same film spelled another way, same year or one off -- "Kill Bill: Volume 2"
   for "Kill Bill: Vol. 2", "The Texas Chain Saw Massacre" for "Texas Chainsaw Massacre, The",
   "Van Wilder" for "National Lampoon's Van Wilder" (the whole benchmark title, at least two
   words, begins or ends the catalogue title), "Dr. Strangelove" for "Dr. Strangelove or: How I
   Learned ...". Only one catalogue film may qualify.
3. ``two_years``: the exact title two years off ("Cabin Fever (2000)" for the 2002 film: festival
   and release years differ). Further off is more often a remake than a slip ("Straw Dogs" 1971
   and 2011), and wrong years the crowd picked ("Titanic (2012)") mostly name a film the list
   already holds under its right year, so they stay title-only either way.

One film, one entry: where a benchmark lists a film twice ("The Mummy" and "The Mummy (1999)"),
only the closest match (by the order above; the first listed on a tie) borrows the film's data.

Example::

    links, report = link_movies(movies, catalogue_items)
    print(report.describe())
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from evaluation.readers import BenchmarkMovie
from retrieval.items import Item
from retrieval.titles import normalize_title, title_aliases

LINK_KINDS = ("same", "near", "title", "variant", "two_years")  # best first
VARIANT_MIN_RATIO = 95.0  # spelling variants: "chain saw" / "chainsaw", "colour" / "color"
_CANONICAL_WORDS = {"volume": "vol", "pt": "part", "colour": "color", "the": "", "a": "", "an": "", "and": ""}
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class LinkReport:
    movies: int
    same_year: int
    near_year: int  # one year off
    title_only: int  # the benchmark name has no year
    target: str = "the default catalogue"
    duplicates: int = 0  # further entries of an already linked film, left title-only
    variant: int = 0  # another spelling of the title, same year or one off
    two_years: int = 0  # the exact title, two years off

    @property
    def linked(self) -> int:
        return self.same_year + self.near_year + self.title_only + self.variant + self.two_years

    @property
    def rate(self) -> float:
        return self.linked / self.movies if self.movies else 0.0

    def describe(self) -> str:
        dup = (f"; {self.duplicates:,} more entries name an already linked film and stay title-only"
               if self.duplicates else "")
        return (f"linked {self.linked:,} of {self.movies:,} movies ({self.rate:.1%}) to {self.target} "
                f"by title + year ({self.same_year:,} same year, {self.near_year:,} one year off, "
                f"{self.title_only:,} by title alone, {self.variant:,} by a variant spelling, "
                f"{self.two_years:,} two years off){dup}")


def canonical_words(normalized: str) -> list[str]:
    """A normalised title's words with articles and 'and' dropped and a few spellings unified."""
    return [w for w in (_CANONICAL_WORDS.get(w, w) for w in normalized.split()) if w]


class _Catalogue:
    """The catalogue's titles indexed for each kind of link."""

    def __init__(self, items: list[Item]):
        self.by_title: dict[str, list[Item]] = defaultdict(list)
        self.by_alias: dict[str, list[Item]] = defaultdict(list)
        self.by_year: dict[int, list[tuple[list[str], str, Item]]] = defaultdict(list)
        for it in items:
            key = normalize_title(it.title)
            self.by_title[key].append(it)
            for alias in title_aliases(it.title):
                self.by_alias[alias].append(it)
            if it.year is not None:
                self.by_year[it.year].append((canonical_words(key), key, it))

    def link(self, m: BenchmarkMovie) -> tuple[Item | None, str | None]:
        key = normalize_title(m.title)
        for pool in (self.by_title.get(key, []), self.by_alias.get(key, [])):
            found, how = _pick(pool, m.year)
            if found:
                return found, how
        if m.year is None:
            return None, None
        found = self._variant(key, m.year)
        if found:
            return found, "variant"
        pool = [it for it in self.by_title.get(key, [])
                if it.year is not None and abs(it.year - m.year) == 2]
        return (max(pool, key=lambda it: it.popularity), "two_years") if pool else (None, None)

    def _variant(self, key: str, year: int) -> Item | None:
        words = canonical_words(key)
        if not words:
            return None
        hits = {it.id: it for y in (year, year - 1, year + 1) for other, other_key, it in self.by_year.get(y, ())
                if _same_film(words, key, other, other_key)}
        return next(iter(hits.values())) if len(hits) == 1 else None


def _same_film(words: list[str], key: str, other: list[str], other_key: str) -> bool:
    """Whether two titles of the same era name one film: the same canonical words, the whole
    first title (2+ words) at the start or end of the second, or a near-identical spelling with
    the same digits."""
    if words == other:
        return True
    n = len(words)
    if n >= 2 and len(other) > n and (other[:n] == words or other[-n:] == words):
        return True
    return (_DIGITS.findall(key) == _DIGITS.findall(other_key)
            and fuzz.ratio(" ".join(words), " ".join(other)) >= VARIANT_MIN_RATIO)


def _pick(pool: list[Item], year: int | None) -> tuple[Item | None, str | None]:
    if not pool:
        return None, None
    if year is None:
        return max(pool, key=lambda it: it.popularity), "title"
    same = [it for it in pool if it.year == year]
    if same:
        return max(same, key=lambda it: it.popularity), "same"
    near = [it for it in pool if it.year is not None and abs(it.year - year) == 1]
    return (max(near, key=lambda it: it.popularity), "near") if near else (None, None)


def link_movies(movies: list[BenchmarkMovie], items: list[Item],
                target: str = "the default catalogue") -> tuple[dict[str, str], LinkReport]:
    """Benchmark movie id -> catalogue item id, one benchmark entry per catalogue film."""
    catalogue = _Catalogue(items)
    best: dict[str, tuple[int, int, str]] = {}  # item id -> (kind rank, order, benchmark id)
    matched = 0
    for order, m in enumerate(movies):
        found, how = catalogue.link(m)
        if found:
            matched += 1
            candidate = (LINK_KINDS.index(how), order, m.id)
            best[found.id] = min(best.get(found.id, candidate), candidate)
    links = {bench_id: item_id for item_id, (_, _, bench_id) in best.items()}
    counts = Counter(LINK_KINDS[kind] for kind, _, _ in best.values())
    return links, LinkReport(len(movies), counts["same"], counts["near"], counts["title"], target,
                             duplicates=matched - len(links), variant=counts["variant"],
                             two_years=counts["two_years"])
