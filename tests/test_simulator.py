"""The agenda-based simulated user and the success@turns bookkeeping."""

import sqlite3

from evaluation.dialogues import Context
from evaluation.simulator import (
    SimulatedUser,
    build_agenda,
    simulate_agent,
    simulate_system,
)
from retrieval.items import Item

TARGET = Item(id="t", title="Alien", year=1979, genres=["Horror", "Sci-Fi"])
ANCHOR = Item(id="x", title="Aliens", year=1986, genres=["Action", "Sci-Fi"])


def test_agenda_reveals_target_attributes_a_little_per_turn():
    agenda = build_agenda(TARGET, [ANCHOR])
    texts = [r.text for r in agenda]
    assert texts[0] == "I'm in the mood for a horror movie."
    assert texts[1] == "I really liked Aliens (1986)." and agenda[1].mentions == ("x",)
    assert texts[2] == "Preferably something from the 1970s."
    assert "sci-fi" in texts[3]
    user = SimulatedUser(TARGET, agenda)
    assert user.utterance(0, rejected=False).text.startswith("Hi! Can you recommend a movie? I'm in the mood")
    assert user.utterance(1, rejected=True).text == "No, not those. I really liked Aliens (1986)."
    assert user.utterance(99, rejected=True).text.endswith(texts[-1])  # the agenda runs out: repeats the last


class FindsAfterAnAnchor:
    """Ranks the target first once the user has named a movie; never repeats what it showed."""

    name = "fake"

    def rank_all(self, contexts: list[Context], n: int, advance):
        ctx = contexts[0]
        ranking = ["t"] if ctx.mentioned() else []
        return [(ranking + [f"m{i}" for i in range(100)])[:n]]


def test_success_counts_the_turn_the_target_is_shown():
    users = [SimulatedUser(TARGET, build_agenda(TARGET, [ANCHOR])),
             SimulatedUser(TARGET, build_agenda(TARGET, []))]  # no anchor: never found
    result = simulate_system(FindsAfterAnAnchor(), users, max_turns=3, k=5)
    assert result.turns_to_success == [2, None]
    s = result.summary()
    assert s["success@1"] == 0.0 and s["success@2"] == 0.5 and s["success@3"] == 0.5
    assert s["mean_turns_to_success"] == 2.0


def _sessions(agent) -> int:
    conn = sqlite3.connect(agent.sessions.path)
    try:
        return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def test_simulated_dialogues_leave_no_sessions_behind(own_settings):
    from agent.wiring import build_agent

    agent = build_agent(own_settings)
    settings = agent.settings
    toy, up, nemo = (agent.engine.get(agent.engine.resolver.resolve(t)[0].item_id)
                     for t in ("Toy Story", "Up", "Finding Nemo"))
    users = [SimulatedUser(toy, build_agenda(toy, [up])), SimulatedUser(nemo, build_agenda(nemo, [toy]))]
    before = _sessions(agent)
    result = simulate_agent(agent, users, max_turns=2, k=settings.top_k + 3)
    assert len(result.turns_to_success) == 2
    assert _sessions(agent) == before
    assert agent.settings is settings  # the simulation's top_k does not outlive it
