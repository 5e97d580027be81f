"""A file cache of query embeddings, so a second evaluation run embeds only new texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from retrieval.embeddings import Embedder


def cache_path(folder: Path, embedder: Embedder) -> Path:
    model = str(embedder.model_path or "packaged-minilm")
    return folder / f"query-vectors-{hashlib.sha1(model.encode()).hexdigest()[:10]}.npz"


def load_into(embedder: Embedder, path: Path) -> int:
    """Fill the embedder's query cache from ``path``; returns how many vectors were loaded."""
    if not path.exists():
        return 0
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, vectors = list(data["texts"]), data["vectors"]
    except (OSError, ValueError, KeyError):
        return 0  # a broken cache is only a slower run
    embedder.cache_size = max(embedder.cache_size, len(texts) + 4096)
    embedder.remember(dict(zip(map(str, texts), vectors)))
    return len(texts)


def save_from(embedder: Embedder, path: Path) -> None:
    cached = embedder.cached()
    if not cached:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, texts=np.asarray(list(cached)), vectors=np.stack(list(cached.values())))
    tmp.replace(path)
