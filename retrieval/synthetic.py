"""A synthetic movie catalogue of any size, for scale tests and benchmarks.

Items look like the default catalogue (titles, MovieLens genres with realistic frequencies,
years skewed to recent decades, runtimes, MPAA, IMDb-like rating and votes, a long-tailed
popularity, a one-line description) and are generated lazily, chunk by chunk, from a seed:
the same ``(n, seed)`` always yields the same items, so an interrupted ingest resumes.

:class:`TermVectorEmbedder` is a cheap *synthetic* embedder for these items: a text's vector
is the normalised mean of real MiniLM vectors of its words (computed once per vocabulary).
It keeps the geometry of the real model (a "funny comedy" query lands near comedies) at
~100x the speed, which is what makes 1M-item runs possible on a CPU. Numbers measured with
it are about the vector store, not about embedding quality. Example::

    items = synthetic_items(100_000)              # an iterator; nothing is held in memory
    next(items).document()                        # 'The Silent Harbor (1994). Genres: Drama...'
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from retrieval.embeddings import DIMENSION
from retrieval.items import Item

CHUNK = 1000
# MovieLens genres with their approximate share of movies.
GENRES: dict[str, float] = {
    "Drama": 0.45, "Comedy": 0.35, "Thriller": 0.18, "Romance": 0.16, "Action": 0.15,
    "Crime": 0.12, "Adventure": 0.11, "Horror": 0.09, "Sci-Fi": 0.08, "Fantasy": 0.06,
    "Mystery": 0.06, "Children": 0.05, "Documentary": 0.05, "Animation": 0.05, "War": 0.04,
    "Musical": 0.03, "Western": 0.02, "Film-Noir": 0.01, "IMAX": 0.01,
}
ADJECTIVES = ("silent last lost hidden broken golden dark little wild secret final long bright cold "
              "burning quiet endless savage forgotten crimson hollow iron sweet bitter").split()
NOUNS = ("harbor road city river night summer kingdom garden storm heart shadow island mountain "
         "house machine letter winter empire train border dream promise mirror frontier circus").split()
NAMES = "Anna Jack Maria Leo Rosa Sam Nora Victor Elena Max Iris Tom Clara Omar Lucy Felix".split()
SUBJECTS = {
    "Drama": "a family torn apart|a teacher who changes lives|grief and healing|a small town secret",
    "Comedy": "a hilarious road trip|misfits who become friends|a wedding gone wrong|a lovable slacker",
    "Thriller": "a deadly conspiracy|a chase across the city|a hostage crisis|a spy on the run",
    "Romance": "two strangers falling in love|a summer love story|lovers kept apart|a second chance at love",
    "Action": "explosive fights and car chases|a soldier on a mission|a heist with guns blazing",
    "Crime": "a mob family|a detective hunting a killer|a bank robbery|corrupt cops",
    "Adventure": "a quest for treasure|explorers in the jungle|a journey across the sea",
    "Horror": "a haunted house|a monster in the woods|a possessed child|zombies and gore",
    "Sci-Fi": "aliens invading earth|a spaceship lost in space|time travel|robots and the future",
    "Fantasy": "wizards and dragons|a magical kingdom|an enchanted forest",
    "Mystery": "a puzzling murder|a missing heiress|clues in an old mansion",
    "Children": "a talking dog|kids saving their school|a friendly giant",
    "Documentary": "the history of jazz|life in the ocean|a true story of survival",
    "Animation": "cartoon animals on an adventure|a toy that comes to life|a cute robot",
    "War": "soldiers in world war two|a battle in vietnam|the home front",
    "Musical": "singing and dancing on broadway|a band on tour",
    "Western": "cowboys and outlaws|a sheriff in a frontier town",
    "Film-Noir": "a femme fatale|a cynical private eye",
    "IMAX": "breathtaking large-format footage",
}
MPAA = ("G", "PG", "PG-13", "R", "NC-17")


def _title(rng: np.random.Generator) -> str:
    adj, noun, noun2 = rng.choice(ADJECTIVES).title(), rng.choice(NOUNS).title(), rng.choice(NOUNS).title()
    form = rng.integers(6)
    if form == 0:
        return f"The {adj} {noun}"
    if form == 1:
        return f"{noun} of the {noun2}"
    if form == 2:
        return f"{rng.choice(NAMES)}'s {noun}"
    if form == 3:
        return f"{adj} {noun} {rng.integers(2, 5)}"
    if form == 4:
        return f"{'An' if adj[0] in 'AEIOU' else 'A'} {adj} {noun} in {noun2}"
    return f"{adj} {noun}"


def _item(index: int, rng: np.random.Generator) -> Item:
    genres = [g for g, p in GENRES.items() if rng.random() < p * 0.9][:3] or [str(rng.choice(list(GENRES)))]
    year = int(np.clip(2016 - rng.exponential(18), 1915, 2016))
    short = rng.random() < 0.03
    runtime = int(rng.integers(5, 40)) if short else int(np.clip(rng.normal(104, 20), 60, 220))
    mpaa = str(rng.choice(MPAA, p=(0.06, 0.2, 0.3, 0.4, 0.04))) if rng.random() < 0.4 else None
    votes = int(rng.lognormal(6, 2))
    subject = str(rng.choice(SUBJECTS[genres[0]].split("|")))
    return Item(
        id=f"syn{index}", title=_title(rng), year=year, genres=genres, runtime=runtime, mpaa=mpaa,
        rating=round(float(np.clip(rng.normal(6.3, 1.1), 1.0, 9.8)), 1), votes=votes,
        popularity=int(rng.pareto(1.2) * 3), mean_rating=round(float(np.clip(rng.normal(3.4, 0.5), 0.5, 5)), 2),
        description=f"A {rng.choice(ADJECTIVES)} {genres[0].lower()} story about {subject}.",
    )


def synthetic_items(n: int, seed: int = 0, start: int = 0) -> Iterator[Item]:
    """Items ``start .. n-1`` of the catalogue ``(n, seed)``, generated lazily chunk by chunk."""
    for chunk_start in range(start - start % CHUNK, n, CHUNK):
        rng = np.random.default_rng([seed, chunk_start // CHUNK])
        for index in range(chunk_start, min(chunk_start + CHUNK, n)):
            item = _item(index, rng)
            if index >= start:
                yield item


def vocabulary() -> list[str]:
    """Every word the generator can emit in an item's document, plus common query words."""
    text = " ".join([*ADJECTIVES, *NOUNS, *NAMES, *GENRES, *SUBJECTS.values(),
                     "funny light scary romantic thrilling dark family kids story genres"])
    return sorted(set(tokenize(text)))


