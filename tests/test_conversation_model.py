"""The conversation model: what it reads (TF-IDF exactly as sklearn built it, films by name), what
it learns from tiny hand-made examples, how it is stored, and the ranking feature it gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation.conversation_training import ConversationConfig, fit_conversation_model
from retrieval.conversation_model import LEGACY_SPAN, RANK_SCALE, ConversationModel, as_feature, as_rank_feature, ngrams
from retrieval.learned import CONVERSATION, MANIFEST, ModelBundle, ModelBundleError, load_bundle, save_bundle

FILMS = ["Toy Story (1995)", "Up (2009)", "Halloween (1978)", "Scream (1996)", "Heat (1995)"]
# (what the seeker said, films named so far, what the recommender suggested next)
EXAMPLES = [
    ("something fun for my kids", [], ["Up (2009)"]),
    ("my kids loved cartoons", ["Toy Story (1995)"], ["Up (2009)"]),
    ("a film for the kids tonight", [], ["Toy Story (1995)"]),
    ("I want a scary slasher", [], ["Halloween (1978)"]),
    ("scary please, a slasher", ["Halloween (1978)"], ["Scream (1996)"]),
    ("horror, really scary", [], ["Scream (1996)"]),
    ("a crime thriller", [], ["Heat (1995)"]),
    ("crime with a heist", [], ["Heat (1995)"]),
] * 6


def _fit(seed: int = 0, span: float = 4.0, rank_scale: float = RANK_SCALE) -> ConversationModel:
    texts, named, golds = zip(*EXAMPLES)
    cfg = ConversationConfig(seed=seed, dimension=8, epochs=40, learning_rate=0.05, l2=1e-5, dropout=0.0, min_df=1,
                             feature_span=span, rank_scale=rank_scale)
    return fit_conversation_model(list(texts), list(named), list(golds), FILMS, cfg)


def test_its_tfidf_is_sklearns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = ["A funny film for the kids", "kids kids kids and a funny dog", "Scary! Very scary, not funny."]
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(corpus)
    names = list(vec.get_feature_names_out())
    model = ConversationModel(names, vec.idf_, np.zeros((len(names), 2)), ["A (2000)"], np.zeros((1, 2)),
                              np.zeros((1, 2)), np.zeros(1), span=4.0)
    for text in ["funny kids, funny dog", "Very scary kids film", "nothing known here"]:
        expected = vec.transform([text]).toarray()[0]
        rows, weights = model.tfidf(text)
        got = np.zeros(len(names), np.float32)
        got[rows] = weights
        assert np.allclose(got, expected, atol=1e-6)
    assert ngrams("It's a Kids' film") == ["it", "kids", "film", "it kids", "kids film"]


def test_it_learns_which_film_follows_the_words_and_the_films_named():
    model = _fit()

    def best(text, named=()):
        scores = model.log_scores(text, list(named))
        return model.names[int(np.argmax(scores))], scores

    assert best("something for the kids")[0] in {"Up (2009)", "Toy Story (1995)"}
    assert best("a scary one")[0] in {"Halloween (1978)", "Scream (1996)"}
    assert best("", ["Halloween (1978)"])[0] == "Scream (1996)"
    assert np.isneginf(best("", ["Halloween (1978)"])[1][FILMS.index("Halloween (1978)")])  # named: never again
    assert best("a heist")[0] == "Heat (1995)"
    _, scores = best("kids")
    assert np.isclose(np.exp(scores).sum(), 1.0, atol=1e-4)  # log-probabilities
    # unknown words and films change nothing, and never fail
    assert np.allclose(model.log_scores("zzz qqq", ["Not A Film (1900)"]), model.log_scores("", []))


def test_an_examples_weight_sets_how_much_it_teaches():
    """Seeker examples come in at a weight below 1: a zero-weight example teaches nothing, a weighted
    one pulls its film up for its words."""
    texts, named, golds = zip(*EXAMPLES)
    extra = [("a cosy rainy sunday", [], ["Heat (1995)"])] * 12
    cfg = ConversationConfig(seed=0, dimension=8, epochs=40, learning_rate=0.05, l2=1e-5, dropout=0.0, min_df=1)

    def fit(weight):
        t, n, g = zip(*(EXAMPLES + extra))
        return fit_conversation_model(list(t), list(n), list(g), FILMS, cfg,
                                      [1.0] * len(EXAMPLES) + [weight] * len(extra))

    def heat(model):
        return float(np.exp(model.log_scores("a cosy rainy sunday", []))[FILMS.index("Heat (1995)")])

    def heat_margin(model):  # log P(Heat) over the next best film's: it goes on growing where P(Heat) is ~1
        scores = model.log_scores("a cosy rainy sunday", [])
        k = FILMS.index("Heat (1995)")
        return float(scores[k] - np.delete(scores, k).max())

    unweighted = fit_conversation_model(list(texts), list(named), list(golds), FILMS, cfg)
    assert heat_margin(fit(1.0)) > heat_margin(fit(0.5)) > heat_margin(fit(0.0)) + 5
    assert abs(heat(fit(0.0)) - heat(unweighted)) < 0.1  # weight 0: as if the examples were not there


def test_fitting_is_deterministic_under_the_seed():
    a, b = _fit(seed=4), _fit(seed=4)
    assert np.array_equal(a.word_vectors, b.word_vectors) and np.array_equal(a.film_out, b.film_out)


def test_it_round_trips_through_a_bundle_and_a_broken_one_is_refused(tmp_path):
    model = _fit()
    save_bundle(tmp_path / "m", ModelBundle(manifest={}, conversation=model, weights={"conversation": 1.0}))
    loaded = load_bundle(tmp_path / "m").conversation
    assert loaded.names == model.names and loaded.vocabulary == model.vocabulary
    # stored as int8 with a scale per row: the same ranking
    text, named = "scary slasher", ["Halloween (1978)"]
    assert np.argsort(-loaded.log_scores(text, named)).tolist() == np.argsort(-model.log_scores(text, named)).tolist()
    blob = (tmp_path / "m" / CONVERSATION).read_bytes()
    assert b"I want a scary slasher" not in blob  # words and word pairs only, never a message

    arrays = model.to_arrays() | {"bias": np.zeros(2, np.float32)}  # a bias per film is missing
    np.savez_compressed(tmp_path / "m" / CONVERSATION, **arrays)
    manifest = json.loads((tmp_path / "m" / MANIFEST).read_text())
    from retrieval.learned import file_digest

    manifest["files"][CONVERSATION] = file_digest(tmp_path / "m" / CONVERSATION)
    (tmp_path / "m" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelBundleError, match="cannot be read"):
        load_bundle(tmp_path / "m")


def test_pruning_keeps_the_words_that_weigh_most():
    model = _fit()
    small = model.pruned(5)
    assert len(small.vocabulary) == 5 and model.pruned(10 ** 6) is model
    norms = {t: float(np.linalg.norm(v)) for t, v in zip(model.vocabulary, model.word_vectors)}
    assert min(norms[t] for t in small.vocabulary) >= sorted(norms.values())[-5]
    assert small.names == model.names


def test_the_feature_is_one_at_the_best_film_and_zero_far_below_it():
    values = as_feature(np.log(np.asarray([0.5, 0.25, 1e-6, 0.25 - 1e-6])), span=8.0)
    assert values[0] == 1.0 and values[2] == 0.0 and 0 < values[1] < 1 and values[1] == pytest.approx(values[3], abs=1e-4)


def test_the_feature_span_and_rank_scale_are_trained_with_the_model_and_stored_with_it(tmp_path):
    model = _fit(span=2.5, rank_scale=3.0)
    assert (model.span, model.rank_scale) == (2.5, 3.0)
    text, named = "scary slasher", ["Halloween (1978)"]
    near, ranked = model.features(text, named)
    np.testing.assert_array_equal(near, as_feature(model.log_scores(text, named), 2.5))
    np.testing.assert_array_equal(ranked, as_rank_feature(model.log_scores(text, named), 3.0))
    save_bundle(tmp_path / "m", ModelBundle(manifest={}, conversation=model.pruned(3), weights={"conversation": 1.0}))
    loaded = load_bundle(tmp_path / "m").conversation
    assert (loaded.span, loaded.rank_scale) == (2.5, 3.0)  # pruning and the file both keep them
    # a bundle written before they were stored reads as the settings it was trained with then
    legacy = {k: v for k, v in model.to_arrays().items() if k not in ("span", "rank_scale")}
    assert (ConversationModel.from_arrays(legacy).span, ConversationModel.from_arrays(legacy).rank_scale) == (LEGACY_SPAN, RANK_SCALE)
    for bad in ({"span": 0.0}, {"span": 4.0, "rank_scale": 0.0}):
        with pytest.raises(ValueError, match="span|rank scale"):
            ConversationModel(model.vocabulary, model.idf, model.word_vectors, model.names, model.film_in,
                              model.film_out, model.bias, **bad)


def test_the_learned_signals_map_it_onto_a_catalogue_by_name():
    from agent.learned_signals import LearnedSignals
    from agent.state import DialogueState
    from retrieval.items import Item

    model = _fit()
    # a catalogue with two of the films (one listed a year off) and one the model never saw
    items = [Item(id="a", title="Scream", year=1996), Item(id="b", title="Halloween", year=1979),
             Item(id="c", title="Paddington", year=2014)]
    signals = LearnedSignals(ModelBundle(manifest={}, conversation=model, weights={"conversation": 1.0}),
                             ["a", "b", "c"], items, None, lambda text: np.zeros(2, np.float32))
    state = DialogueState(liked_items=["b"], said=["a scary slasher please"])
    values = signals.arrays(state)["conversation"]
    assert values[0] == values.max() > 0 and values[2] == 0.0
    off = LearnedSignals(ModelBundle(manifest={}, conversation=model, weights={}), ["a", "b", "c"], items, None,
                         lambda text: np.zeros(2, np.float32))
    assert not off.arrays(state)["conversation"].any()  # a zero weight costs nothing
    assert not off.arrays(state)["conversation_rank"].any()
    ranks = LearnedSignals(ModelBundle(manifest={}, conversation=model, weights={"conversation_rank": 1.0}),
                           ["a", "b", "c"], items, None, lambda text: np.zeros(2, np.float32)).arrays(state)
    assert ranks["conversation_rank"][0] == 1.0 and ranks["conversation_rank"][2] == 0.0  # Scream: the model's best
    # before any film is named the model's order is mostly what recommenders suggest to anyone: not counted
    words_only = LearnedSignals(ModelBundle(manifest={}, conversation=model,
                                            weights={"conversation": 1.0, "conversation_rank": 1.0}),
                                ["a", "b", "c"], items, None, lambda text: np.zeros(2, np.float32))
    first = words_only.arrays(DialogueState(said=["a scary slasher please"]))
    assert first["conversation"].any() and not first["conversation_rank"].any()


def test_a_described_topic_before_any_film_is_named_scales_what_is_suggested_to_anyone():
    """'a film about drugs': the conversation model and the recommenders' popularity count at
    TOPIC_PRIOR_SCALE until a film is named; a mood or genre alone is not a topic."""
    from agent.learned_signals import TOPIC_PRIOR_SCALE, LearnedSignals, topical
    from agent.state import DialogueState
    from retrieval.comention import CoMention
    from retrieval.items import Item

    items = [Item(id="a", title="Scream", year=1996), Item(id="b", title="Halloween", year=1978)]
    co = CoMention.fit([([], ["Scream (1996)"]), ([], ["Scream (1996)", "Halloween (1978)"])], 1.0,
                       ["Scream (1996)", "Halloween (1978)"])
    signals = LearnedSignals(ModelBundle(manifest={}, comention=co, conversation=_fit(),
                                         weights={"conversation": 1.0, "dialogue_popularity": 1.0}),
                             ["a", "b"], items, None, lambda text: np.zeros(2, np.float32))
    said = ["something scary with a slasher"]
    plain = signals.arrays(DialogueState(said=said, liked_genres=["Horror"]))
    topic = signals.arrays(DialogueState(said=said, liked_genres=["Horror"], keywords=["slasher"]))
    assert topical(DialogueState(liked_attributes=["vampires"])) and not topical(DialogueState(liked_genres=["Horror"]))
    assert plain["dialogue_popularity"].any() and plain["conversation"].any()
    for name in ("dialogue_popularity", "conversation"):
        np.testing.assert_allclose(topic[name], TOPIC_PRIOR_SCALE * plain[name], rtol=1e-6)
    named = DialogueState(said=said, keywords=["slasher"], liked_items=["b"])  # a film named: full weight again
    np.testing.assert_allclose(signals.arrays(named)["dialogue_popularity"], plain["dialogue_popularity"])


def test_a_film_the_conversations_never_named_takes_its_nearest_known_films_value():
    from agent.learned_signals import LearnedSignals, nearest_known
    from agent.state import DialogueState
    from retrieval.items import Item

    model = _fit()
    items = [Item(id="a", title="Scream", year=1996), Item(id="b", title="Halloween", year=1979),
             Item(id="c", title="Scream 5", year=2022)]
    # unit text vectors: the new film "c" is close to "a" (cosine 0.8), far from "b"
    matrix = np.asarray([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]], np.float32)
    nearest, similarity = nearest_known(matrix, np.asarray([0, 1]))
    assert nearest.tolist() == [-1, -1, 0] and similarity[2] == pytest.approx(0.8)
    signals = LearnedSignals(ModelBundle(manifest={}, conversation=model, weights={"conversation": 1.0}),
                             ["a", "b", "c"], items, matrix, lambda text: np.zeros(2, np.float32))
    values = signals.arrays(DialogueState(liked_items=["b"], said=["a scary slasher please"]))["conversation"]
    assert values[0] > 0 and values[2] == pytest.approx(0.8 * values[0])
    assert nearest_known(matrix, np.asarray([], np.int64))[0].tolist() == [-1, -1, -1]


def test_the_rank_feature_keeps_the_models_order_deep_into_the_list():
    """Where the log-probability feature is 0 a few nats below the best film, the rank feature
    still orders the rest: 1 at the best film, 1/2 at rank RANK_SCALE, 0 for a film named already."""
    scores = np.log(np.asarray([0.5, 0.3, 1e-9, 1e-12, 0.2 - 1e-9 - 1e-12]))
    scores = np.append(scores, -np.inf)
    values = as_rank_feature(scores)
    assert values[0] == 1.0 and values[-1] == 0.0
    assert values[0] > values[1] > values[4] > values[2] > values[3] > 0  # the same order as the scores
    assert as_feature(scores, span=4.0)[2] == as_feature(scores, span=4.0)[3] == 0.0  # which the span cannot tell
    assert as_rank_feature(np.linspace(0, -100, 100))[int(RANK_SCALE)] == pytest.approx(0.5)
    model = _fit()
    near, ranked = model.features("a scary slasher", ["Halloween (1978)"])
    assert np.array_equal(near, model.feature("a scary slasher", ["Halloween (1978)"]))
    assert np.array_equal(ranked, as_rank_feature(model.log_scores("a scary slasher", ["Halloween (1978)"])))
