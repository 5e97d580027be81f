"""Fit :class:`retrieval.conversation_model.ConversationModel` on replayed training dialogues.

One example per recommendation point: the seeker's words so far and the films named so far (the
product's own reading of the dialogue, :func:`evaluation.training.examples`), and the films the
recommender suggested there; and, at ``seeker_weight``, one per seeker turn that names new films
(the same inputs, and the films the seeker names). Softmax over every film of the training
catalogue, Adam, dropout on both inputs, L2 on every vector; deterministic under the seed. sklearn
builds the vocabulary at training time only; the product reads the arrays.

Example::

    model = fit_conversation_model(texts, named, golds, names, ConversationConfig(seed=0))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.conversation_model import RANK_SCALE, ConversationModel


@dataclass
class ConversationConfig:
    # chosen on the validation split (ReDial dev, dedup; see the README's ablation table)
    seed: int = 0
    dimension: int = 128
    # the model alone, ReDial dev dedup R@50: 10 epochs .367, 15 .358, 7 .339 (30 overfit, .316); with
    # the seekers' examples 10 and 13 are alike (.384 / .382)
    epochs: int = 10
    # the weight of an example where the seeker names the films (1: a recommender's suggestion).
    # The model alone, ReDial dev dedup: R@50 .367 without them -> .384 at 0.3, 0.5 or 1.0 (10 epochs)
    seeker_weight: float = 0.5
    learning_rate: float = 3e-3
    l2: float = 1e-4
    dropout: float = 0.3
    # a film named is its suggested vector plus a learned shift (both under the same L2), not a
    # vector of its own: what a film learns in one role serves the other, so a film the seekers bring
    # up but recommenders rarely suggest still lands near its neighbours. The model alone, ReDial dev
    # dedup, three seeds: R@10 / R@50 .170 / .368 with separate vectors, .192 / .394 with one shared
    # vector (no shift), .192 / .399 shared with the shift
    shared: bool = True
    # as a ranking feature the model's log-probabilities count down to this many nats below its best
    # film (retrieval.conversation_model.as_feature). At 8 the model's opinion reached hundreds of
    # films and, on INSPIRED, outweighed how well a film matches the person's words; at 4 it ranks its
    # few strongest candidates and the other features order the rest. Chosen on validation with the
    # weights fixed (spans 3-12, README), then retrained at 4 and 5: ReDial dev dedup R@10 / R@50
    # .2089 / .4203 at 8, .2139 / .4215 at 5, .2117 / .4191 at 4; INSPIRED .1779 / .3360, .1660 / .3597,
    # .1621 / .3676
    feature_span: float = 4.0
    # the model's order as a second feature (conversation_rank): 1 / (1 + rank / rank_scale), so 0.5
    # at this rank; stored with the model, since the ranker's weight for it is fitted at this scale
    rank_scale: float = RANK_SCALE
    max_terms: int = 30000
    kept_terms: int = 20000  # stored: the words and pairs that weigh most (validation: no loss at 20,000)
    min_df: int = 2
    batch: int = 256


def _vectorizer(min_df: int, max_terms: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, max_features=max_terms, sublinear_tf=True,
                           dtype=np.float32)


def _bags(matrix, rows):
    """The sparse rows as (indices, offsets, weights) for ``torch.nn.EmbeddingBag``."""
    import torch

    sub = matrix[rows]
    return (torch.from_numpy(sub.indices.astype(np.int64)), torch.from_numpy(sub.indptr[:-1].astype(np.int64)),
            torch.from_numpy(sub.data.astype(np.float32)))


def _named_matrix(named: list[list[str]], row: dict[str, int]):
    """Per example, the films named so far as one row: 1 / (films known) at each known film."""
    import scipy.sparse as sp

    films = sp.lil_matrix((len(named), len(row)), dtype=np.float32)
    for k, ns in enumerate(named):
        known = [row[n] for n in dict.fromkeys(ns) if n in row]
        for r in known:
            films[k, r] = 1.0 / len(known)
    return films.tocsr()


def _word_matrix(texts: list[str], cfg: ConversationConfig):
    """The vectorizer fitted on ``texts`` and their TF-IDF rows (CSR)."""
    docs = [t or " " for t in texts]
    try:
        vec = _vectorizer(cfg.min_df, cfg.max_terms)
        return vec, vec.fit_transform(docs).tocsr()
    except ValueError:  # a corpus so small that no term is in min_df examples: keep every term
        vec = _vectorizer(1, cfg.max_terms)
        return vec, vec.fit_transform(docs).tocsr()


def fit_conversation_model(texts: list[str], named: list[list[str]], golds: list[list[str]], names: list[str],
                           cfg: ConversationConfig, weights: list[float] | None = None) -> ConversationModel:
    """``texts``/``named``/``golds``: per example the seeker's words, the film names named so far and
    the film names suggested next; ``names``: every film of the training catalogue; ``weights``: per
    example (default 1 each)."""
    import torch

    vec, words = _word_matrix(texts, cfg)
    row = {n: k for k, n in enumerate(names)}
    films = _named_matrix(named, row)
    pairs = np.asarray([(k, row[g]) for k, gs in enumerate(golds) for g in gs if g in row], dtype=np.int64)
    if not len(pairs):
        raise ValueError("no training example names a film of the catalogue")
    weight = np.ones(len(texts), np.float32) if weights is None else np.asarray(weights, np.float32)
    pair_weight = torch.from_numpy(weight[pairs[:, 0]])

    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    d = cfg.dimension
    word_bag = torch.nn.EmbeddingBag(words.shape[1], d, mode="sum")
    film_bag = torch.nn.EmbeddingBag(len(names), d, mode="sum")
    film_out = torch.nn.Parameter(torch.empty(len(names), d))
    bias = torch.nn.Parameter(torch.zeros(len(names)))
    for w in (word_bag.weight, film_bag.weight, film_out):
        torch.nn.init.normal_(w, 0.0, 0.01, generator=gen)
    if cfg.shared:
        shift = torch.nn.Parameter(torch.zeros(len(names), d))
        vectors = [word_bag.weight, film_out, shift]
    else:
        vectors = [word_bag.weight, film_out, film_bag.weight]
    opt = torch.optim.Adam([*vectors, bias], lr=cfg.learning_rate)

    def film_in():
        return film_out + shift if cfg.shared else film_bag.weight

    def hidden(rows):
        i, o, v = _bags(words, rows)
        h = word_bag(i, o, per_sample_weights=torch.nn.functional.dropout(v, cfg.dropout))
        i, o, v = _bags(films, rows)
        return h + torch.nn.functional.embedding_bag(i, film_in(), o, mode="sum",
                                                     per_sample_weights=torch.nn.functional.dropout(v, cfg.dropout))

    targets = torch.from_numpy(pairs[:, 1])
    for _ in range(cfg.epochs):
        order = torch.randperm(len(pairs), generator=gen).numpy()
        for start in range(0, len(order), cfg.batch):
            idx = order[start:start + cfg.batch]
            l2 = sum((v ** 2).sum() for v in vectors)
            each = torch.nn.functional.cross_entropy(hidden(pairs[idx, 0]) @ film_out.T + bias, targets[idx],
                                                     reduction="none")
            loss = (each * pair_weight[idx]).sum() / pair_weight[idx].sum()
            opt.zero_grad()
            (loss + cfg.l2 * l2).backward()
            opt.step()
    with torch.no_grad():
        arrays = [t.detach().numpy() for t in (word_bag.weight, film_in(), film_out, bias)]
    model = ConversationModel(list(vec.get_feature_names_out()), vec.idf_, arrays[0], list(names), *arrays[1:],
                              span=cfg.feature_span, rank_scale=cfg.rank_scale)
    return model.pruned(cfg.kept_terms)
