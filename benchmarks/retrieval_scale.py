"""Retrieval latency vs catalogue size (10k, 100k, 1M synthetic items), embedded vs Chroma server.

Usage: python -m benchmarks.retrieval_scale [--sizes 10000 100000 1000000] [--reps 60]
       (build the catalogues first: python -m benchmarks.scale_ingest --items N)

For each size and mode it measures, with real MiniLM query vectors and the filters real
dialogues produce:
- ``ann``: one unfiltered nearest-neighbour query (k=150), the floor;
- ``candidates``: SceneRec's whole candidate retrieval (in-memory filter mask, search plan,
  ANN, post-filter, popular pools, embeddings and items of ~190 candidates);
- ``chroma_where``: the same filters pushed into Chroma's ``where`` (the naive way), few reps.
Each (size, mode) runs in its own process so memory figures are separate; in server mode the
Chroma server's RSS is reported too. The vectors are *synthetic* (see retrieval/synthetic.py).
Writes benchmarks/out/retrieval_scale.json and .png.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


from benchmarks.common import OUT, plot, rss_mb, summary, write_report

QUERIES = ["something light and funny for the kids", "a tense thriller from the 90s", "romantic date night movie",
           "aliens and spaceships science fiction", "dark crime drama about the mob", "a scary haunted house"]


def dialogue_filters():
    from retrieval.vector_store import Filters, mpaa_up_to

    family = ["Horror", "Thriller", "Crime", "War", "Film-Noir"]
    return {
        "none": Filters(),
        "kids": Filters(mpaa_allowed=mpaa_up_to("PG"), exclude_genres=family, max_runtime=90),
        "90s": Filters(year_min=1990, year_max=1999),
        "date_night": Filters(max_runtime=120, exclude_genres=["Musical"]),
        "recent_good": Filters(year_min=2000, min_rating=7.0),
        "rare": Filters(any_genres=["Film-Noir"], year_max=1960),
    }


def timed(fn, reps: int) -> list[float]:
    out = []
    for i in range(reps):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(size: int, mode: str, scale_dir: Path, reps: int, where_reps: int) -> dict:
    """One (size, mode) run, in this process."""
    from benchmarks.scale_ingest import scale_dir as data_of
    from benchmarks.scale_ingest import synthetic_embedder
    from retrieval.catalogue import CatalogueStore
    from retrieval.embeddings import Embedder
    from retrieval.engine import CandidateQuery, CatalogueEngine
    from retrieval.vector_store import VectorStore, make_client

    queries = Embedder().encode(QUERIES)
    data = data_of(scale_dir, size)
    server = None
    if mode == "server":
        from tests.servers import ServerProcess, free_port

        port = free_port()
        chroma = str(Path(sys.executable).parent / "chroma")
        server = ServerProcess([chroma, "run", "--path", str(data / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                               f"http://127.0.0.1:{port}/api/v2/heartbeat", scale_dir / f"chroma-{size}.log").start()
        client = make_client(url=f"http://127.0.0.1:{port}")
    else:
        client = make_client(data / "chroma")
    try:
        t = time.perf_counter()
        vectors = VectorStore(client, synthetic_embedder(scale_dir), f"syn{size}")
        engine = CatalogueEngine(CatalogueStore(data / "scenerec.sqlite3"), vectors, f"syn{size}")
        vectors.query(queries[0], 10)  # loads the index
        open_s = time.perf_counter() - t
        filters = dialogue_filters()
        shown = set(engine.columns.ids[:: max(1, size // 20)].tolist())
        result = {"size": size, "mode": mode, "open_s": round(open_s, 1), "items_in_memory": engine.items is not None,
                  "ann_ms": summary(timed(lambda i: vectors.query(queries[i % len(queries)], 150), reps))}
        for name, f in filters.items():
            q = lambda i: CandidateQuery(queries[i % len(queries)], f, exclude=shown, prefer_genres=["Comedy"], n_semantic=150)  # noqa: E731
            result[f"candidates_{name}_ms"] = summary(timed(lambda i: engine.candidates(q(i)), reps))
            result[f"plan_{name}"] = engine.last_plan.mode
        result["candidates_all_filters_ms"] = summary(
            [x for name in filters for x in [result[f"candidates_{name}_ms"]["p50"]]])
        mixed = timed(lambda i: engine.candidates(CandidateQuery(
            queries[i % len(queries)], list(filters.values())[i % len(filters)], exclude=shown, n_semantic=150)), reps * 2)
        result["candidates_mixed_ms"] = summary(mixed)
        if where_reps:
            f = filters["kids"]
            result["chroma_where_kids_ms"] = summary(timed(lambda i: vectors.query(queries[i % len(queries)], 150, f), where_reps))
        result["client_rss"] = rss_mb()
        if server:
            result["server_rss"] = rss_mb(server.proc.pid)
        return result
    finally:
        if server:
            server.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--modes", nargs="+", default=["embedded", "server"])
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--where-reps", type=int, default=3)
    ap.add_argument("--scale-dir", type=Path, default=OUT / "scale")
    ap.add_argument("--one", nargs=2, metavar=("SIZE", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.one:  # child process: one measurement, printed as JSON
        size, mode = int(args.one[0]), args.one[1]
        where_reps = args.where_reps if size <= 100_000 else min(1, args.where_reps)
        print("RESULT " + json.dumps(measure(size, mode, args.scale_dir, args.reps, where_reps)))
        return
    previous = OUT / "retrieval_scale.json"  # runs add to it: a (size, mode) measured again replaces the old one
    results = json.loads(previous.read_text())["results"] if previous.exists() else []
    for size in args.sizes:
        for mode in args.modes:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.retrieval_scale", "--one", str(size), mode,
                                   "--reps", str(args.reps), "--where-reps", str(args.where_reps),
                                   "--scale-dir", str(args.scale_dir)], capture_output=True, text=True)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if not line:
                print(f"{size} {mode}: failed\n{proc.stderr[-2000:]}")
                continue
            r = json.loads(line[7:])
            results = [x for x in results if (x["size"], x["mode"]) != (size, mode)] + [r]
            where = r.get("chroma_where_kids_ms", {}).get("p50")
            print(f"{size:>9,} {mode:8s} ann p95 {r['ann_ms']['p95']:7.1f} ms | candidates (mixed filters) "
                  f"p50 {r['candidates_mixed_ms']['p50']:7.1f} p95 {r['candidates_mixed_ms']['p95']:7.1f} "
                  f"p99 {r['candidates_mixed_ms']['p99']:7.1f} ms | chroma where p50 {where} ms | "
                  f"client RSS {r['client_rss']['rss_mb']} MB" + (f", server RSS {r['server_rss']['rss_mb']} MB"
                                                                 if "server_rss" in r else ""), flush=True)
    write_report("retrieval_scale", {"vectors": "synthetic (mean of MiniLM word vectors); queries: real MiniLM",
                                     "results": results})

    def draw(ax):
        for mode, style in (("embedded", "-o"), ("server", "--s")):
            rs = sorted((r for r in results if r["mode"] == mode), key=lambda r: r["size"])
            if rs:
                ax.plot([r["size"] for r in rs], [r["candidates_mixed_ms"]["p95"] for r in rs], style,
                        label=f"SceneRec candidates p95, {mode}")
                ax.plot([r["size"] for r in rs], [r["ann_ms"]["p95"] for r in rs], style, alpha=0.5,
                        label=f"plain ANN k=150 p95, {mode}")
            ws = [r for r in rs if "chroma_where_kids_ms" in r]
            if ws:
                ax.plot([r["size"] for r in ws], [r["chroma_where_kids_ms"]["p50"] for r in ws], ":x",
                        label=f"Chroma where (kids filters) p50, {mode}")
        ax.axhline(50, color="red", linestyle="--", label="target p95 50 ms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("catalogue items (synthetic vectors)")
        ax.set_ylabel("ms")
        ax.set_title("Retrieval latency vs catalogue size")
        ax.legend(fontsize=7)

    plot("retrieval_scale", draw)


if __name__ == "__main__":
    main()
