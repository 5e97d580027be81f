"""Benchmark the understander on Chinese: the gold set's intent, per-slot P/R/F1 (scene, genres,
constraints — scored as benchmarks/understanding.py scores English — plus critique, shown-list
reference, question kind and people), title resolution (all gold titles, and those in the alias
table), and latency per utterance.

Usage:
    python benchmarks/understanding_zh.py [--data-dir DIR] [--gold benchmarks/understanding_gold_zh.yaml ...]
                                          [--show-errors 30] [--json OUT]

The gold set (format: one YAML list per file) was written by a separate session without reading
the code. Our question kinds are fewer than the gold's: people / why / plot questions are
"general" here, "kids" (is it suitable for children) is "scary".
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from understanding import SHOWN, evaluate_gold, prf, title_ids  # noqa: E402

QUESTION = {"kids": "scary", "plot": "genre", "people": "general", "why": "general"}


def load_gold(patterns: list[str]) -> list[dict]:
    gold: list[dict] = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)) or [pattern]:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
            gold += [ex for ex in data if isinstance(ex, dict) and ex.get("text")]
    return gold


def evaluate_extra(nlu, engine, gold: list[dict], aliased: set[str]) -> dict:
    """Slots the English benchmark leaves out, and title resolution over the alias table."""
    from agent.understanding.bilingual import SessionContext

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    errors: list[str] = []
    in_table = in_table_ok = spurious = mentions = 0
    for ex in gold:
        ctx = SessionContext(last_shown=SHOWN if ex.get("shown") else [], max_year=engine.max_year, language="zh")
        u = nlu.understand(ex["text"], ctx)
        pred = {
            "critique": {c.kind for c in u.critiques},
            "ref": {r + 1 if r >= 0 else len(SHOWN) + r + 1 for r in u.references},
            "question": {u.question} if u.intent == "ask_item" and u.question else set(),
            "people": set(u.liked_people),
        }
        want = {
            "critique": {ex["critique"]} if ex.get("critique") else set(),
            "ref": {int(ex["ref"])} if ex.get("ref") else set(),
            "question": {QUESTION.get(ex["question"], ex["question"])} if ex.get("question") else set(),
            "people": set(ex.get("people") or []),
        }
        if ex.get("people") and engine.people is not None:
            want["people"] = {engine.people.lookup(p) or p for p in ex["people"]}
        for name in pred:
            c = counts[name]
            c[0] += len(pred[name] & want[name])
            c[1] += len(pred[name] - want[name])
            c[2] += len(want[name] - pred[name])
            if pred[name] != want[name]:
                errors.append(f"{name} {sorted(pred[name])} != {sorted(want[name])}: {ex['text']}")
        found = {m.item_id for m in u.mentions}
        gold_ids = set(title_ids(ex.get("titles") or [], engine))
        for extra in found - gold_ids:  # a title read where the person named none (or another)
            spurious += 1
            errors.append(f"title {extra} read but not named: {ex['text']}")
        mentions += len(found)
        for gid in title_ids(ex.get("titles") or [], engine):
            if gid in aliased:
                in_table += 1
                in_table_ok += gid in found
    return {"slots": {k: prf(*v) for k, v in counts.items()},
            "title_accuracy_alias_table": round(in_table_ok / in_table, 3) if in_table else None,
            "titles_in_alias_table": in_table,
            "title_precision": round(1 - spurious / mentions, 3) if mentions else None, "errors": errors}


def engine_and_understander(data_dir: Path | None):
    """The default catalogue's engine and the product's understander (English and Chinese)."""
    from agent.settings import load_settings
    from agent.wiring import build_understander, ensure_catalogue, open_stores
    from retrieval.engine import CatalogueEngine

    settings = load_settings(data_dir=data_dir)
    stores = open_stores(settings)
    ensure_catalogue(settings, stores)
    engine = CatalogueEngine(stores.catalogue, stores.vectors, settings.catalogue)
    return engine, build_understander(engine, stores.embedder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--gold", nargs="+", default=[str(ROOT / "benchmarks" / "understanding_gold_zh.yaml")])
    ap.add_argument("--show-errors", type=int, default=20)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from agent.understanding.zh_titles import ChineseTitles

    engine, nlu = engine_and_understander(args.data_dir)
    gold = load_gold(args.gold)
    if not gold:
        sys.exit(f"no gold utterances in {args.gold}")
    report = {"gold": evaluate_gold(nlu, engine, gold),
              "extra": evaluate_extra(nlu, engine, gold, {r.item_id for r in ChineseTitles.load().rows})}
    g, x = report["gold"], report["extra"]
    print(f"Chinese gold: {g['utterances']} utterances   intent accuracy {g['intent_accuracy']:.3f}")
    print(f"{'slot':18s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}")
    for name, s in {**g["slots"], **x["slots"]}.items():
        print(f"{name:18s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['support']:5d}")
    print(f"title resolution {g['title_accuracy']} over {g['titles']} gold titles "
          f"({g['titles_not_in_catalogue']} not in the catalogue); over titles in the alias table: "
          f"{x['title_accuracy_alias_table']} ({x['titles_in_alias_table']}); titles read that were named: "
          f"{x['title_precision']}")
    print(f"latency per utterance: p50 {g['latency_ms']['p50']} ms, p95 {g['latency_ms']['p95']} ms")
    for e in (g["errors"] + x["errors"])[: args.show_errors]:
        print("  ✗", e)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
