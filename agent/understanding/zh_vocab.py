"""The Chinese vocabulary (``data/zh_reader.yaml``) loaded once, and substring phrase matching.

Chinese has no spaces: a phrase table is matched greedily, longest phrase first, per category
(as :class:`agent.understanding.text.PhraseIndex` does for English words).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from agent.understanding.text import PhraseHit, longest_matches

DATA = "data/zh_reader.yaml"


@lru_cache(maxsize=1)
def load_vocabulary() -> dict:
    text = resources.files("agent.understanding").joinpath(DATA).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass
class CharPhrases:
    """Phrase tables over characters: ``find`` returns hits as character spans."""

    tables: dict[str, dict[str, list[str]]]
    longest: dict[str, int]

    @classmethod
    def build(cls, categories: dict[str, dict[str, list[str]]]) -> CharPhrases:
        tables: dict[str, dict[str, list[str]]] = {}
        longest: dict[str, int] = {}
        for category, table in categories.items():
            out = tables.setdefault(category, {})
            for value, phrases in table.items():
                for p in phrases:
                    p = str(p).lower()
                    out.setdefault(p, []).append(str(value))
                    longest[category] = max(longest.get(category, 1), len(p))
        return cls(tables, longest)

    def find(self, text: str, masked: set[int] = frozenset(), only: tuple[str, ...] | None = None) -> list[PhraseHit]:
        return longest_matches(text, self.tables, self.longest, masked, only)


@lru_cache(maxsize=1)
def people_aliases() -> dict[str, list[str]]:
    """Directors' and actors' Chinese names: the table in zh_reader.yaml and ``data/zh_people.tsv``
    (``name<TAB>alias|alias``); an alias naming two people names neither."""
    table: dict[str, list[str]] = {n: [str(a) for a in al] for n, al in load_vocabulary()["people"].items()}
    try:
        text = resources.files("agent.understanding").joinpath("data/zh_people.tsv").read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    for line in text.splitlines()[1:]:
        name, _, aliases = line.partition("\t")
        if name.strip() and aliases.strip():
            table.setdefault(name.strip(), [])
            table[name.strip()] += [a.strip() for a in aliases.split("|") if len(a.strip()) >= 2]
    owners: dict[str, set[str]] = {}
    for name, aliases in table.items():
        for a in aliases:
            owners.setdefault(a.lower(), set()).add(name)
    return {name: list(dict.fromkeys(a for a in aliases if len(owners[a.lower()]) == 1)) for name, aliases in table.items()}


def flat(phrases: list[str], name: str) -> dict[str, list[str]]:
    return {name: [str(p) for p in phrases]}


def contains_any(text: str, phrases: list[str]) -> bool:
    return any(str(p).lower() in text for p in phrases)
