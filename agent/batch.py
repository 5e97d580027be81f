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

from dataclasses import dataclass

import numpy as np

from agent.core import SceneRecAgent
from agent.planning import plan_recommendation, query_text
from agent.state import DialogueState
from agent.understanding.embedded import TurnContext
from agent.understanding.text import clean_text
from retrieval.dense import DenseIndex


@dataclass
class Scored:
    features: dict[str, np.ndarray]  # feature -> one value per index row
    exclude: set[str]  # never recommended (named, seen, rejected ...)
    allowed: np.ndarray  # rows the hard filters accept

    def total(self, weights: dict[str, float]) -> np.ndarray:
        return sum(weights.get(name, 0.0) * values for name, values in self.features.items())


class BatchRanker:
    def __init__(self, agent: SceneRecAgent, index: DenseIndex | None = None):
        self.agent = agent
        self.engine = agent.engine
        if index is None:
            items = list(self.engine.items.values())
            index = DenseIndex.build(items, self.engine.embeddings([it.id for it in items]))
        self.index = index
        learned = agent.learned
        # the message feature is computed where some weights use it (training turns it on to fit them)
        self.with_message = bool(learned and (learned.weights.get("message")
                                              or learned.bundle.critique_weights.get("message")))
        self._learned_rows = np.asarray([learned.pos.get(i, -1) for i in index.ids]) if learned else None
        # the rule-based understander (the LLM one wraps it): it finds titles in others' words
        self.embedded = getattr(agent.understander, "embedded", agent.understander)

    # -- building the state --------------------------------------------------------------
    def observe_user(self, state: DialogueState, text: str) -> DialogueState:
        """The state after the person says ``text`` (what a live turn does before deciding)."""
        text, _ = clean_text(text, self.agent.settings.max_message_chars)
        ctx = TurnContext(last_shown=state.last_shown, focus_item=state.focus_item, max_year=self.engine.max_year)
        return state.heard(text).apply(self.agent.understander.understand(text, ctx), self.engine.get)

    def observe_recommender(self, state: DialogueState, text: str) -> DialogueState:
        """The state after someone else recommends in ``text``: the titles named there are shown and
        discussed (weak evidence of taste until the person gives a verdict)."""
        text, _ = clean_text(text, self.agent.settings.max_message_chars)
        named = self.embedded.titles_in(text)
        return state.after_turn(None, shown=named) if named else state

    # -- ranking -------------------------------------------------------------------------
    def rank(self, states: list[DialogueState], n: int) -> list[list[str]]:
        """The ``n`` best item ids for each state; items the state excludes come last."""
        self.prime(states)
        return [self.rank_one(s, n) for s in states]

    def prime(self, states: list[DialogueState]) -> None:
        """Embed every state's query text (and, for the learned text scorer, the person's words) in
        one batch: ranking them one by one is then fast."""
        texts = list(map(query_text, states)) + ([s.recent_said_text() for s in states] if self.agent.learned else [])
        texts += [s.said[-1] for s in states if s.said] if self.with_message else []
        self.engine.vectors.embedder.prime([t for t in texts if t])

    def rank_one(self, state: DialogueState, n: int) -> list[str]:
        scored = self.score(state)
        weights = self.agent.weights_for(state)
        return self.index.top(scored.total(weights), n, exclude=scored.exclude, allowed=scored.allowed)

    def score(self, state: DialogueState, learned: dict[str, np.ndarray] | None = None) -> Scored:
        """Every feature of every item for a state (``learned``: the learned features to use instead
        of the agent's own, e.g. from a model that did not see this dialogue), with what is excluded."""
        embedder = self.engine.vectors.embedder
        plan = plan_recommendation(state, self.engine.get, self._vectors_of, embedder.encode_query,
                                   self.agent.settings.candidate_pool, self.engine.people,
                                   with_message=self.with_message)
        exclude = plan.query.exclude
        personal = {}
        if self.agent.personalizer is not None:
            context = self.agent.personalizer.context(None, state)
            personal = context.feature_arrays(self.index.ids)
            exclude = exclude | context.exclude
        if learned is None and self._learned_rows is not None:
            learned = self.learned_arrays(state)
        features = self.index.features(plan.request, plan.vector, personal | (learned or {}))
        return Scored(features, exclude, self.index.allowed(plan.query.filters))

    def learned_arrays(self, state: DialogueState) -> dict[str, np.ndarray]:
        """The learned features in this index's row order (0 for items the bundle's catalogue lacks)."""
        rows = self._learned_rows
        return {name: np.where(rows >= 0, values[rows], 0.0).astype(np.float32)
                for name, values in self.agent.learned.arrays(state).items()}

    def _vectors_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        return {i: v for i in ids if (v := self.index.vector(i)) is not None}
