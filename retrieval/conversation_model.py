"""Which film a recommender suggests next, from the person's words and the films named so far.

Learned from training conversations (:func:`evaluation.conversation_training.fit_conversation_model`):
the seeker's words (TF-IDF over word uni- and bigrams) and the films named in the dialogue (a
learned vector per film) are mapped to one hidden vector, which scores every film of the
training catalogue (a learned output vector and bias per film; softmax in training)::

    hidden = tfidf(words) @ word_vectors + mean(film_in[named films])
    log P(film | conversation) = log_softmax(film_out @ hidden + bias)   (films not named yet)

(Training fits ``film_in`` as ``film_out`` plus a learned shift, so one film's two roles share
what they learn; the bundle stores both matrices.) As a ranking feature (:meth:`feature`) the
log-probabilities count down to ``span`` nats below the best film, a setting chosen with the
ranker's weights and stored with the model (older bundles: 8); so is the rank at which the order
feature (:meth:`features`, :func:`as_rank_feature`) halves.

Films are known by name ("Title (Year)"), like :class:`retrieval.comention.CoMention`, so the
model carries over to any catalogue holding the same films (:mod:`agent.learned_signals` maps
names onto rows). The bundle stores the vocabulary (single words and word pairs), IDF weights and
numbers: no dialogue text.

Example::

    model.log_scores("a funny one for my kids", ["Toy Story (1995)"])  # one value per model.names
    model.feature("a funny one for my kids", ["Toy Story (1995)"])     # the same as 0..1 ranking values
"""

from __future__ import annotations

import re

import numpy as np

from retrieval.packing import dequantised, joined, quantised, split_joined

# sklearn's default token pattern (the vocabulary was built with it): two or more word characters
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
LEGACY_SPAN = 8.0  # the feature span of bundles that did not store theirs
RANK_SCALE = 10.0  # the rank at which as_rank_feature halves (and that of bundles that did not store theirs)


