"""Batch ranking shares the live agent's reading of the state, and its personal signals."""

import pytest


@pytest.mark.slow
def test_liked_movie_brings_collaborative_candidates_and_scores(agent):
    result = agent.turn("I loved Toy Story (1995), recommend something like it")
    assert result.action == "recommend" and result.items
    assert any(it.contributions.get("collaborative", 0) > 0 for it in result.items)
    assert all(it.title != "Toy Story" for it in result.items)


def test_batch_ranker_matches_plan_exclusions(agent):
    from agent.batch import BatchRanker
    from agent.state import DialogueState

    ranker = BatchRanker(agent)
    state = ranker.observe_user(DialogueState(), "I loved Toy Story (1995), something like it?")
    assert state.liked_items
    top = ranker.rank([state], 20)[0]
    assert len(top) == 20 and state.liked_items[0] not in top
    shown = ranker.observe_recommender(state, "Have you seen Shrek (2001)?")
    assert shown.last_shown and shown.last_shown[0] not in ranker.rank([shown], 20)[0]

