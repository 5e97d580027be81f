"""Personalisation figures on the default catalogue's MovieLens ratings.

Usage (on a *copy* of a built data dir; nothing here writes to it except Chroma's own files)::

    python benchmarks/personalization.py accuracy [--users 671] [--data-dir DIR]
    python benchmarks/personalization.py tune     [--users 300]   # dev split only
    python benchmarks/personalization.py overlap  [--users 50]
    python benchmarks/personalization.py latency  [--turns 200]

* ``accuracy``: time-based split, the last 20% of each user's ratings held out. The profile, the
  collaborative model and the items' popularity/mean rating are rebuilt from the first 80% only.
  Recall@10 / NDCG@10 of the personalised ranker vs popularity vs the content-only
  (non-personalised) ranker, for an open request and for a genre request (the genre most
  frequent in the user's held-out ratings; relevant = held-out items of that genre).
  Also intra-list diversity, catalogue coverage and novelty of each method's lists.
* ``tune``: the same protocol one step earlier (train on the first 64%, score on the next 16%);
  coordinate search over the personal weights. The test split is never looked at.
* ``ease``: picks EASE's ridge strength for the item-item model on the dev split (train on the
  first 64%, score the next 16%): each user's training items seed the scores, recall@10 and
  NDCG@10 of the held-out items among unseen ones; cosine item-item (``l2=0``) for comparison.
* ``overlap``: the same messages from N MovieLens users; mean pairwise overlap of their lists.
* ``latency``: per-turn time the personal ranking adds (profile + personal features + rank).
"""

from __future__ import annotations

import argparse
import copy
import itertools
import math
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import percentile
from retrieval.columns import ItemColumns

PERSONAL = ("collaborative", "profile", "sequence")
OPEN_REQUEST = "recommend me something good to watch"
K = 10


# -- data -------------------------------------------------------------------------------------------
def time_split(interactions, holdout: float = 0.2):
    """(train rows, {user: held-out [(item, rating)]}): each user's last ``holdout`` share by time."""
    by_user = defaultdict(list)
    for n, (u, i, r, t) in enumerate(interactions):
        by_user[u].append((t or 0, n, i, r))
    train, test = [], {}
    for u, rows in by_user.items():
        rows.sort()
        cut = len(rows) - max(1, int(round(len(rows) * holdout)))
        train += [(u, i, r, t) for t, _, i, r in rows[:cut]]
        test[u] = [(i, r) for _, _, i, r in rows[cut:]]
    return train, test


def with_training_stats(engine, train):
    """A shallow engine copy whose items' popularity and mean rating come from ``train`` only."""
    counts, sums = Counter(), Counter()
    for _, i, r, _ in train:
        counts[i] += 1
        sums[i] += r or 0.0
    out = copy.copy(engine)
    out.items = {i: it.model_copy(update={"popularity": counts[i],
                                          "mean_rating": round(sums[i] / counts[i], 3) if counts[i] else None})
                 for i, it in engine.items.items()}
    out.by_popularity = sorted(out.items.values(), key=lambda it: -it.popularity)
    out.columns = ItemColumns.from_items(list(out.items.values()))  # candidate pools use train counts too
    return out


@dataclass
class Case:
    user: str
    regime: str  # "open" | "genre"
    relevant: set[str]
    personal_inputs: object
    content_inputs: object
    popular: list[str]


