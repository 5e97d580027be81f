"""Topical requests on the default catalogue, with and without the film knowledge in its vectors.

Each topic of ``described_requests.yaml`` is asked as a fresh conversation ("I'd like a movie about
christmas"); a film of the list answers it when MovieLens 25M's keywords for it
(``../shared/data/movielens/ml-25m-movies/movies_w_keywords.csv``, joined by MovieLens id) hold one
of the topic's keywords. Printed: precision@k (answers among the first k, averaged over topics) and
the topics with at least one answer, for the catalogue as given (its vectors carrying the learned
bundle's film knowledge, :mod:`retrieval.film_knowledge`) and for a copy rebuilt without it
(``SCENEREC_FILM_KNOWLEDGE=off``; the same ranker and weights). The knowledge's vectors were
embedded from text that includes these keywords (with plots and Wikipedia leads): the figure says
how much of what is known of a film now reaches a request, not an independent judgement.

Usage::

    python -m benchmarks.described_requests --data-dir DATA [--topics 40] [--k 5]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project's packages

from benchmarks.common import write_report  # noqa: E402

TOPICS = Path(__file__).with_name("described_requests.yaml")
KEYWORDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "movielens" / "ml-25m-movies" / "movies_w_keywords.csv"
REQUEST = "I'd like a movie about {topic}"


def read_keywords(path: Path) -> dict[str, set[str]]:
    """MovieLens id -> its keywords, lower-cased."""
    with path.open(encoding="utf-8", newline="") as f:
        return {r["movieId"]: {k.strip().lower() for k in r["keyword"].split("|") if k.strip()}
                for r in csv.DictReader(f) if r.get("keyword")}


def score(data_dir: Path, topics: dict[str, list[str]], keywords: dict[str, set[str]], k: int,
          film_knowledge: bool) -> dict:
    from agent.settings import Settings
    from agent.wiring import build_agent

    agent = build_agent(Settings(data_dir=data_dir, film_knowledge=film_knowledge))
    rows = {}
    for topic, wanted in topics.items():
        items = agent.turn(REQUEST.format(topic=topic)).items[:k]
        answers = [it.title for it in items if keywords.get(it.id, set()) & set(wanted)]
        rows[topic] = {"answers": len(answers), "shown": [it.title for it in items]}
    precision = statistics.fmean(r["answers"] / k for r in rows.values())
    return {"precision_at_k": round(precision, 4), "topics_answered": sum(r["answers"] > 0 for r in rows.values()),
            "topics": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True, help="a data dir holding the default catalogue")
    ap.add_argument("--topics", type=int, default=None, help="only the first N topics")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--keywords", type=Path, default=KEYWORDS)
    args = ap.parse_args()
    if not args.keywords.is_file():
        sys.exit(f"no keywords file at {args.keywords}: this benchmark needs ../shared/data")
    topics = dict(list(yaml.safe_load(TOPICS.read_text(encoding="utf-8")).items())[: args.topics])
    keywords = read_keywords(args.keywords)
    with tempfile.TemporaryDirectory() as tmp:
        # rebuilt without the knowledge on a copy (the given one stays), copied before this process
        # opens the catalogue's SQLite files (tests/live_server.copy_data_dir says why)
        copy = Path(tmp) / "data"
        subprocess.run(["cp", "-a", str(args.data_dir), str(copy)], check=True)
        shutil.rmtree(copy / "cache", ignore_errors=True)
        without = score(copy, topics, keywords, args.k, False)
    with_knowledge = score(args.data_dir, topics, keywords, args.k, True)
    for name, result in (("without film knowledge", without), ("with film knowledge", with_knowledge)):
        print(f"{name:<24} precision@{args.k} {result['precision_at_k']:.3f}, "
              f"topics with an answer {result['topics_answered']}/{len(topics)}")
    for topic in topics:
        print(f"  {topic:<28} {without['topics'][topic]['answers']} -> {with_knowledge['topics'][topic]['answers']}"
              f"   {', '.join(with_knowledge['topics'][topic]['shown'][:3])}")
    write_report("described_requests", {"k": args.k, "request": REQUEST, "without": without, "with": with_knowledge})


if __name__ == "__main__":
    main()
