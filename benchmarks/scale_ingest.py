"""Ingest a synthetic catalogue of N items (streamed, batched, resumable) and report throughput.

Usage: python -m benchmarks.scale_ingest --items 100000 [--real-embeddings] [--out benchmarks/out/scale]

Vectors come from the *synthetic* :class:`retrieval.synthetic.TermVectorEmbedder` (mean of real
MiniLM word vectors) unless ``--real-embeddings`` is given (MiniLM on every document: ~200 items/s
on 2 cores, so only for small N). Interrupt it and run it again: it resumes. Writes
``ingest-<N>.json`` with items/s and the peak RSS of the process (embedded Chroma included).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from retrieval.catalogue import CatalogueStore
from retrieval.embeddings import Embedder
from retrieval.ingest import ingest_stream
from retrieval.synthetic import GENRES, TermVectorEmbedder, synthetic_items
from retrieval.vector_store import VectorStore, make_client


def scale_dir(out: Path, n: int) -> Path:
    return out / f"data-{n}"


def synthetic_embedder(out: Path) -> TermVectorEmbedder:
    return TermVectorEmbedder.from_model(Embedder(), cache=out / "term_vectors.npz")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def printing_progress(label: str, total: int, done: int = 0):
    state = {"done": done, "t0": time.perf_counter(), "next": 0.0}

    def advance(n: int) -> None:
        state["done"] += n
        frac = state["done"] / max(1, total)
        if frac >= state["next"] or state["done"] == total:
            rate = state["done"] / max(1e-9, time.perf_counter() - state["t0"])
            print(f"  {label}: {state['done']:,}/{total:,} ({frac:.0%}), {rate:,.0f} items/s, "
                  f"peak RSS {peak_rss_mb():,.0f} MB", flush=True)
            state["next"] = frac + 0.05

    return advance


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, required=True)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/scale"))
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--real-embeddings", action="store_true")
    ap.add_argument("--force", action="store_true", help="start over instead of resuming")
    args = ap.parse_args()

    n = args.items
    data = scale_dir(args.out, n)
    embedder = Embedder() if args.real_embeddings else synthetic_embedder(args.out)
    catalogue = f"syn{n}"
    store = CatalogueStore(data / "scenerec.sqlite3")
    vectors = VectorStore(make_client(data / "chroma"), embedder, catalogue)
    t = time.perf_counter()
    report = ingest_stream(store, vectors, catalogue, synthetic_items(n), n, GENRES, source=f"synthetic:{n}:0",
                           batch_size=args.batch, force=args.force, progress=printing_progress)
    seconds = time.perf_counter() - t
    result = {
        "items": n, "embedded_now": report.embedded, "already_complete": report.already_complete,
        "seconds": round(seconds, 1), "items_per_s": round(report.embedded / seconds, 1) if report.embedded else None,
        "peak_rss_mb": round(peak_rss_mb()), "batch": args.batch,
        "vectors": "MiniLM (real)" if args.real_embeddings else "synthetic (mean of MiniLM word vectors)",
        "disk_mb": round(sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 2**20),
    }
    print(json.dumps(result, indent=2))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"ingest-{n}{'-real' if args.real_embeddings else ''}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
