"""How well the understander reads what seekers felt about the films they named, against their own
labels (ReDial ``initiatorQuestions.liked``), with the rules alone and with the learned sentiment
model backing them.

Usage:
    python benchmarks/mention_sentiment.py [--data-dir DIR] [--dialogues ../shared/data/redial/dev_data.jsonl]
                                           [--models DIR] [--limit N]

Each seeker message naming a labelled film (liked 0 or 1) is read on its own, with every ``@id``
replaced by the film's title; a mention counts when the understander resolves it to the catalogue
item linked to that film (normalised title + year). Prints, per reader: share of labelled dislikes
read as disliked and as liked, and share of labelled likes read as liked and as disliked.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def labelled_mentions(path: Path, limit: int | None = None):
    """``(text with titles, ReDial id, name, liked)`` for each labelled film in a seeker message."""
    from retrieval.titles import split_year

    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit and n >= limit:
                break
            d = json.loads(line)
            names = d.get("movieMentions") or {}
            labels = d.get("initiatorQuestions") or {}
            for msg in d["messages"]:
                if msg["senderWorkerId"] != d["initiatorWorkerId"]:
                    continue
                text = re.sub(r"@(\d+)", lambda m: split_year(names.get(m.group(1)) or "that movie")[0], msg["text"])
                for rid in dict.fromkeys(re.findall(r"@(\d+)", msg["text"])):
                    liked = (labels.get(rid) or {}).get("liked") if isinstance(labels, dict) else None
                    if liked in (0, 1) and names.get(rid):
                        yield text, rid, names[rid], liked


def score(nlu, engine, rows) -> dict:
    from agent.understanding.embedded import TurnContext
    from retrieval.titles import split_year

    counts: Counter = Counter()
    for text, _rid, name, liked in rows:
        title, year = split_year(name)
        link = [m.item_id for m in engine.resolver.exact(title, year) if year is None or abs((m.year or 0) - year) <= 1]
        if not link:
            continue
        read = {m.item_id: m.polarity for m in nlu.understand(text, TurnContext(max_year=engine.max_year)).mentions}
        if link[0] in read:
            counts[(liked, read[link[0]])] += 1
    dislikes = sum(v for (y, _), v in counts.items() if y == 0) or 1
    likes = sum(v for (y, _), v in counts.items() if y == 1) or 1
    return {"labelled_dislikes": dislikes, "labelled_likes": likes,
            "dislikes_read_as_disliked": round(counts[(0, "disliked")] / dislikes, 3),
            "dislikes_read_as_liked": round(counts[(0, "liked")] / dislikes, 3),
            "likes_read_as_liked": round(counts[(1, "liked")] / likes, 3),
            "likes_read_as_disliked": round(counts[(1, "disliked")] / likes, 3)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--dialogues", type=Path, default=ROOT.parent / "shared" / "data" / "redial" / "dev_data.jsonl")
    ap.add_argument("--models", type=str, default="auto", help="model bundle (default: what the agent loads)")
    ap.add_argument("--limit", type=int, default=None, help="read only the first N dialogues")
    args = ap.parse_args(argv)

    from agent.settings import load_settings
    from agent.understanding.sentiment import MentionSentiment, SentimentBacked
    from agent.wiring import build_understander, ensure_catalogue, load_learned, open_stores
    from retrieval.engine import CatalogueEngine

    settings = load_settings(data_dir=args.data_dir, learned_models=args.models)
    stores = open_stores(settings)
    ensure_catalogue(settings, stores)
    engine = CatalogueEngine(stores.catalogue, stores.vectors, settings.catalogue)
    rules = build_understander(engine, stores.embedder)
    learned, mode = load_learned(settings, engine, stores.embedder)
    rows = list(labelled_mentions(args.dialogues, args.limit))
    report = {"rules": score(rules, engine, rows)}
    if learned is not None and learned.bundle.sentiment:
        backed = SentimentBacked(rules, MentionSentiment.from_json(learned.bundle.sentiment))
        report["rules + learned"] = score(backed, engine, rows)
    print(f"{args.dialogues.name}: {len(rows)} labelled mentions in seeker messages ({mode})")
    for name, r in report.items():
        print(f"{name:16s} dislikes: {r['dislikes_read_as_disliked']:.3f} read as disliked, "
              f"{r['dislikes_read_as_liked']:.3f} as liked (n={r['labelled_dislikes']});  likes: "
              f"{r['likes_read_as_liked']:.3f} read as liked, {r['likes_read_as_disliked']:.3f} as disliked "
              f"(n={r['labelled_likes']})")
    return report


if __name__ == "__main__":
    main()
