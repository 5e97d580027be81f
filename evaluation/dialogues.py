"""The common dialogue model both benchmark readers produce.

A dialogue is a list of turns; a turn is the consecutive messages of one speaker, merged.
Movie mentions are catalogue ids kept beside the text; the text itself names movies by title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from retrieval.errors import SceneRecError

Role = Literal["seeker", "recommender"]


class DatasetError(SceneRecError, ValueError):
    """A benchmark file could not be read; the message names the file and line."""


@dataclass(frozen=True)
class Turn:
    role: Role
    messages: tuple[str, ...]  # the merged messages, movies written as titles
    mentions: tuple[str, ...] = ()  # catalogue ids in order of first mention, no repeats

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


@dataclass(frozen=True)
class Dialogue:
    id: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Context:
    """What a system may see at a recommendation point: the dialogue before that turn."""

    dialogue_id: str
    turns: tuple[Turn, ...]

    def mentioned(self) -> list[str]:
        """Every movie mentioned so far, first mention first."""
        return list(dict.fromkeys(m for t in self.turns for m in t.mentions))

    def last(self, role: Role) -> Turn | None:
        return next((t for t in reversed(self.turns) if t.role == role), None)


@dataclass
class _Pending:
    role: Role
    messages: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


def merge_messages(messages: list[tuple[Role, str, list[str]]]) -> tuple[Turn, ...]:
    """Merge consecutive ``(role, text, mention ids)`` messages of one speaker into turns."""
    turns: list[Turn] = []
    pending: _Pending | None = None
    for role, text, mentions in messages:
        if not text.strip() and not mentions:
            continue
        if pending is None or pending.role != role:
            if pending is not None:
                turns.append(_freeze(pending))
            pending = _Pending(role)
        if text.strip():
            pending.messages.append(text.strip())
        pending.mentions.extend(mentions)
    if pending is not None:
        turns.append(_freeze(pending))
    return tuple(turns)


def _freeze(p: _Pending) -> Turn:
    return Turn(p.role, tuple(p.messages), tuple(dict.fromkeys(p.mentions)))
