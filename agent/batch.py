"""Batch entry points: replay a conversation into a dialogue state, and rank the whole catalogue
for many states at once. For offline evaluation, where thousands of states are ranked.

The state is built by the same understander and ``DialogueState.apply`` as a live turn, and
the ranking uses the same plan (:mod:`agent.planning`), personal signals (the personalizer,
with no signed-in person), features and weights as the live ranker, computed densely over
every item (:mod:`retrieval.dense`). Example::

    ranker = BatchRanker(agent)
    state = ranker.observe_user(DialogueState(), "I loved Toy Story (1995), something like it?")
    ranker.rank([state], n=50)[0][:3]
"""

from __future__ import annotations

import numpy as np

from agent.core import SceneRecAgent
from agent.planning import plan_recommendation, query_text
from agent.state import DialogueState
from agent.understanding.embedded import TurnContext
from agent.understanding.text import clean_text
from retrieval.dense import DenseIndex


class BatchRanker:
    def __init__(self, agent: SceneRecAgent, index: DenseIndex | None = None):
        self.agent = agent
        self.engine = agent.engine
        if index is None:
            items = list(self.engine.items.values())
            index = DenseIndex.build(items, self.engine.embeddings([it.id for it in items]))
        self.index = index
        self.weights = agent.settings.weights.model_dump()
        # the rule-based understander (the LLM one wraps it): it finds titles in others' words
        self.embedded = getattr(agent.understander, "embedded", agent.understander)

    # -- building the state --------------------------------------------------------------
    def observe_user(self, state: DialogueState, text: str) -> DialogueState:
        """The state after the person says ``text`` (what a live turn does before deciding)."""
        text, _ = clean_text(text, self.agent.settings.max_message_chars)
        ctx = TurnContext(last_shown=state.last_shown, focus_item=state.focus_item, max_year=self.engine.max_year)
        return state.apply(self.agent.understander.understand(text, ctx), self.engine.get)

    def observe_recommender(self, state: DialogueState, text: str) -> DialogueState:
        """The state after someone else recommends in ``text``: the titles named there are shown and
        discussed (weak evidence of taste until the person gives a verdict)."""
        text, _ = clean_text(text, self.agent.settings.max_message_chars)
        named = self.embedded.titles_in(text)
        if not named:
            return state
        s = state.model_copy(deep=True)
        s.last_shown = list(dict.fromkeys(named))
        s.shown_items = list(dict.fromkeys(s.shown_items + s.last_shown))
        s.discussed_items = list(dict.fromkeys(s.discussed_items + s.last_shown))
        return s

    # -- ranking -------------------------------------------------------------------------
    def rank(self, states: list[DialogueState], n: int) -> list[list[str]]:
        """The ``n`` best item ids for each state; items the state excludes come last."""
        self.prime(states)
        return [self.rank_one(s, n) for s in states]

    def prime(self, states: list[DialogueState]) -> None:
        """Embed every state's query text in one batch (ranking them one by one is then fast)."""
        self.engine.vectors.embedder.prime([t for t in map(query_text, states) if t])

    def rank_one(self, state: DialogueState, n: int) -> list[str]:
        embedder = self.engine.vectors.embedder
        plan = plan_recommendation(state, self.engine.get, self._vectors_of, embedder.encode_query,
                                   self.agent.settings.candidate_pool, self.engine.people)
        exclude = plan.query.exclude
        personal = None
        if self.agent.personalizer is not None:
            context = self.agent.personalizer.context(None, state)
            personal = context.feature_arrays(self.index.ids)
            exclude = exclude | context.exclude
        scores = self.index.scores(plan.request, plan.vector, self.weights, personal)
        return self.index.top(scores, n, exclude=exclude, allowed=self.index.allowed(plan.query.filters))

    def _vectors_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        return {i: v for i in ids if (v := self.index.vector(i)) is not None}
