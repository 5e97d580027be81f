"""Prepare a benchmark catalogue, run the systems over every recommendation point once, and
score the rankings under each protocol (the rankings do not depend on the protocol).

Example::

    bench = load_redial(dialogues_path, movies_path)
    setup = prepare(bench, settings)
    run = run_benchmark(bench, setup, ["agent", "popularity"])
    run.report("dedup").to_json()
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from threadpoolctl import threadpool_limits

from agent.batch import BatchRanker
from agent.settings import Settings
from agent.wiring import Stores, build_agent, ensure_catalogue, open_stores
from evaluation.cache import cache_path, load_into, save_from
from evaluation.catalogue import (Prior, benchmark_interactions, benchmark_items, ensure_benchmark_catalogue, is_current,
                                  knowledge_coverage)
from evaluation.dialogues import Dialogue
from evaluation.knowledge import Knowledge
from evaluation.linking import LinkReport, link_movies
from evaluation.metrics import CURVE_KS, MetricAccumulator
from evaluation.protocol import PROTOCOLS, Point, Protocol, instance_count, points
from evaluation.readers import BenchmarkMovie, read_inspired, read_redial, read_redial_movies
from evaluation.simulator import SimulatedUser, SimulationResult, simulate_agent, simulate_system
from evaluation.systems import SYSTEMS, AgentSystem, ItemCFSystem, NaiveRAGSystem, PopularitySystem, System
from retrieval.collaborative import CollaborativeModel, EaseSettings
from retrieval.items import Item
from retrieval.sources import load_movielens_dir

DEFAULT_CATALOGUE = "movies"
RANK_DEPTH = 50
Progress = Callable[[str, int, int], Callable[[int], None]]


def _quiet(label: str, total: int, done: int = 0) -> Callable[[int], None]:
    return lambda n: None


@dataclass
class Benchmark:
    dataset: str
    dialogues: list[Dialogue]
    movies: list[BenchmarkMovie]


def load_redial(dialogues: Path, movies: Path) -> Benchmark:
    movie_list = read_redial_movies(movies)
    return Benchmark("redial", read_redial(dialogues, {m.id: m.name for m in movie_list}), movie_list)


def load_inspired(dialogues: Path, extra_movies: Path | None = None) -> Benchmark:
    """INSPIRED's own movie set (every movie its file mentions), plus ReDial's list if given."""
    dialogue_list, movie_list = read_inspired(dialogues)
    if extra_movies is not None:
        from evaluation.readers import inspired_movie_id

        have = {m.id for m in movie_list}
        for m in read_redial_movies(extra_movies):
            key = inspired_movie_id(m.name)
            if key not in have:
                have.add(key)
                movie_list.append(BenchmarkMovie(key, m.name, m.title, m.year, m.mentions))
    return Benchmark("inspired", dialogue_list, movie_list)


@dataclass
class Setup:
    """The benchmark catalogue, linked and stored, with the agent built over it."""

    name: str
    ranker: BatchRanker
    stores: Stores
    links: LinkReport
    seconds: float
    query_cache: Path | None = None
    coverage: dict[str, float] = field(default_factory=dict)  # share of items with each field
    filled: dict[str, int] = field(default_factory=dict)  # films each knowledge source filled a field of

    @property
    def size(self) -> int:
        return len(self.ranker.index.ids)

    @property
    def items(self) -> dict[str, Item]:
        """The benchmark catalogue's items by id."""
        return self.ranker.engine.items

    @cached_property
    def collaborative(self) -> CollaborativeModel:
        """Item-item co-ratings over the benchmark catalogue (the linked MovieLens ratings): the
        personalizer's model when the agent has one (same ratings, same items)."""
        personalizer = self.ranker.agent.personalizer
        if personalizer is not None:
            return personalizer.collab
        return CollaborativeModel(self.stores.catalogue.interactions(self.name), self.ranker.index.ids)

    @cached_property
    def co_ratings(self) -> CollaborativeModel:
        """Cosine co-rating similarity over the same ratings, whatever item-item model the systems
        use: what simulated users mean by "a related movie". It is symmetric (EASE's weights are
        not), and a simulator built on the model under test would grade that model on its own terms."""
        return CollaborativeModel(self.stores.catalogue.interactions(self.name), self.ranker.index.ids,
                                  ease=EaseSettings(l2=0))


