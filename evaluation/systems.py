"""The systems compared side by side. Each ranks the benchmark catalogue for many contexts.

- ``agent``: the SceneRec pipeline (understanding → dialogue state → plan → ranking features),
  replaying each dialogue turn by turn; see :mod:`agent.batch`.
- ``popularity``: most popular first, the same list for everyone.
- ``naive_rag``: what a person would build instead: embed the last seeker message and take its
  nearest neighbours from the Chroma collection; no state, no ratings.
- ``item_cf``: item-item collaborative scores from the movies mentioned so far, nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

import numpy as np

from agent.batch import BatchRanker
from agent.state import DialogueState
from evaluation.dialogues import Context, Turn
from retrieval.collaborative import CollaborativeModel
from retrieval.dense import DenseIndex
from retrieval.vector_store import VectorStore

Advance = Callable[[int], None]
SYSTEMS = ("agent", "popularity", "naive_rag", "item_cf")


class System(Protocol):
    name: str

    def rank_all(self, contexts: list[Context], n: int, advance: Advance) -> list[list[str]]:
        """The ``n`` best catalogue ids for each context, best first."""


def utterance(turn: Turn) -> str:
    """A turn's messages as one utterance, each message ending a sentence."""
    return " ".join(m if m[-1:] in ".!?" else m + "." for m in turn.messages)


class PopularitySystem:
    name = "popularity"

    def __init__(self, index: DenseIndex):
        self.ranking = index.top(index.popularity + 1e-3 * index.quality, len(index.ids))

    def rank_all(self, contexts: list[Context], n: int, advance: Advance) -> list[list[str]]:
        advance(len(contexts))
        return [self.ranking[:n] for _ in contexts]


class ItemCFSystem:
    name = "item_cf"

    def __init__(self, index: DenseIndex, cf: CollaborativeModel):
        self.index = index
        self.cf = cf
        self._order = np.asarray([cf.index.get(i, -1) for i in index.ids])
        self._tiebreak = 1e-4 * index.popularity  # unseeded or unrated items fall back to popularity

    def rank_all(self, contexts: list[Context], n: int, advance: Advance) -> list[list[str]]:
        out = []
        for ctx in contexts:
            seeds = ctx.mentioned()
            raw = self.cf.item_scores({s: 1.0 for s in seeds})
            scores = np.where(self._order >= 0, raw[self._order], 0.0) + self._tiebreak
            out.append(self.index.top(scores, n, exclude=seeds))
            advance(1)
        return out


class NaiveRAGSystem:
    name = "naive_rag"
    batch = 256  # query vectors per Chroma round trip

    def __init__(self, vectors: VectorStore, fallback: list[str]):
        self.vectors = vectors
        self.fallback = fallback  # no seeker message yet: most popular

    def rank_all(self, contexts: list[Context], n: int, advance: Advance) -> list[list[str]]:
        queries = [utterance(t) if (t := ctx.last("seeker")) else "" for ctx in contexts]
        embedder = self.vectors.embedder
        embedder.prime([q for q in queries if q])
        out: list[list[str]] = [self.fallback[:n] if not q else [] for q in queries]
        todo = [k for k, q in enumerate(queries) if q]
        for start in range(0, len(todo), self.batch):
            chunk = todo[start : start + self.batch]
            res = self.vectors.collection.query(
                query_embeddings=np.stack([embedder.encode_query(queries[k]) for k in chunk]),
                n_results=n, include=[])
            for k, ids in zip(chunk, res["ids"]):
                out[k] = list(ids)
            advance(len(chunk))
        advance(len(contexts) - len(todo))
        return out


class AgentSystem:
    name = "agent"

    def __init__(self, ranker: BatchRanker):
        self.ranker = ranker

    def rank_all(self, contexts: list[Context], n: int, advance: Advance) -> list[list[str]]:
        states = self.states(contexts)
        self.ranker.prime(states)
        out = []
        for s in states:
            out.append(self.ranker.rank_one(s, n))
            advance(1)
        return out

    def states(self, contexts: list[Context]) -> list[DialogueState]:
        """The state at each context, replaying each dialogue once, turn by turn. A dry run first
        collects the texts the understanding will embed, so they are embedded in one batch."""
        embedder = self.ranker.engine.vectors.embedder
        with embedder.recording() as needed:
            self._replay(contexts)
        embedder.prime(needed)
        return self._replay(contexts)

    def _replay(self, contexts: list[Context]) -> list[DialogueState]:
        by_dialogue: dict[str, list[int]] = defaultdict(list)
        for k, ctx in enumerate(contexts):
            by_dialogue[ctx.dialogue_id].append(k)
        states: list[DialogueState | None] = [None] * len(contexts)
        for ks in by_dialogue.values():
            ks.sort(key=lambda k: len(contexts[k].turns))
            state, seen = DialogueState(), ()
            for k in ks:
                turns = contexts[k].turns
                if turns[: len(seen)] != seen:  # not a continuation (e.g. a reused dialogue id)
                    state, seen = DialogueState(), ()
                for turn in turns[len(seen):]:
                    state = self._observe(state, turn)
                seen = turns
                states[k] = state
        return states

    def _observe(self, state: DialogueState, turn: Turn) -> DialogueState:
        text = utterance(turn)
        if turn.role == "seeker":
            return self.ranker.observe_user(state, text)
        return self.ranker.observe_recommender(state, text)
