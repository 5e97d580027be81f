"""The profile's building blocks on small, known data: attributes, the Dirichlet interest model,
item-item and transition signals."""

import numpy as np
import pytest

from agent.understanding.lexicon import MOOD_GENRES
from retrieval.attributes import AttributeSpace, era_of, runtime_band
from retrieval.collaborative import CollaborativeModel, EaseSettings
from retrieval.interest import Evidence, InterestModel, population_prior


@pytest.fixture(scope="module")
def space(tiny_items):
    return AttributeSpace(tiny_items, MOOD_GENRES)


@pytest.fixture(scope="module")
def model(space, tiny_items):
    # the population has watched every item; popular ones more often
    watched = [it.id for it in tiny_items for _ in range(max(1, it.popularity // 50))]
    return InterestModel(space, population_prior(space, watched), strength=10.0, scene_strength=4.0, spillover=0.3)


def _share(profile, space, family, value, scene=None):
    return float(profile.view(scene).mean(space)[space.index[(family, value)]])


def test_attributes_of_an_item(space, tiny_items):
    toy = tiny_items[0]
    values = space.values_of(toy)
    assert values["genre"] == ["Animation", "Children", "Comedy"]
    assert values["era"] == ["1990s"] and values["runtime"] == ["under 90 min"]
    assert "funny" in values["mood"]
    row = space.matrix[space.item_index["1"]].toarray().ravel()
    for cols in space.family_slices.values():  # one unit of mass per family the item has
        assert row[cols].sum() == pytest.approx(1.0)
    assert era_of(1955) == "before 1960" and era_of(None) is None and runtime_band(135) == "over 2 hours"


def test_cold_start_is_the_population_prior(model, space):
    profile = model.build([])
    assert np.allclose(profile.view().mean(space), model.prior)
    assert np.allclose(profile.affinity(np.arange(len(space.items))), 0.0)


def test_evidence_sharpens_the_distribution(model, space):
    horror = [Evidence("5", 1.0), Evidence("6", 1.0), Evidence("11", 1.0)]
    shares = [_share(model.build(horror[:n]), space, "genre", "Horror") for n in range(4)]
    assert shares == sorted(shares) and shares[-1] > 2 * shares[0]
    profile = model.build(horror)
    aff = dict(zip([it.id for it in space.items], profile.affinity(np.arange(len(space.items)))))
    assert aff["11"] > 0 > aff["1"]  # Scream up, Toy Story down


def test_dislikes_cancel_interest_but_never_go_below_the_prior(model, space):
    liked = model.build([Evidence("5", 1.0)])
    cancelled = model.build([Evidence("5", 1.0), Evidence("6", -1.0)])
    only_disliked = model.build([Evidence("5", -1.0)])
    assert _share(cancelled, space, "genre", "Horror") < _share(liked, space, "genre", "Horror")
    assert np.allclose(only_disliked.view().alpha, model.build([]).view().alpha)


def test_scene_feedback_moves_that_scene_more_than_the_global_view(model, space):
    base = [Evidence("7", 1.0), Evidence("2", 1.0)]  # crime and action, watched alone
    with_kids = base + [Evidence("9", 1.0, scene="kids"), Evidence("1", 1.0, scene="kids")]
    before, after = model.build(base), model.build(with_kids)
    kids_gain = _share(after, space, "genre", "Animation", "kids") - _share(before, space, "genre", "Animation")
    global_gain = _share(after, space, "genre", "Animation") - _share(before, space, "genre", "Animation")
    assert kids_gain > 2 * global_gain > 0
    # a scene without its own feedback falls back to the global view
    assert np.allclose(after.view("partner").alpha, after.view().alpha)


# -- collaborative ------------------------------------------------------------------------------
INTERACTIONS = [  # three people who watch 1 then 9 (Toy Story then Shrek), two who watch 5 then 11
    ("a", "1", 5.0, 10), ("a", "9", 4.5, 20), ("a", "3", 4.0, 30),
    ("b", "1", 4.0, 10), ("b", "9", 4.0, 20),
    ("c", "1", 4.5, 10), ("c", "9", 2.0, 20), ("c", "12", 3.0, 30),
    ("d", "5", 4.0, 10), ("d", "11", 5.0, 20),
    ("e", "5", 5.0, 10), ("e", "11", 4.0, 20), ("e", "6", 1.0, 30),
]


@pytest.fixture(scope="module")
def collab(tiny_items):  # EASE over every item with a rater (the default needs 3 raters)
    return CollaborativeModel(INTERACTIONS, [it.id for it in tiny_items], window=2,
                              ease=EaseSettings(l2=1.0, min_raters=1))


@pytest.mark.parametrize("ease", [EaseSettings(l2=1.0, min_raters=1), EaseSettings(l2=0)], ids=["ease", "cosine"])
def test_item_item_scores_follow_co_ratings(tiny_items, ease):
    model = CollaborativeModel(INTERACTIONS, [it.id for it in tiny_items], ease=ease)
    scores = dict(zip(model.item_ids, model.item_scores({"1": 1.0})))
    assert scores["9"] > scores["3"] > 0 and scores["11"] == 0


def test_ease_weights_are_cached_per_ratings_and_settings(tiny_items, tmp_path):
    ids, cache = [it.id for it in tiny_items], tmp_path / "ease.npz"
    ease = EaseSettings(l2=1.0, min_raters=1)
    first = CollaborativeModel(INTERACTIONS, ids, ease=ease, cache=cache)
    assert cache.exists()
    stamp = cache.stat().st_mtime_ns
    again = CollaborativeModel(INTERACTIONS, ids, ease=ease, cache=cache)
    assert cache.stat().st_mtime_ns == stamp  # read, not refitted
    assert np.allclose(again.item_scores({"1": 1.0}), first.item_scores({"1": 1.0}))
    more = CollaborativeModel(INTERACTIONS + [("f", "1", 5.0, 10), ("f", "3", 5.0, 20)], ids, ease=ease, cache=cache)
    assert cache.stat().st_mtime_ns != stamp  # other ratings: fitted again, and the file replaced
    assert more.item_scores({"1": 1.0})[ids.index("3")] > first.item_scores({"1": 1.0})[ids.index("3")]
    cache.write_bytes(b"not an npz")  # a damaged file is refitted, never trusted
    assert np.allclose(CollaborativeModel(INTERACTIONS, ids, ease=ease, cache=cache).item_scores({"1": 1.0}),
                       first.item_scores({"1": 1.0}))


def test_item_item_top_and_attribution(collab):
    top = collab.top(collab.item_scores({"1": 1.0}), 2, exclude={"1"})
    assert list(top)[0] == "9" and "1" not in top and len(top) == 2
    assert collab.best_seed({"1": 1.0, "5": 1.0}, "11")[0] == "5"


def test_transitions_learn_what_comes_next(collab):
    nxt = dict(zip(collab.item_ids, collab.transition_scores({"1": 1.0})))
    assert nxt["9"] > nxt["3"] > 0 and nxt["1"] == 0  # 9 follows 1 directly, 3 two steps later
    before = dict(zip(collab.item_ids, collab.transition_scores({"9": 1.0})))
    assert before["1"] == 0  # order matters: nobody watched 1 after 9
    assert collab.best_predecessor({"1": 1.0, "5": 0.5}, "9")[0] == "1"


def test_liked_together_counts_people(collab):
    together = collab.liked_together("1", "9")  # fans of 1: a, b, c; all rated 9; a and b liked it
    assert (together.raters, together.liked) == (3, 2)
    assert collab.liked_together("1", "11") is None


def test_profile_settings_start_from_the_models_defaults_and_read_the_environment(monkeypatch):
    import inspect

    from agent.settings import ProfileSettings

    settings = ProfileSettings()
    interest = inspect.signature(InterestModel).parameters
    assert settings.collaborative_l2 == EaseSettings().l2 == 500.0
    assert settings.transition_window == inspect.signature(CollaborativeModel).parameters["window"].default
    assert (settings.prior_strength, settings.scene_strength, settings.scene_spillover) == tuple(
        interest[name].default for name in ("strength", "scene_strength", "spillover"))
    monkeypatch.setenv("SCENEREC_PROFILE_COLLABORATIVE_L2", "0")
    assert ProfileSettings().collaborative_l2 == 0.0
