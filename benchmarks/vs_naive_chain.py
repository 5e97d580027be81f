"""SceneRec's full turn against a naive LangChain RAG chain doing the same job, in one run.

Usage: python -m benchmarks.vs_naive_chain [--turns 300] [--data-dir DIR] [--warm]

The naive chain embeds the message with the same MiniLM model, calls langchain_chroma's
``Chroma.similarity_search`` (k=5) on the same collection and formats a numbered list; no
dialogue state, filters, ranking or explanations. Messages are interleaved (one SceneRec turn,
one chain call) so both see the same machine load. By default neither may use an embedding
cache (each pays one MiniLM call per message); ``--warm`` lets both use SceneRec's query cache.
Writes benchmarks/out/vs_naive_chain.json and .png with the ratio of the two.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import plot, summary, write_report
from benchmarks.turn_latency import DIALOGUES


def naive_chain(vectors, warm: bool):
    """``message -> formatted top-5`` with LangChain's Chroma wrapper over our collection."""
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    embedder = vectors.embedder

    class MiniLM(Embeddings):
        def embed_documents(self, texts):
            return embedder.encode(list(texts)).tolist()

        def embed_query(self, text):
            return (embedder.encode_query(text) if warm else embedder.encode([text])[0]).tolist()

    store = Chroma(client=vectors.client, collection_name=vectors.name, embedding_function=MiniLM())

    def answer(message: str) -> str:
        docs = store.similarity_search(message, k=5)
        return "\n".join(f"{i}. {d.page_content}" for i, d in enumerate(docs, 1))

    return answer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--warm", action="store_true")
    args = ap.parse_args()

    from agent.settings import load_settings
    from agent.wiring import build_agent

    agent = build_agent(load_settings(data_dir=args.data_dir))
    chain = naive_chain(agent.engine.vectors, args.warm)
    clear = agent.engine.vectors.embedder.clear_cache
    print(chain("something light and funny for the kids")[:200])
    scenerec, naive = [], []
    while len(scenerec) < args.turns:
        for dialogue in DIALOGUES:
            sid = None
            for msg in dialogue:
                if not args.warm:
                    clear()
                t = time.perf_counter()
                sid = agent.turn(msg, session_id=sid).session_id
                scenerec.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                chain(msg)
                naive.append((time.perf_counter() - t) * 1000)
    s, n = summary(scenerec), summary(naive)
    ratio = {q: round(s[q] / n[q], 2) for q in ("p50", "p95", "mean")}
    report = {"catalogue_items": len(agent.engine), "embedding_cache": "warm" if args.warm else "cold",
              "scenerec_turn_ms": s, "naive_chain_ms": n, "ratio_scenerec_over_naive": ratio}
    print(f"SceneRec turn  p50 {s['p50']} ms  p95 {s['p95']} ms  mean {s['mean']} ms")
    print(f"naive chain    p50 {n['p50']} ms  p95 {n['p95']} ms  mean {n['mean']} ms")
    print(f"ratio          p50 {ratio['p50']}x  p95 {ratio['p95']}x  mean {ratio['mean']}x  (target <= 2x)")
    name = "vs_naive_chain" + ("_warm" if args.warm else "")
    write_report(name, report)

    def draw(ax):
        qs = ("p50", "p95", "p99")
        ax.bar([i - 0.2 for i in range(3)], [s[q] for q in qs], width=0.4, label="SceneRec full turn")
        ax.bar([i + 0.2 for i in range(3)], [n[q] for q in qs], width=0.4, label="naive LangChain RAG chain")
        ax.set_xticks(range(3), qs)
        ax.set_ylabel("ms")
        ax.set_title(f"SceneRec vs naive chain ({report['embedding_cache']} embedding cache): "
                     f"p50 ratio {ratio['p50']}x")
        ax.legend()

    plot(name, draw)


if __name__ == "__main__":
    main()
