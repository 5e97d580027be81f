"""Build the Chinese reader for a catalogue and put it beside the English understander."""

from __future__ import annotations

from agent.understanding.bilingual import BilingualUnderstander
from agent.understanding.chinese import ChineseUnderstander
from agent.understanding.zh_titles import ChineseTitles, NameFinder
from agent.understanding.zh_vocab import load_vocabulary, people_aliases


def vocabulary_words(vocab: dict) -> set[str]:
    """Every phrase of the Chinese vocabulary (never read as a bare title)."""
    words: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            words.add(node)

    walk({k: v for k, v in vocab.items() if k not in ("people", "numbers", "ordinals")})
    return words


def chinese_reader(engine, english_embedded) -> ChineseUnderstander:
    vocab = load_vocabulary()
    people = engine.people
    # the catalogue's own spelling of each name; names it does not know are left out
    known = {(people.lookup(name) if people is not None else name): aliases
             for name, aliases in people_aliases().items() if people is None or people.lookup(name)}
    names = NameFinder(ChineseTitles.load(), known, vocabulary_words(vocab))
    return ChineseUnderstander(names, english=english_embedded, lookup=engine.get, max_year=engine.max_year)


def bilingual(english, english_embedded, engine) -> BilingualUnderstander:
    return BilingualUnderstander(english, chinese_reader(engine, english_embedded))