def ngrams(text: str) -> list[str]:
    """The lower-cased words of ``text`` and every pair of neighbouring words (``"a b"``)."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class ConversationModel:
    def __init__(self, vocabulary: list[str], idf: np.ndarray, word_vectors: np.ndarray, names: list[str],
                 film_in: np.ndarray, film_out: np.ndarray, bias: np.ndarray, *, span: float,
                 rank_scale: float = RANK_SCALE):
        if not (len(vocabulary) == len(idf) == word_vectors.shape[0]):
            raise ValueError("conversation model: vocabulary, idf and word vectors differ in length")
        if not (len(names) == film_in.shape[0] == film_out.shape[0] == len(bias)):
            raise ValueError("conversation model: film names, film vectors and biases differ in length")
        if word_vectors.shape[1] != film_in.shape[1] or film_in.shape[1] != film_out.shape[1]:
            raise ValueError("conversation model: word and film vectors differ in dimension")
        if not span > 0:
            raise ValueError(f"conversation model: feature span {span} is not positive")
        if not rank_scale > 0:
            raise ValueError(f"conversation model: rank scale {rank_scale} is not positive")
        self.vocabulary = list(vocabulary)
        self.term = {t: k for k, t in enumerate(self.vocabulary)}
        self.idf = idf.astype(np.float32)
        self.word_vectors = word_vectors.astype(np.float32)
        self.names = list(names)
        self.row = {n: k for k, n in enumerate(self.names)}
        self.film_in = film_in.astype(np.float32)
        self.film_out = film_out.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.span = float(span)
        self.rank_scale = float(rank_scale)

    @property
    def dimension(self) -> int:
        return self.word_vectors.shape[1]

    def tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(term rows, weights): sublinear term frequency x IDF, L2-normalised (sklearn's
        ``TfidfVectorizer(sublinear_tf=True)``, which the training used)."""
        counts: dict[int, int] = {}
        for gram in ngrams(text):
            if (k := self.term.get(gram)) is not None:
                counts[k] = counts.get(k, 0) + 1
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        rows = np.fromiter(counts, np.int64, len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))) * self.idf[rows]
        return rows, (values / (np.linalg.norm(values) or 1.0)).astype(np.float32)

    def hidden(self, text: str, named: list[str]) -> np.ndarray:
        rows, weights = self.tfidf(text)
        h = weights @ self.word_vectors[rows] if len(rows) else np.zeros(self.dimension, np.float32)
        films = [self.row[n] for n in dict.fromkeys(named) if n in self.row]
        if films:
            h = h + self.film_in[films].mean(axis=0)
        return h

    def log_scores(self, text: str, named: list[str]) -> np.ndarray:
        """log P(film | conversation) for every film of ``names``, among the films not named yet
        (those are never suggested again: -inf). The films named are in the hidden vector; with one
        vector per film for both roles each would otherwise score itself best."""
        logits = self.film_out @ self.hidden(text, named) + self.bias
        seen = [self.row[n] for n in named if n in self.row]
        if seen and len(set(seen)) < len(logits):
            logits[seen] = -np.inf
        top = float(logits.max())
        return logits - (top + float(np.log(np.exp(logits - top).sum())))

    def feature(self, text: str, named: list[str]) -> np.ndarray:
        """:meth:`log_scores` as 0..1 ranking values over this model's span (:func:`as_feature`)."""
        return as_feature(self.log_scores(text, named), self.span)

    def features(self, text: str, named: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`feature` and :func:`as_rank_feature` from one scoring of the films."""
        scores = self.log_scores(text, named)
        return as_feature(scores, self.span), as_rank_feature(scores, self.rank_scale)

    def pruned(self, terms: int) -> ConversationModel:
        """The model with only the ``terms`` words and word pairs whose vectors weigh most (the rest
        barely move the hidden vector; a smaller vocabulary keeps the shipped file small)."""
        if len(self.vocabulary) <= terms:
            return self
        keep = np.sort(np.argsort(-np.linalg.norm(self.word_vectors, axis=1), kind="stable")[:terms])
        return ConversationModel([self.vocabulary[k] for k in keep], self.idf[keep], self.word_vectors[keep],
                                 self.names, self.film_in, self.film_out, self.bias, span=self.span,
                                 rank_scale=self.rank_scale)

    # -- persistence: plain arrays, no pickles; vectors as int8 with a scale per row ----------
    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {"vocabulary": joined(self.vocabulary), "idf": self.idf, "names": joined(self.names), "bias": self.bias,
               "span": np.asarray(self.span, np.float32), "rank_scale": np.asarray(self.rank_scale, np.float32)}
        for key, matrix in (("word_vectors", self.word_vectors), ("film_in", self.film_in), ("film_out", self.film_out)):
            out[key], out[key + "_scale"] = quantised(matrix)
        return out

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> ConversationModel:
        vectors = {k: dequantised(a[k], a[k + "_scale"]) for k in ("word_vectors", "film_in", "film_out")}
        span = float(a["span"]) if "span" in a else LEGACY_SPAN  # a file written before the span was stored
        scale = float(a["rank_scale"]) if "rank_scale" in a else RANK_SCALE  # ... or the rank scale
        return cls(split_joined(a["vocabulary"]), a["idf"], vectors["word_vectors"], split_joined(a["names"]),
                   vectors["film_in"], vectors["film_out"], a["bias"], span=span, rank_scale=scale)


def as_rank_feature(log_scores: np.ndarray, scale: float = RANK_SCALE) -> np.ndarray:
    """The model's order as 0..1 ranking values: ``1 / (1 + rank / scale)``, 1 for its best film,
    0.5 at rank ``scale``, still 0.05 at rank 19 x ``scale``; 0 for the films it rules out (named
    already). Where :func:`as_feature` stops a few nats below the best film, this one keeps the
    model's order deep into the list."""
    out = np.zeros(log_scores.size, np.float32)
    order = np.argsort(-log_scores, kind="stable")
    out[order] = 1.0 / (1.0 + np.arange(log_scores.size, dtype=np.float32) / scale)
    out[~np.isfinite(log_scores)] = 0.0
    return out


def as_feature(log_scores: np.ndarray, span: float) -> np.ndarray:
    """Log-probabilities as 0..1 ranking values: 1 for the model's best film, falling linearly to 0
    at ``span`` nats below it, so a ranker weight ``w`` adds ``w / span`` times the log-probability
    (a product of experts) near the top and nothing for the films the model rules out."""
    if log_scores.size == 0:
        return log_scores.astype(np.float32)
    return np.clip(1.0 + (log_scores - float(log_scores.max())) / span, 0.0, 1.0).astype(np.float32)
