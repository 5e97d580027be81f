"""A sweep over many turns: every claim a reason or a reply makes holds for that item and turn."""

import re

import pytest

from agent.grounding import mood_fits
from retrieval.items import Item

# (message, gives feedback on the list just shown)
DIALOGUES = [
    [("something uplifting for tonight", False), ("a crime thriller instead", False), ("something funnier", True)],
    [("I loved Heat (1995), something like it", False), ("more recent, after 2005", True), ("less violent", True)],
    [("a scary movie with friends", False), ("under 100 minutes", False), ("more like the second one", True)],
    [("something light with the kids, we've seen Toy Story", False), ("an adventure", False), ("shorter", True)],
    [("we have an hour and a half, something romantic", False), ("not that one, something else", True)],
    [("a thoughtful sci-fi from the 80s or 90s", False), ("something darker", True), ("and a comedy", False)],
    [("relaxing documentary", False), ("more like the first one", True)],
    [("my son is crazy about dinosaurs", False), ("and nothing depressing", False)],
]
_MOOD = re.compile(r"fits the (.+) mood you described")
_MENTIONED = re.compile(r"close to (.+), which you mentioned")
_TIME = re.compile(r"(\d+) min, inside your time limit")


def _limit(state: dict) -> int | None:
    return min(filter(None, [state["constraints"].get("max_runtime"), state["scene"].get("time_budget_min")]),
               default=None)


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=lambda d: d[0][0][:30])
def test_every_claim_holds(agent, dialogue):
    session = None
    facts = 0
    for message, feedback in dialogue:
        result = agent.turn(message, session_id=session)
        session = result.session_id
        state = result.state
        if result.reply.startswith("Updated to your feedback"):
            assert feedback, f"{message!r}: 'Updated to your feedback' with no feedback given"
        never = set(state["liked_items"]) | set(state["seen_items"]) | set(state["disliked_items"]) \
            | set(state["accepted_items"])
        mentioned = {agent.engine.get(i).display_title for i in state["mentioned_items"] if agent.engine.get(i)}
        for it in result.items:
            assert it.id not in never, f"{message!r}: {it.title} came back"
            item = Item(id=it.id, title=it.title, year=it.year, genres=it.genres, runtime=it.runtime, mpaa=it.mpaa)
            facts += len(it.facts)
            for fact in it.facts:
                if m := _MOOD.search(fact):
                    for mood in m.group(1).split(" and "):
                        assert mood_fits(mood, item), f"{message!r}: {it.title} {it.genres} called {mood}"
                if m := _MENTIONED.search(fact):
                    assert m.group(1) in mentioned, f"{message!r}: {m.group(1)} was never mentioned"
                if m := _TIME.search(fact):
                    assert _limit(state) and it.runtime <= _limit(state), f"{message!r}: {it.title} outside the time"
    assert facts, "no reasons were checked"  # a sweep that checks nothing would prove nothing


def test_every_conversation_feature_is_credited_as_conversations_and_text_match_is_not():
    """What recommenders did in conversations (each of CONVERSATION_FEATURES, the conversation
    model's two included) becomes the 'conversations' reason; the learned text match does not."""
    from agent.grounding import LEARNED_SHARE, request_facts
    from agent.state import DialogueState
    from retrieval.ranking import CONVERSATION_FEATURES

    item = Item(id="m1", title="Heat", year=1995)
    for name in CONVERSATION_FEATURES:
        facts = request_facts(item, {name: 0.5}, DialogueState(), {})
        assert [(f.kind, f.weight) for f in facts if f.kind == "conversations"] == [("conversations", LEARNED_SHARE * 0.5)]
    both = request_facts(item, {"conversation": 0.3, "conversation_rank": 0.4}, DialogueState(), {})
    assert [f.weight for f in both if f.kind == "conversations"] == [pytest.approx(LEARNED_SHARE * 0.7)]
    assert not [f for f in request_facts(item, {"text_match": 0.9}, DialogueState(), {}) if f.kind == "conversations"]
