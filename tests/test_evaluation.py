"""Offline evaluation: readers, protocol, metrics, linking, collaborative and dense scoring,
on tiny fixture files written here (no shared data needed)."""

import json
import math

import numpy as np
import pytest

from evaluation.catalogue import benchmark_interactions, benchmark_items
from evaluation.dialogues import DatasetError, merge_messages
from evaluation.linking import link_movies
from evaluation.metrics import MetricAccumulator, ndcg_at, rank_of
from evaluation.protocol import instance_count, points, sample_dialogues
from evaluation.readers import BenchmarkMovie, read_inspired, read_redial, read_redial_movies
from evaluation.training import comention_events, seeker_points
from retrieval.dense import DenseIndex
from retrieval.ranking import Candidate, RankRequest, feature_values

MOVIES_CSV = """movieId,movieName,nbMentions
1,Toy Story (1995),10
2,Shrek (2001),8
3,Up (2009),3
4,Halloween  (1978),2
"""
SEEKER, RECOMMENDER = 7, 9


def redial_line(messages, conv="c1"):
    return json.dumps({
        "conversationId": conv, "initiatorWorkerId": SEEKER, "respondentWorkerId": RECOMMENDER,
        "movieMentions": {"1": "Toy Story (1995)", "2": "Shrek (2001)", "3": "Up (2009)", "4": "Halloween (1978)"},
        "messages": [{"text": t, "senderWorkerId": w, "messageId": i} for i, (w, t) in enumerate(messages)],
    })


@pytest.fixture
def redial_files(tmp_path):
    movies = tmp_path / "movies.csv"
    movies.write_text(MOVIES_CSV)
    dialogue = [
        (SEEKER, "hi"), (SEEKER, "I loved @1"),                     # merged into one seeker turn
        (RECOMMENDER, "hello"),                                       # no mention: not a point
        (SEEKER, "something funny?"),
        (RECOMMENDER, "try @2"), (RECOMMENDER, "or @3, and @2 again"),  # one turn, two movies
        (SEEKER, "seen @2 already"),
        (RECOMMENDER, "then @1 again or @4"),                         # 1 repeats, 4 is new
    ]
    path = tmp_path / "dialogues.jsonl"
    path.write_text(redial_line(dialogue) + "\n\n" + redial_line([(RECOMMENDER, "@3 is great")], "c2") + "\n")
    return path, movies


def test_consecutive_messages_merge_and_blank_messages_vanish():
    turns = merge_messages([("seeker", "a", []), ("seeker", " ", []), ("seeker", "b", ["1"]),
                            ("recommender", "c", ["2", "2"]), ("seeker", "d", [])])
    assert [(t.role, t.messages, t.mentions) for t in turns] == [
        ("seeker", ("a", "b"), ("1",)), ("recommender", ("c",), ("2",)), ("seeker", ("d",), ())]


def test_redial_mentions_become_titles_and_points_follow_the_protocol(redial_files):
    path, movies_path = redial_files
    movies = read_redial_movies(movies_path)
    assert movies[3].name == "Halloween (1978)" and movies[3].year == 1978 and movies[0].mentions == 10
    dialogues = read_redial(path, {m.id: m.name for m in movies})
    d = dialogues[0]
    assert [t.role for t in d.turns] == ["seeker", "recommender", "seeker", "recommender", "seeker", "recommender"]
    assert d.turns[0].text == "hi\nI loved Toy Story (1995)" and "@" not in d.turns[3].text
    pts = points(dialogues)
    # c1: turn 3 (Shrek, Up), turn 5 (Toy Story repeated, Halloween); c2: the opening turn (Up)
    assert [(p.context.dialogue_id, p.turn_index, p.golds) for p in pts] == [
        ("c1", 3, ("2", "3")), ("c1", 5, ("1", "4")), ("c2", 0, ("3",))]
    assert pts[1].golds_for("dedup") == ("4",) and pts[1].golds_for("full") == ("1", "4")
    assert pts[2].context.turns == ()  # nothing before the opening turn
    assert pts[1].context.mentioned() == ["1", "2", "3"]
    assert instance_count(pts, "full") == 5 and instance_count(pts, "dedup") == 4
    # the conversation model's extra examples: seeker turns naming a film not named before (Shrek at
    # turn 4 was the recommender's already)
    assert [(p.context.dialogue_id, p.turn_index, p.golds) for p in seeker_points(dialogues)] == [("c1", 0, ("1",))]
    # co-mention's events: each recommender turn that names films, after the films named before it
    names = {m.id: m.name for m in movies}
    assert comention_events(dialogues[:1], names) == [
        (["Toy Story (1995)"], ["Shrek (2001)", "Up (2009)"]),
        (["Toy Story (1995)", "Shrek (2001)", "Up (2009)", "Shrek (2001)"], ["Toy Story (1995)", "Halloween (1978)"])]


