"""Chinese film titles and people's names: the alias table (``data/zh_titles.tsv``) and the
names table (``data/zh_reader.yaml``, ``people``), matched in Simplified script.

The alias table is keyed by catalogue item id and year, with the mainland and the Taiwan / Hong
Kong release titles (several per cell separated by ``|``); a row whose ``ambiguous`` column is set
allows its aliases to name other films too (e.g. remakes). Titles in 《》 are a strong cue;
bare titles are found by longest match on word boundaries (jieba's segmentation).

Example::

    titles = ChineseTitles.load()
    titles.lookup("盗梦空间")         # ['79132']
    titles.lookup("全面啟動")         # ['79132'] (Taiwan title, Traditional script)
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from agent.understanding.language import to_simplified

TITLES = "data/zh_titles.tsv"
_SPLIT = re.compile(r"\s*[|｜;；/／、]\s*")
_PUNCT = re.compile(r"[\s:：·・•\-—–_,，.。!！?？'\"“”‘’（）()《》「」『』]+")


def norm_alias(text: str) -> str:
    return _PUNCT.sub("", to_simplified(text).lower())


@dataclass
class AliasRow:
    item_id: str
    year: int | None
    english_title: str
    aliases: list[str]
    ambiguous: bool = False


@dataclass
class ChineseTitles:
    rows: list[AliasRow]
    index: dict[str, list[str]] = field(default_factory=dict)  # normalised alias -> item ids
    longest: int = 1

    @classmethod
    def from_rows(cls, rows: list[AliasRow]) -> ChineseTitles:
        index: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            for a in r.aliases:
                key = norm_alias(a)
                # "肖申克救赎": people drop the particle 的
                for k in {key, key.replace("的", "")} if len(key) >= 5 else {key}:
                    if len(k) >= 2 and r.item_id not in index[k]:
                        index[k].append(r.item_id)
        longest = max((len(k) for k in index), default=1)
        return cls(rows, dict(index), longest)

    @classmethod
    def parse(cls, text: str) -> ChineseTitles:
        rows = []
        reader = csv.DictReader(io.StringIO(text), delimiter="\t")
        for rec in reader:
            item_id = (rec.get("item_id") or "").strip()
            if not item_id or item_id.startswith("#"):
                continue
            cells = [rec.get("zh_mainland") or "", rec.get("zh_tw_hk") or ""]
            aliases = [a for c in cells for a in _SPLIT.split(c.strip()) if a]
            year = (rec.get("year") or "").strip()
            rows.append(AliasRow(item_id, int(year) if year.isdigit() else None, (rec.get("english_title") or "").strip(),
                                 list(dict.fromkeys(aliases)), bool((rec.get("ambiguous") or "").strip())))
        return cls.from_rows(rows)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> ChineseTitles:
        try:
            text = resources.files("agent.understanding").joinpath(TITLES).read_text(encoding="utf-8")
        except FileNotFoundError:
            text = "item_id\tyear\tenglish_title\tzh_mainland\tzh_tw_hk\n"
        return cls.parse(text)

    def lookup(self, text: str) -> list[str]:
        key = norm_alias(text)
        return list(self.index.get(key) or typo_index(self.index, 4).get(key, None) or [])

    def series(self, text: str) -> list[str]:
        """Films whose title begins with ``text`` ("《指环王》": the trilogy), earliest first."""
        key = norm_alias(text)
        if len(key) < 2:
            return []
        years = {r.item_id: r.year or 0 for r in self.rows}
        ids = {i for alias, found in self.index.items() if alias.startswith(key) for i in found}
        return sorted(ids, key=lambda i: (years.get(i, 0), i))

    def conflicts(self) -> dict[str, list[str]]:
        """Aliases naming two films where no row involved is marked ambiguous."""
        marked = {r.item_id for r in self.rows if r.ambiguous}
        return {a: ids for a, ids in self.index.items() if len(ids) > 1 and not set(ids) & marked}


class OneTypo(dict):
    """Keys with one character wrong (the usual slip of a pinyin keyboard: 盗梦空问, 星级穿越):
    each key is stored once per position with that position blanked; ``get`` probes the same
    way. A probe matching keys with different values is no match."""

    def __init__(self, table: dict, min_len: int):
        super().__init__()
        for key, value in table.items():
            if len(key) >= min_len:
                for i in range(len(key)):
                    probe = key[:i] + "\0" + key[i + 1:]
                    dict.__setitem__(self, probe, value if dict.get(self, probe, value) == value else None)

    def get(self, text: str, default=None):
        for i in range(len(text)):
            value = dict.get(self, text[:i] + "\0" + text[i + 1:])
            if value:
                return value
        return default


_TYPO_CACHE: dict[tuple[int, int], OneTypo] = {}


def typo_index(table: dict, min_len: int) -> OneTypo:
    key = (id(table), min_len)
    if key not in _TYPO_CACHE:
        _TYPO_CACHE[key] = OneTypo(table, min_len)
    return _TYPO_CACHE[key]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    value: str  # an item id (titles) or a person's name
    surface: str
    quoted: bool = False
    alternatives: tuple[str, ...] = ()


class Segmenter:
    """jieba with the aliases and names as words, so a title is found only on word boundaries
    ("大白" is no title inside "大白天")."""

    def __init__(self, words: list[str]):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        self._tok.initialize()
        for w in words:
            if len(w) >= 2:
                self._tok.add_word(w, freq=50_000)

    def boundaries(self, text: str) -> set[int]:
        cuts, pos = {0}, 0
        for w in self._tok.cut(text, HMM=False):
            pos += len(w)
            cuts.add(pos)
        return cuts


_FUNCTION = set("的和是我你他她它一了在有就也都跟与或像吗呢吧啊")


def _function_edge(key: str) -> bool:
    """A window starting or ending in a function character ("和机器人") is no misspelt title."""
    return key[0] in _FUNCTION or key[-1] in _FUNCTION


class NameFinder:
    """Titles (quoted and bare) and people's names in Simplified text."""

    def __init__(self, titles: ChineseTitles, people: dict[str, list[str]], everyday: set[str]):
        self.titles = titles
        self.people: dict[str, str] = {}
        for name, aliases in people.items():
            for a in aliases:
                self.people[norm_alias(str(a))] = name
        self._people_longest = max((len(k) for k in self.people), default=1)
        # vocabulary words are never bare titles ("恐怖" is no film even if one is called that)
        self.everyday = {norm_alias(w) for w in everyday}
        # vocabulary words are words too: "超级英雄" holds no title "英雄"
        self.segmenter = Segmenter(list(titles.index) + list(self.people) + list(self.everyday))

    def quoted(self, text: str) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group(1).strip()) for m in re.finditer(r"《([^》]{1,60})》", text)]

    def bare(self, text: str, masked: set[int], vocabulary: set[int] = frozenset()) -> tuple[list[Span], list[Span]]:
        """(titles, people) found by longest match on word boundaries, names before titles;
        a title or name with one character wrong only outside ``vocabulary`` (positions of
        the person's everyday words: "最后一部" is no typo of 最后一击)."""
        # aliases are stored without punctuation ("哈利波特与魔法石"): match on the text without
        # it, then map the spans back to the text's own offsets
        keep = [i for i, c in enumerate(text) if not _PUNCT.fullmatch(c)]
        compact = "".join(text[i] for i in keep)
        where = {j for j, i in enumerate(keep) if i in masked}
        soft = {j for j, i in enumerate(keep) if i in vocabulary}
        cuts = self.segmenter.boundaries(compact)
        # exact names, then exact titles, then each with one character wrong
        people = self._scan(compact, where, cuts, self.people, self._people_longest, lambda v: v)
        taken = where | {i for s in people for i in range(s.start, s.end)}
        titles = self._scan(compact, taken, cuts, self.titles.index, self.titles.longest, None)
        taken |= {i for s in titles for i in range(s.start, s.end)}
        people += self._scan(compact, taken | soft, set(), self.people, self._people_longest, lambda v: v,
                             typo_index(self.people, 3))
        taken |= {i for s in people for i in range(s.start, s.end)}
        titles += self._scan(compact, taken | soft, set(), self.titles.index, self.titles.longest, None,
                             typo_index(self.titles.index, 4))
        people.sort(key=lambda s: s.start)
        titles.sort(key=lambda s: s.start)
        keep.append(len(text))

        def back(s: Span) -> Span:
            start, end = keep[s.start], keep[s.end - 1] + 1
            return Span(start, end, s.value, text[start:end], s.quoted, s.alternatives)

        return [back(s) for s in titles], [back(s) for s in people]

    def _scan(self, text, masked, cuts, table, longest, as_value, typos: OneTypo | None = None) -> list[Span]:
        out, i, n = [], 0, len(text)
        while i < n:
            found = None
            if i in cuts or typos is not None:  # (typos: no word boundaries to go by)
                for length in range(min(longest, n - i), 1, -1):
                    key = text[i : i + length]
                    if key in self.everyday or (key.isascii() and as_value is None) \
                            or any(j in masked for j in range(i, i + length)):
                        continue  # (English titles are the English title finder's)
                    exact = typos is None and i in cuts and i + length in cuts
                    value = table.get(key) if exact else None
                    if typos is not None and key not in table and not _function_edge(key):
                        value = typos.get(key)  # one character off: no word boundaries to go by
                    if value:
                        if as_value:
                            found = Span(i, i + length, as_value(value), key)
                        else:
                            found = Span(i, i + length, value[0], key, alternatives=tuple(value[1:4]))
                        break
            if found:
                out.append(found)
                i = found.end
            else:
                i += 1
        return out
