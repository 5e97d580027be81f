"""Build the whole application from settings, in one place.

Example::

    agent = build_agent(load_settings(data_dir="/tmp/sr"))   # ingests the default catalogue if needed
"""

from __future__ import annotations

import gc
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from agent.bundle_choice import encoder_name, film_knowledge, learned_models_path
from agent.core import SceneRecAgent
from agent.explain import LLMExplainer, TemplateExplainer
from agent.factcheck import GroundingChecker
from agent.llm.base import LLM
from agent.llm.none import NoLLM
from agent.learned_signals import LearnedSignals
from agent.personal.personalizer import Personalizer
from agent.sessions import SessionStore
from agent.settings import Settings
from agent.understanding import lexicon
from agent.understanding.embedded import EmbeddedUnderstander
from agent.understanding.bilingual import BilingualUnderstander
from agent.understanding.zh_wiring import chinese_reader
from agent.understanding.llm import LLMUnderstander
from agent.understanding.prototypes import MoodPrototypes
from agent.understanding.sentiment import MentionSentiment, SentimentBacked
from agent.understanding.mentions import TitleFinder
from agent.warm_start import PARTS, BuiltOnFirstUse, drop_warm, fitted_personalizer, load_warm, save_warm, warm_key
from retrieval.catalogue import CatalogueStore
from retrieval.embeddings import Embedder
from retrieval.engine import CatalogueEngine
from retrieval.errors import SceneRecError
from retrieval.learned import ModelBundleError, load_bundle
from retrieval.profiles import ProfileStore
from retrieval.ingest import IngestReport, Progress, _no_progress, ingest_default, is_complete
from retrieval.vector_store import VectorStore, make_client
from retrieval.warm_cache import WarmCache
from store import open_database


class CatalogueMissing(SceneRecError, RuntimeError):
    pass


log = logging.getLogger(__name__)


def load_learned(settings: Settings, engine: CatalogueEngine, embedder: Embedder,
                 warm_key: str | None = None) -> tuple[LearnedSignals | None, str]:
    """The learned signals for this catalogue, and a line saying which mode the ranker is in. A
    missing, corrupt or mismatched bundle is reported and the hand-set weights are used. Given the
    catalogue's ``warm_key``, the bundle's names mapped onto the catalogue are cached beside it."""
    folder = learned_models_path(settings)
    if folder is None:
        return None, "ranking: hand-set weights (learned models turned off)"
    if engine.items is None:
        return None, "ranking: hand-set weights (learned models need the catalogue in memory)"
    try:
        bundle = load_bundle(folder, encoder=embedder.model_name, dimension=engine.matrix.shape[1] if engine.matrix is not None and engine.matrix.size else None)
    except ModelBundleError as e:
        log.warning("%s; using the hand-set ranking weights", e)
        return None, f"ranking: hand-set weights ({e})"
    items = [engine.items[i] for i in engine.columns.ids]
    cache = WarmCache(settings.data_dir / "cache", settings.catalogue, PARTS[2])
    key = (WarmCache.key(warm_key, str(folder.resolve()), {"manifest": json.dumps(bundle.manifest, sort_keys=True)})
           if warm_key else None)
    cached = cache.load(key) if key else None
    signals = LearnedSignals(bundle, list(engine.columns.ids), items, engine.matrix, embedder.encode_query,
                             row_of=cached["row_of"] if cached else None,
                             neighbours=cached.get("neighbours") if cached else None)
    if key and (cached is None or "neighbours" not in cached):
        cache.save(key, {"row_of": signals.row_of, "neighbours": signals.neighbours})
    return signals, f"ranking: {bundle.label}, {signals.coverage:.0%} of this catalogue's films known to it"


@dataclass
class Stores:
    catalogue: CatalogueStore
    vectors: VectorStore
    embedder: Embedder
    chroma_path: Path | None = None  # an embedded Chroma's folder (derived models are cached only then)


def open_stores(settings: Settings, embedder: Embedder | None = None) -> Stores:
    """The catalogue's stores; Chroma is opened (and imported) only when first used."""
    embedder = embedder or Embedder(settings.embedding_model_path, settings.embedding_batch_size,
                                    cache_dir=settings.data_dir / "models")
    vectors = VectorStore(None, embedder, settings.catalogue,
                          connect=lambda: make_client(settings.chroma_path, settings.chroma_url))
    return Stores(CatalogueStore(settings.sqlite_path), vectors, embedder,
                  None if settings.chroma_url else settings.chroma_path)


def ensure_catalogue(settings: Settings, stores: Stores, progress: Progress = _no_progress) -> IngestReport | None:
    """Ingest the default catalogue on first use (again when the film knowledge it should carry
    changed: :func:`agent.bundle_choice.film_knowledge`); other catalogues must have been ingested."""
    knowledge = film_knowledge(settings, encoder_name(stores.embedder))
    if is_complete(stores.catalogue, stores.vectors, settings.catalogue, knowledge.digest() if knowledge else None):
        return None
    if settings.catalogue != "movies":
        raise CatalogueMissing(
            f"catalogue {settings.catalogue!r} is not ingested: run `scenerec ingest --file ... "
            f"--catalogue {settings.catalogue}` first"
        )
    def first_use(label: str, total: int, done: int = 0):
        return progress(f"first use: building the movie catalogue ({label})", total, done)

    return ingest_default(stores.catalogue, stores.vectors, settings.catalogue, progress=first_use, knowledge=knowledge)


