"""Typed settings, read once from the environment (prefix ``SCENEREC_``) by the caller.

Nothing here runs at import time: call :func:`load_settings` at the edge (CLI, server,
tests) and pass the object down.

Example::

    settings = load_settings(data_dir="/tmp/scenerec")   # explicit values win over env
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval import defaults


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("scenerec", appauthor=False))


class RankingWeights(BaseSettings):
    """Weights of the ranker's features (each item's score is their weighted sum)."""

    model_config = SettingsConfigDict(env_prefix="SCENEREC_W_")

    # Defaults: personal weights, popularity and genre tuned on the dev split of the MovieLens
    # ratings (benchmarks/personalization.py tune: train on each user's first 64%, score the next
    # 16%; the last 20% is never looked at). content stays at 1.0 and quality at 0.1: the ratings
    # cannot judge how well a pick matches free-text requests or how good it is.
    content: float = 1.0
    genre: float = 0.9
    scene: float = 0.5
    people: float = 1.0  # a director / star asked for by name: an explicit request, like a genre (not tuned)
    liked_items: float = 0.8
    collaborative: float = 0.6  # item-item (EASE) from interactions, seeded by likes and history
    profile: float = 0.5  # affinity of the person's interest distribution (scene view)
    sequence: float = 0.5  # "people who watched your recent picks went on to watch this"
    # the dev-split tune moved popularity to 0.4 for +0.0005 NDCG (noise) on personalised requests,
    # while anonymous genre requests, ranked with the same weights, lost ~20% NDCG@10: kept at 0.6
    popularity: float = 0.6
    quality: float = 0.1
    # a descriptive wish ("a heist", "french") or aversion ("no gore") that the item's own text holds:
    # an explicit request no conversation data weighs, so a learned bundle keeps this weight too
    described: float = 3.0
    # learned from conversations (`scenerec train`): off in hand-set mode; a model bundle brings
    # its own weights for every feature, fitted together (see agent/learned_signals.py)
    co_mention: float = 0.0
    text_match: float = 0.0
    dialogue_popularity: float = 0.0
    conversation: float = 0.0
    conversation_rank: float = 0.0
    # how closely an item's text matches the person's last message as written (what a plain embedding
    # search does); off in hand-set mode (the ratings cannot judge it), fitted with the learned ones
    message: float = 0.0


class ProfileSettings(BaseSettings):
    """How profiles turn evidence into an interest distribution and personal candidates."""

    model_config = SettingsConfigDict(env_prefix="SCENEREC_PROFILE_")

    prior_strength: float = defaults.PRIOR_STRENGTH  # pseudo-ratings of the population prior per attribute family
    scene_strength: float = defaults.SCENE_STRENGTH  # pseudo-ratings pulling a scene view towards the global view
    scene_spillover: float = defaults.SCENE_SPILLOVER  # share of in-scene feedback that also updates the global view
    half_life_events: float = 200.0  # recency: the 200th most recent rating/feedback counts half
    transition_window: int = defaults.TRANSITION_WINDOW  # items after A that count as "watched after A"
    recent_items: int = 10  # most recent items seeding the sequence signal
    session_seed_weight: float = 2.0  # items liked in this conversation vs one 5-star rating
    collaborative_pool: int = 100  # collaborative candidates per turn
    # item-item model: EASE's ridge strength (fitted on MovieLens); 0: cosine item-item only
    collaborative_l2: float = defaults.EASE_L2
    history_to_skip_questions: int = 10  # with this many ratings / feedback events, a vague request gets picks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCENEREC_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    # postgresql://user@host:port/db: sessions, profiles, keys, owners and limits in that shared
    # database (any number of replicas); None: SQLite files under data_dir (the embedded default)
    database_url: str | None = None
    catalogue: str = "movies"
    # Chroma: embedded PersistentClient under data_dir unless a server URL is given.
    chroma_url: str | None = None
    embedding_model_path: Path | None = None
    embedding_batch_size: int = defaults.EMBEDDING_BATCH_SIZE
    serve_torch_threads: int = 1  # torch threads while serving turns (ingest uses all cores)
    # Scale: up to this many items the engine keeps items / vectors in memory (exact search);
    # beyond, items are read from SQLite on demand and search uses Chroma's ANN index.
    max_items_in_memory: int = defaults.MAX_ITEMS_IN_MEMORY
    exact_search_max_items: int = defaults.EXACT_SEARCH_MAX_ITEMS

    # LLM: "none" is the embedded default (no generative model).
    llm_backend: Literal["none", "openai", "llamacpp"] = "none"
    llm_base_url: str = "http://127.0.0.1:8001/v1"
    llm_model: str = "default"
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = 10.0
    llm_model_path: Path | None = None  # GGUF file for the local llama.cpp backend
    llm_max_tokens: int = 512
    # Robustness around every LLM call (see agent/llm/resilient.py).
    llm_retries: int = 1  # extra attempts after a transport error or timeout
    llm_backoff_s: float = 0.25  # first retry delay; doubles per retry
    llm_breaker_failures: int = 3  # consecutive failed calls that open the circuit
    llm_breaker_reset_s: float = 30.0  # open circuit: seconds on the embedded path before one trial call
    # one time budget per turn shared by all its LLM calls (agent/llm/budget.py): what is not done
    # in time takes the embedded path; 0: no budget (each call has llm_timeout_s × (1 + retries))
    llm_turn_budget_s: float = 2.0

    # Models learned from conversations (`scenerec train`): "auto" uses data_dir/models/redial when
    # it is there, else the bundle packaged for the default catalogue; "off": hand-set weights only;
    # anything else is a bundle folder.
    learned_models: str = "auto"
    # the default catalogue's film vectors carry what the learned bundle's film knowledge says of each
    # film (plots, keywords, people of a richer catalogue, as vectors: retrieval.film_knowledge);
    # False: each film's own thin text only. Changing it rebuilds the catalogue's vectors on next start.
    film_knowledge: bool = True

    ui_language: Literal["en", "zh"] = "en"  # the Gradio UI's own words (replies follow the person)
    top_k: int = 5
    candidate_pool: int = 150
    max_message_chars: int = 2000
    weights: RankingWeights = Field(default_factory=RankingWeights)
    profile: ProfileSettings = Field(default_factory=ProfileSettings)

    # HTTP API (`scenerec serve`). Keys are required unless api_open is set (local development only).
    api_open: bool = False
    api_max_body_bytes: int = 32 * 1024
    api_body_timeout_s: float = 10.0  # a request body not fully received by then: 408
    # proxies whose X-Forwarded-For is believed (comma-separated addresses); none by default
    api_trusted_proxies: str = ""
    api_turns_per_minute_per_key: int = 600
    api_turns_per_minute_per_ip: int = 120
    api_sessions_per_hour_per_key: int = 1000
    api_sessions_per_hour_per_ip: int = 200  # across keys: a browser key is public, its visitors are not
    api_turn_threads: int = 4  # without worker processes, turns run in a thread pool of this size
    # turns run in this many worker processes (each its own agent; the GIL lets threads use one core);
    # None: one per core, at most 4, none on a single core; 0: threads in the web process only
    api_turn_processes: int | None = None

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "scenerec.sqlite3"

    @property
    def api_db_path(self) -> Path:
        """API keys and session ownership."""
        return self.data_dir / "api.sqlite3"

    @property
    def models_path(self) -> Path:
        """Where `scenerec train` writes its learned models (they map onto any catalogue by film name)."""
        return self.data_dir / "models" / "redial"

    @property
    def state_path(self) -> Path:
        """Sessions and profiles (per-person data, kept apart from the catalogue)."""
        return self.data_dir / "state.sqlite3"


def load_settings(**overrides) -> Settings:
    """Read settings from the environment; keyword overrides win."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
