"""Benchmark the embedded understander: per-slot precision / recall / F1 on the annotated gold
set, title resolution accuracy, latency; and title resolution on ReDial dev utterances.

Usage:
    python benchmarks/understanding.py [--data-dir DIR] [--gold benchmarks/understanding_gold.yaml]
                                       [--redial ../shared/data/redial/dev_data.jsonl] [--json OUT]

The gold set was written by hand, independently of the lexicons (see its header). ReDial:
each user or recommender message that mentions movies, with every ``@id`` replaced by its name
from ``movieMentions`` ("Super Troopers (2001)" -> "Super Troopers"); a mention counts as
resolved when the understander returns the catalogue item linked to that ReDial movie (by
normalised title + year). Mentions of movies missing from the catalogue are reported apart.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHOWN = ["1", "2571", "356", "318", "296"]  # a list "shown" before turns that refer to one


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "support": tp + fn}


def scene_pairs(scene: dict) -> set[tuple[str, str]]:
    pairs = set()
    for k, v in (scene or {}).items():
        if k == "companions_cleared" or k == "not_moods" or v in (None, [], False):
            continue
        for x in (v if isinstance(v, list) else [v]):
            pairs.add((k, str(x)))
    return pairs


def constraint_pairs(c: dict) -> set[tuple[str, str]]:
    return {(k, str(float(v)) if k == "min_rating" else str(v)) for k, v in (c or {}).items() if v is not None}


def title_ids(titles: list[str], engine) -> list[str | None]:
    from retrieval.titles import split_year

    out = []
    for t in titles:
        name, year = split_year(t)
        hits = [m for m in engine.resolver.exact(name, year) if year is None or m.year == year]
        out.append(hits[0].item_id if hits else None)
    return out


def evaluate_gold(nlu, engine, gold: list[dict]) -> dict:
    from agent.understanding.embedded import TurnContext

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    intent_ok = 0
    title_total = title_ok = title_missing = 0
    latencies, errors = [], []
    for ex in gold:
        ctx = TurnContext(last_shown=SHOWN if ex.get("shown") else [], max_year=engine.max_year)
        t = time.perf_counter()
        u = nlu.understand(ex["text"], ctx)
        latencies.append((time.perf_counter() - t) * 1000)
        if u.intent == ex.get("intent", "recommend"):
            intent_ok += 1
        else:
            errors.append(f"intent {u.intent} != {ex.get('intent')}: {ex['text']}")
        slots = {
            "scene": (scene_pairs(u.scene.model_dump()), scene_pairs(ex.get("scene"))),
            "liked_genres": (set(u.liked_genres), set(ex.get("liked_genres") or [])),
            "disliked_genres": (set(u.disliked_genres), set(ex.get("disliked_genres") or [])),
            "constraints": (constraint_pairs(u.constraints.model_dump()), constraint_pairs(ex.get("constraints"))),
        }
        for name, (pred, gold_set) in slots.items():
            c = counts[name]
            c[0] += len(pred & gold_set)
            c[1] += len(pred - gold_set)
            c[2] += len(gold_set - pred)
            if pred != gold_set:
                errors.append(f"{name} {sorted(pred)} != {sorted(gold_set)}: {ex['text']}")
        ids = title_ids(ex.get("titles") or [], engine)
        found = {m.item_id for m in u.mentions}
        for gid, t in zip(ids, ex.get("titles") or []):
            if gid is None:
                title_missing += 1
                continue
            title_total += 1
            title_ok += gid in found
            if gid not in found:
                errors.append(f"title {t} not resolved: {ex['text']}")
    return {
        "utterances": len(gold),
        "intent_accuracy": round(intent_ok / len(gold), 3),
        "slots": {k: prf(*v) for k, v in counts.items()},
        "title_accuracy": round(title_ok / title_total, 3) if title_total else None,
        "titles": title_total, "titles_not_in_catalogue": title_missing,
        "latency_ms": {"p50": round(statistics.median(latencies), 2),
                       "p95": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 2)},
        "errors": errors,
    }


def evaluate_redial(nlu, engine, path: Path, limit: int | None = None) -> dict:
    from agent.understanding.embedded import TurnContext
    from retrieval.titles import split_year

    total = ok = unlinked = messages = 0
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit and n >= limit:
                break
            d = json.loads(line)
            names = d.get("movieMentions") or {}
            for msg in d["messages"]:
                ids = re.findall(r"@(\d+)", msg["text"])
                if not ids:
                    continue
                messages += 1
                text = re.sub(r"@(\d+)", lambda m: split_year(names.get(m.group(1)) or "that movie")[0], msg["text"])
                found = {m.item_id for m in nlu.understand(text, TurnContext(max_year=engine.max_year)).mentions}
                for rid in dict.fromkeys(ids):
                    name, year = split_year(names.get(rid) or "")
                    link = [m.item_id for m in engine.resolver.exact(name, year) if year is None or abs((m.year or 0) - year) <= 1]
                    if not link:
                        unlinked += 1
                        continue
                    total += 1
                    ok += link[0] in found
    return {"messages": messages, "mentions_linked": total, "mentions_not_in_catalogue": unlinked,
            "title_accuracy": round(ok / total, 3) if total else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--gold", type=Path, default=ROOT / "benchmarks" / "understanding_gold.yaml")
    ap.add_argument("--redial", type=Path, default=ROOT.parent / "shared" / "data" / "redial" / "dev_data.jsonl")
    ap.add_argument("--redial-limit", type=int, default=None)
    ap.add_argument("--show-errors", type=int, default=15)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from agent.settings import load_settings
    from agent.wiring import build_understander, ensure_catalogue, open_stores
    from retrieval.engine import CatalogueEngine

    settings = load_settings(data_dir=args.data_dir)
    stores = open_stores(settings)
    ensure_catalogue(settings, stores)
    engine = CatalogueEngine(stores.catalogue, stores.vectors, settings.catalogue)
    nlu = build_understander(engine, stores.embedder)  # the product's embedded understander

    gold = yaml.safe_load(args.gold.read_text(encoding="utf-8"))
    report = {"gold": evaluate_gold(nlu, engine, gold)}
    g = report["gold"]
    print(f"gold set: {g['utterances']} utterances   intent accuracy {g['intent_accuracy']:.3f}")
    print(f"{'slot':18s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}")
    for name, s in g["slots"].items():
        print(f"{name:18s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['support']:5d}")
    print(f"title resolution accuracy {g['title_accuracy']} over {g['titles']} titles "
          f"({g['titles_not_in_catalogue']} gold titles not in the catalogue)")
    print(f"latency per utterance: p50 {g['latency_ms']['p50']} ms, p95 {g['latency_ms']['p95']} ms")
    for e in g["errors"][: args.show_errors]:
        print("  ✗", e)
    if args.redial and args.redial.exists():
        r = evaluate_redial(nlu, engine, args.redial, args.redial_limit)
        report["redial"] = r
        print(f"ReDial dev: {r['messages']} messages with mentions; title resolution accuracy "
              f"{r['title_accuracy']} over {r['mentions_linked']} mentions linked to the catalogue "
              f"({r['mentions_not_in_catalogue']} mentions of movies not in it)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