def test_metrics_match_hand_computed_values():
    acc = MetricAccumulator(catalogue_size=20)
    ranking_a = [str(i) for i in range(1, 61)]  # gold "1" at rank 1, "3" at rank 3
    acc.add_point(ranking_a, ["1", "3"])
    acc.add_point([str(i) for i in range(30, 90)], ["45"])  # rank 16: in @50 only
    acc.add_point(["9"], ["100"])  # missed
    acc.add_point(["9"], [])  # no instance under this protocol: ignored, and not in coverage
    s = acc.summary()
    assert s["recall@1"] == 0.25 and s["recall@10"] == 0.5 and s["recall@50"] == 0.75
    assert s["mrr@10"] == round((1 + 1 / 3) / 4, 4)
    assert s["ndcg@10"] == round((1 + 1 / math.log2(4)) / 4, 4)
    # coverage@10: the union of top-10 lists ({1..10} | {30..39} | {9}) over 20 catalogue items
    assert s["coverage@10"] == 1.0
    assert rank_of("x", ["a"]) is None and ndcg_at(None, 10) == 0.0


def test_sampling_is_seeded_and_keeps_file_order(redial_files):
    path, movies_path = redial_files
    dialogues = read_redial(path, {m.id: m.name for m in read_redial_movies(movies_path)}) * 5
    a, b = sample_dialogues(dialogues, 3, seed=4), sample_dialogues(dialogues, 3, seed=4)
    assert [id(x) for x in a] == [id(x) for x in b] and len(a) == 3
    assert sample_dialogues(dialogues, None, 0) == dialogues


@pytest.mark.parametrize("content,needle", [
    ('{"messages": []}\n{not json\n', "line 1: missing field 'respondentWorkerId'"),
    ("\n" + redial_line([(SEEKER, "hi")]) + "\n{not json\n", "line 3: invalid JSON"),
    (redial_line([(SEEKER, "I loved @777")]) + "\n", "line 1: movie @777 is not in the movie list"),
    ("", "no dialogues"),
])
def test_malformed_redial_files_name_the_line(tmp_path, content, needle):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=needle):
        read_redial(path, {"1": "Toy Story (1995)"})


@pytest.mark.parametrize("content,needle", [
    ("id,name\n1,x\n", "line 1: the header must have columns"),
    ("movieId,movieName,nbMentions\n1,A (1990),2\n2,B (1991)\n", "line 3: 2 fields"),
    ("movieId,movieName,nbMentions\n1,A (1990),2\n1,B (1991),1\n", "line 3: duplicate movieId 1"),
    ("movieId,movieName,nbMentions\n1,A (1990),many\n", "line 2: nbMentions 'many'"),
])
def test_malformed_movie_lists_name_the_line(tmp_path, content, needle):
    path = tmp_path / "movies.csv"
    path.write_text(content)
    with pytest.raises(DatasetError, match=needle):
        read_redial_movies(path)


INSPIRED_HEADER = "dialog_id\tutt_id\tspeaker\tturn_id\ttext\tmovies\n"