def prepare(bench: Benchmark, settings: Settings, prior: Prior = "movielens", progress: Progress = _quiet,
            movielens: Path | None = None, knowledge: Knowledge | None = None) -> Setup:
    """Link the benchmark movies to a MovieLens-based catalogue and store them as a catalogue of
    their own. The link target is the default catalogue, or -- with ``movielens`` -- one read
    from that MovieLens folder (e.g. ``ml-latest-small``: movies and ratings up to 2018).
    ``knowledge`` (ReDial's movie_info, MovieLens 25M, Wikipedia: :mod:`evaluation.knowledge`)
    makes every movie a full item: genres, plot, directors and stars, also where no link exists."""
    t0 = time.perf_counter()
    default_settings = settings.model_copy(update={"catalogue": DEFAULT_CATALOGUE})
    default = open_stores(default_settings)
    if movielens is None:
        ensure_catalogue(default_settings, default, progress)
        source_items = default.catalogue.all_items(DEFAULT_CATALOGUE)
        source_ratings = default.catalogue.interactions(DEFAULT_CATALOGUE)
        default_vectors = {i: v for ids, vecs in default.vectors.all_embeddings() for i, v in zip(ids, vecs)}
        target, tag = "the default catalogue", ""
    else:
        source_items, source_ratings, _ = load_movielens_dir(movielens)
        default_vectors = {}  # other ids, other documents (tags): every movie is embedded
        target, tag = f"MovieLens {movielens.name}", "-" + _slug(movielens.name)
    links, report = link_movies(bench.movies, source_items, target)
    filled: Counter = Counter()
    items = benchmark_items(bench.movies, links, {it.id: it for it in source_items}, prior, source_ratings, knowledge,
                            filled)
    interactions = benchmark_interactions(links, source_ratings)
    # with the benchmark's knowledge every document is new (plots): all are embedded (and cached)
    known = {} if knowledge else {b: default_vectors[i] for b, i in links.items() if i in default_vectors}
    name = f"bench-{bench.dataset}{tag}-{prior}" + ("-info" if knowledge else "")
    bench_settings = settings.model_copy(update={"catalogue": name})
    stores = open_stores(bench_settings, embedder=default.embedder)
    query_cache = cache_path(settings.data_dir / "eval-cache", stores.embedder)
    load_into(stores.embedder, query_cache)
    if not is_current(stores.catalogue, stores.vectors, name, items):
        # the documents of unlinked movies go through the (file-backed) text cache: a rebuild,
        # e.g. with the other --prior, embeds nothing again
        docs = {it.id: it.document() for it in items if it.id not in known}
        stores.embedder.prime(list(docs.values()))
        known |= {i: stores.embedder.encode_query(d) for i, d in docs.items()}
        save_from(stores.embedder, query_cache)
    label = f"writing the {bench.dataset} catalogue"
    ensure_benchmark_catalogue(stores.catalogue, stores.vectors, name, items, interactions, known,
                               lambda: progress(label, len(items), 0))
    agent = build_agent(bench_settings, stores=stores)
    return Setup(name, BatchRanker(agent), stores, report, time.perf_counter() - t0, query_cache,
                 knowledge_coverage(items), {s.name: filled[s.name] for s in knowledge.sources} if knowledge else {})


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "movielens"


def build_systems(setup: Setup, names: list[str]) -> list[System]:
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    index = setup.ranker.index
    popularity = PopularitySystem(index)
    made = {
        "agent": lambda: AgentSystem(setup.ranker),
        "popularity": lambda: popularity,
        "naive_rag": lambda: NaiveRAGSystem(setup.stores.vectors, popularity.ranking),
        "item_cf": lambda: ItemCFSystem(index, setup.collaborative),
    }
    return [made[n]() for n in names]


@dataclass
class SystemRun:
    name: str
    rankings: list[list[str]]
    seconds: float


@dataclass
class ProtocolReport:
    dataset: str
    protocol: Protocol
    instances: int
    dialogues: int
    systems: dict[str, dict[str, float]]
    curves: dict[str, dict[int, float]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "protocol": self.protocol, "instances": self.instances,
                "dialogues": self.dialogues, "systems": self.systems}


@dataclass
class BenchmarkRun:
    dataset: str
    dialogues: int
    points: list[Point]
    runs: list[SystemRun]
    catalogue_size: int

    def instances(self, protocol: Protocol) -> int:
        return instance_count(self.points, protocol)

    def report(self, protocol: Protocol) -> ProtocolReport:
        systems, curves = {}, {}
        for run in self.runs:
            acc = MetricAccumulator(self.catalogue_size)
            for p, ranking in zip(self.points, run.rankings):
                acc.add_point(ranking, p.golds_for(protocol))
            systems[run.name] = acc.summary() | {"seconds": round(run.seconds, 2)}
            curves[run.name] = acc.curve(CURVE_KS)
        return ProtocolReport(self.dataset, protocol, self.instances(protocol), self.dialogues, systems, curves)


def simulate_systems(setup: Setup, names: list[str], users: list[SimulatedUser], max_turns: int, k: int,
                     progress) -> list[SimulationResult]:
    """Each named system (``agent`` or a baseline) against the same simulated users."""
    baselines = {s.name: s for s in build_systems(setup, [n for n in names if n != "agent"])}
    results = []
    for name in names:
        advance = progress(f"{name:<10}", len(users), 0)
        if name == "agent":
            results.append(simulate_agent(setup.ranker.agent, users, max_turns, k, advance))
        else:
            results.append(simulate_system(baselines[name], users, max_turns, k, advance))
    return results


def run_benchmark(bench: Benchmark, setup: Setup, system_names: list[str], progress: Progress = _quiet,
                  depth: int = RANK_DEPTH) -> BenchmarkRun:
    pts = points(bench.dialogues)
    contexts = [p.context for p in pts]
    runs = []
    for system in build_systems(setup, system_names):
        advance = progress(f"{system.name:<10}", len(contexts), 0)
        t0 = time.perf_counter()
        with threadpool_limits(limits=1, user_api="blas"):  # one small product at a time: no thread churn
            rankings = system.rank_all(contexts, depth, advance)
        runs.append(SystemRun(system.name, rankings, time.perf_counter() - t0))
    if setup.query_cache is not None:
        save_from(setup.stores.embedder, setup.query_cache)
    return BenchmarkRun(bench.dataset, len(bench.dialogues), pts, runs, setup.size)


__all__ = ["PROTOCOLS", "Benchmark", "BenchmarkRun", "ProtocolReport", "Setup", "load_inspired", "load_redial",
           "prepare", "run_benchmark"]
