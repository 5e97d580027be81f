"""What is stored about people, for inspection and export: who has a profile, and everything
kept about one person (catalogue ratings, chat feedback, cached vectors)."""

from __future__ import annotations

import math
from collections.abc import Callable

from agent.personal.history import HistoryEntry
from retrieval.profiles import ProfileStore


def export_person(user_id: str, profiles: ProfileStore, ratings: list[HistoryEntry],
                  title: Callable[[str], str]) -> dict:
    """Everything stored about a person: catalogue ratings, chat feedback, cached vectors."""
    stored = profiles.export(user_id)
    rated = [{"item_id": h.item_id, "title": title(h.item_id), "rating": h.rating, "ts": h.ts} for h in ratings]
    for e in stored["events"]:
        e["title"] = title(e["item_id"])
    return {"user_id": user_id, "ratings": rated, "feedback": stored["events"],
            "cached_vectors": stored["cached_vectors"]}


def known_people(rated: set[str], profiles: ProfileStore) -> list[str]:
    """Everyone with catalogue ratings or chat feedback, by source and number (``ml:2`` before ``ml:10``)."""
    return sorted(rated | set(profiles.users()), key=_user_sort_key)


def _user_sort_key(user_id: str) -> tuple:
    prefix, _, rest = user_id.partition(":")
    return (prefix, int(rest)) if rest.isdigit() else (prefix, math.inf, rest)