def test_inspired_rows_become_dialogues_with_their_own_catalogue(tmp_path):
    path = tmp_path / "dev.tsv"
    path.write_text(INSPIRED_HEADER
                    + "d1\t1\tRECOMMENDER\t1\tHello\t\n"
                    + "d1\t2\tSEEKER\t1\tI saw Shazam! QUOTATION_MARKgreatQUOTATION_MARK\tShazam! (2019)\n"
                    + "d1\t3\tSEEKER\t1\tany ideas?\t\n"
                    + "d1\t4\tRECOMMENDER\t2\tDark Phoenix or Shazam!\tDark Phoenix (2019); Shazam! (2019)\n")
    dialogues, movies = read_inspired(path)
    assert sorted(m.name for m in movies) == ["Dark Phoenix (2019)", "Shazam! (2019)"]
    d = dialogues[0]
    assert [t.role for t in d.turns] == ["recommender", "seeker", "recommender"]
    assert d.turns[1].text == 'I saw Shazam! "great"\nany ideas?'
    pts = points(dialogues)
    assert len(pts) == 1 and len(pts[0].golds) == 2 and instance_count(pts, "dedup") == 1


@pytest.mark.parametrize("rows,needle", [
    ("dialog_id\tspeaker\ttext\n", "lacks column"),
    (INSPIRED_HEADER + "d1\t1\tSEEKER\t1\thi\n", "line 2: 5 fields"),
    (INSPIRED_HEADER + "d1\t1\tSEEKER\t1\thi\t\nd1\t2\tBOT\t1\thi\t\n", "line 3: speaker 'BOT'"),
])
def test_malformed_inspired_files_name_the_line(tmp_path, rows, needle):
    path = tmp_path / "bad.tsv"
    path.write_text(rows)
    with pytest.raises(DatasetError, match=needle):
        read_inspired(path)


def test_linking_by_title_and_year(tiny_items):
    movies = [BenchmarkMovie.from_name("a", "The Godfather (1972)"),       # article moved: same year
              BenchmarkMovie.from_name("b", "Toy Story (1996)"),           # one year off
              BenchmarkMovie.from_name("c", "Halloween"),                  # no year: the most-rated one
              BenchmarkMovie.from_name("d", "Halloween (2018)"),           # a different film: unlinked
              BenchmarkMovie.from_name("e", "Star Wars (1977)", 5),        # the part before the colon
              BenchmarkMovie.from_name("f", "Godfather (1971)")]           # a second entry for "a"
    links, report = link_movies(movies, tiny_items)
    assert links == {"a": "7", "b": "1", "c": "5", "e": "8"}  # "f" loses to the same-year entry
    assert (report.same_year, report.near_year, report.title_only, report.linked) == (2, 1, 1, 4)
    assert report.duplicates == 1 and "1 more entries name an already linked film" in report.describe()
    assert report.rate == pytest.approx(4 / 6)
    items = benchmark_items(movies, links, {it.id: it for it in tiny_items})
    assert items[0].genres == ["Crime", "Drama"] and items[0].title == "The Godfather"
    assert items[3].genres == [] and items[3].popularity == 0  # title-only
    assert benchmark_items(movies, links, {it.id: it for it in tiny_items}, "mentions")[4].popularity == 5
    assert benchmark_interactions(links, [("u1", "5", 4.0, 0), ("u1", "99", 3.0, 0)]) == [("u1", "c", 4.0, 0)]


