"""The recommendation-point protocol of the conversational-recommendation literature.

Every recommender turn that mentions at least one movie is a recommendation point; each movie
it mentions is one instance, whose context is the dialogue before that turn. Under ``dedup``
(Kostric & Balog) an instance whose gold movie was already mentioned earlier is dropped;
under ``full`` it is kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from evaluation.dialogues import Context, Dialogue, Role

Protocol = Literal["full", "dedup"]
PROTOCOLS: tuple[Protocol, ...] = ("full", "dedup")


@dataclass(frozen=True)
class Point:
    """A recommendation point: the context a system ranks from, and the gold movies there."""

    context: Context
    turn_index: int
    golds: tuple[str, ...]
    repeated: frozenset[str]  # golds already mentioned earlier in the dialogue

    def golds_for(self, protocol: Protocol) -> tuple[str, ...]:
        return self.golds if protocol == "full" else tuple(g for g in self.golds if g not in self.repeated)


def points(dialogues: list[Dialogue], role: Role = "recommender") -> list[Point]:
    """The recommendation points (``role`` "seeker": the seeker turns that name films, which training
    uses as extra examples)."""
    out: list[Point] = []
    for d in dialogues:
        earlier: set[str] = set()
        for i, turn in enumerate(d.turns):
            if turn.role == role and turn.mentions:
                out.append(Point(Context(d.id, d.turns[:i]), i, turn.mentions,
                                 frozenset(m for m in turn.mentions if m in earlier)))
            earlier.update(turn.mentions)
    return out


def instance_count(pts: list[Point], protocol: Protocol) -> int:
    return sum(len(p.golds_for(protocol)) for p in pts)


def sample_dialogues(dialogues: list[Dialogue], limit: int | None, seed: int) -> list[Dialogue]:
    """``limit`` dialogues drawn with ``seed`` (all, in file order, when no limit)."""
    if limit is None or limit >= len(dialogues):
        return list(dialogues)
    if limit < 1:
        raise ValueError("--limit must be at least 1")
    chosen = sorted(random.Random(seed).sample(range(len(dialogues)), limit))
    return [dialogues[i] for i in chosen]