def build_cases(agent, train, test, users, mood_genres, profile_settings, tmp: Path):
    from agent.personal.personalizer import Personalizer
    from agent.planning import filters_for
    from agent.state import DialogueState
    from agent.understanding import lexicon
    from agent.understanding.embedded import TurnContext
    from retrieval.profiles import ProfileStore

    engine = with_training_stats(agent.engine, train)
    personalizer = Personalizer(engine, ProfileStore(tmp / "state.sqlite3"), profile_settings, mood_genres,
                                interactions=train)
    saved = agent.engine, agent.personalizer
    agent.engine, agent.personalizer = engine, personalizer
    seen = defaultdict(set)
    for u, i, _, _ in train:
        seen[u].add(i)
    cases = []
    try:
        for u in users:
            held = [i for i, _ in test[u]]
            genres = Counter(g for i in held if engine.get(i) for g in engine.get(i).genres)
            requests = [("open", OPEN_REQUEST, set(held))]
            if genres:
                g = genres.most_common(1)[0][0]
                phrase = lexicon.GENRE_PHRASES.get(g, [g.lower()])[0]
                requests.append(("genre", f"a {phrase} movie",
                                 {i for i in held if engine.get(i) and g in engine.get(i).genres}))
            for regime, message, relevant in requests:
                u_state = DialogueState().apply(agent.understander.understand(message, TurnContext()), engine.get)
                # the history is only excluded (as if shown), never evidence: seen items would seed
                # item-item candidates, and this baseline must stay non-personalised
                anon = u_state.model_copy(update={"shown_items": sorted(seen[u])})
                f = filters_for(anon)
                popular = [it.id for it in engine.by_popularity
                           if it.id not in seen[u] and f.accepts(it)
                           and (regime == "open" or set(u_state.liked_genres) & set(it.genres))][:K]
                cases.append(Case(u, regime, relevant, agent.ranking_inputs(u_state, u),
                                  agent.ranking_inputs(anon, None), popular))
    finally:
        agent.engine, agent.personalizer = saved
    return cases