def test_linking_tolerates_spelling_variants_and_two_year_slips():
    from retrieval.items import Item

    catalogue = [Item(id="1", title="Kill Bill: Vol. 2", year=2004), Item(id="2", title="National Lampoon's Van Wilder", year=2002),
                 Item(id="3", title="Texas Chainsaw Massacre, The", year=1974), Item(id="4", title="Cabin Fever", year=2002),
                 Item(id="5", title="Straw Dogs", year=1971), Item(id="6", title="Paranormal Activity 3", year=2011),
                 Item(id="7", title="Stand Up Guys", year=2012), Item(id="8", title="Stand Up", year=2012)]
    movies = [BenchmarkMovie.from_name("a", "Kill Bill: Volume 2 (2004)"),            # vol / volume
              BenchmarkMovie.from_name("b", "Van Wilder (2002)"),                     # a credit before the title
              BenchmarkMovie.from_name("c", "The Texas Chain Saw Massacre (1974)"),   # near-identical spelling
              BenchmarkMovie.from_name("d", "Cabin Fever (2000)"),                    # festival vs release year
              BenchmarkMovie.from_name("e", "Straw Dogs (2011)"),                     # a remake: not linked
              BenchmarkMovie.from_name("f", "Paranormal Activity 4 (2012)"),          # another number: not linked
              BenchmarkMovie.from_name("g", "Stand (2012)"),                          # one word: too little to go on
              BenchmarkMovie.from_name("h", "Van Wilder (2003)")]                     # a second entry for "b"
    links, report = link_movies(movies, catalogue)
    assert links == {"a": "1", "b": "2", "c": "3", "d": "4"}
    assert (report.variant, report.two_years, report.duplicates, report.linked) == (3, 1, 1, 4)
    assert "3 by a variant spelling, 1 two years off" in report.describe()


def test_dense_scores_equal_the_live_ranker_features(tiny_items):
    rng = np.random.default_rng(0)
    vecs = {it.id: (v := rng.normal(size=8).astype(np.float32)) / np.linalg.norm(v) for it in tiny_items}
    index = DenseIndex.build(tiny_items, vecs)
    query = vecs["2"]
    req = RankRequest(genre_weights={"Comedy": 1.0, "Horror": -1.0}, scene_genre_weights={"Children": 0.7},
                      anchor_vectors=[vecs["1"]], message_vector=vecs["3"],
                      described=[(("comedy", "toy"), 1.0), (("horror",), -1.0)])
    feats = index.features(req, query)
    for it in tiny_items:
        i = index.pos[it.id]
        candidate = Candidate(it, float(vecs[it.id] @ query), vecs[it.id])
        live = feature_values(candidate, req, max(x.popularity for x in tiny_items))
        for name in ("content", "genre", "scene", "liked_items", "collaborative", "popularity", "quality", "message",
                     "described"):
            assert feats[name][i] == pytest.approx(live[name], abs=1e-4), (it.title, name)
    weights = {"genre": 1.0}
    assert feats["content"][index.pos["2"]] == pytest.approx(1.0)
    assert feats["message"][index.pos["3"]] == pytest.approx(1.0) and feats["message"].min() >= 0.0
    assert set(feats["described"].tolist()) >= {1.0, -1.0}  # a wish and an aversion, each held by some text
    top = index.top(index.scores(req, None, weights), 3, exclude={"9"})
    assert "9" not in top and index.items[index.pos[top[0]]].genres.count("Comedy") == 1
    assert index.top(index.scores(req, None, weights), len(tiny_items), exclude={"9"})[-1] == "9"


def test_embedder_dry_run_collects_texts_then_primes_them(embedder):
    with embedder.recording() as needed:
        assert not embedder.encode_query("a dry-run sentence about space westerns").any()
    assert needed == ["a dry-run sentence about space westerns"]
    embedder.prime(needed)
    vec = embedder.encode_query(needed[0])
    assert vec.shape == (embedder.dimension(),) and abs(float(vec @ vec) - 1.0) < 1e-4
    assert needed[0] in embedder.cached()