def build_llm(settings: Settings) -> LLM:
    """The configured LLM behind timeout, retries and a circuit breaker (``NoLLM`` when none)."""
    if settings.llm_backend == "none":
        return NoLLM()
    if settings.llm_backend == "openai":
        from agent.llm.openai_compat import OpenAICompatibleLLM

        inner = OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                    settings.llm_timeout_s, settings.llm_max_tokens)
    else:
        from agent.llm.local_llamacpp import LlamaCppLLM

        inner = LlamaCppLLM(Path(settings.llm_model_path) if settings.llm_model_path else None,
                            max_tokens=settings.llm_max_tokens)
    from agent.llm.resilient import CircuitBreaker, ResilientLLM

    return ResilientLLM(inner, timeout_s=settings.llm_timeout_s, retries=settings.llm_retries,
                        backoff_s=settings.llm_backoff_s,
                        breaker=CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_reset_s))


def build_understander(engine: CatalogueEngine, embedder: Embedder, llm: LLM | None = None):
    """The embedded understander, wrapped by the LLM one when a model is available."""
    moods = MoodPrototypes(embedder)
    moods.warm_up()
    understander = EmbeddedUnderstander(TitleFinder(engine.resolver, engine.people), max_year=engine.max_year,
                                        moods=moods)
    english = understander
    if llm is not None and llm.available:
        english = LLMUnderstander(understander, llm, engine.resolver,
                                  title_of=lambda i: engine.get(i).display_title if engine.get(i) else i)
    # Chinese turns go to the Chinese reader, built on the first one
    return BilingualUnderstander(english, BuiltOnFirstUse(lambda: chinese_reader(engine, understander)))


def build_agent(settings: Settings, progress: Progress = _no_progress, stores: Stores | None = None,
                llm: LLM | None = None) -> SceneRecAgent:
    """The agent over the settings' catalogue (ingesting the default one on first use). What it
    derives from the catalogue is loaded from the warm cache when that is of this catalogue version,
    else built and cached for the next process."""
    stores = stores or open_stores(settings)
    key = warm_key(settings, stores)
    warm = load_warm(settings, key)
    if warm is None and ensure_catalogue(settings, stores, progress) is not None:
        key = warm_key(settings, stores)  # just ingested: a new catalogue version
    engine = CatalogueEngine(stores.catalogue, stores.vectors, settings.catalogue,
                             max_items_in_memory=settings.max_items_in_memory,
                             exact_search_max_items=settings.exact_search_max_items,
                             warm=warm["engine"] if warm else None)
    stores.embedder.encode_query("warm up")  # load the model now, not in the first turn
    stores.embedder.limit_threads(settings.serve_torch_threads)
    llm = llm or build_llm(settings)
    understander = build_understander(engine, stores.embedder, llm)
    sessions = SessionStore(open_database(settings, "state"))
    # profiles need every item's attributes in memory: catalogues beyond that run unpersonalised
    personalizer = (Personalizer(engine, ProfileStore(open_database(settings, "state")), settings.profile,
                                 lexicon.MOOD_GENRES, fitted=fitted_personalizer(settings, stores, warm, key))
                    if engine.items is not None else None)
    if personalizer is not None:
        personalizer.on_refit = lambda: drop_warm(settings)
    if warm is None and key and personalizer is not None and engine.warm_state() is not None:
        save_warm(settings, key, engine, personalizer)
    checker = GroundingChecker(TitleFinder(engine.resolver, engine.people), engine.get)
    explainer = LLMExplainer(llm, checker) if llm.available else TemplateExplainer()
    learned, mode = load_learned(settings, engine, stores.embedder, key)
    if learned is not None and learned.bundle.sentiment:
        understander = SentimentBacked(understander, MentionSentiment.from_json(learned.bundle.sentiment))
    agent = SceneRecAgent(engine, understander, sessions, settings, explainer, personalizer, learned)
    agent.ranking_mode = mode
    agent.llm = llm
    return agent


def settle_heap() -> None:
    """Take what the process holds now (catalogue, models, caches: alive until it ends) out of the
    garbage collector's full passes. Each full pass otherwise walks every one of those objects and
    stops every thread meanwhile: 65 ms with the default catalogue loaded, inside whichever turn
    happens to allocate at that moment. Garbage is collected first so that none of it is kept.

    For a process that goes on to serve turns (the CLI, the web UIs, the API's workers, the latency
    benchmark), once it has built its agent; not inside :func:`build_agent`, which tests and batch
    jobs also call."""
    gc.collect()
    gc.freeze()
