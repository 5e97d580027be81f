"""Evaluation against the shared benchmark files (skipped when ../shared/data is absent)."""


import pytest

from evaluation import paths
from evaluation.protocol import instance_count, points
from evaluation.readers import read_inspired
from evaluation.runner import Benchmark, load_redial, prepare, run_benchmark
from tests.helpers import run_cli, says

REDIAL = paths.default_file(*paths.REDIAL_DIALOGUES)
MOVIES = paths.default_file(*paths.REDIAL_MOVIES)
INSPIRED = paths.default_file(*paths.INSPIRED_DIALOGUES)
ML_SMALL = paths.shared_data_dir() / "movielens" / "ml-latest-small"
needs_data = pytest.mark.skipif(not (REDIAL.exists() and MOVIES.exists()), reason="../shared/data is absent")


def small_slice(redial, n_dialogues: int = 6) -> Benchmark:
    dialogues = redial.dialogues[:n_dialogues]
    mentioned = {m for d in dialogues for t in d.turns for m in t.mentions}
    movies = [m for m in redial.movies if m.id in mentioned] + redial.movies[:150]
    return Benchmark("redial", dialogues, list({m.id: m for m in movies}.values()))


@pytest.fixture(scope="module")
def redial():
    return load_redial(REDIAL, MOVIES)


@needs_data
def test_redial_dev_follows_the_protocol(redial):
    assert len(redial.dialogues) == 901 and len(redial.movies) == 6924
    pts = points(redial.dialogues)
    full, dedup = instance_count(pts, "full"), instance_count(pts, "dedup")
    assert 0 < dedup < full
    for p in pts:  # a context never reaches into its own turn, and mentions are titles, never ids
        assert all("@" + g not in t.text for t in p.context.turns for g in p.golds)
        assert all(t.role in ("seeker", "recommender") for t in p.context.turns)


@pytest.mark.skipif(not INSPIRED.exists(), reason="../shared/data is absent")
def test_inspired_dev_reads():
    dialogues, movies = read_inspired(INSPIRED)
    assert len(dialogues) == 99 and len(movies) > 100
    assert instance_count(points(dialogues), "dedup") > 0


@needs_data
@pytest.mark.slow
def test_four_systems_run_side_by_side_on_a_small_slice(redial, data_dir, tmp_path):
    from agent.settings import load_settings
    from tests.live_server import copy_data_dir

    # a private copy: the benchmark catalogue (with re-keyed ratings) must not show in other tests
    settings = load_settings(data_dir=copy_data_dir(data_dir, tmp_path / "data"))
    bench = small_slice(redial)
    setup = prepare(bench, settings)
    assert setup.size == len(bench.movies) and 0 < setup.links.rate <= 1
    run = run_benchmark(bench, setup, ["agent", "popularity", "naive_rag", "item_cf"])
    report = run.report("dedup").to_json()
    assert list(report) == ["dataset", "protocol", "instances", "dialogues", "systems"]
    assert report["dialogues"] == 6 and report["instances"] == run.instances("dedup")
    for name, metrics in report["systems"].items():
        assert list(metrics) == ["recall@1", "recall@10", "recall@50", "ndcg@10", "mrr@10", "coverage@10", "seconds"]
        assert metrics["recall@1"] <= metrics["recall@10"] <= metrics["recall@50"] <= 1
    for r in run.runs:
        assert all(len(ranking) == 50 and len(set(ranking)) == 50 for ranking in r.rankings), r.name
    # the agent never ranks what the dialogue already mentioned above something new
    agent = next(r for r in run.runs if r.name == "agent")
    for p, ranking in zip(run.points, agent.rankings):
        earlier = set(p.context.mentioned())
        assert not earlier & set(ranking[:10]) or len(earlier) > 40


@needs_data
@pytest.mark.skipif(not ML_SMALL.exists(), reason="../shared/data/movielens is absent")
def test_linking_to_a_movielens_folder_with_the_recent_prior(redial, tmp_path):
    from agent.settings import load_settings

    bench = small_slice(redial, 3)
    setup = prepare(bench, load_settings(data_dir=tmp_path / "data"), "recent", movielens=ML_SMALL)
    assert setup.name == "bench-redial-ml-latest-small-recent" and setup.size == len(bench.movies)
    assert setup.links.target == "MovieLens ml-latest-small" and setup.links.rate > 0.5
    assert "movies" not in setup.stores.catalogue.catalogues()  # the default catalogue is not needed
    assert setup.collaborative.popularity.sum() > 0
    run = run_benchmark(bench, setup, ["agent", "popularity"])
    assert all(len(r) == 50 for run_ in run.runs for r in run_.rankings)


def test_a_malformed_file_fails_with_its_line_number(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"respondentWorkerId": 1, "messages": []}\n{oops\n')
    movies = tmp_path / "movies.csv"
    movies.write_text("movieId,movieName,nbMentions\n1,Toy Story (1995),3\n")
    proc = run_cli(["eval", "redial", "--dialogues", str(bad), "--movies", str(movies),
                    "--data-dir", str(tmp_path / "data")], tmp_path, timeout=120)
    assert proc.returncode == 1
    assert says(proc.stderr, f"{bad}: line 2: invalid JSON")


def test_an_unknown_system_is_refused_before_any_work(tmp_path):
    movies = tmp_path / "movies.csv"
    movies.write_text("movieId,movieName,nbMentions\n1,Toy Story (1995),3\n")
    dialogues = tmp_path / "d.jsonl"
    dialogues.write_text('{"respondentWorkerId": 1, "messages": [{"text": "@1", "senderWorkerId": 1}]}\n')
    proc = run_cli(["eval", "redial", "--dialogues", str(dialogues), "--movies", str(movies), "--systems", "agent,foo",
                    "--data-dir", str(tmp_path / "data")], tmp_path, timeout=120)
    assert proc.returncode == 2 and says(proc.stderr, "unknown system(s) foo")
    assert not (tmp_path / "data").exists()


def test_a_bad_movielens_folder_or_prior_is_refused_before_any_work(tmp_path):
    movies = tmp_path / "movies.csv"
    movies.write_text("movieId,movieName,nbMentions\n1,Toy Story (1995),3\n")
    base = ["eval", "redial", "--movies", str(movies), "--data-dir", str(tmp_path / "data")]
    proc = run_cli(base + ["--movielens", str(tmp_path / "nowhere")], tmp_path, timeout=120)
    assert proc.returncode == 2 and says(proc.stderr, "no movies.csv and ratings.csv")
    proc = run_cli(base + ["--prior", "oracle"], tmp_path, timeout=120)
    assert proc.returncode == 2 and says(proc.stderr, "--prior must be one of recent, movielens, mentions")
    assert not (tmp_path / "data").exists()