def test_recent_prior_weights_ratings_by_age(tiny_items):
    from retrieval.popularity import DAY, recent_counts

    rows = [("u1", "a", 4.0, 1000 * DAY), ("u2", "a", 4.0, 1000 * DAY), ("u1", "b", 4.0, 270 * DAY)]
    assert recent_counts(rows, None) == {"a": 2.0, "b": 1.0}
    counts = recent_counts(rows, half_life_days=730)  # relative to the newest rating, not today
    assert counts["a"] == pytest.approx(2.0) and counts["b"] == pytest.approx(0.5)
    movies = [BenchmarkMovie.from_name("x", "Toy Story (1995)"), BenchmarkMovie.from_name("y", "Nothing (2030)")]
    links, _ = link_movies(movies, tiny_items)
    ratings = [("u1", "1", 4.0, 100 * DAY), ("u2", "1", 5.0, 100 * DAY)] + [(f"v{k}", "2", 3.0, 2000 * DAY) for k in range(9)]
    items = benchmark_items(movies, links, {it.id: it for it in tiny_items}, "recent", ratings)
    assert [it.popularity for it in items] == [round(2 * 0.5 ** (1900 / 730)), 0]


def test_movielens_folder_as_a_catalogue(tmp_path):
    from retrieval.sources import load_movielens_dir

    (tmp_path / "movies.csv").write_text('movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n'
                                         '2,"Godfather, The (1972)",Crime|Drama\n3,Unrated (2018),(no genres listed)\n')
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,4.0,10\n2,1,3.0,20\n1,2,5.0,30\n")
    (tmp_path / "tags.csv").write_text("userId,movieId,tag,timestamp\n1,1,pixar,1\n2,1,Pixar,2\n2,1,toys,3\n")
    imdb = {("toy story", 1995): {"runtime": 81, "mpaa": None, "rating": 7.9, "votes": 46019}}
    items, ratings, match_rate = load_movielens_dir(tmp_path, imdb)
    by_id = {it.id: it for it in items}
    assert ratings[0] == ("ml:1", "1", 4.0, 10) and len(ratings) == 3 and match_rate == pytest.approx(1 / 3)
    toy = by_id["1"]
    assert (toy.title, toy.year, toy.genres, toy.popularity, toy.mean_rating, toy.runtime) == (
        "Toy Story", 1995, ["Animation", "Comedy"], 2, 3.5, 81)
    assert toy.description == "Tags: pixar, toys."
    assert by_id["2"].title == "Godfather, The" and by_id["3"].genres == [] and by_id["3"].popularity == 0


@pytest.mark.parametrize("ratings, message", [
    ("userId,movieId,rating\n1,1,4.0\n", "no column timestamp"),
    ("userId,movieId,rating,timestamp\n1,1,4.0,10\n2,1\n", "line 3: fewer fields"),
    ("userId,movieId,rating,timestamp\n1,1,four,10\n", "line 2:"),
])
def test_a_malformed_movielens_folder_is_a_clear_error(tmp_path, ratings, message):
    from retrieval.reading import IngestError
    from retrieval.sources import load_movielens_dir

    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,Toy Story (1995),Comedy\n")
    (tmp_path / "ratings.csv").write_text(ratings)
    with pytest.raises(IngestError, match=message):
        load_movielens_dir(tmp_path, {})


def test_percent_escapes_in_names_are_decoded(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text("movieId,movieName,nbMentions\n1,Why Him%3F  (2016),3\n2,100% Wolf (2020),0\n")
    movies = read_redial_movies(path)
    assert [(m.title, m.year) for m in movies] == [("Why Him?", 2016), ("100% Wolf", 2020)]


def test_the_message_feature_reads_the_last_message_as_written_only_when_asked(tiny_items):
    from agent.planning import plan_recommendation
    from agent.state import DialogueState

    encoded: list[str] = []

    def encode(text: str) -> np.ndarray:
        encoded.append(text)
        return np.ones(8, np.float32) / np.sqrt(8)

    state = DialogueState(said=["hi there", "something about a heist gone wrong"], liked_genres=["Comedy"])
    plan = plan_recommendation(state, lambda i: None, lambda ids: {}, encode, 50, with_message=True)
    assert encoded[-1] == "something about a heist gone wrong" and plan.request.message_vector is not None
    encoded.clear()
    plain = plan_recommendation(state, lambda i: None, lambda ids: {}, encode, 50)
    assert plain.request.message_vector is None and "something about a heist gone wrong" not in encoded