# -- metrics ----------------------------------------------------------------------------------------
def recall_ndcg(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    hits = [1.0 if i in relevant else 0.0 for i in ranked[:K]]
    dcg = sum(h / math.log2(n + 2) for n, h in enumerate(hits))
    idcg = sum(1 / math.log2(n + 2) for n in range(min(K, len(relevant))))
    return sum(hits) / len(relevant), dcg / idcg


def ranked_lists(cases, weights: dict[str, float], regime: str | None = None) -> list[tuple[object, dict]]:
    """(case, {method: top-K ids}) for every case with something relevant."""
    from retrieval.ranking import rank

    content_weights = {**weights, **{p: 0.0 for p in PERSONAL}}
    out = []
    for c in cases:
        if (regime and c.regime != regime) or not c.relevant:
            continue
        out.append((c, {
            "personalized": [r.item.id for r in rank(c.personal_inputs.candidates, c.personal_inputs.request, weights, K)],
            "content-only": [r.item.id for r in rank(c.content_inputs.candidates, c.content_inputs.request,
                                                     content_weights, K)],
            "popularity": c.popular,
        }))
    return out


def evaluate(cases, weights: dict[str, float], regime: str | None = None) -> dict[str, tuple[float, float]]:
    scores = defaultdict(list)
    for c, lists in ranked_lists(cases, weights, regime):
        for method, ids in lists.items():
            scores[method].append(recall_ndcg(ids, c.relevant))
    return {m: tuple(float(x) for x in np.mean(v, axis=0)) for m, v in scores.items()}


def beyond_accuracy(lists: list[dict], vectors, popularity: Counter, n_users: int, n_items: int) -> dict:
    """Per method: intra-list diversity (mean pairwise 1 - cosine), catalogue coverage (share of the
    catalogue recommended to anyone) and novelty (mean -log2 of the share of users who rated an item)."""
    ids = {i for row in lists for v in row.values() for i in v}
    emb = vectors.embeddings(sorted(ids))
    out = {}
    for method in lists[0]:
        ild, novelty, covered = [], [], set()
        for row in lists:
            items = row[method]
            covered |= set(items)
            vecs = [emb[i] for i in items if i in emb]
            if len(vecs) > 1:
                m = np.stack(vecs)
                sims = m @ m.T
                ild.append(float(1 - sims[np.triu_indices(len(vecs), 1)].mean()))
            novelty += [-math.log2(max(popularity[i], 1) / n_users) for i in items]
        out[method] = (statistics.mean(ild), len(covered) / n_items, statistics.mean(novelty))
    return out


def _table(cases, weights, vectors=None, popularity=None, n_users=0, n_items=0):
    for regime in ("open", "genre"):
        rows = ranked_lists(cases, weights, regime)
        print(f"\n{regime} request ({len(rows)} users): "
              + (f"'{OPEN_REQUEST}'" if regime == "open" else "'a <genre> movie', genre = most frequent held-out genre"))
        extra = beyond_accuracy([r for _, r in rows], vectors, popularity, n_users, n_items) if vectors else {}
        print(f"  {'method':14s} {'Recall@10':>10s} {'NDCG@10':>9s}" + ("   ILD  coverage  novelty" if extra else ""))
        for method, (rec, ndcg) in evaluate(cases, weights, regime).items():
            more = "   {:.3f}  {:8.3f}  {:7.2f}".format(*extra[method]) if extra else ""
            print(f"  {method:14s} {rec:10.4f} {ndcg:9.4f}{more}")


# -- commands ---------------------------------------------------------------------------------------
def _setup(args):
    from agent.settings import load_settings
    from agent.wiring import build_agent

    settings = load_settings(data_dir=args.data_dir)
    agent = build_agent(settings)
    interactions = agent.engine.store.interactions(settings.catalogue)
    users = sorted({u for u, *_ in interactions})
    random.Random(args.seed).shuffle(users)
    return settings, agent, interactions, users[: args.users]


def cmd_accuracy(args):
    from agent.understanding import lexicon

    settings, agent, interactions, users = _setup(args)
    train, test = time_split(interactions)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        cases = build_cases(agent, train, test, users, lexicon.MOOD_GENRES, settings.profile, Path(tmp))
        print(f"{len(users)} users, {len(train)} training ratings, {sum(len(v) for v in test.values())} held out; "
              f"candidates built in {time.perf_counter() - t:.0f} s")
        print("weights:", settings.weights.model_dump())
        popularity = Counter(i for _, i, _, _ in train)
        _table(cases, settings.weights.model_dump(), agent.engine.vectors, popularity, len(test), len(agent.engine.items))


def cmd_tune(args):
    from agent.understanding import lexicon

    settings, agent, interactions, users = _setup(args)
    train, _ = time_split(interactions)
    dev_train, dev = time_split(train)  # the test split is never touched
    with tempfile.TemporaryDirectory() as tmp:
        cases = build_cases(agent, dev_train, dev, users, lexicon.MOOD_GENRES, settings.profile, Path(tmp))
    weights = settings.weights.model_dump()

    def objective(w):
        r = [evaluate(cases, w, regime)["personalized"][1] for regime in ("open", "genre")]
        return statistics.mean(r)

    best = objective(weights)
    print(f"start {best:.4f} {weights}")
    # content and quality stay fixed: ratings cannot judge how well a pick matches a free-text
    # request or how good it is (see RankingWeights)
    grid = {"collaborative": [0.15, 0.3, 0.6, 0.9, 1.2, 1.6, 2.0], "profile": [0.0, 0.15, 0.3, 0.5, 0.8],
            "sequence": [0.0, 0.15, 0.3, 0.5, 0.8], "popularity": [0.0, 0.1, 0.25, 0.4, 0.6, 0.8, 1.0, 1.3],
            "genre": [0.3, 0.6, 0.9]}
    for _ in range(args.passes):
        for name, values in grid.items():
            for v in values:
                trial = {**weights, name: v}
                score = objective(trial)
                if score > best + 1e-4:
                    best, weights = score, trial
                    print(f"  {name}={v}: {best:.4f}")
    print("\ntuned on the dev split (mean NDCG@10 of open + genre requests):", round(best, 4))
    print({k: weights[k] for k in (*PERSONAL, "popularity", "quality")})


def cmd_ease(args):
    from retrieval.collaborative import CollaborativeModel, EaseSettings

    settings, agent, interactions, users = _setup(args)
    train, _ = time_split(interactions)
    dev_train, dev = time_split(train)  # the test split is never touched
    item_ids = list(agent.engine.items)
    history = defaultdict(set)
    for u, i, _, _ in dev_train:
        history[u].add(i)
    print(f"{len(users)} users, {len(dev_train)} training ratings, {sum(len(dev[u]) for u in users)} held out")
    for l2, neighbours in itertools.product(args.l2, args.neighbours):
        if l2 == 0 and neighbours != args.neighbours[0]:
            continue  # cosine keeps no EASE weights
        t = time.perf_counter()
        model = CollaborativeModel(dev_train, item_ids, ease=EaseSettings(l2=l2, neighbours=neighbours))
        fitted = time.perf_counter() - t
        scores = [recall_ndcg(list(model.top(model.item_scores(dict.fromkeys(history[u], 1.0)), K, history[u])),
                              {i for i, _ in dev[u]}) for u in users if history[u]]
        print(f"  l2={l2:<7g} kept={neighbours:<5d} recall@10 {statistics.mean(r for r, _ in scores):.4f}  "
              f"NDCG@10 {statistics.mean(n for _, n in scores):.4f}  (fit {fitted:.1f} s)")


def cmd_overlap(args):
    settings, agent, _, users = _setup(args)
    messages = ["a funny movie for movie night with friends", "something thrilling from the 90s",
                "a romantic movie for date night"]
    for message in messages:
        lists = [[it.id for it in agent.turn(message, user_id=u).items] for u in users]
        anon = [it.id for it in agent.turn(message).items]
        pairs = [len(set(a) & set(b)) / max(1, min(len(a), len(b))) for a, b in itertools.combinations(lists, 2)]
        vs_anon = [len(set(a) & set(anon)) / max(1, len(anon)) for a in lists]
        distinct = len({tuple(sorted(x)) for x in lists})
        print(f"'{message}': {len(users)} users, mean pairwise overlap {statistics.mean(pairs):.3f} "
              f"(share of pairs with identical lists {sum(p == 1.0 for p in pairs) / len(pairs):.3f}), "
              f"{distinct} distinct lists, overlap with the anonymous list {statistics.mean(vs_anon):.3f}")


def cmd_latency(args):
    settings, agent, _, users = _setup(args)
    messages = ["a funny movie for movie night with friends", "a thriller from the 90s", "I loved Se7en",
                "something shorter", "a family movie with the kids"]
    stages = {"user": defaultdict(list), "anonymous": defaultdict(list)}
    for n in range(args.turns):
        user = users[n % len(users)]
        for who, sink in ((user, stages["user"]), (None, stages["anonymous"])):
            r = agent.turn(messages[n % len(messages)], user_id=who)
            if r.action != "recommend":
                continue
            for k, v in r.timings_ms.items():
                sink[k].append(v)
            sink["personal ranking"].append(sum(r.timings_ms.get(k, 0.0) for k in ("personalize", "features", "rank")))
    print(f"{len(stages['user']['total'])} recommending turns each, {len(users)} users cycled; ms on this machine "
          "(shared CPU: noisy, quote medians)")
    print(f"  {'stage':18s} {'user p50':>9s} {'user p95':>9s} {'anon p50':>9s} {'anon p95':>9s}")
    for k in stages["user"]:
        u, a = stages["user"][k], stages["anonymous"].get(k) or [0.0]
        print(f"  {k:18s} {statistics.median(u):9.1f} {percentile(u, 95):9.1f} "
              f"{statistics.median(a):9.1f} {percentile(a, 95):9.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["accuracy", "tune", "ease", "overlap", "latency"])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--users", type=int, default=None, help="users sampled (default: all; overlap: 50)")
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--l2", type=float, nargs="+", default=[0, 50, 100, 200, 500, 1000, 2000],
                    help="ease: ridge strengths to try (0: cosine item-item)")
    ap.add_argument("--neighbours", type=int, nargs="+", default=[100, 500],
                    help="ease: weights kept per item to try")
    args = ap.parse_args()
    if args.users is None:
        args.users = {"overlap": 50, "tune": 300, "latency": 50}.get(args.command, 10_000)
    {"accuracy": cmd_accuracy, "tune": cmd_tune, "ease": cmd_ease, "overlap": cmd_overlap,
     "latency": cmd_latency}[args.command](args)


if __name__ == "__main__":
    main()
