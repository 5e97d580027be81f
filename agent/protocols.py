"""The agent's declared seams: what a turn needs from an understander and an explainer, and what
the user interfaces (web UI, HTTP API, CLI) may ask of a recommender.

Implementations: :class:`~agent.understanding.bilingual.BilingualUnderstander` (and the LLM one
that wraps it) are ``Understander``s; :class:`~agent.explain.TemplateExplainer` and
:class:`~agent.explain.LLMExplainer` are ``Explainer``s; :class:`~agent.core.SceneRecAgent` is the
``Recommender``. The interfaces depend on these protocols, never on the agent's stores or engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # types only: importing this module loads nothing heavy
    from agent.explain import Grounds
    from agent.results import InterestSnapshot, TurnResult, UserProfile
    from agent.state import DialogueState
    from agent.turn_events import EventSink
    from agent.understanding.embedded import TurnContext
    from agent.understanding.schema import Understanding
    from retrieval.items import Item


@runtime_checkable
class Understander(Protocol):
    """Reads one message (with what the conversation has shown so far) into an ``Understanding``."""

    def understand(self, text: str, ctx: TurnContext | None = None) -> Understanding: ...


@runtime_checkable
class Explainer(Protocol):
    """Writes one pick's reason from its grounded facts only. ``name`` is "template" or "llm"
    (an LLM explainer's calls run concurrently within the turn's budget)."""

    name: str

    def explain(self, grounds: Grounds) -> str: ...


@runtime_checkable
class Recommender(Protocol):
    """What the user interfaces may ask of the agent."""

    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None,
             events: EventSink | None = None) -> TurnResult:
        """One turn; ``events`` hears it while it runs (:mod:`agent.turn_events`)."""

    def feedback(self, session_id: str, item_id: str, kind: str) -> DialogueState: ...

    def new_session_id(self) -> str: ...

    def session_user(self, session_id: str) -> str | None: ...

    def item(self, item_id: str) -> Item | None: ...

    def readiness(self) -> tuple[str, int]: ...

    def user_profile(self, user_id: str) -> UserProfile | None: ...

    def interest(self, person, scene: str | None = None,
                 before: InterestSnapshot | None = None) -> InterestSnapshot | None: ...

    def known_users(self) -> list[str]: ...

    def export_user(self, user_id: str) -> dict: ...

    def delete_user(self, user_id: str) -> int: ...
