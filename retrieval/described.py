"""Whether an item's own text holds a descriptive wish ("dinosaurs", "heist", "french", "gore"):
the wish's phrases matched as whole words in the item's normalised document (title, genres,
description, languages, Oscars and acclaim). One home for the test that the ranking's ``described`` feature
and the reasons ("has the heist you wanted") both use. Example::

    text = normalised_text(item)
    holds(text, ["heist", "heists"])                                  # True / False
    described_score(text, [(("heist",), 1.0), (("gore", "gory"), -1.0)])  # -1.0 .. 1.0
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from retrieval.items import Item
from retrieval.titles import normalize_title

Wish = tuple[tuple[str, ...], float]  # a wish's phrases, and +1 (wished) or -1 (avoided)


def normalised_text(item: Item) -> str:
    """The embedded document and the item's recognition (Oscars, acclaim), normalised."""
    return f" {normalize_title(' '.join([item.document(), *item.recognition()]))} "


def holds(text: str, phrases: Iterable[str]) -> bool:
    """``text`` from :func:`normalised_text`."""
    return any(key in text for key in phrase_keys(tuple(phrases)))


@functools.lru_cache(maxsize=4096)
def phrase_keys(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases normalised as the texts are, once (a turn tests them against every candidate)."""
    return tuple(f" {normalize_title(p)} " for p in phrases)


def described_score(text: str, wishes: list[Wish]) -> float:
    """The signs of the wishes the text holds, summed and clipped to -1..1."""
    return max(-1.0, min(1.0, sum(sign for phrases, sign in wishes if holds(text, phrases))))
