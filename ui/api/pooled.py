"""The agent as the web process sees it when a :class:`~ui.api.workers.TurnPool` runs the turns.

Each worker builds a whole agent (catalogue, vectors, collaborative model: ~800 MB); the web
process needs none of it. Agent calls go to a worker; the two things it reads itself, items and
sessions, come straight from SQLite. It is a :class:`agent.protocols.Recommender`, like the agent.

Example::

    agent = PooledAgent(settings, TurnPool(settings, processes=2))
    app = create_app(agent, settings, pool=agent.pool)
"""

from __future__ import annotations

from functools import lru_cache

from agent.reads import StoreReads
from agent.results import InterestSnapshot, TurnResult, UserProfile
from agent.sessions import SessionStore
from agent.settings import Settings
from agent.state import DialogueState
from agent.turn_events import EventSink
from retrieval.catalogue import CatalogueStore
from retrieval.items import Item
from store import open_database
from ui.api.workers import TurnPool


class StoredItems:
    """The catalogue's items read from SQLite on demand: what the web process asks of the engine."""

    def __init__(self, store: CatalogueStore, catalogue: str):
        self.store, self.catalogue = store, catalogue
        self._get = lru_cache(maxsize=10_000)(lambda item_id: store.get_item(catalogue, item_id))

    def get(self, item_id: str) -> Item | None:
        return self._get(item_id)

    def __len__(self) -> int:
        return self.store.count_items(self.catalogue)


class PooledAgent(StoreReads):
    """Stands in for :class:`agent.core.SceneRecAgent` in the web process: the same calls, each run
    by a worker's agent (blocking the calling thread until it answers)."""

    def __init__(self, settings: Settings, pool: TurnPool):
        self.settings, self.pool = settings, pool
        self.sessions = SessionStore(open_database(settings, "state"))
        self.engine = StoredItems(CatalogueStore(settings.sqlite_path), settings.catalogue)

    # run by a worker's agent
    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None,
             events: EventSink | None = None) -> TurnResult:
        """The turn in a worker; its events come back over a pipe as it runs."""
        if events is None:
            return self.pool.call("turn", message, session_id, user_id)
        return self.pool.call_heard(events, "turn", message, session_id, user_id)

    def feedback(self, session_id: str, item_id: str, kind: str) -> DialogueState:
        return self.pool.call("feedback", session_id, item_id, kind)

    def user_profile(self, user_id: str) -> UserProfile | None:
        return self.pool.call("user_profile", user_id)

    def export_user(self, user_id: str) -> dict:
        return self.pool.call("export_user", user_id)

    def delete_user(self, user_id: str) -> int:
        return self.pool.call("delete_user", user_id)

    def interest(self, person: str | None, scene: str | None = None,
                 before: InterestSnapshot | None = None) -> InterestSnapshot | None:
        return self.pool.call("interest", person, scene, before)

    def known_users(self) -> list[str]:
        return self.pool.call("known_users")
