"""The embedding model exported once to ONNX gives sentence-transformers' vectors, and a later
process embeds with it without importing torch or sentence-transformers (a fast start)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from tests.helpers import ROOT, offline_env

TEXTS = ["something light and funny for the kids", "a thriller from the 90s, under 2 hours",
         "Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy.", "é ü — 映画", ""]


def test_the_onnx_export_matches_sentence_transformers(embedder, tmp_path):
    from retrieval.embeddings import Embedder

    exporting = Embedder(cache_dir=tmp_path)
    first = exporting.encode(TEXTS)  # loads torch once and exports for the next processes
    assert exporting.backend == "onnx" and list(tmp_path.glob("minilm-*.onnx"))
    reference = embedder.encode(TEXTS)
    assert first.shape == reference.shape == (len(TEXTS), 384)
    assert np.abs(first - reference).max() < 1e-4
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)

    again = Embedder(cache_dir=tmp_path)
    assert np.abs(again.encode(TEXTS) - reference).max() < 1e-4 and again.backend == "onnx"
    assert np.abs(again.encode_query(TEXTS[0]) - reference[0]).max() < 1e-4  # the one-query session too
    # batched by length, returned in the given order: many batches of mixed lengths
    small_batches = Embedder(cache_dir=tmp_path, batch_size=3)
    mixed = [t for k in range(7) for t in (TEXTS if k % 2 else TEXTS[::-1])]
    expected = np.concatenate([reference if k % 2 else reference[::-1] for k in range(7)])
    assert np.abs(small_batches.encode(mixed) - expected).max() < 1e-4
    again.limit_threads(2)
    assert np.abs(again.encode(TEXTS[:1]) - reference[:1]).max() < 1e-4

    code = ("import sys; from pathlib import Path; from retrieval.embeddings import Embedder; "
            f"v = Embedder(cache_dir=Path({str(tmp_path)!r})).encode(['hello']); "
            "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=offline_env(tmp_path), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["(1,", "384)", "False", "False"]
    assert "Loading weights" not in proc.stderr


def test_no_cache_dir_means_sentence_transformers_as_before(embedder):
    assert embedder.cache_dir is None
    embedder.encode(["hello"])
    assert embedder.backend == "torch"
