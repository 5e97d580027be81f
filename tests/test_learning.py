"""Learning from conversations: co-mention counts, the model bundle and its failure modes, and
`scenerec train` end to end on tiny hand-made dialogues (tests/fixtures/train)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.comention import CoMention
from retrieval.learned import FORMAT_VERSION, MANIFEST, ModelBundle, ModelBundleError, load_bundle, save_bundle
from retrieval.text_scorer import TextScorer, squash
from tests.helpers import run_cli, says
from tests.live_server import copy_data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "train"


def test_co_mention_counts_what_was_suggested_after_a_film_and_never_a_repeat():
    model = CoMention.fit([(["Toy Story (1995)"], ["Up (2009)", "Cars (2006)"]),
                           (["Toy Story (1995)", "Up (2009)"], ["Up (2009)", "Finding Nemo (2003)"]),
                           ([], ["Up (2009)"])], alpha=0.0)
    scores = model.scores(["Toy Story (1995)"])
    # Up was suggested once after Toy Story (the second time it had been named already)
    assert scores == pytest.approx({"Up (2009)": 1 / 3, "Cars (2006)": 1 / 3, "Finding Nemo (2003)": 1 / 3})
    assert model.suggested["Up (2009)"] == 2 and "Toy Story (1995)" not in model.suggested
    assert max(model.popularity().values()) == pytest.approx(1.0)
    assert model.scores(["Unknown (1900)"]) == {}
    again = CoMention.from_arrays(model.to_arrays())
    assert again.scores(["Up (2009)"]) == pytest.approx(model.scores(["Up (2009)"]))


def test_the_same_counts_make_the_same_file_in_whatever_order_they_were_counted():
    events = [(["A (2000)", "B (2001)"], ["C (2002)"]), (["C (2002)"], ["A (2000)", "D (2003)"])]
    forward, backward = CoMention.fit(events), CoMention.fit(events[::-1])
    backward.after = dict(reversed(list(backward.after.items())))
    one, other = forward.to_arrays(), backward.to_arrays()
    assert one.keys() == other.keys() and all(np.array_equal(one[k], other[k]) for k in one)
    assert one["after"].shape == (3, 4) and CoMention.fit([]).to_arrays()["after"].shape == (3, 0)


def test_smoothing_trusts_a_seed_seen_often_more_than_one_seen_once():
    model = CoMention.fit([(["A (2000)"], ["B (2001)"])] + [(["C (2000)"], ["D (2001)"])] * 20, alpha=10.0)
    assert model.scores(["C (2000)"])["D (2001)"] > model.scores(["A (2000)"])["B (2001)"]


def test_the_text_scorer_ranks_by_its_learned_map_and_squash_is_monotone():
    rng = np.random.default_rng(0)
    items = rng.normal(size=(50, 8)).astype(np.float32)
    scorer = TextScorer(np.eye(8, dtype=np.float32))
    raw = scorer.scores(items[7], items)
    assert int(np.argmax(raw)) == 7 or raw[7] >= np.sort(raw)[-2]
    s = squash(raw)
    assert np.all((s > 0) & (s < 1)) and np.array_equal(np.argsort(s), np.argsort(raw))
    with pytest.raises(ValueError):
        TextScorer(np.zeros((3, 4)))


def _bundle() -> ModelBundle:
    co = CoMention.fit([(["Toy Story (1995)"], ["Up (2009)"])])
    return ModelBundle({"encoder": {"name": "all-MiniLM-L6-v2"}}, co, TextScorer(np.eye(4, dtype=np.float32)),
                       {"co_mention": 1.5, "content": 0.5})


def test_a_bundle_round_trips_and_every_broken_one_is_refused_with_a_clear_message(tmp_path):
    folder = tmp_path / "models"
    save_bundle(folder, _bundle())
    loaded = load_bundle(folder, encoder="all-MiniLM-L6-v2", dimension=4)
    assert loaded.weights == {"co_mention": 1.5, "content": 0.5}
    assert loaded.critique_weights == loaded.weights  # none given: the same weights after a critique
    assert loaded.comention.scores(["Toy Story (1995)"]) and loaded.text_scorer.dimension == 4

    with pytest.raises(ModelBundleError, match="scenerec train"):
        load_bundle(tmp_path / "nowhere")
    with pytest.raises(ModelBundleError, match="trained on all-MiniLM-L6-v2 vectors"):
        load_bundle(folder, encoder="another-encoder")
    with pytest.raises(ModelBundleError, match="expects 4-d vectors"):
        load_bundle(folder, dimension=384)

    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps(manifest | {"format_version": FORMAT_VERSION + 1}))
    with pytest.raises(ModelBundleError, match="format"):
        load_bundle(folder)
    (folder / MANIFEST).write_text("{not json")
    with pytest.raises(ModelBundleError, match="corrupt"):
        load_bundle(folder)
    (folder / MANIFEST).write_text(json.dumps(manifest))
    (folder / "comention.npz").write_bytes(b"garbage")
    with pytest.raises(ModelBundleError, match="does not match its manifest"):
        load_bundle(folder)


def test_after_a_critique_the_agent_ranks_with_the_bundles_critique_weights(own_settings, tmp_path):
    from agent.state import DialogueState
    from agent.wiring import build_agent

    bundle = _bundle()
    bundle.text_scorer = None  # made for 4-d vectors; the catalogue's are 384-d
    bundle.critique_weights = {"co_mention": 0.25, "content": 0.9}
    folder = tmp_path / "models"
    save_bundle(folder, bundle)
    assert load_bundle(folder).critique_weights == {"co_mention": 0.25, "content": 0.9}
    agent = build_agent(own_settings.model_copy(update={"learned_models": str(folder)}))
    assert agent.learned is not None, agent.ranking_mode
    plain = agent.weights_for(DialogueState())
    steered = agent.weights_for(DialogueState(critiques=["funnier"]))
    assert (plain["co_mention"], plain["content"]) == (1.5, 0.5)
    assert (steered["co_mention"], steered["content"]) == (0.25, 0.9)
    assert steered["genre"] == own_settings.weights.genre  # features the bundle leaves out stay hand-set


def test_the_agent_falls_back_to_hand_set_weights_on_a_broken_bundle(own_settings, tmp_path):
    settings = own_settings
    from agent.wiring import build_agent

    broken = tmp_path / "broken"
    save_bundle(broken, _bundle())
    (broken / MANIFEST).write_text("{not json")
    agent = build_agent(settings.model_copy(update={"learned_models": str(broken)}))
    assert agent.learned is None and "hand-set" in agent.ranking_mode and "corrupt" in agent.ranking_mode
    assert agent.weights == settings.weights.model_dump()
    result = agent.turn("a funny movie for the kids")
    assert result.action == "recommend" and result.items  # still recommends

    off = build_agent(settings.model_copy(update={"learned_models": "off"}))
    assert off.learned is None and "turned off" in off.ranking_mode


@pytest.mark.slow
def test_scenerec_train_learns_from_hand_made_dialogues_end_to_end(data_dir, tmp_path):
    data = tmp_path / "data"
    copy_data_dir(data_dir, data)  # never in-process: this process has its SQLite files open
    out = tmp_path / "bundle"
    args = ["train", "--dialogues", str(FIXTURES / "dialogues.jsonl"), "--movies", str(FIXTURES / "movies.csv"),
            "--movie-info", str(FIXTURES / "movie_info.json"), "--data-dir", str(data), "--out", str(out),
            "--seed", "3", "--text-epochs", "2"]
    proc = run_cli(args, tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert says(proc.stdout, "trained on 8 dialogues")
    bundle = load_bundle(out)
    # what the fixture conversations teach: after Toy Story, recommenders suggested Up, Cars, Finding Nemo
    after_toy_story = bundle.comention.scores(["Toy Story (1995)"])
    assert set(after_toy_story) == {"Up (2009)", "Cars (2006)", "Finding Nemo (2003)", "Shrek (2001)"}
    assert bundle.manifest["seed"] == 3 and "dialogues.jsonl" in bundle.manifest["data"]
    assert bundle.manifest["config"]["conversation"]["seed"] == 3  # --seed seeds the conversation model too
    assert bundle.manifest["seeker_examples"] > 0  # the seekers' own mentions taught the conversation model too
    assert all(v >= 0 for v in bundle.weights.values()) and set(bundle.weights) >= {"co_mention", "text_match"}
    # nothing but numbers, ids and titles: no plot text from movie_info made it into the bundle
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"clownfish" not in blob and b"ocean liner" not in blob

    # an evaluation split is refused
    refused = run_cli(["train", "--dialogues", str(tmp_path / "dev_data.jsonl"), "--data-dir", str(data)], tmp_path)
    assert refused.returncode == 2 and says(refused.stderr, "is an evaluation split")


def test_learned_sentiment_backs_the_rules_only_where_it_is_confident():
    from agent.understanding.schema import Mention, Understanding
    from agent.understanding.sentiment import MentionSentiment, SentimentBacked, window_text

    assert window_text("Honestly, Heat put me to sleep!", 10, 14, 3, 4) == "honestly moviex put me to sleep"
    model = MentionSentiment({"sleep": -3.0, "put me": -1.0, "loved": 2.0}, bias=1.0, threshold=0.3)
    assert model.p_liked("moviex put me to sleep") < 0.3 < model.p_liked("i loved moviex")
    assert MentionSentiment.from_json(model.to_json()).p_liked("i loved moviex") == pytest.approx(
        model.p_liked("i loved moviex"))

    class Rules:
        def understand(self, text, ctx=None):
            return Understanding(mentions=[Mention(item_id="1", title="Heat", surface="Heat", polarity="liked"),
                                           Mention(item_id="2", title="Up", surface="Up", polarity="seen")])

    u = SentimentBacked(Rules(), model).understand("Heat put me to sleep, Up was fine", None)
    assert [m.polarity for m in u.mentions] == ["disliked", "seen"]  # a "seen" verdict is the rules' own
    u = SentimentBacked(Rules(), model).understand("I loved Heat. Up was fine", None)
    assert u.mentions[0].polarity == "liked"


def test_the_ranker_fits_only_among_the_films_it_may_rank():
    """A gold the hard filters refuse (a genre carried over from earlier) is never a training target,
    and every candidate is a film the filters allow and the state does not exclude."""
    import random

    from agent.batch import Scored
    from evaluation.training import FEATURE_ORDER, ranker_block

    rng = np.random.default_rng(2)
    ids = [f"m{k}" for k in range(300)]
    allowed = np.arange(300) % 3 != 0  # every third film refused by the filters
    scored = Scored({name: rng.random(300).astype(np.float32) for name in FEATURE_ORDER}, {"m1", "m2"}, allowed)
    mat, gold = ranker_block(scored, [3, 4], ids, 20, random.Random(0))  # 3 refused, 4 allowed
    assert gold.sum() == 1 and mat.shape[1] == len(FEATURE_ORDER)
    assert np.allclose(mat[gold][0], [scored.features[name][4] for name in FEATURE_ORDER])
    for row in range(len(mat)):  # each candidate's values belong to an allowed, unexcluded film
        match = [k for k in range(300) if np.allclose([scored.features[f][k] for f in FEATURE_ORDER], mat[row])]
        assert match and allowed[match[0]] and ids[match[0]] not in {"m1", "m2"}
    assert ranker_block(scored, [3, 1], ids, 20, random.Random(0)) is None  # refused, excluded: nothing to fit


def test_fitting_is_deterministic_under_the_seed():
    from evaluation.training import FEATURE_ORDER, TrainConfig, fit_ranker_weights, fit_text_scorer

    rng = np.random.default_rng(1)
    blocks = []
    for _ in range(20):
        mat = rng.random((30, len(FEATURE_ORDER)))
        gold = np.zeros(30, bool)
        gold[int(np.argmax(mat[:, FEATURE_ORDER.index("co_mention")]))] = True  # co-mention finds the gold
        blocks.append((mat, gold))
    cfg = TrainConfig(seed=5, ranker_epochs=60, text_epochs=2)
    w1, w2 = fit_ranker_weights(blocks, cfg), fit_ranker_weights(blocks, cfg)
    assert w1 == w2 and w1["co_mention"] == max(w1.values()) and min(w1.values()) >= 0
    ctx, items = rng.normal(size=(40, 6)).astype(np.float32), rng.normal(size=(25, 6)).astype(np.float32)
    targets = [[k % 25] for k in range(40)]
    a, b = fit_text_scorer(ctx, targets, items, cfg), fit_text_scorer(ctx, targets, items, cfg)
    assert np.array_equal(a.weights, b.weights)
