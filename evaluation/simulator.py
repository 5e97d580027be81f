"""An agenda-based simulated user (no LLM) who wants one hidden target movie.

The user's agenda comes from the target's attributes: its genres, its decade, and a movie it
resembles (the target's nearest neighbour by MovieLens co-ratings). Each turn the user reveals
one more agenda item, answers a question by revealing the next one, rejects recommendations
that miss the target, and accepts as soon as the target is among the top ``k``.

Example::

    users = sample_targets(items, golds, setup.co_ratings, n=200, seed=0)
    result = simulate_agent(agent, users, max_turns=5, k=10)
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.core import SceneRecAgent
from agent.understanding.lexicon import GENRE_PHRASES
from evaluation.dialogues import Context, Turn
from evaluation.systems import System
from retrieval.collaborative import CollaborativeModel
from retrieval.items import Item

Advance = Callable[[int], None]


@dataclass(frozen=True)
class Reveal:
    text: str
    mentions: tuple[str, ...] = ()  # catalogue ids the text names


@dataclass(frozen=True)
class SimulatedUser:
    target: Item
    agenda: tuple[Reveal, ...]

    def utterance(self, turn: int, rejected: bool) -> Reveal:
        """What the user says on ``turn`` (0-based): an opening, or a rejection, plus the next fact."""
        fact = self.agenda[min(turn, len(self.agenda) - 1)]
        lead = "Hi! Can you recommend a movie?" if turn == 0 else ("No, not those." if rejected else "")
        return Reveal(f"{lead} {fact.text}".strip(), fact.mentions)


def _genre_words(genre: str) -> str:
    return GENRE_PHRASES.get(genre, [genre.lower()])[0]


def build_agenda(target: Item, anchors: list[Item]) -> tuple[Reveal, ...]:
    """Genres first, then a similar movie, the decade, and the remaining genres and anchors."""
    genres = list(target.genres)
    facts: list[Reveal] = []
    if genres:
        facts.append(Reveal(f"I'm in the mood for a {_genre_words(genres[0])} movie."))
    for a in anchors[:1]:
        facts.append(Reveal(f"I really liked {a.display_title}.", (a.id,)))
    if target.year:
        facts.append(Reveal(f"Preferably something from the {target.year // 10 * 10}s."))
    for g in genres[1:3]:
        facts.append(Reveal(f"Maybe with some {_genre_words(g)} too."))
    for a in anchors[1:3]:
        facts.append(Reveal(f"I also enjoyed {a.display_title}.", (a.id,)))
    return tuple(facts) or (Reveal("Something good, please."),)


def sample_targets(items: dict[str, Item], candidates: list[str], cf: CollaborativeModel, n: int,
                   seed: int) -> list[SimulatedUser]:
    """``n`` users whose targets are drawn from ``candidates`` (e.g. ReDial gold movies) that have
    genres and co-ratings, so the user has something to tell."""
    rated = {i for i, k in cf.index.items() if cf.popularity[k] > 0}
    pool = sorted({c for c in candidates if c in items and items[c].genres and c in rated})
    rng = random.Random(seed)
    chosen = rng.sample(pool, min(n, len(pool)))
    users = []
    for target_id in chosen:
        anchors = _anchors(items, items[target_id], cf, rng)
        users.append(SimulatedUser(items[target_id], build_agenda(items[target_id], anchors)))
    return users


def _anchors(items: dict[str, Item], target: Item, cf: CollaborativeModel, rng: random.Random) -> list[Item]:
    """Up to three movies the user liked: related to the target by co-ratings and sharing a genre,
    but drawn from its 10th-50th neighbours, so the nearest neighbour never gives it away."""
    neighbours = list(cf.top(cf.item_scores({target.id: 1.0}), 50, exclude={target.id}))
    related = [items[i] for i in neighbours[9:] if i in items and set(items[i].genres) & set(target.genres)]
    return rng.sample(related, min(3, len(related)))


@dataclass
class SimulationResult:
    system: str
    max_turns: int
    turns_to_success: list[int | None] = field(default_factory=list)
    seconds: float = 0.0

    def success_at(self, t: int) -> float:
        n = len(self.turns_to_success)
        return sum(1 for x in self.turns_to_success if x is not None and x <= t) / n if n else 0.0

    def summary(self) -> dict[str, float]:
        wins = [x for x in self.turns_to_success if x is not None]
        out = {f"success@{t}": round(self.success_at(t), 4) for t in range(1, self.max_turns + 1)}
        out["mean_turns_to_success"] = round(sum(wins) / len(wins), 3) if wins else None
        out["seconds"] = round(self.seconds, 2)
        return out


def simulate_agent(agent: SceneRecAgent, users: list[SimulatedUser], max_turns: int, k: int,
                   advance: Advance = lambda n: None) -> SimulationResult:
    """Talk to the real agent (``turn``): its questions count as turns without recommendations."""
    original = agent.settings
    agent.settings = original.model_copy(update={"top_k": k})
    try:
        return _simulate(agent, users, max_turns, k, advance)
    finally:
        agent.settings = original  # the agent is the caller's: leave its settings as they were


def _simulate(agent: SceneRecAgent, users: list[SimulatedUser], max_turns: int, k: int,
              advance: Advance) -> SimulationResult:
    result = SimulationResult("agent", max_turns)
    t0 = time.perf_counter()
    for user in users:
        # a fresh session, deleted at the end: sessions persist in the data dir, and simulated
        # dialogues must neither pile up there nor be continued by a rerun
        session, success, shown = agent.sessions.new_id(), None, False
        try:
            for t in range(max_turns):
                said = user.utterance(t, rejected=shown)
                res = agent.turn(said.text, session_id=session)
                shown = bool(res.items)
                if user.target.id in [it.id for it in res.items[:k]]:
                    success = t + 1
                    break
        finally:
            agent.sessions.delete(session)
        result.turns_to_success.append(success)
        advance(1)
    result.seconds = time.perf_counter() - t0
    return result


def simulate_system(system: System, users: list[SimulatedUser], max_turns: int, k: int,
                    advance: Advance = lambda n: None) -> SimulationResult:
    """A baseline always recommends; it never repeats what it showed (the only memory it gets)."""
    result = SimulationResult(system.name, max_turns)
    t0 = time.perf_counter()
    for n, user in enumerate(users):
        turns: list[Turn] = []
        shown: list[str] = []
        success = None
        for t in range(max_turns):
            said = user.utterance(t, rejected=bool(shown))
            turns.append(Turn("seeker", (said.text,), said.mentions))
            ranking = system.rank_all([Context(f"sim-{n}", tuple(turns))], k + len(shown), lambda _: None)[0]
            top = [i for i in ranking if i not in shown][:k]
            if user.target.id in top:
                success = t + 1
                break
            shown += top
            turns.append(Turn("recommender", ("How about these?",)))  # rejected: no seeds for item_cf
        result.turns_to_success.append(success)
        advance(1)
    result.seconds = time.perf_counter() - t0
    return result
