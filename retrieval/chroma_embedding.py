"""The Chroma embedding function backed by our offline :class:`~retrieval.embeddings.Embedder`.

Its own module so that importing the embedder does not import chromadb (~1 s): only the code
that opens a Chroma collection needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from retrieval.embeddings import Embedder


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
