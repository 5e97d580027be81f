"""How a person feels about a film they name, learned from the seekers' own labels.

ReDial's seekers said, for every film in their conversation, whether they liked it. A logistic
regression over the words around a mention (unigrams and bigrams of a window, the film itself
written ``moviex``) learns the cues the hand-written rules miss ("that movie put me to sleep").
It backs the rules rather than replacing them: a film the rules read as liked or neutral becomes
disliked only when the model is confident it was not liked (threshold chosen on the validation
split), because most mentioned films are liked and a false dislike hides a film the person wants.

The model is a plain table of n-gram weights (``sentiment.json`` in a model bundle); predicting
needs no library. Example::

    model = MentionSentiment.from_json(path.read_text())
    model.p_liked("honestly moviex put me to sleep", )          # 0.12
    SentimentBacked(understander, model).understand("...")      # rules + model
"""

from __future__ import annotations

import json
import math
import re

from agent.understanding.schema import Understanding

PLACEHOLDER = "moviex"
_TOKENS = re.compile(r"[a-z']+|[!?]")


def window_text(text: str, start: int, end: int, before: int, after: int) -> str:
    """The words around ``text[start:end]`` (a film named there), the film written ``moviex``."""
    left = _TOKENS.findall(text[:start].lower())[-before:] if before else []
    right = _TOKENS.findall(text[end:].lower())[:after]
    return " ".join(left + [PLACEHOLDER] + right)


class MentionSentiment:
    def __init__(self, weights: dict[str, float], bias: float, threshold: float, before: int = 10, after: int = 6):
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.before = before
        self.after = after

    def features(self, window: str) -> set[str]:
        toks = _TOKENS.findall(window) if PLACEHOLDER not in window else window.split()
        return set(toks) | {f"{a} {b}" for a, b in zip(toks, toks[1:])}

    def p_liked(self, window: str) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in self.features(window))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def disliked(self, text: str, start: int, end: int) -> bool:
        """Confidently not liked; a window with no English word around the film says nothing."""
        window = window_text(text, start, end, self.before, self.after)
        return window != PLACEHOLDER and self.p_liked(window) < self.threshold

    def to_json(self) -> str:
        return json.dumps({"weights": self.weights, "bias": self.bias, "threshold": self.threshold,
                           "before": self.before, "after": self.after}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MentionSentiment:
        d = json.loads(text)
        return cls({str(k): float(v) for k, v in d["weights"].items()}, float(d["bias"]), float(d["threshold"]),
                   int(d["before"]), int(d["after"]))


class SentimentBacked:
    """An understander whose mention verdicts the learned model backs: a title the rules read as
    liked or neutral, which the model is confident the person did not like, becomes disliked."""

    def __init__(self, inner, model: MentionSentiment):
        self.inner = inner
        self.model = model
        self.embedded = getattr(inner, "embedded", inner)  # the rule reader, for batch replay

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def understand(self, text: str, ctx=None) -> Understanding:
        u = self.inner.understand(text, ctx) if ctx is not None else self.inner.understand(text)
        if u.language not in (None, "en"):
            return u  # learned from English conversations
        low = text.lower()
        for m in u.mentions:
            if m.polarity not in ("liked", "neutral") or not m.surface:
                continue
            start = low.find(m.surface.lower())
            if start >= 0 and self.model.disliked(text, start, start + len(m.surface)):
                m.polarity = "disliked"
        return u
