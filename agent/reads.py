"""The :class:`~agent.protocols.Recommender` calls answered straight from the session store and the
catalogue (no turn, no model): shared by the agent and the web process's
:class:`~ui.api.pooled.PooledAgent`, which has the stores but no agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.sessions import SessionStore
    from retrieval.items import Item


class StoreReads:
    """Needs ``self.sessions`` (a :class:`SessionStore`) and ``self.engine`` (anything with
    ``get(item_id)``, ``catalogue`` and ``len()``)."""

    sessions: SessionStore

    def new_session_id(self) -> str:
        return self.sessions.new_id()

    def session_user(self, session_id: str) -> str | None:
        """Whose session this is (None: anonymous, or no turn stored yet)."""
        loaded = self.sessions.load(session_id)
        return loaded[1] if loaded else None

    def item(self, item_id: str) -> Item | None:
        return self.engine.get(item_id)

    def readiness(self) -> tuple[str, int]:
        """The catalogue's name and size, after checking that the session store answers (raises if not)."""
        self.sessions.load("readiness-probe")
        return self.engine.catalogue, len(self.engine)