_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)?")


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class TermVectorEmbedder:
    """Synthetic embedder: mean of per-word vectors (real MiniLM vectors of each word).

    Same interface as :class:`retrieval.embeddings.Embedder` (``encode``, ``encode_query``).
    Unknown words are ignored; a text with no known word gets a hash-seeded random vector.
    """

    model_path = None

    def __init__(self, term_vectors: dict[str, np.ndarray], batch_size: int = 1000):
        self.batch_size = batch_size
        self._terms = {t: i for i, t in enumerate(term_vectors)}
        self._matrix = np.stack(list(term_vectors.values())).astype(np.float32)

    @classmethod
    def from_model(cls, embedder, cache: Path | None = None) -> TermVectorEmbedder:
        """Embed the vocabulary once with a real embedder (cached as .npz when ``cache`` is set)."""
        if cache and cache.exists():
            data = np.load(cache)
            return cls(dict(zip(data["terms"].tolist(), data["vectors"])))
        terms = vocabulary()
        vectors = embedder.encode(terms)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, terms=np.array(terms), vectors=vectors)
        return cls(dict(zip(terms, vectors)))

    def _one(self, text: str) -> np.ndarray:
        rows = [self._terms[w] for w in tokenize(text) if w in self._terms]
        if rows:
            return self._matrix[rows].mean(axis=0)
        return np.random.default_rng(zlib.crc32(text.encode())).standard_normal(DIMENSION).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        vecs = np.stack([self._one(t) for t in texts])
        return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
